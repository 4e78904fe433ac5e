package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
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
