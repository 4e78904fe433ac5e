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

// releasesDoc seeds a doc with a releases table (its display column the
// version), a changes table whose Release column looks releases up, a
// table of something else, and a notes page.
func releasesDoc(srv *codatest.Server) codatest.Doc {
	return srv.AddDoc(codatest.Doc{
		ID: typedDocID,
		Tables: []codatest.Table{
			{ID: "grid-releases", Name: "Releases", Columns: []codatest.Column{
				{ID: "c-version", Name: "Version", Display: true}, {ID: "c-count", Name: "Count", Type: "number"},
				{ID: "c-notes", Name: "Notes", Type: "canvas"},
			}},
			{ID: "grid-changes", Name: "Changes", Columns: []codatest.Column{
				{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"},
				{ID: "c-release", Name: "Release", Type: "lookup", Table: "Releases"},
			}},
			{ID: "grid-teams", Name: "Teams", Columns: []codatest.Column{{ID: "c-team", Name: "Team"}}},
		},
		Pages: []codatest.Page{{ID: "canvas-notes", Name: "Release notes", Markdown: "Older notes.\n"}},
	})
}

// twoTables is the configuration of a releases table linked to a changes
// table, with the default mappings.
func twoTables() Config {
	return Config{
		DocID:        typedDocID,
		ReleaseTable: Table{Name: "Releases", Rows: PerRelease, Variables: "CODA_RELEASE"},
		Table:        Table{Name: "Changes", Rows: PerCommit},
		Wait:         true, WaitTimeout: time.Minute,
	}
}

// release is a release of the given version whose entries have these
// shas' subjects.
func release(version string, shas ...int) changelog.Release {
	rel := changelog.Release{Version: version, To: fmt.Sprintf("%040x", shas[0])}
	for _, n := range shas {
		sha := fmt.Sprintf("%040x", n)
		rel.Entries = append(rel.Entries, changelog.Entry{SHA: sha, ShortSHA: sha[:7], Type: "fix", Subject: fmt.Sprintf("change %d", n)})
	}
	md, _ := changelog.BuiltinNotes().Render(rel)
	rel.Markdown = md
	return rel
}

// links returns, for every commit row, the version of the release row its
// Release cell points at, read back as Coda stores it.
func links(t *testing.T, srv *codatest.Server, c *coda.Client) map[string]string {
	t.Helper()
	versions := map[string]string{}
	for _, r := range srv.Rows(typedDocID, "grid-releases") {
		versions[r.ID] = fmt.Sprint(r.Values["c-version"])
	}
	out := map[string]string{}
	for _, r := range srv.Rows(typedDocID, "grid-changes") {
		rich := richRow(t, c, typedDocID, "grid-changes", r.ID)
		ref := rich["c-release"]
		require.Equal(t, coda.RichRow, ref.Kind, "the Release cell of %v is a row reference: %v", r.Values["c-sha"], ref)
		out[fmt.Sprint(r.Values["c-subject"])] = versions[ref.RowID]
	}
	return out
}

func TestTwoTables(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithWriteDelay(time.Second))
		releasesDoc(srv)
		client := fakeClient(t, srv)
		cfg := twoTables()
		for range 2 { // a rerun changes nothing
			done, err := New(client, cfg, discard{}).Publish(t.Context(), release("v1.1.0", 1, 2))
			require.NoError(t, err)
			require.Equal(t, []string{`1 row upserted into table "Releases"`, `2 rows upserted into table "Changes"`}, withoutLinks(done))
		}
		require.Equal(t, map[string]string{"change 1": "v1.1.0", "change 2": "v1.1.0"}, links(t, srv, client))

		// A later build computes another version for the same commits and
		// one more: its release row is written, and the commits move to it.
		_, err := New(client, cfg, discard{}).Publish(t.Context(), release("v1.2.0", 1, 2, 3))
		require.NoError(t, err)
		require.Len(t, srv.Rows(typedDocID, "grid-releases"), 2)
		require.Equal(t, map[string]string{"change 1": "v1.2.0", "change 2": "v1.2.0", "change 3": "v1.2.0"}, links(t, srv, client))
	})
}

func TestTwoTablesChecksTheLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  func(Config) Config
		want string
	}{{
		name: "a lookup of another table",
		cfg: func(c Config) Config {
			c.ReleaseTable.Name = "Teams"
			c.ReleaseTable.Columns = []ColumnMapping{{Field: "version", Column: "Team"}}
			return c
		},
		want: `CODA_TABLE "Changes" cannot link its rows to CODA_RELEASE_TABLE "Teams":` + "\n" +
			`- the Lookup column "Release" of table "Changes" (for version) points at table "Releases", not at CODA_RELEASE_TABLE "Teams": point it at "Teams", or map another column`,
	}, {
		name: "a display column that is not the version",
		cfg: func(c Config) Config {
			c.ReleaseTable.Columns = []ColumnMapping{{Field: "version", Column: "Notes"}, {Field: "count", Column: "Version"}}
			c.ReleaseTable.KeyColumns = []string{"Notes"}
			return c
		},
		want: `Coda finds a release's row by the display column of table "Releases", which does not hold the version`,
	}, {
		name: "a release table without a key",
		cfg: func(c Config) Config {
			c.ReleaseTable.Columns = []ColumnMapping{{Field: "count", Column: "Count"}, {Field: "version"}}
			return c
		},
		want: `CODA_RELEASE_TABLE "Releases" cannot take the rows:` + "\n" +
			`- no key column: map the version field to a column (it identifies a row, so reruns update instead of adding), or set CODA_RELEASE_KEY_COLUMNS`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted()
				releasesDoc(srv)
				_, err := New(fakeClient(t, srv), tt.cfg(twoTables()), discard{}).Publish(t.Context(), release("v1.1.0", 1))
				require.ErrorContains(t, err, tt.want)
				require.Zero(t, srv.Stats().Writes, "nothing is written")
			})
		})
	}
}

func TestBackfill(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithWriteDelay(time.Second))
		releasesDoc(srv)
		client := fakeClient(t, srv)
		cfg := twoTables()
		cfg.Page, cfg.PageMode = "Release notes", coda.Prepend
		rels := []changelog.Release{release("v1.0.0", 1, 2), release("v1.1.0", 3), release("v1.2.0", 4, 5)}
		rels[1].Entries = nil // a release whose commits were all filtered out
		rels[1].Markdown, _ = changelog.BuiltinNotes().Render(rels[1])

		var log recorder
		done, err := New(client, cfg, &log).Backfill(t.Context(), rels)
		require.NoError(t, err)
		require.Equal(t, []string{`3 rows upserted into table "Releases"`, `4 rows upserted into table "Changes"`,
			`notes of 3 releases written to page "Release notes" (prepend, 1 write)`}, withoutLinks(done))
		require.Equal(t, map[string]string{"change 1": "v1.0.0", "change 2": "v1.0.0", "change 4": "v1.2.0", "change 5": "v1.2.0"}, links(t, srv, client))
		page := srv.PageMarkdown(typedDocID, "Release notes")
		require.Less(t, strings.Index(page, "## v1.2.0"), strings.Index(page, "## v1.1.0"), page)
		require.Less(t, strings.Index(page, "## v1.1.0"), strings.Index(page, "## v1.0.0"), page)
		// A page without sections gets them below the text written by hand,
		// which stays outside them.
		require.True(t, strings.HasPrefix(page, "Older notes.\n## v1.2.0"), page)

		// A second backfill, after one more release, adds that release only.
		writes := srv.Stats().Writes
		rels = append(rels, release("v1.3.0", 6))
		done, err = New(client, cfg, discard{}).Backfill(t.Context(), rels)
		require.NoError(t, err)
		require.Contains(t, withoutLinks(done), `notes written to page "Release notes" (prepend)`)
		require.Equal(t, 1, strings.Count(srv.PageMarkdown(typedDocID, "Release notes"), "## v1.2.0"))
		require.True(t, strings.HasPrefix(srv.PageMarkdown(typedDocID, "Release notes"), "Older notes.\n## v1.3.0"), "above the newest section")
		require.Len(t, srv.Rows(typedDocID, "grid-releases"), 4)
		require.Len(t, srv.Rows(typedDocID, "grid-changes"), 5)
		require.Equal(t, 4, srv.Stats().Writes-writes, "one upsert of the release rows, two of the commit rows (the text, then the lookups parsed), one page write")
	})
}

