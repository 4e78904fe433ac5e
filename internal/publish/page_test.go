package publish

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// notesDoc seeds a doc with a releases table and a notes page.
func notesDoc(srv *codatest.Server) codatest.Doc {
	return srv.AddDoc(codatest.Doc{
		Name: "Release Log",
		Tables: []codatest.Table{{ID: "grid-releases", Name: "Releases", Columns: []codatest.Column{
			{ID: "c-v", Name: "Version"}, {ID: "c-prev", Name: "Previous version"}, {ID: "c-notes", Name: "Notes", Type: "canvas"},
			{ID: "c-n", Name: "Count", Type: "number"}, {ID: "c-d", Name: "Date", Type: "date"},
		}}},
		Pages: []codatest.Page{{ID: "canvas-notes", Name: "Release notes", Markdown: "Older notes.\n"}},
	})
}

// notesRelease is a small release with its notes rendered.
func notesRelease(t *testing.T) changelog.Release {
	rel := bigRelease(4)
	rel.Version, rel.PreviousVersion = "v1.1.0", "v1.0.0"
	rel.Entries[0].Type = "feat"
	md, err := changelog.BuiltinNotes().Render(rel)
	require.NoError(t, err)
	rel.Markdown = md
	return rel
}

func TestRowPerReleaseAndNotesPage(t *testing.T) {
	t.Parallel()
	for _, mode := range PageModes {
		t.Run(string(mode), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted(codatest.WithWriteDelay(2*time.Second), codatest.WithStatusNotFoundFor(time.Second))
				doc := notesDoc(srv)
				rel := notesRelease(t)
				cfg := Config{
					DocID: doc.ID, Page: "Release notes", PageMode: mode,
					Table: Table{Name: "Releases", Rows: PerRelease, Columns: []ColumnMapping{
						{Field: "version", Column: "Version"}, {Field: "previous_version", Column: "Previous version"},
						{Field: "markdown", Column: "Notes"}, {Field: "count", Column: "Count"}, {Field: "date", Column: "Date"},
					}},
					Wait: true, WaitTimeout: time.Minute,
				}
				for range 2 { // the second run is a rerun: nothing may be added twice
					_, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), rel)
					require.NoError(t, err)
				}
				rows := srv.Rows(doc.ID, "grid-releases")
				require.Len(t, rows, 1)
				require.Equal(t, "v1.1.0", rows[0].Values["c-v"])
				require.Equal(t, "v1.0.0", rows[0].Values["c-prev"])
				require.EqualValues(t, 4, rows[0].Values["c-n"])
				require.Contains(t, rows[0].Values["c-notes"], "### Features")

				page := srv.PageMarkdown(doc.ID, "Release notes")
				require.Equal(t, 1, strings.Count(page, "## v1.1.0"), page)
				switch mode {
				case coda.Prepend: // no section yet: below the text written by hand
					require.True(t, strings.HasPrefix(page, "Older notes.\n## v1.1.0"), page)
				case coda.Append:
					require.True(t, strings.HasPrefix(page, "Older notes."), page)
				case coda.Replace:
					require.NotContains(t, page, "Older notes.")
				}
			})
		})
	}
}

// TestPageRerunRightAfterARunDoesNotRepeatTheNotes: Coda applies writes
// seconds after accepting them, and plain reads lag behind, so a rerun at
// once (WAIT off) must still see the first run's notes.
func TestMarkdownInACanvasColumnWarns(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		doc := notesDoc(srv)
		for column, warns := range map[string]bool{"Notes": true, "Previous version": false} {
			var log recorder
			cfg := Config{DocID: doc.ID, Table: Table{Name: "Releases", Rows: PerRelease, Columns: []ColumnMapping{
				{Field: "version", Column: "Version"}, {Field: "markdown", Column: column}, {Field: "date"}, // no typed pass
			}}}
			_, err := New(fakeClient(t, srv), cfg, &log).Publish(t.Context(), notesRelease(t))
			require.NoError(t, err)
			warning := `WARNING: CODA_TABLE "Releases": column "Notes" is a Canvas column, and Coda's users report that markdown written to one shows as typed`
			require.Equal(t, warns, strings.Contains(log.String(), warning), "markdown in column %q:\n%s", column, log.String())
		}
	})
}

