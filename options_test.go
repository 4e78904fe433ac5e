//go:build !blackbox

package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The shipped binary waits for Coda at Coda's pace and gives Code Insights
// the default time: main passes run nothing over the packages' defaults;
// only the build that test/ runs (options_blackbox.go) asks sooner.
func TestShippedBuildKeepsTheDefaults(t *testing.T) {
	require.Zero(t, binaryOptions())
}
