package gittest

import "testing"

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
