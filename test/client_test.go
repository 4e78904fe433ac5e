package test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

// TestHugeAnswerIsNotReadWhole: an API that answers without end is read up
// to a cap, and the run ends naming CODA_API_URL instead of filling memory.
func TestHugeAnswerIsNotReadWhole(t *testing.T) {
	t.Parallel()
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat("A", 64<<10))
		if n, err := w.Write([]byte(`{"name":"`)); err != nil || n == 0 {
			return
		}
		for sent.Load() < 1<<30 { // until the pipe hangs up, or 1 GiB
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	repo := sampleRepo(t)
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), map[string]string{
		"CODA_API_TOKEN": token,
		"CODA_API_URL":   srv.URL + "/apis/v1",
		"CODA_DOC_ID":    "AbCDeFGH",
		"CODA_TABLE":     "Changes",
	}))
	require.Equal(t, 1, res.code)
	host := strings.TrimPrefix(srv.URL, "http://")
	require.Contains(t, res.stderr, "✖ CODA_API_URL: coda: GET /whoami: the answer from "+host+" is over 32 MiB, far more than Coda sends; stopped reading it")
	require.Less(t, len(res.output()), 4000, "nothing of the answer is printed")
	require.Less(t, sent.Load(), int64(256<<20), "the pipe stopped reading")
}

// TestLongNamesAreClippedInTheLog: a name in Coda's answers is quoted short.
func TestLongNamesAreClippedInTheLog(t *testing.T) {
	t.Parallel()
	srv := codatest.NewServer()
	t.Cleanup(srv.Close)
	name := strings.Repeat("A", 100_000)
	doc := srv.AddDoc(codatest.Doc{Name: name, Tables: []codatest.Table{
		{ID: "grid-changes", Name: "Changes", Columns: []codatest.Column{{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"}}},
	}})
	repo := sampleRepo(t)
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil),
		codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes"})))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, `INFO: Doc "`+strings.Repeat("A", 200)+`…"`)
	require.NotContains(t, res.output(), strings.Repeat("A", 201))
}

// typedDoc seeds a doc whose Changes table has a Person, a Lookup of the
// Releases table and a Date column, with these members.
func typedDoc(t *testing.T, people []codatest.Person) (*codatest.Server, codatest.Doc) {
	t.Helper()
	srv := codatest.NewServer()
	t.Cleanup(srv.Close)
	doc := srv.AddDoc(codatest.Doc{
		People: people,
		Tables: []codatest.Table{
			{ID: "grid-releases", Name: "Releases", Columns: []codatest.Column{{ID: "c-v", Name: "Version"}}},
			{ID: "grid-changes", Name: "Changes", Columns: []codatest.Column{
				{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"},
				{ID: "c-author", Name: "Author", Type: "person"},
				{ID: "c-release", Name: "Release", Type: "lookup", Table: "Releases"},
				{ID: "c-date", Name: "Date", Type: "date"},
			}},
		},
	})
	return srv, doc
}

// TestTypedCellsCheckedOnARealRun: a real run reads one row back and warns
// about each typed cell Coda kept as text (an author who is not a member, a
// release with no row), with the cause and the fix; a correctly stored date
// raises nothing. It costs a few reads and no write.
func TestTypedCellsCheckedOnARealRun(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := typedDoc(t, nil)
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes"})))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, `WARNING: Table "Changes": column "Author" (person, for author) of commit `)
	require.Contains(t, res.stderr, fmt.Sprintf(`: Coda kept text %q instead of a person: that person is not a member of the doc, or values were sent unparsed. `+
		`Share the doc with %q so that Coda finds them, or map author to a text or Email column instead.`+"\n", gittest.AuthorEmail, gittest.AuthorEmail))
	require.Contains(t, res.stderr, `WARNING: Table "Changes": column "Release" (lookup, for version) of commit `)
	require.Contains(t, res.stderr, `: Coda kept text "v1.1.0" instead of a row: no row of the lookup's table has that display value, or values were sent unparsed. `+
		`Set CODA_RELEASE_TABLE to table "Releases", so that each run writes its release's row before the commits, or create the row "v1.1.0" there.`+"\n")
	require.NotContains(t, res.stderr, `column "Date"`)
	require.Equal(t, 2, strings.Count(res.stderr, "WARNING"), "one per typed column kept as text")
	require.LessOrEqual(t, readBack(srv), 3, "a few reads")
}

// TestTypedCellsStoredRightRaiseNothing: with the author a member and the
// release's row written first, the check reads a row back and says nothing.
func TestTypedCellsStoredRightRaiseNothing(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := typedDoc(t, []codatest.Person{{Name: gittest.AuthorName, Email: gittest.AuthorEmail}})
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{
		"CODA_TABLE": "Changes", "CODA_RELEASE_TABLE": "Releases",
	})))
	require.Equal(t, 0, res.code, res.output())
	require.NotContains(t, res.stderr, "WARNING")
	require.Positive(t, readBack(srv), "a row was read back")
}

// readBack counts the rows read back after the writes: reads of rows
// once the last write was made.
func readBack(srv *codatest.Server) int {
	reqs := srv.Requests()
	last := -1
	for i, r := range reqs {
		if r.Method != http.MethodGet {
			last = i
		}
	}
	n := 0
	for _, r := range reqs[last+1:] {
		if strings.Contains(r.Path, "/rows") {
			n++
		}
	}
	return n
}

// TestNamesNotFoundGetDidYouMean: a table, page or column the doc does not
// have is an error naming the closest names it has, before anything is
// written.
func TestNamesNotFoundGetDidYouMean(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	for _, tc := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"table", map[string]string{"CODA_TABLE": "Changess"},
			`✖ CODA_TABLE "Changess": no such table in doc %s (use the table's name or its grid- id; the token must be able to see it): did you mean "Changes"?`},
		{"page", map[string]string{"CODA_PAGE": "Release note"},
			`✖ CODA_PAGE "Release note": no such page in doc %s (use the page's name or its canvas- id): did you mean "Release notes"?`},
		{"column", map[string]string{"CODA_TABLE": "Changes", "CODA_COLUMNS": "sha=SHA,subject=Subjet"},
			`- CODA_COLUMNS: column "Subjet" (for subject) does not exist: did you mean "Subject"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, doc := newDoc(t)
			res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, tc.vars)))
			require.Equal(t, 1, res.code, res.output())
			want := tc.want
			if strings.Contains(want, "%s") {
				want = fmt.Sprintf(want, doc.ID)
			}
			require.Contains(t, res.stderr, want)
			require.Zero(t, srv.Stats().Writes, "nothing was written")
		})
	}
}
