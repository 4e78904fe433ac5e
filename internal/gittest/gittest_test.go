package gittest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Head reads what it can from files and must always agree with git.
func TestHead(t *testing.T) {
	t.Parallel()
	r := New(t)
	r.Commit("feat: one")
	r.Commit("fix: two")
	for _, step := range []struct {
		name string
		do   []string
	}{
		{"a loose branch ref", nil},
		{"a packed branch ref", []string{"pack-refs", "--all"}},
		{"a detached HEAD", []string{"checkout", "-q", "--detach", "HEAD~1"}},
	} {
		if step.do != nil {
			r.Git(step.do...)
		}
		if got, want := r.Head(), r.Git("rev-parse", "HEAD"); got != want {
			t.Errorf("%s: Head() = %q, git says %q", step.name, got, want)
		}
	}
}

func TestCopy(t *testing.T) {
	t.Parallel()
	r := New(t)
	r.Commit("feat: one")
	c := r.Copy(t)
	c.Commit("fix: only in the copy")
	if got := c.Git("log", "--format=%s"); got != "fix: only in the copy\nfeat: one" {
		t.Errorf("the copy's history is %q", got)
	}
	if got := r.Git("log", "--format=%s"); got != "feat: one" {
		t.Errorf("a commit in the copy changed the original: its history is %q", got)
	}
}

// A packed history is copied as a loose one is, and builds on as well:
// the objects a copy writes again (a file no commit changed) are in the
// pack.
func TestPackedCopy(t *testing.T) {
	t.Parallel()
	r := New(t)
	r.Commit("feat: one", "a.txt")
	r.Tag("v1.0.0")
	r.Pack()
	if loose := r.Git("count-objects"); !strings.HasPrefix(loose, "0 objects") {
		t.Errorf("after Pack, git counts loose objects: %s", loose)
	}
	c := r.Copy(t)
	c.Commit("fix: two", "b.txt")
	if got := c.Git("log", "--format=%s", "v1.0.0..HEAD"); got != "fix: two" {
		t.Errorf("the copy's history since v1.0.0 is %q", got)
	}
	c.Git("fsck", "--strict", "--no-dangling")
}

// A Repo writes its objects itself: git must find them whole, and the same
// steps done by git must give the same commits, trees and tags.
func TestSameAsGit(t *testing.T) {
	t.Parallel()
	r := New(t)
	g := newGitRepo(t)
	r.Commit("feat: one\n\n\n  body with blanks  \n\n")
	g.commit("", "feat: one\n\n\n  body with blanks  \n\n", "")
	// Git takes only space, tab, CR and LF for blanks: a form feed, a
	// vertical tab or a no-break space at the end of a line stays.
	odd := "fix: odd blanks\f\n\nbody\u00a0\n\v\n\u2028 \t\r\n"
	r.Commit(odd)
	g.commit("", odd, "")
	// git tag's clean-up drops the lines that start with "#", which a
	// commit's -m keeps.
	notes := "release\n# 1.0.0\n\n#not a heading\n\n1.0.0 \n"
	r.Tag("v1.0.0", notes)
	g.run("tag", "-a", "-m", notes, "v1.0.0")
	r.Commit("# a commit keeps its first line\n\nbody")
	g.commit("", "# a commit keeps its first line\n\nbody", "")
	if got, want := r.Git("rev-parse", "v1.0.0", "HEAD"), g.run("rev-parse", "v1.0.0", "HEAD"); got != want {
		t.Fatalf("the messages were cleaned up differently:\n%s\n%s\ngit made:\n%s\n%s",
			r.Git("cat-file", "-p", "v1.0.0"), r.Git("log", "--format=%B"), g.run("cat-file", "-p", "v1.0.0"), g.run("log", "--format=%B"))
	}
	r.CommitAs("Jane Doe <jane@example.com>", "fix(api): nested", "services/api/main.go")
	g.commit("Jane Doe <jane@example.com>", "fix(api): nested", "services/api/main.go")
	r.Commit("fix(api): again", "services/api/main.go")
	g.commit("", "fix(api): again", "services/api/main.go")
	r.Commit("docs: beside", "services/api.md")
	g.commit("", "docs: beside", "services/api.md")
	r.Tag("v1.0.1")
	g.run("tag", "v1.0.1")

	r.Git("checkout", "-q", "-b", "feature/x")
	g.run("checkout", "-q", "-b", "feature/x")
	bad := r.Commit("feat: on the branch", "services/api/main.go")
	g.commit("", "feat: on the branch", "services/api/main.go")
	r.Commit("fix: also on the branch")
	g.commit("", "fix: also on the branch", "")
	r.Git("checkout", "-q", "main")
	g.run("checkout", "-q", "main")
	r.Commit("chore: main moved on")
	g.commit("", "chore: main moved on", "")
	r.Merge("feature/x", "Merged in feature/x (pull request #7)\n\nfeat: x")
	g.merge("feature/x", "Merged in feature/x (pull request #7)\n\nfeat: x")
	r.Revert(bad)
	g.revert(bad)

	for _, rev := range []string{"HEAD", "v1.0.0", "v1.0.1", "feature/x"} {
		if got, want := r.Git("rev-parse", rev), g.run("rev-parse", rev); got != want {
			t.Errorf("%s is %s; git made %s", rev, got, want)
		}
	}
	if got, want := r.Git("log", "--format=%H %P %an %ae %aI %cI%n%B", "--all"), g.run("log", "--format=%H %P %an %ae %aI %cI%n%B", "--all"); got != want {
		t.Errorf("the histories differ:\n%s\ngit made:\n%s", got, want)
	}
	r.Git("fsck", "--strict", "--no-dangling")
}

