//go:build !blackbox

package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// The shipped binary waits for Coda at Coda's pace; only the build that
// test/ runs (polling_blackbox.go) asks sooner.
func TestShippedBuildPollsAtCodasPace(t *testing.T) {
	require.Equal(t, coda.DefaultPolling, polling)
}
