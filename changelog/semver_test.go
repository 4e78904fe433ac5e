package changelog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		ok   bool
		want string // String() of the parsed version
		pre  bool
	}{
		{"1.2.3", true, "1.2.3", false},
		{"v1.2.3", true, "v1.2.3", false},
		{"V0.0.0", true, "V0.0.0", false},
		{"v1.2.3-rc.1", true, "v1.2.3-rc.1", true},
		{"1.0.0-alpha-1.x+build.7", true, "1.0.0-alpha-1.x+build.7", true},
		{"1.0.0+meta", true, "1.0.0+meta", false},
		{"1.2", false, "", false},
		{"1.2.3.4", false, "", false},
		{"01.2.3", false, "", false},
		{"1.2.3-01", false, "", false},
		{"1.2.3-", false, "", false},
		{"1.2.3-a..b", false, "", false},
		{"vv1.2.3", false, "", false},
		{"release-1.2.3", false, "", false},
		{"1.2.x", false, "", false},
		{"", false, "", false},
		{"99999999999999999999.0.0", false, "", false},
	}
	for _, tt := range tests {
		v, ok := ParseVersion(tt.in)
		require.Equal(t, tt.ok, ok, "ParseVersion(%q)", tt.in)
		if ok {
			require.Equal(t, tt.want, v.String())
			require.Equal(t, tt.pre, v.Prerelease())
		}
	}
}

func TestVersionCompare(t *testing.T) {
	t.Parallel()
	// In increasing order of precedence, from semver.org §11.
	ordered := []string{
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "v1.0.1", "1.1.0", "1.10.0", "2.0.0",
	}
	for i := range ordered {
		for j := range ordered {
			a, _ := ParseVersion(ordered[i])
			b, _ := ParseVersion(ordered[j])
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			require.Equal(t, want, a.Compare(b), "%s vs %s", ordered[i], ordered[j])
		}
	}
	a, _ := ParseVersion("1.0.0+one")
	b, _ := ParseVersion("v1.0.0+two")
	require.Equal(t, 0, a.Compare(b), "prefix and build metadata do not count")
}

func TestVersionNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from string
		bump Bump
		want string
	}{
		{"v1.2.3", BumpPatch, "v1.2.4"},
		{"v1.2.3", BumpMinor, "v1.3.0"},
		{"v1.2.3", BumpMajor, "v2.0.0"},
		{"0.4.1", BumpMajor, "0.5.0"},
		{"0.4.1", BumpMinor, "0.5.0"},
		{"1.2.3+build", BumpPatch, "1.2.4"},
		{"v1.2.0-rc.1", BumpPatch, "v1.2.0"},
		{"v1.2.0-rc.1", BumpMinor, "v1.2.0"},
		{"v1.2.0-rc.1", BumpMajor, "v2.0.0"},
		{"v2.0.0-beta", BumpMajor, "v2.0.0"},
		{"v1.2.1-rc.1", BumpMinor, "v1.3.0"},
	}
	for _, tt := range tests {
		v, ok := ParseVersion(tt.from)
		require.True(t, ok)
		require.Equal(t, tt.want, v.Next(tt.bump).String(), "%s + %d", tt.from, tt.bump)
	}
}

func TestTagMatcherCaptureGroup(t *testing.T) {
	t.Parallel()
	m, err := NewTagMatcher(`^release-(.+)$`)
	require.NoError(t, err)
	tag, ok := m.match("release-1.4.0")
	require.True(t, ok)
	require.True(t, tag.Semver)
	require.Equal(t, "release-1.5.0", tag.Version.Next(BumpMinor).String(), "the next version keeps the tag's style")
	_, ok = m.match("v1.4.0")
	require.False(t, ok)

	def, err := NewTagMatcher("")
	require.NoError(t, err)
	for name, want := range map[string]bool{"v1.2.3": true, "1.2.3": true, "v1.2.3-rc.1": true, "v1.2": false, "latest": false, "x1.2.3": false} {
		_, ok := def.match(name)
		require.Equal(t, want, ok, name)
	}
}
