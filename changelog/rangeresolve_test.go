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

	// The commit as Bitbucket gives it, a full hash: the tags first, then
	// one rev-parse that also answers whether the previous release is an
	// ancestor.
	calls.subcommands = nil
	_, err = ResolveRange(t.Context(), g, RangeOptions{To: rng.To})
	require.NoError(t, err)
	require.Equal(t, []string{"for-each-ref", "rev-parse"}, calls.subcommands)

	// A pull request's range: one merge-base per candidate finds the
	// destination and the base together; here the remote-tracking branch
	// is missing, the local one found.
	calls.subcommands = nil
	_, err = ResolveRange(t.Context(), g, RangeOptions{PRDestinationBranch: "main"})
	require.NoError(t, err)
	require.Equal(t, []string{"rev-parse", "for-each-ref", "merge-base", "merge-base", "merge-base"}, calls.subcommands)

	// A newer release the build cannot reach: the rev-parse tells it is
	// none, and only the next candidate is asked about.
	r.Branch("release/9.x")
	r.Commit("fix: on a branch main never merged")
	r.Tag("v9.0.0")
	r.Checkout("main")
	calls.subcommands = nil
	rng, err = ResolveRange(t.Context(), g, RangeOptions{To: rng.To})
	require.NoError(t, err)
	require.Equal(t, "v1.0.0", rng.FromRef)
	require.Equal(t, []string{"for-each-ref", "rev-parse", "merge-base"}, calls.subcommands)
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

// TestRangeOfAHashIsTheRangeOfHEAD: a build's commit given as a full hash
// (the tags listed first, the previous release's ancestry asked in the
// same rev-parse as the commit) gives the range HEAD gives, whatever the
// tags: a newer one that the build cannot reach, one at the build, a
// pre-release, an annotated tag and a tag of it, none, FROM_REF, a pull
// request; and an annotated tag's own hash names its commit.
func TestRangeOfAHashIsTheRangeOfHEAD(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: one")
	r.Tag("v1.0.0", "annotated")
	r.Git("tag", "-a", "-m", "a tag of a tag", "v1.0.1", "v1.0.0")
	r.Git("checkout", "-q", "-b", "release/2.x")
	r.Commit("feat!: on a branch that main never merged")
	r.Tag("v2.0.0")
	r.Git("checkout", "-q", "main")
	r.Commit("feat: two")
	r.Tag("v1.1.0-rc.1")
	r.Commit("fix: three")
	atHead := r.Git("rev-parse", "HEAD")
	r.Tag("v1.1.0")
	tagObject := r.Git("rev-parse", "refs/tags/v1.0.0")

	empty := gittest.New(t)
	empty.Commit("chore: init")
	linear := gittest.New(t) // its newest tag is an ancestor
	linear.Commit("feat: one")
	linear.Tag("v0.1.0")
	linear.Commit("feat: two")
	linear.Tag("v0.2.0-beta.1")
	linear.Commit("fix: three")

	for name, tc := range map[string]struct {
		repo *gittest.Repo
		opts RangeOptions
	}{
		"tags":                   {r, RangeOptions{}},
		"the tag at HEAD":        {r, RangeOptions{Version: "v1.1.0"}},
		"a pre-release build":    {r, RangeOptions{Version: "v1.2.0-rc.1"}},
		"FROM_REF":               {r, RangeOptions{From: "v1.0.0"}},
		"a pull request":         {r, RangeOptions{PRDestinationBranch: "release/2.x"}},
		"a pattern of no tags":   {r, RangeOptions{Tags: mustTagMatcher(t, "^never$")}},
		"a repository of no tag": {empty, RangeOptions{}},
		"the newest tag reached": {linear, RangeOptions{}},
		"a pre-release reached":  {linear, RangeOptions{Version: "v0.2.0-beta.2"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, err := ResolveRange(t.Context(), gitFor(tc.repo), tc.opts)
			require.NoError(t, err)
			byHash := tc.opts
			byHash.To = want.To
			got, err := ResolveRange(t.Context(), gitFor(tc.repo), byHash)
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
	rng, err := ResolveRange(t.Context(), gitFor(r), RangeOptions{To: atHead})
	require.NoError(t, err)
	require.Equal(t, "v1.0.1", rng.FromRef, "main cannot reach v2.0.0")
	rng, err = ResolveRange(t.Context(), gitFor(r), RangeOptions{To: tagObject})
	require.NoError(t, err)
	require.Equal(t, r.Git("rev-parse", "v1.0.0^{commit}"), rng.To, "an annotated tag's hash names its commit")
	require.Equal(t, "v1.0.1", rng.AtTo.Name)
}
