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
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
)

// bigRelease is a release of n entries with distinct shas.
func bigRelease(n int) changelog.Release {
	rel := changelog.Release{
		Version:    "v2.0.0",
		To:         fmt.Sprintf("%040x", 1),
		Repository: pipelines.Repository("acme/shop", ""),
		Links:      pipelines.Links{Repository: pipelines.Repository("acme/shop", "")},
	}
	for i := range n {
		sha := fmt.Sprintf("%040x", i+1)
		rel.Entries = append(rel.Entries, changelog.Entry{
			SHA: sha, ShortSHA: sha[:7], Type: "fix", Subject: fmt.Sprintf("change %d", i),
			Date: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Issues: []string{"ABC-1"},
		})
	}
	return rel
}

// publishStats publishes n rows per commit to a fake enforcing limits, in
// virtual time, and reports what it took.
func publishStats(t *testing.T, n int, limits codatest.Limits, typed bool) (codatest.Stats, time.Duration) {
	var stats codatest.Stats
	var took time.Duration
	columns := []codatest.Column{{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"}, {ID: "c-issues", Name: "Issues"}}
	if typed { // columns whose cells are sent again, parsed
		columns = append(columns, codatest.Column{ID: "c-type", Name: "Type", Type: "select"}, codatest.Column{ID: "c-date", Name: "Date", Type: "date"})
	}
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithRateLimits(limits))
		doc := srv.AddDoc(codatest.Doc{Tables: []codatest.Table{{ID: "grid-1", Name: "Changes", Columns: columns}}})
		cfg := Config{DocID: doc.ID, Table: Table{Name: "Changes", Rows: PerCommit}, Wait: true, WaitTimeout: 10 * time.Minute}
		start := time.Now()
		_, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), bigRelease(n))
		require.NoError(t, err)
		took = time.Since(start)
		stats = srv.Stats()
		require.Len(t, srv.Rows(doc.ID, "grid-1"), n)
	})
	return stats, took
}

// TestPublish5000Rows reports, for 5,000 rows per commit against Coda's
// documented limits, the requests made, the 429s met and the (virtual) wall
// time next to the floor the doc-content write limit imposes. It asserts
// counts, never times. A table with typed columns (a select, a date) gets
// each batch twice: the text, then the typed cells parsed.
func TestPublish5000Rows(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		typed  bool
		passes int
	}{{"text columns", false, 1}, {"typed columns", true, 2}} {
		t.Run(tt.name, func(t *testing.T) {
			const rows, perRequest = 5000, 500
			stats, took := publishStats(t, rows, codatest.DocumentedLimits, tt.typed)
			writes := tt.passes * ((rows + perRequest - 1) / perRequest)
			limit := codatest.DocumentedLimits.DocContent
			floor := time.Duration((writes-1)/limit.N) * limit.Per
			t.Logf("5,000 rows: %d requests (%d writes, %d reads), %d 429s; wall %v, floor %v (%.0f%% over)",
				stats.Requests, stats.Writes, stats.Reads, stats.RateLimited, took, floor, 100*(took.Seconds()/floor.Seconds()-1))
			require.Zero(t, stats.RateLimited, "pacing meets no 429")
			require.Equal(t, writes, stats.Writes, "the fewest writes the batching allows")
			const lookups = 4 // whoami, doc, table, columns
			readBack := 0
			if tt.typed {
				readBack = 1 // a row, to check its typed cells
			}
			require.Equal(t, lookups+writes+readBack, stats.Reads, "the lookups, one mutation status per write, and the row read back")
		})
	}
}

// TestPublishWhenCodaAllowsOnly3DocWritesPer10s is the same run against the
// lower doc-content limit Coda staff have announced: one 429, then the client
// paces at 3 per 10 s, and every row lands.
func TestPublishWhenCodaAllowsOnly3DocWritesPer10s(t *testing.T) {
	t.Parallel()
	limits := codatest.DocumentedLimits
	limits.DocContent.N = 3
	stats, took := publishStats(t, 5000, limits, false)
	t.Logf("5,000 rows at 3 doc writes per 10 s: %d requests, %d 429s, wall %v", stats.Requests, stats.RateLimited, took)
	require.Equal(t, 1, stats.RateLimited, "one 429 teaches the client the lower limit")
	require.Equal(t, 11, stats.Writes, "the ten upserts and the one refused")
}

