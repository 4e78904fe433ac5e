package publish

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

func TestPlanPayload(t *testing.T) {
	t.Parallel()
	small := bigRelease(3)
	p, err := planPayload(small)
	require.NoError(t, err)
	require.False(t, p.Truncated)
	b, err := json.Marshal(p)
	require.NoError(t, err)
	require.NotContains(t, string(b), "truncated", "a release that fits is sent as it is")

	big := bigRelease(500)
	for i := range big.Entries {
		big.Entries[i].Body = strings.Repeat("a body line & <tag>\n", 300) // escaped in JSON: longer encoded
	}
	big.Markdown = strings.Repeat("- a line of notes, long enough to count "+strings.Repeat("x", 400)+"\n", 6_000)
	p, err = planPayload(big)
	require.NoError(t, err)
	require.True(t, p.Truncated)
	require.Equal(t, 500, p.EntriesTotal)
	require.Less(t, len(p.Entries), 500)
	require.Positive(t, len(p.Entries))
	n, err := coda.PayloadBytes(p)
	require.NoError(t, err)
	require.LessOrEqual(t, n, coda.MaxRequestBytes)
	require.Greater(t, n, coda.MaxRequestBytes*9/10, "as many entries as fit")
	require.Contains(t, p.Markdown, "did not fit Coda's request size limit")
	var decoded map[string]any
	b, err = json.Marshal(p)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &decoded))
	require.Equal(t, true, decoded["truncated"])
	require.EqualValues(t, 500, decoded["entries_total"])
	require.Equal(t, big.Version, decoded["version"], "the rest of the release JSON as it is")
}

func TestFitRow(t *testing.T) {
	t.Parallel()
	row := coda.RowEdit{Cells: []coda.CellEdit{
		{Column: "c-sha", Value: strings.Repeat("k", 10_000)}, // a key: never clipped
		{Column: "c-subject", Value: strings.Repeat("é", 30_000)},
		{Column: "c-body", Value: strings.Repeat("\"", 20_000)}, // escaped: 2 bytes each
		{Column: "c-n", Value: 3},
	}}
	got, clipped := fitRow(row, []string{"c-sha"})
	require.True(t, clipped)
	size, err := coda.RowSize(got)
	require.NoError(t, err)
	require.LessOrEqual(t, size, coda.MaxRowSize)
	require.Greater(t, size, coda.MaxRowSize-200, "clipped no more than needed")
	require.Equal(t, row.Cells[0], got.Cells[0])
	require.Equal(t, 3, got.Cells[3].Value)
	require.Equal(t, strings.Repeat("é", 30_000), row.Cells[1].Value, "the row given is left as it was")

	fine := coda.RowEdit{Cells: []coda.CellEdit{{Column: "c-subject", Value: "short"}}}
	got, clipped = fitRow(fine, nil)
	require.False(t, clipped)
	require.Equal(t, fine, got)

	keyOnly := coda.RowEdit{Cells: []coda.CellEdit{{Column: "c-sha", Value: strings.Repeat("k", 50_000)}}}
	_, clipped = fitRow(keyOnly, []string{"c-sha"})
	require.False(t, clipped, "a key is never clipped: the row is refused instead")
}

func TestNotesInSeveralWritesFormOneSection(t *testing.T) {
	t.Parallel()
	rel := changelog.Release{Version: "v9.0.0", Markdown: "## v9.0.0 (2026-02-06)\n"}
	var b strings.Builder
	for i := range 6_000 {
		fmt.Fprintf(&b, "- entry %d & <b>\"quoted\"</b> %s\n", i, strings.Repeat("\"", 300))
	}
	rel.Markdown += b.String()
	parts := notesParts([]changelog.Release{rel})[0].parts
	require.Greater(t, len(parts), 1)
	for _, part := range parts {
		require.LessOrEqual(t, coda.PageUpdateBytes(coda.Prepend, "cl-0123456789abcdef", part), coda.MaxRequestBytes)
	}
	require.Equal(t, rel.Markdown, strings.Join(parts, ""))
}
