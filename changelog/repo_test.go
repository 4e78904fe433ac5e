package changelog

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testRepo is a real git repository in a temporary directory whose commits
// have fixed authors and dates, so their hashes are the same on every run.
type testRepo struct {
	t    *testing.T
	dir  string
	home string
	n    int // commits made, for dates and file contents
}

// testEpoch is the date of the first commit; each later one is an hour on.
var testEpoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: filepath.Join(t.TempDir(), "repo"), home: t.TempDir()}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("init", "-q", "-b", "main")
	return r
}

// git runs git in the repository with an isolated configuration.
func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return runTestGit(r.t, r.dir, r.home, r.n, args...)
}

func runTestGit(t *testing.T, dir, home string, n int, args ...string) string {
	t.Helper()
	date := testEpoch.Add(time.Duration(n) * time.Hour).Format(time.RFC3339)
	full := append([]string{"-c", "user.name=Test Author", "-c", "user.email=author@example.com",
		"-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false", "-c", "init.defaultBranch=main",
		"-c", "protocol.file.allow=always"}, args...)
	cmd := exec.Command("git", full...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date, "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes a change to file (default: a new file of its own, so that
// merges and reverts never conflict) and commits it with
// msg, returning the new commit's hash.
func (r *testRepo) commit(msg string, file ...string) string {
	r.t.Helper()
	r.n++
	name := fmt.Sprintf("file-%d.txt", r.n)
	if len(file) > 0 {
		name = file[0]
	}
	path := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		r.t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		r.t.Fatal(err)
	}
	fmt.Fprintf(f, "change %d\n", r.n)
	f.Close()
	r.git("add", name)
	r.git("commit", "-q", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// merge merges branch into the current branch with a merge commit.
func (r *testRepo) merge(branch, msg string) string {
	r.t.Helper()
	r.n++
	r.git("merge", "-q", "--no-ff", "-m", msg, branch)
	return r.git("rev-parse", "HEAD")
}

// revert reverts sha with git's own message.
func (r *testRepo) revert(sha string) string {
	r.t.Helper()
	r.n++
	r.git("revert", "--no-edit", sha)
	return r.git("rev-parse", "HEAD")
}

// tag makes a lightweight tag, or an annotated one with a message.
func (r *testRepo) tag(name string, message ...string) {
	r.t.Helper()
	if len(message) > 0 {
		r.git("tag", "-a", "-m", message[0], name)
		return
	}
	r.git("tag", name)
}

// gitFor returns the Git that the code under test uses on r.
func (r *testRepo) gitFor() *Git { return &Git{Dir: r.dir} }

// subjects lists the subjects of entries, for compact comparisons.
func subjects(es []Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Subject)
	}
	return out
}
