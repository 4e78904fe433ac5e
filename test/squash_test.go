package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

// squashColumns maps what the squash tests read back; the Type select of
// the doc has no docs option, so types are checked in the notes.
const squashColumns = "sha=SHA,subject=Subject,breaking=Breaking,pull_request=PR,version=Version"

// squashRepo makes a history with a release tag and, after it, one squash
// merge with Bitbucket's default message msg; it returns the repository and
// the squash commit.
func squashRepo(t *testing.T, msg string) (*gittest.Repo, string) {
	t.Helper()
	r := gittest.New(t)
	r.Commit("feat: first release")
	r.Tag("v1.0.0")
	return r, r.Commit(msg)
}

// TestSquashBranchTitleSplits: Bitbucket's default squash of a pull request
// with three conventional commits, whose title is therefore the branch name,
// is three entries under the default SQUASH_MERGES: a major version for the
// breaking one, a section per type, a row each with its own key, and a rerun
// that adds none. TEST_PAYLOAD, run first, tests with the newest split entry
// and leaves nothing behind.
func TestSquashBranchTitleSplits(t *testing.T) {
	t.Parallel()
	repo, squash := squashRepo(t, "Merged in feature/ABC-12-checkout (pull request #7)\n\nfeature/ABC-12-checkout\n\n"+
		"* feat(cart): pay with vouchers\n\nVouchers come from the CRM.\n"+
		"* fix!: round totals\nBREAKING CHANGE: totals have two decimals\n"+
		"* docs: explain vouchers\n\nApproved-by: Jane Doe\n")
	srv, doc := newDoc(t)
	env := merge(pipelinesEnv(repo, squash, nil), codaVars(srv, doc, map[string]string{
		"CODA_TABLE": "Changes", "CODA_COLUMNS": squashColumns, "CODA_PAGE": "Release notes",
	}))

	res := runPipe(t, repo.Dir, merge(env, map[string]string{"TEST_PAYLOAD": "true"}))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, `sent "[coda-changelog test] explain vouchers"`, "the test row is the newest split entry")
	require.Empty(t, srv.Rows(doc.ID, "grid-changes"), "the test row was deleted")

	res = runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "✔ Published v2.0.0")
	require.Contains(t, res.stderr, `3 rows upserted into table "Changes"`)

	rows := rowsBySHA(t, srv, doc)
	require.Len(t, rows, 3)
	want := map[string]struct {
		subject  string
		breaking bool
	}{
		squash + "#1": {"pay with vouchers", false},
		squash + "#2": {"round totals", true},
		squash + "#3": {"explain vouchers", false},
	}
	for key, w := range want {
		row, ok := rows[key]
		require.True(t, ok, "a row keyed %s", key)
		require.Equal(t, w.subject, row["c-subject"])
		require.Equal(t, w.breaking, row["c-breaking"])
		require.EqualValues(t, 7, row["c-pr"])
		require.Equal(t, "v2.0.0", row["c-version"])
	}

	page := srv.PageMarkdown(doc.ID, "Release notes")
	for _, section := range []string{"### ⚠ BREAKING CHANGES\n- totals have two decimals", "### Features\n- **cart:** pay with vouchers",
		"### Bug Fixes\n- round totals", "### Documentation\n- explain vouchers"} {
		require.Contains(t, page, section)
	}

	before := srv.Rows(doc.ID, "grid-changes")
	res = runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Equal(t, before, srv.Rows(doc.ID, "grid-changes"), "a rerun adds no row and changes none")
	require.Equal(t, 1, strings.Count(srv.PageMarkdown(doc.ID, "Release notes"), "## v2.0.0"))
}

// TestSquashConventionalTitleIsOneEntry: a squash whose title is a
// Conventional Commit was titled on purpose: under the default it is one
// entry, keyed by its hash, and breaking because one of its bullets is.
func TestSquashConventionalTitleIsOneEntry(t *testing.T) {
	t.Parallel()
	repo, squash := squashRepo(t, "Merged in feature/search (pull request #8)\n\nfeat(search): search orders\n\n"+
		"* feat(search): search orders\n* fix!: drop the old index\n\nApproved-by: Jane Doe\n")
	srv, doc := newDoc(t)
	out := filepath.Join(t.TempDir(), "release.json")
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, squash, nil), codaVars(srv, doc, map[string]string{
		"CODA_TABLE": "Changes", "CODA_COLUMNS": squashColumns, "OUTPUT_JSON": out,
	})))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "✔ Published v2.0.0")

	rows := rowsBySHA(t, srv, doc)
	require.Len(t, rows, 1)
	row := rows[squash]
	require.NotNil(t, row, "the row is keyed by the squash commit's hash")
	require.Equal(t, "search orders", row["c-subject"])
	require.Equal(t, true, row["c-breaking"])

	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var rel struct {
		Entries []struct {
			Type         string `json:"type"`
			BreakingNote string `json:"breaking_note"`
			Bullet       *int   `json:"bullet"`
		} `json:"entries"`
	}
	require.NoError(t, json.Unmarshal(data, &rel))
	require.Len(t, rel.Entries, 1)
	require.Equal(t, "feat", rel.Entries[0].Type)
	require.Equal(t, "drop the old index", rel.Entries[0].BreakingNote)
	require.Nil(t, rel.Entries[0].Bullet, "an entry of a whole commit names no bullet")
}
