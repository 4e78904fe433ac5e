// Package gittest builds real git repositories for tests: fixed authors and
// dates, so the hashes are the same on every run, and a git configuration
// isolated from the machine's.
package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Epoch is the date of a repository's first commit; each later one is an
// hour on.
var Epoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Author is the name and e-mail of every commit.
const (
	AuthorName  = "Test Author"
	AuthorEmail = "author@example.com"
)

// Repo is a git repository in a temporary directory.
type Repo struct {
	t    testing.TB
	Dir  string // the work tree
	Home string // HOME for git, with no configuration in it
	n    int    // commits made, for dates and file names
}

// New initialises an empty repository whose branch is main.
func New(t testing.TB) *Repo {
	t.Helper()
	return NewAt(t, t.TempDir())
}

// NewAt is [New] in dir, which outlives t: for a history made once and
// given to many tests with [Repo.Copy]. The caller removes dir. The Repo
// reports failures to t, so once t has ended only Copy may be called.
func NewAt(t testing.TB, dir string) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: filepath.Join(dir, "repo"), Home: filepath.Join(dir, "home")}
	for _, d := range []string{r.Dir, r.Home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r.Git("init", "-q", "-b", "main")
	return r
}

// Copy returns a copy of the repository, in t's temporary directory, that t
// may change: copying files costs far less than making the commits again.
// The copy's index has new file times, which git refreshes by itself (a
// plumbing command such as diff-index may see the files as changed until
// then); a repository with symbolic links cannot be copied.
func (r *Repo) Copy(t testing.TB) *Repo {
	t.Helper()
	c := &Repo{t: t, Dir: filepath.Join(t.TempDir(), "repo"), Home: t.TempDir(), n: r.n}
	if err := os.CopyFS(c.Dir, os.DirFS(r.Dir)); err != nil {
		t.Fatal(err)
	}
	return c
}

// Open wraps an existing repository (a clone) to run git in it.
func (r *Repo) Open(dir string) *Repo {
	return &Repo{t: r.t, Dir: dir, Home: r.Home, n: r.n}
}

// Git runs git in the repository and returns its trimmed output; a failure
// fails the test.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	date := Epoch.Add(time.Duration(r.n) * time.Hour).Format(time.RFC3339)
	full := append([]string{"-c", "user.name=" + AuthorName, "-c", "user.email=" + AuthorEmail,
		"-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false", "-c", "init.defaultBranch=main",
		"-c", "protocol.file.allow=always"}, args...)
	cmd := exec.Command("git", full...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), "HOME="+r.Home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date, "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Commit writes a change to file (default: a new file of its own, so that
// merges and reverts never conflict) and commits it with msg, returning the
// new commit's hash.
func (r *Repo) Commit(msg string, file ...string) string {
	r.t.Helper()
	return r.CommitAs("", msg, file...)
}

// CommitAs is [Repo.Commit] with another author, written "Name <email>"; an
// empty author is [AuthorName] and [AuthorEmail]. The committer stays the
// same.
func (r *Repo) CommitAs(author, msg string, file ...string) string {
	r.t.Helper()
	r.n++
	name := fmt.Sprintf("file-%d.txt", r.n)
	if len(file) > 0 {
		name = file[0]
	}
	path := filepath.Join(r.Dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		r.t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		r.t.Fatal(err)
	}
	fmt.Fprintf(f, "change %d\n", r.n)
	if err := f.Close(); err != nil {
		r.t.Fatal(err)
	}
	r.Git("add", name)
	args := []string{"commit", "-q", "-m", msg}
	if author != "" {
		args = append(args, "--author="+author)
	}
	r.Git(args...)
	return r.Head()
}

// Head returns the hash of HEAD. Tests ask after every commit, so it reads
// a detached HEAD or a loose branch ref from the repository's files, and
// asks git for anything else (a packed ref, another ref storage).
func (r *Repo) Head() string {
	r.t.Helper()
	head := r.gitFile("HEAD")
	if isHash(head) {
		return head
	}
	if ref, ok := strings.CutPrefix(head, "ref: refs/heads/"); ok {
		if sha := r.gitFile("refs/heads/" + ref); isHash(sha) {
			return sha
		}
	}
	return r.Git("rev-parse", "HEAD")
}

// gitFile returns the trimmed content of a file in the repository's .git
// directory, or "" when it cannot be read.
func (r *Repo) gitFile(name string) string {
	data, err := os.ReadFile(filepath.Join(r.Dir, ".git", filepath.FromSlash(name)))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// isHash reports whether s is a full SHA-1 or SHA-256 object name.
func isHash(s string) bool {
	return (len(s) == 40 || len(s) == 64) && strings.Trim(s, "0123456789abcdef") == ""
}

// Merge merges branch into the current branch with a merge commit.
func (r *Repo) Merge(branch, msg string) string {
	r.t.Helper()
	r.n++
	r.Git("merge", "-q", "--no-ff", "-m", msg, branch)
	return r.Head()
}

// Revert reverts sha with git's own message.
func (r *Repo) Revert(sha string) string {
	r.t.Helper()
	r.n++
	r.Git("revert", "--no-edit", sha)
	return r.Head()
}

// Tag makes a lightweight tag, or an annotated one with a message.
func (r *Repo) Tag(name string, message ...string) {
	r.t.Helper()
	if len(message) > 0 {
		r.Git("tag", "-a", "-m", message[0], name)
		return
	}
	r.Git("tag", name)
}

// Clone clones the repository into a new temporary directory, with extra
// arguments such as --depth, and returns the clone.
func (r *Repo) Clone(args ...string) *Repo {
	r.t.Helper()
	dir := filepath.Join(r.t.TempDir(), "clone")
	r.Git(append(append([]string{"clone", "-q"}, args...), "file://"+r.Dir, dir)...)
	return r.Open(dir)
}

// PullRequest makes a branch off the current one with a commit per message,
// then merges it back as Bitbucket Cloud does, with the message "Merged in
// <branch> (pull request #<number>)", the title and an approval. It returns
// the merge commit's hash.
func (r *Repo) PullRequest(number int, branch, title string, messages ...string) string {
	r.t.Helper()
	base := r.Git("symbolic-ref", "--short", "HEAD")
	r.Git("checkout", "-q", "-b", branch)
	for _, m := range messages {
		r.Commit(m)
	}
	r.Git("checkout", "-q", base)
	return r.Merge(branch, fmt.Sprintf("Merged in %s (pull request #%d)\n\n%s\n\nApproved-by: Jane Doe", branch, number, title))
}