// TestBackfillAfterRuns: a backfill after normal runs wrote the newest
// notes leaves out, with a warning, the older notes it cannot put in order.
func TestBackfillAfterRuns(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		releasesDoc(srv)
		cfg := twoTables()
		cfg.Page, cfg.PageMode = "Release notes", coda.Prepend
		rels := []changelog.Release{release("v1.0.0", 1), release("v1.1.0", 2), release("v1.2.0", 3)}
		_, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), rels[2])
		require.NoError(t, err)
		var log recorder
		_, err = New(fakeClient(t, srv), cfg, &log).Backfill(t.Context(), rels)
		require.NoError(t, err)
		page := srv.PageMarkdown(typedDocID, "Release notes")
		require.Equal(t, []string{"v1.2.0"}, versionHeadings(page), "nothing lands above or below out of order: %s", page)
		require.Contains(t, log.String(), `WARNING: The notes of v1.0.0 are older than those of v1.2.0 on page "Release notes"`)
		require.Contains(t, log.String(), `WARNING: The notes of v1.1.0 are older than those of v1.2.0`)
		require.Len(t, srv.Rows(typedDocID, "grid-changes"), 3, "the rows are all written")

		cfg.PageMode = coda.Replace
		_, err = New(fakeClient(t, srv), cfg, discard{}).Backfill(t.Context(), rels)
		require.NoError(t, err)
		page = srv.PageMarkdown(typedDocID, "Release notes")
		require.Less(t, strings.Index(page, "## v1.2.0"), strings.Index(page, "## v1.1.0"), page)
		require.Less(t, strings.Index(page, "## v1.1.0"), strings.Index(page, "## v1.0.0"), page)
	})
}

// TestBackfillOverlappingReleases: a release's range can hold commits of an
// earlier one (a pre-release's, say); each commit is sent once, with the
// newest release it is in.
func TestBackfillOverlappingReleases(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		releasesDoc(srv)
		client := fakeClient(t, srv)
		rels := []changelog.Release{release("v1.1.0-rc.1", 1, 2), release("v1.1.0", 1, 2, 3)}
		plans, err := New(client, twoTables(), discard{}).planTables(t.Context(), rels)
		require.NoError(t, err)
		require.Len(t, plans[1].rows, 3, "one row per commit")
		var log recorder
		Describe(&log, twoTables(), rels)
		require.Contains(t, log.String(), `Would upsert 3 rows (one per commit) into table "Changes"`, "a dry run counts the same rows")
		_, err = New(client, twoTables(), discard{}).Backfill(t.Context(), rels)
		require.NoError(t, err)
		require.Equal(t, map[string]string{"change 1": "v1.1.0", "change 2": "v1.1.0", "change 3": "v1.1.0"}, links(t, srv, client))
	})
}

// TestTestPayloadTwoTables writes a test release row and a test commit row
// linked to it, reports both, and deletes both.
func TestTestPayloadTwoTables(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithWriteDelay(time.Second))
		releasesDoc(srv)
		var log recorder
		done, err := New(fakeClient(t, srv), twoTables(), &log).TestPayload(t.Context(), release("v1.1.0", 1, 2))
		require.NoError(t, err, log.String())
		require.Equal(t, []string{"token and doc",
			`table "Releases": a test row written, read back (0 warnings) and deleted`,
			`table "Changes": a test row written, read back (0 warnings) and deleted`}, done)
		require.Contains(t, log.String(), `Test payload: ✔ Release (lookup, version): sent "[coda-changelog test] v1.1.0", stored row "[coda-changelog test] v1.1.0"`)
		require.Empty(t, srv.Rows(typedDocID, "grid-releases"))
		require.Empty(t, srv.Rows(typedDocID, "grid-changes"))
	})
}