// gitRepo makes a history the slow way, running git for each step, for
// TestSameAsGit to compare with.
type gitRepo struct {
	t   *testing.T
	dir string
	n   int
}

func newGitRepo(t *testing.T) *gitRepo {
	g := &gitRepo{t: t, dir: t.TempDir()}
	g.run("init", "-q", "-b", "main")
	return g
}

func (g *gitRepo) run(args ...string) string {
	g.t.Helper()
	return runGit(g.t, g.dir, g.dir, Epoch.Add(time.Duration(g.n)*time.Hour), args...)
}

func (g *gitRepo) commit(author, msg, file string) {
	g.t.Helper()
	g.n++
	if file == "" {
		file = fmt.Sprintf("file-%d.txt", g.n)
	}
	path := filepath.Join(g.dir, file)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		g.t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		g.t.Fatal(err)
	}
	fmt.Fprintf(f, "change %d\n", g.n)
	if err := f.Close(); err != nil {
		g.t.Fatal(err)
	}
	g.run("add", file)
	args := []string{"commit", "-q", "-m", msg}
	if author != "" {
		args = append(args, "--author="+author)
	}
	g.run(args...)
}

func (g *gitRepo) merge(branch, msg string) {
	g.t.Helper()
	g.n++
	g.run("merge", "-q", "--no-ff", "-m", msg, branch)
}

func (g *gitRepo) revert(sha string) {
	g.t.Helper()
	g.n++
	g.run("revert", "--no-edit", sha)
}

// BenchmarkHistory is what a test pays for a small history: 20 commits and
// a tag. Writing each object with a fresh zlib writer (a megabyte of
// state) and a Stat and MkdirAll first cost 7.4 ms of CPU a commit here;
// the pooled writer and one create per new object, 2.2 ms.
func BenchmarkHistory(b *testing.B) {
	for b.Loop() {
		r := New(b)
		for range 20 {
			r.Commit("feat: a change\n\nWith a body.")
		}
		r.Tag("v1.0.0")
	}
}

// TestInheritedGitVariablesAreIgnored: a test run from git rebase -x
// inherits GIT_DIR and GIT_INDEX_FILE; the test's git works in the test's
// repository all the same. Not parallel: it sets the environment.
func TestInheritedGitVariablesAreIgnored(t *testing.T) {
	elsewhere := t.TempDir()
	t.Setenv("GIT_DIR", elsewhere)
	t.Setenv("GIT_INDEX_FILE", filepath.Join(elsewhere, "index"))
	r := New(t)
	r.Commit("feat: one")
	r.Branch("topic")
	if got := r.Git("rev-parse", "--abbrev-ref", "HEAD"); got != "topic" {
		t.Errorf("on %q, want topic", got)
	}
	if got, want := r.Head(), r.Git("rev-parse", "HEAD"); got != want {
		t.Errorf("Head() = %q, git says %q", got, want)
	}
	if entries, err := os.ReadDir(elsewhere); err != nil || len(entries) > 0 {
		t.Errorf("GIT_DIR's directory holds %v (%v): want nothing written there", entries, err)
	}
}
