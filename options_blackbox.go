//go:build blackbox

package main

import (
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
)

// binaryOptions are what the build that test/ runs (go build -tags
// blackbox) passes to run, its only differences from the shipped binary
// (options.go):
//   - its Coda client asks the fake Coda about its writes after
//     milliseconds rather than seconds, so that the suite does not sleep.
//     The interval is Coda's read limit (100 requests in 6 s), so that a
//     long wait is paced by this, not by the limit; coda's own tests check
//     the default pacing (TestWait, under synctest);
//   - a Code Insights proxy that never answers costs two seconds, not the
//     shipped five, while a report that the fake proxy answers slowly (the
//     suite runs many binaries at once, under -race) has half a minute;
//     pipelines' own tests check the timeouts (TestReportsPublishFailures).
func binaryOptions() options {
	return options{
		coda:    []coda.Option{coda.WithPolling(coda.Polling{First: 10 * time.Millisecond, Interval: 60 * time.Millisecond})},
		reports: []pipelines.ReportsOption{pipelines.WithReportsTimeout(30 * time.Second), pipelines.WithAnswerTimeout(2 * time.Second)},
	}
}
