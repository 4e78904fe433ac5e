package publish

import (
	"regexp"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

func TestDidYouMean(t *testing.T) {
	t.Parallel()
	names := []string{"Changes", "Change log", "Changed", "Releases"}
	require.Equal(t, `: did you mean "Releases"?`, didYouMean("Releses", names))
	require.Equal(t, `: did you mean "Changes" or "Changed"?`, didYouMean("Changess", names))
	require.Equal(t, `: did you mean "Changes", "Changed" or "Change log"?`, didYouMean("Change", names))
	require.Empty(t, didYouMean("Budget", names))
	require.Empty(t, didYouMean("Changes", names))
}

// TestNotFoundSuggestsNames: a table, page or column that the doc does not
// have is reported with the names it has that come closest.
func TestNotFoundSuggestsNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"table", Config{Table: Table{Name: "Changess", Rows: PerCommit}},
			`CODA_TABLE "Changess": no such table in doc d1 (use the table's name or its grid- id; the token must be able to see it): did you mean "Changes"?`},
		{"release table", Config{ReleaseTable: Table{Name: "releases", Rows: PerRelease, Variables: "CODA_RELEASE"}},
			`CODA_RELEASE_TABLE "releases": no such table in doc d1 (use the table's name or its grid- id; the token must be able to see it): did you mean "Releases"?`},
		{"page", Config{Page: "Release note"},
			`CODA_PAGE "Release note": no such page in doc d1 (use the page's name or its canvas- id): did you mean "Release notes"?`},
		{"column", Config{Table: Table{Name: "Changes", Rows: PerCommit, Columns: []ColumnMapping{{Field: "sha", Column: "SHA"}, {Field: "subject", Column: "Subjet"}}}},
			`CODA_COLUMNS: column "Subjet" (for subject) does not exist: did you mean "Subject"?`},
		{"key column", Config{Table: Table{Name: "Changes", Rows: PerCommit, KeyColumns: []string{"Shaa"}}},
			`CODA_KEY_COLUMNS: column "Shaa" does not exist: did you mean "SHA"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted()
				srv.AddDoc(codatest.Doc{ID: "d1",
					Tables: []codatest.Table{
						{Name: "Changes", Columns: []codatest.Column{{Name: "SHA"}, {Name: "Subject"}}},
						{Name: "Releases", Columns: []codatest.Column{{Name: "Version"}}},
					},
					Pages: []codatest.Page{{Name: "Release notes"}, {Name: "Roadmap"}},
				})
				tc.cfg.DocID = "d1"
				_, err := New(fakeClient(t, srv), tc.cfg, discard{}).Publish(t.Context(), bigRelease(1))
				require.ErrorContains(t, err, tc.want)
			})
		})
	}
}

// TestLongNamesAreQuotedShort: a name in Coda's answers, which may be
// anything when CODA_API_URL is not Coda, is quoted short in every line and
// error that names a table, a page, a column or a suggestion.
func TestLongNamesAreQuotedShort(t *testing.T) {
	links := regexp.MustCompile(`https://\S*`)
	t.Parallel()
	long := func(name string) string { return name + strings.Repeat("A", 10_000) }
	tooLong := strings.Repeat("A", maxLogged+1)
	for _, tc := range []struct {
		name string
		cfg  Config
		fail bool
	}{
		{"table and page by id", Config{Table: Table{Name: "grid-changes", Rows: PerCommit}, Page: "canvas-notes"}, false},
		{"table by id", Config{Table: Table{Name: "grid-changes", Rows: PerCommit}}, false},
		{"a suggestion", Config{Table: Table{Name: "Changes", Rows: PerCommit}}, true},
		{"the table's columns", Config{Table: Table{Name: "grid-changes", Rows: PerCommit,
			Columns: []ColumnMapping{{Field: "subject", Column: "Nothing like it"}}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted()
				srv.AddDoc(codatest.Doc{ID: "d1",
					Tables: []codatest.Table{{ID: "grid-changes", Name: long("Changes"),
						Columns: []codatest.Column{{Name: "SHA"}, {Name: "Subject"}, {Name: long("Notes")}}}},
					Pages: []codatest.Page{{ID: "canvas-notes", Name: long("Release notes")}},
				})
				tc.cfg.DocID = "d1"
				log := &recorder{}
				done, err := New(fakeClient(t, srv), tc.cfg, log).Publish(t.Context(), bigRelease(1))
				require.Equal(t, tc.fail, err != nil, "%v", err)
				if !tc.fail { // and the link for the Code Insights report
					name, url, err := New(fakeClient(t, srv), tc.cfg, log).Link(t.Context())
					require.NoError(t, err)
					done = append(done, name, url)
				}
				out := strings.Join(append(done, log.String()), "\n")
				if err != nil {
					out += "\n" + err.Error()
				}
				// A browser link holds the name too: it is clipped longer.
				require.NotContains(t, links.ReplaceAllString(out, "<link>"), tooLong)
				for line := range strings.Lines(out) {
					require.Less(t, len(line), 2*maxLink)
				}
			})
		})
	}
}
