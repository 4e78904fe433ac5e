//go:build blackbox

package main

import "time"

// The black-box tests in test/ build the pipe with -tags blackbox, so that
// a proxy that never answers costs them two seconds, not the shipped five.
// The shipped timeout is pipelines' own test (TestReportsPublishFailures
// injects a short one).
func init() {
	reportTimeout = 2 * time.Second
}
