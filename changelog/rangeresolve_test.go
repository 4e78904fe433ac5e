package changelog

import (
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