// TestBackfill5000Commits: a backfill of 5,000 commits in 10 releases
// shares requests between releases, meets no 429 and stays near the floor
// that Coda's doc-content write limit sets. It asserts counts, never times.
func TestBackfill5000Commits(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		columns []ColumnMapping // of the Changes table
		passes  int
	}{
		{"text columns", []ColumnMapping{{Field: "sha", Column: "SHA"}, {Field: "subject", Column: "Subject"}, {Field: "version"}}, 1},
		{"linked to the releases", nil, 2}, // the default mapping: the Release lookup too, parsed in a second pass
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted(codatest.WithRateLimits(codatest.DocumentedLimits))
				releasesDoc(srv)
				var rels []changelog.Release
				for r := range 10 {
					shas := make([]int, 500)
					for i := range shas {
						shas[i] = r*500 + i + 1
					}
					rels = append(rels, release(fmt.Sprintf("v1.%d.0", r), shas...))
				}
				cfg := twoTables()
				cfg.Table.Columns = tt.columns
				var log recorder
				start := time.Now()
				_, err := New(fakeClient(t, srv), cfg, &log).Backfill(t.Context(), rels)
				require.NoError(t, err)
				took := time.Since(start)
				st := srv.Stats()
				writes := 1 + tt.passes*5000/500 // the release rows, then the commit rows, 500 a request
				limit := codatest.DocumentedLimits.DocContent
				floor := time.Duration((writes-1)/limit.N) * limit.Per
				t.Logf("backfill of 5,000 commits in 10 releases: %d requests (%d writes), %d 429s; wall %v, floor %v (%.2f×)",
					st.Requests, st.Writes, st.RateLimited, took, floor, took.Seconds()/floor.Seconds())
				require.Zero(t, st.RateLimited)
				require.Equal(t, writes, st.Writes)
				require.LessOrEqual(t, took.Seconds(), 1.25*floor.Seconds(), "within 1.25× of the write-limit floor")
				require.Len(t, srv.Rows(typedDocID, "grid-changes"), 5000)
				require.Contains(t, log.String(), "INFO: Table \"Changes\": ", "a long backfill is never silent")
			})
		})
	}
}

// versionHeadings lists the versions of a page's H2 headings, in order.
func versionHeadings(page string) []string {
	var out []string
	for _, line := range strings.Split(page, "\n") {
		if v, ok := strings.CutPrefix(line, "## "); ok {
			v, _, _ = strings.Cut(v, " ")
			out = append(out, v)
		}
	}
	return out
}

// TestDefaultMappingPrefersTheLink: with a release table, the version goes
// to a Lookup column of that table even when a text column named Version
// comes first.
func TestDefaultMappingPrefersTheLink(t *testing.T) {
	t.Parallel()
	lookup := coda.Column{ID: "c-release", Name: "Release", Format: coda.ColumnFormat{Type: coda.ColumnLookup, Table: &coda.TableRef{ID: "grid-releases"}}}
	columns := []coda.Column{{ID: "c-version", Name: "Version", Format: coda.ColumnFormat{Type: coda.ColumnText}}, lookup}
	rel := release("v1.0.0", 1)
	version := func(m []ColumnMapping) string {
		for _, c := range m {
			if c.Field == "version" {
				return c.Column
			}
		}
		return ""
	}
	require.Equal(t, "c-release", version(defaultMappings(columns, PerCommit, &rel, "grid-releases")))
	require.Equal(t, "c-version", version(defaultMappings(columns, PerCommit, &rel, "")), "without a release table, the first named column")
}

