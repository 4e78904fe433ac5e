//go:build blackbox

package main

import (
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// clientOptions are what the build that test/ runs (go build -tags
// blackbox) passes to run for its Coda client: it asks the fake Coda about
// its writes after milliseconds rather than seconds, so that the suite does
// not sleep. The interval is Coda's read limit (100 requests in 6 s), so
// that a long wait is paced by this, not by the limit. This is the one
// difference from the shipped binary (options.go); coda's own tests check
// the default pacing (TestWait, under synctest).
func clientOptions() []coda.Option {
	return []coda.Option{coda.WithPolling(coda.Polling{First: 10 * time.Millisecond, Interval: 60 * time.Millisecond})}
}
