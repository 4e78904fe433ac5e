package changelog

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

// TestVersionUnderFromRef: FROM_REF widens the entries, not the version.
// The wider range holds a breaking change released in v2.0.0; since
// v2.0.0 there are fixes only, so the build is v2.0.1, not v3.0.0.
func TestVersionUnderFromRef(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: first")
	r.Tag("v1.0.0")
	r.Commit("feat!: drop the old API")
	r.Tag("v2.0.0")
	fix1 := r.Commit("fix: one")
	fix2 := r.Commit("fix: two")

	rng, h := readBuild(t, r, RangeOptions{From: "v1.0.0"}, ReadOptions{})
	require.Len(t, h.Entries, 3, "the rows and notes hold the whole range")
	since, ok := rng.VersionRange()
	require.True(t, ok)
	require.Equal(t, "v2.0.0", since.FromRef)
	sh, err := ReadRange(t.Context(), gitFor(r), since, ReadOptions{})
	require.NoError(t, err)

	rel := NewRelease(rng, h, ReleaseOptions{SincePrevious: &sh})
	require.Equal(t, "v2.0.1", rel.Version)
	require.Equal(t, "no feat or breaking change since v2.0.0: "+fix2[:7]+", "+fix1[:7], rel.VersionReason)
	require.Len(t, rel.Entries, 3)

	_, ok = (Range{}).VersionRange()
	require.False(t, ok, "no previous release tag: nothing to bump")
	plain, _ := readBuild(t, r, RangeOptions{}, ReadOptions{})
	_, ok = plain.VersionRange()
	require.False(t, ok, "a range from the previous release tag is its own version range")
}

func TestVersionReasonNamesTheCommits(t *testing.T) {
	t.Parallel()
	prev := &Tag{Name: "v1.4.0", Semver: true}
	prev.Version, _ = ParseVersion("v1.4.0")
	entries := []Entry{{ShortSHA: "aaaaaaa", Type: "fix"}, {ShortSHA: "bbbbbbb", Type: "feat"}, {ShortSHA: "ccccccc", Type: "feat"},
		{ShortSHA: "ddddddd", Type: "feat"}, {ShortSHA: "eeeeeee", Type: "feat"}, {ShortSHA: "fffffff", Type: "docs"}}
	_, why, _ := nextVersion(Range{Previous: prev}, entries, false)
	require.Equal(t, "feat since v1.4.0: bbbbbbb, ccccccc, ddddddd and 1 more", why)
	entries[5].Breaking = true
	_, why, _ = nextVersion(Range{Previous: prev}, entries, false)
	require.Equal(t, "breaking change since v1.4.0: fffffff", why)
	_, why, _ = nextVersion(Range{Previous: prev}, entries[:1], false)
	require.Equal(t, "no feat or breaking change since v1.4.0: aaaaaaa", why)

	// The entries of a split squash merge share their commit, named once.
	one, two := 1, 2
	split := []Entry{{ShortSHA: "1111111", Type: "feat", Bullet: &two}, {ShortSHA: "1111111", Type: "feat", Bullet: &one}, {ShortSHA: "2222222", Type: "feat"}}
	_, why, _ = nextVersion(Range{Previous: prev}, split, false)
	require.Equal(t, "feat since v1.4.0: 1111111, 2222222", why)
}

// gitCalls records the subcommand of every git call a Git makes.
type gitCalls struct{ subcommands []string }

func (c *gitCalls) Enabled(context.Context, slog.Level) bool { return true }
func (c *gitCalls) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "args" {
			c.subcommands = append(c.subcommands, strings.Fields(a.Value.String())[0])
		}
		return true
	})
	return nil
}
func (c *gitCalls) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *gitCalls) WithGroup(string) slog.Handler      { return c }

// TestGitCallsOfABuild: starting git costs more than most of what it is
// asked, so a build's range and history take one rev-parse (commit and
// shallow clone together), the tags, one ancestry check for the previous
// release, the log and the new contributors' log; a pull request's, one
// more for the merge-base.
func TestGitCallsOfABuild(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: first")
	r.Tag("v1.0.0")
	r.Commit("fix: second")
	calls := &gitCalls{}
	g := &Git{Dir: r.Dir, Logger: slog.New(calls)}
	rng, err := ResolveRange(t.Context(), g, RangeOptions{})
	require.NoError(t, err)
	_, err = ReadRange(t.Context(), g, rng, ReadOptions{NewContributors: true})
	require.NoError(t, err)
	require.Equal(t, []string{"rev-parse", "for-each-ref", "merge-base", "log", "log"}, calls.subcommands)

	// A pull request's range: one merge-base per candidate finds the
	// destination and the base together; here the remote-tracking branch
	// is missing, the local one found.
	calls.subcommands = nil
	_, err = ResolveRange(t.Context(), g, RangeOptions{PRDestinationBranch: "main"})
	require.NoError(t, err)
	require.Equal(t, []string{"rev-parse", "for-each-ref", "merge-base", "merge-base", "merge-base"}, calls.subcommands)
}

// TestShallowCloneInAPathWithANewline: the one rev-parse's answer is read
// whatever the repository's path holds.
func TestShallowCloneInAPathWithANewline(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	first := r.Commit("feat: first")
	r.Commit("fix: second")
	dir := filepath.Join(t.TempDir(), "odd\nname")
	require.NoError(t, os.Rename(r.Dir, dir))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".git", "shallow"), []byte(first+"\n"), 0o644))
	rng, err := ResolveRange(t.Context(), &Git{Dir: dir}, RangeOptions{})
	require.NoError(t, err)
	require.True(t, rng.Shallow)
	require.Equal(t, map[string]bool{first: true}, rng.boundary)
}
