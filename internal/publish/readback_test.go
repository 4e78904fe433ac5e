package publish

import (
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// TestStoredProblemAcceptsEveryDateForm: a date Coda stored, in any of the
// forms it may return one, raises nothing.
func TestStoredProblemAcceptsEveryDateForm(t *testing.T) {
	t.Parallel()
	for _, typ := range []coda.ColumnType{coda.ColumnDate, coda.ColumnDateTime} {
		col := coda.Column{Name: "Date", Format: coda.ColumnFormat{Type: typ}}
		for _, stored := range []string{"2026-02-11", "2026-02-11T00:00:00.000-08:00", "2026-02-11T09:30:00Z", "2026-02-11T09:30:00.000"} {
			require.Empty(t, storedProblem(col, "2026-02-11", coda.ParseRichValue(stored)), "%s stored as %s", typ, stored)
		}
		require.Contains(t, storedProblem(col, "2026-02-11", coda.ParseRichValue("```2026-02-11```")), "Coda kept text")
	}
}

// authoredRelease is a release of n entries by an author.
func authoredRelease(n int) changelog.Release {
	rel := bigRelease(n)
	for i := range rel.Entries {
		rel.Entries[i].Author = changelog.Person{Name: "Ada", Email: "ada@example.com"}
	}
	return rel
}

// personDoc seeds a doc whose Changes table has a Person column.
func personDoc(srv *codatest.Server, people []codatest.Person) codatest.Doc {
	return srv.AddDoc(codatest.Doc{People: people, Tables: []codatest.Table{{ID: "grid-1", Name: "Changes", Columns: []codatest.Column{
		{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"}, {ID: "c-author", Name: "Author", Type: "person"},
	}}}})
}

// TestCheckStored: after a real run's writes, one row is read back and a
// person kept as text is a WARNING, with reads only.
func TestCheckStored(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		people   []codatest.Person
		wait     bool
		warnings int
		reads    int
	}{
		{"not a member", nil, true, 1, 1},
		{"a member", []codatest.Person{{Name: "Ada", Email: "ada@example.com"}}, true, 0, 1},
		{"not waited for", nil, false, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted()
				doc := personDoc(srv, tc.people)
				log := &recorder{}
				cfg := Config{DocID: doc.ID, Table: Table{Name: "Changes", Rows: PerCommit}, Wait: tc.wait, WaitTimeout: time.Minute}
				_, err := New(fakeClient(t, srv), cfg, log).Publish(t.Context(), authoredRelease(3))
				require.NoError(t, err)
				var warnings []string
				for _, l := range log.lines {
					if strings.HasPrefix(l, "WARNING: ") {
						warnings = append(warnings, l)
					}
				}
				require.Len(t, warnings, tc.warnings, log.String())
				if tc.warnings > 0 {
					require.Equal(t, `WARNING: Table "Changes": column "Author" (person, for author) of commit 0000000 ("change 0"): `+
						`Coda kept text "ada@example.com" instead of a person: that person is not a member of the doc, or values were sent unparsed. `+
						`Share the doc with "ada@example.com" so that Coda finds them, or map author to a text or Email column instead.`, warnings[0])
				}
				reads, afterWrites := 0, false
				for _, r := range srv.Requests() {
					if r.Method != http.MethodGet {
						afterWrites, reads = true, 0
						continue
					}
					if afterWrites && r.Query.Get("valueFormat") == "rich" {
						reads++
					}
				}
				require.Equal(t, tc.reads, reads, "rows read back after the last write")
			})
		})
	}
}
