package changelog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNextVersionSaysWhy(t *testing.T) {
	t.Parallel()
	semver := func(name string) *Tag {
		v, _ := ParseVersion(name)
		return &Tag{Name: name, Version: v, Semver: true}
	}
	tests := []struct {
		name         string
		r            Range
		entries      []Entry
		empty        bool
		version, why string
	}{
		{"tag build", Range{AtTo: semver("v2.0.0"), Previous: semver("v1.0.0")}, nil, false, "v2.0.0", "tag at the build's commit"},
		{"breaking", Range{Previous: semver("v1.4.0")}, []Entry{{Type: "fix", Breaking: true}}, false, "v2.0.0", "breaking change since v1.4.0"},
		{"feat", Range{Previous: semver("v1.4.0")}, []Entry{{Type: "fix"}, {Type: "feat"}}, false, "v1.5.0", "feat since v1.4.0"},
		{"fix", Range{Previous: semver("v1.4.0")}, []Entry{{Type: "fix"}}, false, "v1.4.1", "no feat or breaking change since v1.4.0"},
		{"empty range", Range{Previous: semver("v1.4.0")}, nil, true, "v1.4.0", "nothing since v1.4.0"},
		{"no tag", Range{}, []Entry{{Type: "feat"}}, false, Unreleased, "no previous release tag"},
		{"tag not semver", Range{Previous: &Tag{Name: "release-7"}}, []Entry{{Type: "feat"}}, false, Unreleased, "the previous tag release-7 is not a semantic version"},
	}
	for _, tt := range tests {
		version, why, _ := nextVersion(tt.r, tt.entries, tt.empty)
		if version != tt.version || why != tt.why {
			t.Errorf("%s: nextVersion = %q, %q; want %q, %q", tt.name, version, why, tt.version, tt.why)
		}
	}
}

// An issue key comes from a commit message: its link cannot end a markdown
// link early, in the built-in notes or through a template's issue function.
func TestIssueURL(t *testing.T) {
	t.Parallel()
	rel := NewRelease(Range{}, History{}, ReleaseOptions{IssueURL: "https://x.example/browse/{key}?from={key}"})
	require.Equal(t, "https://x.example/browse/AB-1%29%20%3Cx%3E?from=AB-1%29%20%3Cx%3E", rel.IssueURL("AB-1) <x>"))
	require.Equal(t, "https://x.example/browse/AB-1?from=AB-1", rel.IssueURL("AB-1"))
	require.Empty(t, NewRelease(Range{}, History{}, ReleaseOptions{}).IssueURL("AB-1"), "no ISSUE_URL, no link")
}
