package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
)

func TestRangeWarnings(t *testing.T) {
	t.Parallel()
	to := "3fa4c2e8d1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6"
	tests := []struct {
		name string
		b    built
		cfg  config
		want []string
	}{{
		name: "nothing to say",
		b:    built{rng: changelog.Range{To: to}, history: changelog.History{TypesSeen: []string{"chore", "feat"}}},
		cfg:  config{Read: changelog.ReadOptions{ExcludeTypes: []string{"chore"}}},
	}, {
		name: "swapped refs",
		b:    built{rng: changelog.Range{To: to, FromNotAncestor: true}},
		cfg:  config{Range: changelog.RangeOptions{From: "v2.0.0"}},
		want: []string{"FROM_REF v2.0.0 is not an ancestor of 3fa4c2e, so the range holds only 3fa4c2e's side of them; were FROM_REF and TO_REF swapped?"},
	}, {
		name: "a type no commit has",
		b:    built{rng: changelog.Range{To: to}, history: changelog.History{TypesSeen: []string{"chore", "feat"}}},
		cfg:  config{Read: changelog.ReadOptions{ExcludeTypes: []string{"chores", "feat"}}},
		want: []string{"EXCLUDE_TYPES names chores, which no commit in the range has; the types in the range are: chore, feat"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, tt.b.warnings(tt.cfg))
		})
	}
}

// The start line says where the range starts and where the version came
// from, and why, for each way they are chosen.
func TestStartLineSaysWhy(t *testing.T) {
	t.Parallel()
	to, from := "3fa4c2e8d1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6", "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	v1 := &changelog.Tag{Name: "v1.0.0", Commit: from}
	repo := changelog.Repository{FullName: "acme/shop"}
	tests := []struct {
		name string
		b    built
		cfg  config
		want string
	}{{
		name: "previous release tag, computed version",
		b: built{rng: changelog.Range{To: to, From: from, FromRef: "v1.0.0", Previous: v1, Reason: "since v1.0.0"},
			release: changelog.Release{Version: "v1.1.0", VersionReason: "feat since v1.0.0", Repository: repo}},
		want: "acme/shop v1.0.0..3fa4c2e (previous release tag), version v1.1.0 (feat since v1.0.0)",
	}, {
		name: "FROM_REF and VERSION",
		b: built{rng: changelog.Range{To: to, From: from, FromRef: "main~3", Previous: v1, Reason: "from main~3"},
			release: changelog.Release{Version: "2.0.0", Repository: repo}},
		cfg:  config{Range: changelog.RangeOptions{From: "main~3"}, Release: changelog.ReleaseOptions{Version: "2.0.0"}},
		want: "acme/shop main~3..3fa4c2e (FROM_REF), version 2.0.0 (VERSION)",
	}, {
		name: "a pull request, a tag build",
		b: built{rng: changelog.Range{To: to, From: from, FromRef: changelog.MergeBase, Reason: "merge-base with origin/main"},
			release: changelog.Release{Version: "v1.2.0", Repository: repo}},
		cfg:  config{Pipelines: pipelines.Env{Tag: "v1.2.0"}, Release: changelog.ReleaseOptions{Version: "v1.2.0"}},
		want: "acme/shop a1b2c3d..3fa4c2e (merge-base with origin/main), version v1.2.0 (BITBUCKET_TAG)",
	}, {
		name: "the whole history, no repository name",
		b:    built{rng: changelog.Range{To: to, Reason: "whole history: no previous release tag"}, release: changelog.Release{Version: "unreleased", VersionReason: "no release tag"}},
		cfg:  config{RepoPath: "/clone"},
		want: "/clone (root)..3fa4c2e (whole history: no previous release tag), version unreleased (no release tag)",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, "coda-changelog "+version+": "+tt.want, tt.b.startLine(tt.cfg))
		})
	}
}
