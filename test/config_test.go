package test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// writes are the requests srv received that would change a doc.
func writes(srv *codatest.Server) []codatest.Request {
	var out []codatest.Request
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

// refused runs the pipe against a fresh doc with these variables and
// checks that it failed with a validation error before sending anything.
func refused(t *testing.T, vars map[string]string) result {
	t.Helper()
	repo := sampleRepo(t)
	srv, doc := newDoc(t)
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, vars)))
	require.Equal(t, 1, res.code, res.output())
	require.NotContains(t, res.output(), "goroutine", "no stack trace")
	require.NotContains(t, res.output(), "panic")
	require.Empty(t, srv.Requests(), "nothing is sent")
	return res
}

func TestHugeListCountIsAValidationError(t *testing.T) {
	t.Parallel()
	res := refused(t, map[string]string{"CODA_TABLE": "Changes", "CODA_COLUMNS_COUNT": "99999999999999", "CODA_COLUMNS_0": "sha=SHA"})
	require.Contains(t, res.stderr, "✖ Validation errors:\nCODA_COLUMNS_COUNT:\n- \"99999999999999\" is not a number of list items: "+
		"use a whole number from 0 to 1000")
}

func TestOneTableForCommitsAndReleasesIsRefused(t *testing.T) {
	t.Parallel()
	t.Run("by name", func(t *testing.T) {
		t.Parallel()
		res := refused(t, map[string]string{"CODA_TABLE": "Changes", "CODA_RELEASE_TABLE": "Changes"})
		require.Contains(t, res.stderr, "CODA_RELEASE_TABLE:\n- \"Changes\" is also CODA_TABLE")
	})
	t.Run("by name and id", func(t *testing.T) {
		t.Parallel()
		repo := sampleRepo(t)
		srv, doc := newDoc(t)
		res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil),
			codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes", "CODA_RELEASE_TABLE": "grid-changes"})))
		require.Equal(t, 1, res.code, res.output())
		require.Contains(t, res.stderr, `✖ CODA_TABLE "Changes" and CODA_RELEASE_TABLE "grid-changes" are the same table (grid-changes)`)
		require.Empty(t, writes(srv), "nothing is written")
	})
}

func TestTwoFieldsInOneColumnAreRefused(t *testing.T) {
	t.Parallel()
	res := refused(t, map[string]string{"CODA_TABLE": "Changes", "CODA_COLUMNS": "sha=SHA,subject=SHA"})
	require.Contains(t, res.stderr, "CODA_COLUMNS:\n- sha and subject both go to column \"SHA\"")
}