// TestTestPayloadDeletesARowNotConfirmed: a test row that Coda accepted
// but did not apply in time is deleted all the same once it is, or named
// for a person to delete when it is not applied even then.
func TestTestPayloadDeletesARowNotConfirmed(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		delay   time.Duration
		deleted bool
	}{{"applied late", 15 * time.Second, true}, {"applied too late", time.Minute, false}} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted(codatest.WithWriteDelay(tt.delay))
				releasesDoc(srv)
				cfg := twoTables()
				cfg.WaitTimeout = 10 * time.Second
				_, err := New(fakeClient(t, srv), cfg, discard{}).TestPayload(t.Context(), release("v1.1.0", 1))
				require.ErrorContains(t, err, "the test row was not yet applied by Coda after WAIT_TIMEOUT (10s)")
				time.Sleep(5 * time.Minute) // virtual: every accepted write is applied
				if tt.deleted {
					require.NotContains(t, err.Error(), "could not be deleted")
					require.Empty(t, srv.Rows(typedDocID, "grid-releases"), "the test row was deleted")
					return
				}
				rows := srv.Rows(typedDocID, "grid-releases")
				require.Len(t, rows, 1)
				require.ErrorContains(t, err, "the test row "+rows[0].ID+` could not be deleted from table "Releases": delete the row starting "[coda-changelog test] " by hand`)
			})
		})
	}
}

// TestRowTooLargeIsClipped: a commit whose text makes its row too large
// for Coda gets its long cell clipped, visibly, and a warning that names
// it; the other rows and the release row are written whole.
func TestRowTooLargeIsClipped(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		releasesDoc(srv)
		rel := release("v1.1.0", 1, 2)
		rel.Entries[1].Subject = strings.Repeat("long ", 20_000) // over Coda's 85,000 limit
		var log recorder
		_, err := New(fakeClient(t, srv), twoTables(), &log).Publish(t.Context(), rel)
		require.NoError(t, err)
		require.Contains(t, log.String(), `WARNING: CODA_TABLE "Changes": the row of commit 0000000 ("long long`)
		require.Contains(t, log.String(), "over Coda's 85 KB row limit, so its longest text cells were clipped")
		subjects := map[string]string{}
		for _, r := range srv.Rows(typedDocID, "grid-changes") {
			subjects[fmt.Sprint(r.Values["c-sha"])] = fmt.Sprint(r.Values["c-subject"])
		}
		require.Len(t, subjects, 2)
		long := subjects[rel.Entries[1].SHA]
		require.True(t, strings.HasSuffix(long, clippedCell), "%.80s…", long)
		require.Greater(t, len(long), 30_000, "clipped no more than needed")
		require.Equal(t, "change 1", subjects[rel.Entries[0].SHA])
	})
}

// TestBackfillChecksLinksAgainstEveryRelease: in a backfill only the
// newest release is the build's, so only it has the build's link; a Link
// column for build is still accepted, mapped or by its name, and gets the
// link on the newest release's row.
func TestBackfillChecksLinksAgainstEveryRelease(t *testing.T) {
	t.Parallel()
	for name, columns := range map[string][]ColumnMapping{
		"mapped":        {{Field: "version", Column: "Version"}, {Field: "build", Column: "Build"}},
		"named, as set": nil,
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted()
				doc := srv.AddDoc(codatest.Doc{Tables: []codatest.Table{{ID: "grid-r", Name: "Releases", Columns: []codatest.Column{
					{ID: "c-version", Name: "Version"}, {ID: "c-build", Name: "Build", Type: "link"},
				}}}})
				rels := []changelog.Release{release("v1.0.0", 1), release("v1.1.0", 2)}
				build := 17
				rels[1].Build = changelog.Build{Number: &build, URL: "https://bitbucket.org/acme/shop/pipelines/results/17"}
				cfg := Config{DocID: doc.ID, Table: Table{Name: "Releases", Rows: PerRelease, Columns: columns}}
				_, err := New(fakeClient(t, srv), cfg, discard{}).Backfill(t.Context(), rels)
				require.NoError(t, err)
				builds := map[string]any{}
				for _, r := range srv.Rows(doc.ID, "grid-r") {
					builds[fmt.Sprint(r.Values["c-version"])] = r.Values["c-build"]
				}
				require.Equal(t, map[string]any{"v1.0.0": "", "v1.1.0": rels[1].Build.URL}, builds)
			})
		})
	}
}
