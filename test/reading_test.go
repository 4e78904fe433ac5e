package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

// The tests in this file check that whatever a history holds is read
// exactly, and that no commit git can store stops a run.

// jsonEntry is what these tests read of an entry in OUTPUT_JSON.
type jsonEntry struct {
	SHA         string   `json:"sha"`
	Type        string   `json:"type"`
	Subject     string   `json:"subject"`
	Body        string   `json:"body"`
	Issues      []string `json:"issues"`
	PullRequest *int64   `json:"pull_request"`
	Author      struct {
		Name string `json:"name"`
	} `json:"author"`
	Date string `json:"date"`
}

// jsonRelease is what these tests read of a release in OUTPUT_JSON.
type jsonRelease struct {
	Version string      `json:"version"`
	Date    string      `json:"date"`
	Entries []jsonEntry `json:"entries"`
}

// dryRunJSON runs a dry run of repo's HEAD with vars and returns what it
// printed and the release it wrote to OUTPUT_JSON.
func dryRunJSON(t *testing.T, repo *gittest.Repo, vars map[string]string) (result, jsonRelease) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "release.json")
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), map[string]string{"DRY_RUN": "true", "OUTPUT_JSON": out}, vars))
	require.Equal(t, 0, res.code, res.output())
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var rel jsonRelease
	require.NoError(t, json.Unmarshal(data, &rel))
	return res, rel
}

// entryOf returns the entry of commit sha.
func entryOf(t *testing.T, rel jsonRelease, sha string) jsonEntry {
	t.Helper()
	for _, e := range rel.Entries {
		if e.SHA == sha {
			return e
		}
	}
	t.Fatalf("no entry for commit %s in %s", sha, rel.Version)
	return jsonEntry{}
}

// A message far longer than any read buffer is read whole and alone: its
// type decides the version, and nothing of the commit before it leaks in.
func TestReadingHugeMessages(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("fix: first")
	repo.Tag("v1.0.0")
	neighbour := repo.Commit("fix: the neighbour SHOP-99")
	var body strings.Builder
	for i := 0; body.Len() < 300<<10; i++ {
		fmt.Fprintf(&body, "line %d of a long generated body\n", i)
	}
	huge := repo.Commit("feat: a huge message\n\n" + body.String())
	repo.Commit("docs: after it")

	_, rel := dryRunJSON(t, repo, nil)
	require.Equal(t, "v1.1.0", rel.Version, "the huge feat makes a minor release")
	e := entryOf(t, rel, huge)
	require.Equal(t, "feat", e.Type)
	require.Equal(t, "a huge message", e.Subject)
	require.Equal(t, strings.TrimSpace(body.String()), e.Body, "the body is read exactly")
	require.NotContains(t, e.Issues, "SHOP-99", "the neighbour's issue is not the huge commit's")
	require.Equal(t, "the neighbour SHOP-99", entryOf(t, rel, neighbour).Subject)
}

// Dates git stores but cannot print (a time-zone offset out of range, a
// date before 1970) are read, in UTC, with a warning naming the commit; the
// run, and a backfill, go on.
func TestReadingOddDates(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("fix: first")
	repo.Tag("v1.0.0")
	east := repo.CommitDated("1767603600 +9900", "fix: from an imported history")
	west := repo.CommitDated("1767603600 -9959", "fix: from another one")
	old := repo.CommitDated("-100 +0000", "feat: before 1970")
	repo.Tag("v1.1.0")
	repo.Commit("fix: today")

	res, rel := dryRunJSON(t, repo, map[string]string{"VERSION": "v1.1.0", "BITBUCKET_TAG": "v1.1.0", "BITBUCKET_COMMIT": old})
	require.Equal(t, "v1.1.0", rel.Version)
	require.Len(t, rel.Entries, 3)
	require.Equal(t, "2026-01-05T09:00:00Z", entryOf(t, rel, east).Date, "the time is read exactly, in UTC")
	require.Equal(t, "2026-01-05T09:00:00Z", entryOf(t, rel, west).Date)
	require.Equal(t, "1969-12-31T23:58:20Z", entryOf(t, rel, old).Date)
	require.Equal(t, "1969-12-31T23:58:20Z", rel.Date, "the release's date is its last commit's")
	for _, sha := range []string{east, west, old} {
		require.Contains(t, res.stderr, "WARNING: commit "+sha[:7]+": ")
	}
	require.Contains(t, res.stderr, "WARNING: commit "+east[:7]+": its author and committer dates: time-zone offset +9900 out of range")
	require.Contains(t, res.stderr, "WARNING: commit "+old[:7]+": its author and committer dates: not printable by git (a date before 1970?); "+
		"read from the commit as 1969-12-31 23:58:20 UTC")

	out := filepath.Join(t.TempDir(), "releases.json")
	res = runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), map[string]string{"BACKFILL": "true", "DRY_RUN": "true", "OUTPUT_JSON": out}))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "✔ Dry run of a backfill: 3 releases")
	require.Equal(t, 1, strings.Count(res.stderr, "WARNING: commit "+east[:7]+": "), "one warning per commit")
	require.Contains(t, res.stderr, "WARNING: commit "+old[:7]+": ")
}

// A pull request number beyond 32 bits is the same on the merge and on
// the commits it brought in.
func TestReadingLargePullRequestNumbers(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("fix: first")
	repo.Tag("v1.0.0")
	const number = 1<<32 + 7
	merge := repo.PullRequest(number, "feature/big", "feat: big numbers", "feat: on the branch")
	_, rel := dryRunJSON(t, repo, map[string]string{"INCLUDE_MERGES": "true"})
	require.Len(t, rel.Entries, 2)
	for _, e := range rel.Entries {
		require.NotNil(t, e.PullRequest, e.Subject)
		require.EqualValues(t, number, *e.PullRequest, e.Subject)
	}
	require.Equal(t, "big numbers", entryOf(t, rel, merge).Subject, "the merge is an entry of its own")
}

// Variables that would point git at another repository (set in a step's
// script, or left by a hook) do not change which history is read.
func TestReadingIgnoresGitLocationVariables(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	other := gittest.New(t)
	other.Commit("feat: a history that is not the build's")
	other.Tag("v9.0.0")
	other.Commit("fix: not this one either")
	gitDir := filepath.Join(other.Dir, ".git")
	_, rel := dryRunJSON(t, repo, map[string]string{
		"GIT_DIR": gitDir, "GIT_WORK_TREE": other.Dir, "GIT_OBJECT_DIRECTORY": filepath.Join(gitDir, "objects"),
		"GIT_INDEX_FILE": filepath.Join(gitDir, "index"), "GIT_COMMON_DIR": gitDir,
	})
	require.Equal(t, "v1.1.0", rel.Version, "the build's own history")
	require.Len(t, rel.Entries, 4)
}
