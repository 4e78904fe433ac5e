//go:build !blackbox

package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The shipped binary waits for Coda at Coda's pace: main passes its client
// nothing over package coda's defaults; only the build that test/ runs
// (options_blackbox.go) asks sooner.
func TestShippedBuildPollsAtCodasPace(t *testing.T) {
	require.Empty(t, clientOptions())
}
