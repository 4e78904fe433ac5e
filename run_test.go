package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
)

// TestOneFlowForOneReleaseOrMany: a run and a backfill go through the same
// steps; what differs is said by the releases: the JSON's shape, the
// notes' order and the last line.
func TestOneFlowForOneReleaseOrMany(t *testing.T) {
	t.Parallel()
	v1 := changelog.Release{Version: "v1.0.0", Markdown: "## v1.0.0\n", Entries: []changelog.Entry{}}
	v2 := changelog.Release{Version: "v1.1.0", Markdown: "## v1.1.0\n", Entries: []changelog.Entry{}}
	tests := []struct {
		name       string
		r          releases
		notes      string
		json       byte // the first byte of OUTPUT_JSON
		last, info string
	}{{
		name:  "the build's release",
		r:     releases{list: []changelog.Release{v2}, summary: "v1.1.0, 0 entries"},
		notes: "## v1.1.0\n", json: '{',
		last: "✔ Dry run: v1.1.0, 0 entries. Nothing was sent to Coda.",
		info: "INFO: Wrote the release JSON to ",
	}, {
		name:  "a backfill",
		r:     releases{list: []changelog.Release{v1, v2}, backfill: true, summary: "2 releases"},
		notes: "## v1.1.0\n\n## v1.0.0\n\n", json: '[',
		last: "✔ Dry run of a backfill: 2 releases. Nothing was sent to Coda.",
		info: "INFO: Wrote the releases' JSON (an array, oldest first) to ",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			con := newConsole(&stderr, false)
			path := filepath.Join(t.TempDir(), "release.json")
			require.NoError(t, tt.r.writeJSON(path, con))
			require.NoError(t, tt.r.dryRun(config{}, con, &stdout, tt.r.insights(config{}, con, nil)))
			require.Equal(t, tt.notes, stdout.String())
			require.Contains(t, stderr.String(), tt.info+path+"\n")
			require.Contains(t, stderr.String(), tt.last+"\n")
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			require.True(t, json.Valid(data))
			require.Equal(t, tt.json, bytes.TrimSpace(data)[0])
		})
	}
}

// TestMemoryShare: a backfill's soft limit leaves as much room as it
// holds; any other run's a quarter.
func TestMemoryShare(t *testing.T) {
	t.Parallel()
	require.Equal(t, uint64(4), memoryShare(config{}))
	require.Equal(t, uint64(4), memoryShare(config{DryRun: true}))
	require.Equal(t, uint64(1), memoryShare(config{Backfill: true}))
}
