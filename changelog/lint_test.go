package changelog

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

func TestLint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		msg  string
		want Problem
	}{
		// Conventional: any type, scope, bang.
		{"feat: add a cart", NoProblem},
		{"wip(cart)!: anything goes", NoProblem},
		{"Feat: upper-case types pass", NoProblem},
		// Merges and reverts, written by tools, pass.
		{"Merged in fix/login (pull request #43)\n\nAccept upper-case e-mails", NoProblem},
		{"Merged in fix/login (pull request #43)", NoProblem},
		{"Merge branch 'main' into feature", NoProblem},
		{"Merge pull request #9 from acme/x\n\nWhatever", NoProblem},
		{`Revert "Add a cart"`, NoProblem},
		{"Undo the cart\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.", NoProblem},
		// No type.
		{"Add a cart", NoType},
		{"ABC-123: add a cart", NoType},
		{"", NoType},
		{"   ", NoType},
		{"v2 (beta) released", NoType},
		{"12: a number is no type", NoType},
		{"fix the (cart)", NoType},
		// Unknown form.
		{"feat:add a cart", UnknownForm},
		{"feat : add a cart", UnknownForm},
		{"feat (cart): add", UnknownForm},
		{"feat(cart: add", UnknownForm},
		{"feat(a)(b): add", UnknownForm},
		{"feat!!: add", UnknownForm},
		{"feat!", UnknownForm},
		{"feat(cart)", UnknownForm},
		// Empty description.
		{"feat:", EmptyDescription},
		{"fix(cart):   ", EmptyDescription},
		{"feat!:", EmptyDescription},
		{"feat(cart)!:\n\nthe body says it", EmptyDescription},
	}
	for _, tc := range tests {
		t.Run(tc.msg, func(t *testing.T) {
			got := Lint(ParseMessage(tc.msg))
			require.Equal(t, tc.want, got, "Lint(%q) = %q", tc.msg, got)
			if got != NoProblem {
				require.NotEmpty(t, got.String())
				require.NotEmpty(t, got.Advice())
			}
		})
	}
}

func FuzzLint(f *testing.F) {
	for _, msg := range seedMessages(f) {
		f.Add(msg)
	}
	for _, msg := range []string{"feat:", "feat(:", "x (y)!: z", "ABC-1:", "a!(", "fix:\tx"} {
		f.Add(msg)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		m := ParseMessage(msg)
		p := Lint(m)
		if (p == NoProblem) != (m.Conventional || m.Merge != nil || m.Revert != nil) {
			t.Fatalf("Lint(%q) = %v, but Conventional=%v Merge=%v Revert=%v", msg, p, m.Conventional, m.Merge != nil, m.Revert != nil)
		}
		if p != NoProblem && (p.String() == "" || p.Advice() == "") {
			t.Fatalf("problem %d has no name or advice", p)
		}
	})
}

func TestHistoryNotConventional(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: first")
	r.Tag("v1.0.0")
	plain := r.Commit("Add the cart")
	r.Commit("chore:")
	r.CommitAs("dependabot[bot] <bot@example.com>", "Bump lodash from 1 to 2")
	reverted := r.Commit("Try something")
	r.Revert(reverted)
	r.PullRequest(7, "feature/x", "Not a conventional title", "feat:no space")
	r.Git("checkout", "-q", "-b", "side")
	r.Commit("docs: side")
	r.Git("checkout", "-q", "main")
	r.Merge("side", "Integrate the side branch")

	_, h := readBuild(t, r, RangeOptions{}, ReadOptions{
		ExcludeTypes:   []string{TypeOther, "chore", "feat"},
		ExcludeCommits: regexp.MustCompile(`dependabot`),
		IncludeMerges:  true,
	})
	var got []string
	for _, u := range h.NotConventional {
		got = append(got, u.Subject+" → "+u.Problem.String())
	}
	want := []string{
		"feat:no space → unknown form",
		"chore: → empty description",
		"Add the cart → no type",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NotConventional (-want +got):\n%s", diff)
	}
	require.Equal(t, plain, h.NotConventional[2].SHA)
	for _, e := range h.Entries {
		require.False(t, strings.HasPrefix(e.Subject, "Add the cart"), "EXCLUDE_TYPES=other still leaves the entry out")
	}
}
