package test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
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
