//go:build blackbox

package main

import (
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// The black-box tests in test/ build the pipe with -tags blackbox, so that a
// run asks the fake Coda about its writes after milliseconds rather than
// seconds, and the suite does not sleep. This pacing is the one difference
// from the shipped binary; the default pacing is coda's own test (TestWait,
// under synctest).
func init() {
	polling = coda.Polling{First: 10 * time.Millisecond, Interval: 25 * time.Millisecond}
}