func TestPageRerunRightAfterARunDoesNotRepeatTheNotes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithWriteDelay(3 * time.Second))
		doc := notesDoc(srv)
		rel := notesRelease(t)
		cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, WaitTimeout: time.Minute}
		var first recorder
		_, err := New(fakeClient(t, srv), cfg, &first).Publish(t.Context(), rel)
		require.NoError(t, err)
		// The run reads its notes back, to remove a section another run
		// wrote at once, so it waits for them to be applied.
		require.Contains(t, first.String(), "waiting for them to read the page's latest content")
		var log recorder
		_, err = New(fakeClient(t, srv), cfg, &log).Publish(t.Context(), rel)
		require.NoError(t, err)
		require.Contains(t, log.String(), "already has the notes of v1.1.0")
		time.Sleep(3 * time.Second) // virtual time: the fake applies what it accepted
		require.Equal(t, 1, strings.Count(srv.PageMarkdown(doc.ID, "Release notes"), "## v1.1.0"))
	})
}

// TestFaultsEndWithTheSameRows: 5xx answers, connections dropped before and
// after Coda processed a write, and limits tighter than Coda's still end
// with exactly the release's rows, once each.
func TestFaultsEndWithTheSameRows(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(
			codatest.WithFaults(codatest.Faults{ServerErrorRate: 0.2, DropBeforeRate: 0.1, DropAfterRate: 0.2, Seed: 7}),
			codatest.WithRateLimits(codatest.Limits{
				Read: codatest.Limit{N: 3, Per: 2 * time.Second}, Write: codatest.Limit{N: 2, Per: 2 * time.Second},
				DocContent: codatest.Limit{N: 2, Per: 2 * time.Second},
			}))
		doc := srv.AddDoc(codatest.Doc{Tables: []codatest.Table{{ID: "grid-1", Name: "Changes", Columns: []codatest.Column{
			{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"},
		}}}})
		rel := bigRelease(1200) // more than one request's worth of rows
		cfg := Config{DocID: doc.ID, Table: Table{Name: "Changes", Rows: PerCommit}, Wait: true, WaitTimeout: 10 * time.Minute}
		_, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), rel)
		require.NoError(t, err)
		got := map[string]int{}
		for _, r := range srv.Rows(doc.ID, "grid-1") {
			got[fmt.Sprint(r.Values["c-sha"])]++
		}
		require.Len(t, got, len(rel.Entries))
		for _, e := range rel.Entries {
			require.Equal(t, 1, got[e.SHA], "exactly the release's commits, once each")
		}
		stats := srv.Stats()
		t.Logf("requests %d, 429s %d, 5xx %d, dropped %d", stats.Requests, stats.RateLimited, stats.ServerErrors, stats.Dropped)
		require.Positive(t, stats.ServerErrors+stats.Dropped, "the faults were injected")
		require.Positive(t, stats.RateLimited, "the fake's limits are tighter than Coda's, so 429s came")
	})
}

// TestLatestReadWaitsForWaitTimeout: a WAIT_TIMEOUT shorter than the
// interval between reads is still waited for, and the error says how
// long the run waited.
func TestLatestReadWaitsForWaitTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithWriteDelay(time.Minute))
		doc := notesDoc(srv)
		cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, WaitTimeout: 3 * time.Second}
		_, err := fakeClient(t, srv).UpdatePageContent(t.Context(), doc.ID, "Release notes", coda.Append, "pending")
		require.NoError(t, err)
		start := time.Now()
		_, err = New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), notesRelease(t))
		require.ErrorContains(t, err, "the doc still had writes not yet applied after 3s of waiting (WAIT_TIMEOUT 3s)")
		require.Equal(t, 3*time.Second, time.Since(start))
	})
}