func TestConvertValues(t *testing.T) {
	t.Parallel()
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	pr := 12
	rel := changelog.Release{
		Version:    "v1.0.0",
		Repository: pipelines.Repository("acme/shop", ""),
		Links:      pipelines.Links{Repository: pipelines.Repository("acme/shop", "")},
		Entries: []changelog.Entry{{
			SHA: strings.Repeat("ab", 20), ShortSHA: "abababa", Type: "feat", Breaking: true, PullRequest: &pr,
			Issues: []string{"ABC-1", "ABC-2"}, Author: changelog.Person{Name: "Jane", Email: "jane@example.com"},
			Date: time.Date(2026, 3, 1, 7, 30, 0, 0, time.UTC).In(la), URL: "https://bitbucket.org/acme/shop/commits/ab",
			Footers: []changelog.Footer{
				{Token: "Co-authored-by", Value: "Ann Lee <ann@example.com>"},
				{Token: "Reviewed-by", Value: "Zed <zed@example.com>"},
				{Token: "co-authored-by", Value: "Bo <bo@example.com>"},
			},
		}},
	}
	e := &rel.Entries[0]
	tests := []struct {
		field   string
		colType coda.ColumnType
		isArray bool
		want    any
	}{
		{"breaking", "checkbox", false, true},
		{"breaking", "text", false, "true"},
		{"pull_request", "number", false, 12.0},
		{"pull_request", "link", false, "https://bitbucket.org/acme/shop/pull-requests/12"},
		{"pull_request", "text", false, "12"},
		{"date", "date", false, "2026-02-28"},
		{"date", "dateTime", false, "2026-02-28T23:30:00-08:00"},
		{"date", "text", false, "2026-02-28T23:30:00-08:00"},
		{"issues", "text", false, "ABC-1, ABC-2"},
		{"issues", "select", true, []string{"ABC-1", "ABC-2"}},
		{"issues", "select", false, "ABC-1, ABC-2"},
		{"author", "person", false, "jane@example.com"},
		{"author", "text", false, "Jane"},
		{"author_email", "email", false, "jane@example.com"},
		{"co_authors", "text", false, "Ann Lee, Bo"},
		{"co_authors", "person", true, []string{"ann@example.com", "bo@example.com"}},
		{"co_authors", "email", false, "ann@example.com"},
		{"type", "select", false, "feat"},
		{"sha", "link", false, "https://bitbucket.org/acme/shop/commits/ab"},
		{"version", "text", false, "v1.0.0"},
	}
	for _, tt := range tests {
		f := mustField(t, tt.field)
		require.NoError(t, f.fits(tt.colType, f.links.available(&rel)), "%s into %s", tt.field, tt.colType)
		got := convert(f.value(PerCommit, &rel, e), codaFormat(tt.colType, tt.isArray))
		require.Equal(t, tt.want, got, "%s into %s", tt.field, tt.colType)
	}

	// A release row's issues are its entries' keys, each once, in order.
	rel.Entries = append(rel.Entries, changelog.Entry{Issues: []string{"ABC-2", "ABC-3"}})
	require.Equal(t, []string{"ABC-1", "ABC-2", "ABC-3"}, convert(mustField(t, "issues").value(PerRelease, &rel, nil), codaFormat("select", true)))
	require.Equal(t, "ABC-1, ABC-2, ABC-3", convert(mustField(t, "issues").value(PerRelease, &rel, nil), codaFormat("text", false)))

	none := &changelog.Entry{}
	require.Equal(t, "", convert(mustField(t, "pull_request").value(PerCommit, &rel, none), codaFormat("number", false)), "no pull request clears the cell")

	for _, bad := range []struct {
		field   string
		colType coda.ColumnType
	}{
		{"subject", "number"}, {"subject", "checkbox"}, {"subject", "date"}, {"subject", "link"}, {"date", "number"}, {"type", "person"},
		{"issues", "link"}, // issues need ISSUE_URL to be links
	} {
		f := mustField(t, bad.field)
		require.Error(t, f.fits(bad.colType, f.links.available(&rel)), "%s into %s", bad.field, bad.colType)
	}
}

func mustField(t testing.TB, name string) field {
	t.Helper()
	f, ok := fieldNamed(name)
	require.True(t, ok, "no field %s", name)
	return f
}

func codaFormat(t coda.ColumnType, isArray bool) coda.ColumnFormat {
	return coda.ColumnFormat{Type: coda.ColumnType(t), IsArray: isArray}
}

// BenchmarkBuildRows measures turning 5,000 entries into Coda rows: every
// field of a row per commit converted for a column of a fitting type.
func BenchmarkBuildRows(b *testing.B) {
	rel := bigRelease(5000)
	var columns []mappedColumn
	for i, f := range FieldNames(PerCommit) {
		t := coda.ColumnText
		switch f {
		case "breaking":
			t = "checkbox"
		case "date":
			t = "dateTime"
		case "pull_request", "build":
			t = "number"
		case "issues":
			t = "select"
		}
		columns = append(columns, mappedColumn{field: mustField(b, f), column: coda.Column{ID: fmt.Sprintf("c-%d", i), Format: codaFormat(t, f == "issues")}})
	}
	rels := []changelog.Release{rel}
	b.ReportAllocs()
	for b.Loop() {
		p := &tablePlan{spec: Table{Rows: PerCommit}, columns: columns}
		if p.buildRows(rels, false); len(p.rows) != 5000 {
			b.Fatal(len(p.rows))
		}
	}
}

// TestAllEntriesFilteredOut is the regression test of a panic: with one row
// per commit, a release whose commits were all filtered out (EXCLUDE_TYPES)
// and a table with a Type column, planning the table looked at a sample row
// with no entry. The table is checked and nothing is written.
func TestAllEntriesFilteredOut(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		doc := srv.AddDoc(codatest.Doc{Tables: []codatest.Table{{ID: "grid-1", Name: "Changes", Columns: []codatest.Column{
			{ID: "c-sha", Name: "SHA"}, {ID: "c-type", Name: "Type", Type: "select"}, {ID: "c-author", Name: "Author", Type: "person"},
		}}}})
		rel := bigRelease(0)
		cfg := Config{DocID: doc.ID, Table: Table{Name: "Changes", Rows: PerCommit}, Wait: true, WaitTimeout: time.Minute}
		done, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), rel)
		require.NoError(t, err)
		require.Equal(t, []string{`no entries to write to table "Changes" (every commit was filtered out)`}, done)
		require.Empty(t, srv.Rows(doc.ID, "grid-1"))
	})
}
