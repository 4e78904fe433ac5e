//go:build blackbox

package main

import (
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// The black-box tests in test/ build the pipe with -tags blackbox, so that a
// run asks the fake Coda about its writes after milliseconds rather than
// seconds, and the suite does not sleep. The interval is Coda's read limit
// (100 requests in 6 s), so that a long wait is paced by this, not by the
// limit. This pacing is the one difference from the shipped binary; the
// default pacing is coda's own test (TestWait, under synctest).
func init() {
	polling = coda.Polling{First: 10 * time.Millisecond, Interval: 60 * time.Millisecond}
}
