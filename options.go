//go:build !blackbox

package main

import "bitbucket.org/coda-changelog/coda-changelog/coda"

// clientOptions are what main passes to run for its Coda client: none, so
// that the shipped binary waits for Coda, paces and times out as package
// coda does by default. The build that test/ runs passes its own
// (options_blackbox.go).
func clientOptions() []coda.Option { return nil }
