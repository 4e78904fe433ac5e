package changelog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// gitFor returns the Git that the code under test uses on r.
func gitFor(r *gittest.Repo) *Git { return &Git{Dir: r.Dir} }

// subjects lists the subjects of entries, for compact comparisons.
func subjects(es []Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Subject)
	}
	return out
}

// readBuild resolves and reads a range the way the pipe does.
func readBuild(t *testing.T, r *gittest.Repo, opts RangeOptions, ropts ReadOptions) (Range, History) {
	t.Helper()
	rng, err := ResolveRange(t.Context(), gitFor(r), opts)
	require.NoError(t, err)
	h, err := ReadRange(t.Context(), gitFor(r), rng, ropts)
	require.NoError(t, err)
	return rng, h
}

func TestRangeLinearHistory(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: first")
	v1 := r.Commit("fix: second")
	r.Tag("v1.0.0")
	r.Commit("feat(api): third")
	head := r.Commit("docs: fourth")

	rng, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	require.Equal(t, v1, rng.From)
	require.Equal(t, head, rng.To)
	require.Equal(t, "v1.0.0", rng.FromRef)
	require.Equal(t, "since v1.0.0", rng.Reason)
	require.Equal(t, 2, h.Commits)
	if diff := cmp.Diff([]string{"fourth", "third"}, subjects(h.Entries)); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	require.Equal(t, "api", h.Entries[1].Scope)
	rel := NewRelease(rng, h, ReleaseOptions{})
	require.Equal(t, "v1.1.0", rel.Version, "a feat after v1.0.0 makes a minor release")
	require.Equal(t, "v1.0.0", rel.PreviousVersion)
}

func TestRangeNoTagsIsWholeHistory(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("first")
	r.Commit("fix: second")
	rng, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	require.Empty(t, rng.From)
	require.Contains(t, rng.Reason, "whole history")
	require.Equal(t, []string{"second", "first"}, subjects(h.Entries))
	require.Equal(t, TypeOther, h.Entries[1].Type)
	require.Equal(t, Unreleased, NewRelease(rng, h, ReleaseOptions{}).Version)
}

func TestRangeTagBuild(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: one")
	r.Tag("v1.1.0", "release 1.1.0") // annotated
	r.Commit("fix: two")
	head := r.Commit("feat!: three")
	r.Tag("v1.2.0")

	// Bitbucket gives a 12-character sha and the tag.
	rng, h := readBuild(t, r, RangeOptions{To: head[:12], Version: "v1.2.0"}, ReadOptions{})
	require.Equal(t, head, rng.To, "a short sha is resolved")
	require.Equal(t, "v1.1.0", rng.FromRef, "the tag at To is not its own previous release")
	require.NotNil(t, rng.AtTo)
	require.Equal(t, "v1.2.0", rng.AtTo.Name)
	require.Equal(t, []string{"three", "two"}, subjects(h.Entries))
	require.True(t, h.Entries[0].Breaking)
	require.Equal(t, "v1.2.0", NewRelease(rng, h, ReleaseOptions{Version: "v1.2.0"}).Version)
}

func TestRangeTagAtHeadNamesTheVersion(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: one")
	r.Tag("1.0.0")
	r.Commit("fix: two")
	r.Tag("1.0.1")
	rng, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	require.Equal(t, "1.0.0", rng.FromRef)
	require.Equal(t, "1.0.1", NewRelease(rng, h, ReleaseOptions{}).Version)
}

func TestRangePrereleaseTags(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: one")
	r.Tag("v1.0.0")
	r.Commit("feat: two")
	r.Tag("v1.1.0-rc.1")
	r.Commit("fix: three")
	r.Tag("v1.1.0-rc.2")
	r.Commit("fix: four")

	tests := []struct {
		name    string
		version string
		want    string
	}{
		{"stable release skips pre-releases", "v1.1.0", "v1.0.0"},
		{"pre-release counts pre-releases", "v1.1.0-rc.3", "v1.1.0-rc.2"},
		{"computed version is stable", "", "v1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rng, _ := readBuild(t, r, RangeOptions{Version: tt.version}, ReadOptions{})
			require.Equal(t, tt.want, rng.FromRef)
		})
	}
}

func TestRangeNonSemverTags(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: one")
	r.Tag("v1.0.0")
	r.Commit("fix: two")
	r.Tag("deploy-7")
	r.Tag("latest")
	r.Commit("fix: three")

	rng, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	require.Equal(t, "v1.0.0", rng.FromRef, "tags that are not versions are not releases")
	require.Equal(t, "v1.0.1", NewRelease(rng, h, ReleaseOptions{}).Version)

	deploys, err := NewTagMatcher(`^deploy-[0-9]+$`)
	require.NoError(t, err)
	rng, h = readBuild(t, r, RangeOptions{Tags: deploys}, ReadOptions{})
	require.Equal(t, "deploy-7", rng.FromRef, "a custom pattern can make any tag a release")
	require.Equal(t, []string{"three"}, subjects(h.Entries))
	require.Equal(t, Unreleased, NewRelease(rng, h, ReleaseOptions{}).Version, "no next version after a non-semver tag")

	_, err = NewTagMatcher(`(`)
	require.ErrorContains(t, err, `tag pattern "("`)
}

func TestRangeExplicitFrom(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	first := r.Commit("feat: one")
	r.Commit("fix: two")
	r.Commit("fix: three")
	rng, h := readBuild(t, r, RangeOptions{From: first[:8]}, ReadOptions{})
	require.Equal(t, first, rng.From)
	require.Equal(t, []string{"three", "two"}, subjects(h.Entries))

	_, err := ResolveRange(t.Context(), gitFor(r), RangeOptions{From: "no-such-ref"})
	require.ErrorContains(t, err, `FROM_REF "no-such-ref" cannot be found`)
	_, err = ResolveRange(t.Context(), gitFor(r), RangeOptions{From: "--output=/tmp/x"})
	require.Error(t, err, "a ref that looks like an option is only a ref")
}

func TestRangePullRequestBuildUsesMergeBase(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: base")
	r.Tag("v0.1.0")
	base := r.Commit("fix: on main before branching")
	r.Git("checkout", "-q", "-b", "feature/ABC-9-thing")
	r.Commit("feat: on the branch")
	src := r.Commit("fix: also on the branch")
	r.Git("checkout", "-q", "main")
	dest := r.Commit("chore: main moved on")
	// Bitbucket merges the destination into the source for the build.
	r.Git("checkout", "-q", "feature/ABC-9-thing")
	r.Merge("main", "Merge branch 'main' into feature/ABC-9-thing")

	for _, tt := range []struct {
		name string
		opts RangeOptions
	}{
		{"destination branch", RangeOptions{To: src[:12], PRDestinationBranch: "main"}},
		{"destination commit only", RangeOptions{To: src, PRDestinationCommit: dest[:12]}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rng, h := readBuild(t, r, tt.opts, ReadOptions{})
			require.Equal(t, base, rng.From)
			require.Equal(t, "merge-base", rng.FromRef)
			require.Equal(t, []string{"also on the branch", "on the branch"}, subjects(h.Entries))
			require.Equal(t, "v0.1.0", rng.Previous.Name, "the previous release is still known")
		})
	}

	// A destination the clone lacks is named; a local branch serves when
	// there is no remote-tracking one, and the destination commit when
	// neither branch exists.
	_, err := ResolveRange(t.Context(), gitFor(r), RangeOptions{To: src, PRDestinationBranch: "gone"})
	require.ErrorContains(t, err, `the pull request's destination is not in the clone: none of refs/remotes/origin/gone, refs/heads/gone resolves to a commit: "refs/heads/gone" does not name a commit in this clone`)
	rng, err := ResolveRange(t.Context(), gitFor(r), RangeOptions{To: src, PRDestinationBranch: "gone", PRDestinationCommit: dest})
	require.NoError(t, err)
	require.Equal(t, base, rng.From)
}

func TestHistoryBitbucketMergesAttachPullRequests(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("chore: init")
	r.Tag("v1.0.0")
	r.Git("checkout", "-q", "-b", "feature/PROJ-12-login")
	r.Commit("feat(auth): add login form")
	r.Commit("fix(auth): validate password")
	r.Git("checkout", "-q", "main")
	r.Commit("docs: direct push to main")
	r.Merge("feature/PROJ-12-login",
		"Merged in feature/PROJ-12-login (pull request #12)\n\nfeat(auth): login\n\nApproved-by: Jane Doe")
	// A squash merge: one commit on main carrying the PR number.
	r.Commit("Merged in fix/typo (pull request #13)\n\nfix: correct a typo\n\n* fix: correct a typo\n* fix: and another\n\nApproved-by: Jane Doe")

	_, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	type got struct {
		Subject string
		PR      int
		Issues  []string
		Merge   bool
	}
	var gots []got
	for _, e := range h.Entries {
		g := got{Subject: e.Subject, Issues: e.Issues, Merge: e.Merge}
		if e.PullRequest != nil {
			g.PR = *e.PullRequest
		}
		gots = append(gots, g)
	}
	want := []got{
		{Subject: "correct a typo", PR: 13},
		{Subject: "direct push to main"},
		{Subject: "validate password", PR: 12, Issues: []string{"PROJ-12"}},
		{Subject: "add login form", PR: 12, Issues: []string{"PROJ-12"}},
	}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	require.Equal(t, 5, h.Commits, "the merge commit counts but is not an entry")

	_, h = readBuild(t, r, RangeOptions{}, ReadOptions{IncludeMerges: true})
	require.Len(t, h.Entries, 5)
	merge := h.Entries[1]
	require.True(t, merge.Merge)
	require.Equal(t, "login", merge.Subject)
	require.Equal(t, 12, *merge.PullRequest)
}

func TestHistoryNestedPullRequests(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("chore: init")
	r.Git("checkout", "-q", "-b", "release")
	r.Git("checkout", "-q", "-b", "feature/x")
	r.Commit("feat: inner")
	r.Git("checkout", "-q", "release")
	r.Merge("feature/x", "Merged in feature/x (pull request #1)\n\nfeat: inner")
	r.Commit("fix: on release")
	r.Git("checkout", "-q", "main")
	r.Merge("release", "Merged in release (pull request #2)\n\nRelease")

	_, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	prs := map[string]int{}
	for _, e := range h.Entries {
		if e.PullRequest != nil {
			prs[e.Subject] = *e.PullRequest
		}
	}
	require.Equal(t, map[string]int{"inner": 1, "on release": 2}, prs,
		"a pull request merged into a branch keeps its number; init was on main already")
}

func TestHistoryReverts(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	old := r.Commit("feat: shipped in 1.0")
	r.Tag("v1.0.0")
	bad := r.Commit("feat: a bad idea")
	r.Commit("fix: keep me")
	r.Revert(bad)
	r.Revert(old) // its target is outside the range
	twice := r.Commit("feat: back and forth")
	undo := r.Revert(twice)
	r.Revert(undo) // reverting the revert brings the feature back

	_, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	require.Equal(t, []string{
		"back and forth",
		`Revert "feat: shipped in 1.0"`,
		"keep me",
	}, subjects(h.Entries))
	require.Equal(t, "revert", h.Entries[1].Type)
	require.True(t, h.Entries[1].Revert)
	require.Equal(t, 4, h.Reverted)
}

func TestHistoryPathsAndTypes(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat(api): api change", "services/api/main.go")
	r.Commit("feat(web): web change", "services/web/app.js")
	r.Commit("chore(api): tidy", "services/api/go.mod")
	r.Commit("chore(api)!: drop old config", "services/api/config.yml")
	r.Commit("docs: both", "README.md")

	_, h := readBuild(t, r, RangeOptions{}, ReadOptions{Paths: []string{"services/api"}})
	require.Equal(t, []string{"drop old config", "tidy", "api change"}, subjects(h.Entries))

	_, h = readBuild(t, r, RangeOptions{}, ReadOptions{Paths: []string{"services/api"}, ExcludeTypes: []string{"chore"}})
	require.Equal(t, []string{"drop old config", "api change"}, subjects(h.Entries), "breaking changes stay")
	require.Equal(t, 1, h.ExcludedTypes, "the change outside the paths is not counted as excluded by type")
	require.Equal(t, []string{"chore", "docs", "feat"}, h.TypesSeen, "types are seen before any filter")
}

func TestHistoryTypesSeen(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("Feat: upper-case type")
	r.Commit("a plain message")
	bad := r.Commit("fix: wrong")
	r.Revert(bad)
	r.Commit("chore: tidy")
	r.Commit("chore(deps): bump")

	_, h := readBuild(t, r, RangeOptions{}, ReadOptions{ExcludeTypes: []string{"chore", "docs"}})
	require.Equal(t, []string{"chore", "feat", "fix", TypeOther, "revert"}, h.TypesSeen)
	require.Equal(t, 2, h.ExcludedTypes)
	require.Equal(t, 2, h.Reverted)
	require.Equal(t, []string{"a plain message", "upper-case type"}, subjects(h.Entries))
}

func TestRepositoryErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dir  func(t *testing.T) string
		want error
	}{
		{"a plain directory", func(t *testing.T) string { return t.TempDir() }, ErrNotRepository},
		{"a missing directory", func(t *testing.T) string { return filepath.Join(t.TempDir(), "missing") }, ErrNotRepository},
		{"a repository without commits", func(t *testing.T) string { return gittest.New(t).Dir }, ErrNoCommits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ResolveRange(t.Context(), &Git{Dir: tt.dir(t)}, RangeOptions{})
			require.ErrorIs(t, err, tt.want)
			require.Equal(t, tt.want.Error(), err.Error())
		})
	}
	t.Run("a commit that is not there is not about the repository", func(t *testing.T) {
		t.Parallel()
		r := gittest.New(t)
		r.Commit("feat: one")
		_, err := ResolveRange(t.Context(), gitFor(r), RangeOptions{To: "no-such-ref"})
		require.Error(t, err)
		require.NotErrorIs(t, err, ErrNoCommits)
		require.NotErrorIs(t, err, ErrNotRepository)
	})
}

func TestRangeFromNotAncestor(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	base := r.Commit("feat: base")
	r.Git("checkout", "-q", "-b", "side")
	side := r.Commit("fix: on the side")
	r.Git("checkout", "-q", "main")
	r.Commit("feat: on main")
	r.Tag("v1.0.0")
	r.Commit("fix: after the tag")

	tests := []struct {
		name string
		from string
		want bool
	}{
		{"no From", "", false},
		{"an ancestor", base, false},
		{"a tag that is an ancestor", "v1.0.0", false},
		{"a commit of another branch", side, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rng, err := ResolveRange(t.Context(), gitFor(r), RangeOptions{From: tt.from})
			require.NoError(t, err)
			require.Equal(t, tt.want, rng.FromNotAncestor)
		})
	}
}

func TestReleaseOfAnEmptyRange(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	first := r.Commit("feat: one")
	r.Tag("v1.0.0")
	head := r.Commit("feat!: two")

	tests := []struct {
		name     string
		opts     RangeOptions
		want     string
		previous string
	}{
		{"after a release", RangeOptions{From: head}, "v1.0.0", "v1.0.0"},
		{"at the release", RangeOptions{From: first, To: first}, "v1.0.0", ""},
		{"not empty", RangeOptions{}, "v2.0.0", "v1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rng, h := readBuild(t, r, tt.opts, ReadOptions{})
			rel := NewRelease(rng, h, ReleaseOptions{})
			require.Equal(t, tt.want, rel.Version)
			require.Equal(t, tt.previous, rel.PreviousVersion)
		})
	}

	untagged := gittest.New(t)
	one := untagged.Commit("feat: one")
	rng, h := readBuild(t, untagged, RangeOptions{From: one}, ReadOptions{})
	require.Zero(t, h.Commits)
	require.Equal(t, Unreleased, NewRelease(rng, h, ReleaseOptions{}).Version, "without a release")
}

func TestHistoryShallowClone(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: one")
	r.Tag("v1.0.0")
	for i := range 5 {
		r.Commit("fix: change " + string(rune('a'+i)))
	}
	clone := r.Clone("--depth", "3")
	g := gitFor(clone)

	rng, err := ResolveRange(t.Context(), g, RangeOptions{})
	require.NoError(t, err)
	require.True(t, rng.Shallow)
	require.Empty(t, rng.From, "the tag is beyond the clone's depth")
	_, err = ReadRange(t.Context(), g, rng, ReadOptions{})
	var se *ShallowError
	require.ErrorAs(t, err, &se)
	require.True(t, errors.Is(err, ErrShallow))
	require.Contains(t, se.Detail, "no release tag was found in the history it holds")
	require.Equal(t, "the clone is shallow and "+se.Detail, err.Error(), "facts only: the advice is the caller's")

	// Deep enough: the range is complete and the clone's cut is not in it.
	clone.Git("fetch", "-q", "--deepen=10", "--tags")
	rng, h := readBuild(t, clone, RangeOptions{}, ReadOptions{})
	require.Equal(t, "v1.0.0", rng.FromRef)
	require.Len(t, h.Entries, 5)
}

func TestRangeSkipsTagsNotReachable(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: one")
	r.Tag("v1.0.0")
	r.Git("checkout", "-q", "-b", "release/2.x")
	r.Commit("feat!: on a branch that main never merged")
	r.Tag("v2.0.0")
	r.Git("checkout", "-q", "main")
	r.Commit("fix: two")
	rng, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	require.Equal(t, "v1.0.0", rng.FromRef, "a higher tag that main cannot reach is not its previous release")
	require.Equal(t, "v1.0.1", NewRelease(rng, h, ReleaseOptions{}).Version)
}

func TestRangeTagsOfTreesAndTags(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: one")
	r.Tag("v1.0.0", "annotated")
	r.Git("tag", "-a", "-m", "a tag of a tag", "v1.0.1", "v1.0.0")
	r.Commit("fix: two")
	r.Git("tag", "v9.9.9", "HEAD^{tree}") // not a commit: never a release
	r.Commit("fix: three")
	rng, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	require.Equal(t, "v1.0.1", rng.FromRef, "a tag of a tag is peeled to its commit")
	require.Equal(t, []string{"three", "two"}, subjects(h.Entries))
}

func TestHistoryPlainMergeGivesBranchIssues(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("chore: init")
	r.Git("checkout", "-q", "-b", "feature/ABC-1-search")
	r.Commit("feat: search")
	r.Git("checkout", "-q", "main")
	r.Merge("feature/ABC-1-search", "Merge branch 'feature/ABC-1-search'")
	_, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	require.Equal(t, "search", h.Entries[0].Subject)
	require.Equal(t, []string{"ABC-1"}, h.Entries[0].Issues, "the merged branch's key, without a pull request")
	require.Nil(t, h.Entries[0].PullRequest)
}

func TestHistoryExcludeCommits(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: first")
	r.Tag("v1.0.0")
	r.CommitAs("dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>", "build(deps): bump x from 1 to 2")
	r.Commit("chore(release): 1.1.0")
	r.Commit("fix: a fix\n\nchore(release): in the body only")
	r.CommitAs("Jane Doe <jane@example.com>", "feat: search")
	r.CommitAs("dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>", "build(deps)!: bump y to 3")
	r.Commit("\n\n  chore(release): 1.2.0  \n")

	tests := []struct {
		name         string
		pattern      string
		excludeTypes []string
		want         []string
		excluded     int
		byType       int
	}{
		{"none", "", nil, []string{"1.2.0", "bump y to 3", "search", "a fix", "1.1.0", "bump x from 1 to 2"}, 0, 0},
		{"by author", `^dependabot\[bot\] <`, nil, []string{"1.2.0", "bump y to 3", "search", "a fix", "1.1.0"}, 1, 0},
		{"by subject", `^chore\(release\):`, nil, []string{"bump y to 3", "search", "a fix", "bump x from 1 to 2"}, 2, 0},
		{"by e-mail", `<jane@example\.com>$`, nil, []string{"1.2.0", "bump y to 3", "a fix", "1.1.0", "bump x from 1 to 2"}, 1, 0},
		{"subject or author", `dependabot|^chore\(release\)`, nil, []string{"bump y to 3", "search", "a fix"}, 3, 0},
		{"after the types", `dependabot|^chore\(release\)`, []string{"chore"}, []string{"bump y to 3", "search", "a fix"}, 1, 2},
		{"matching nothing", `^nothing$`, nil, []string{"1.2.0", "bump y to 3", "search", "a fix", "1.1.0", "bump x from 1 to 2"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := ReadOptions{ExcludeTypes: tt.excludeTypes}
			if tt.pattern != "" {
				opts.ExcludeCommits = regexp.MustCompile(tt.pattern)
			}
			_, h := readBuild(t, r, RangeOptions{}, opts)
			if diff := cmp.Diff(tt.want, subjects(h.Entries)); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			require.Equal(t, tt.excluded, h.ExcludedCommits, "excluded by the pattern")
			require.Equal(t, tt.byType, h.ExcludedTypes, "excluded by type")
		})
	}
}

func TestHistoryNewContributors(t *testing.T) {
	t.Parallel()
	const (
		jane    = "Jane Doe <jane@example.com>"
		oldie   = "Old Timer <old@example.com>"
		johnOld = "John R <john.old@example.com>"
		bot     = "dependabot[bot] <bot@example.com>"
	)
	r := gittest.New(t)
	r.Commit("feat: first")
	r.CommitAs(oldie, "fix: an old fix")
	r.CommitAs(johnOld, "docs: under the old address")
	r.Tag("v1.0.0")
	r.CommitAs(jane, "feat: search")
	r.CommitAs("Jane D <JANE@example.com>", "fix: search again")
	r.CommitAs("Zoë Zed <zoe@example.com>", "docs: a typo")
	r.CommitAs("Émile Ä <emile@example.com>", "docs: another typo")
	john := r.CommitAs("John Roe <john@example.com>", "fix: under the new address")
	r.CommitAs(oldie, "fix: back again")
	r.CommitAs(bot, "build(deps): bump x")
	r.Commit("chore: by the usual author")
	require.NoError(t, os.WriteFile(filepath.Join(r.Dir, ".mailmap"),
		[]byte("John Roe <john@example.com> John R <john.old@example.com>\n"), 0o644))

	exclude := regexp.MustCompile(`^dependabot\[bot\]`)
	tests := []struct {
		name   string
		range_ RangeOptions
		opts   ReadOptions
		want   []Person
	}{
		{"off", RangeOptions{}, ReadOptions{}, nil},
		{"since the tag", RangeOptions{}, ReadOptions{NewContributors: true, ExcludeCommits: exclude}, []Person{
			{"Jane D", "JANE@example.com"}, {"Zoë Zed", "zoe@example.com"}, {"Émile Ä", "emile@example.com"},
		}},
		{"bots count unless excluded", RangeOptions{}, ReadOptions{NewContributors: true}, []Person{
			{"Jane D", "JANE@example.com"}, {"Zoë Zed", "zoe@example.com"}, {"Émile Ä", "emile@example.com"},
			{"dependabot[bot]", "bot@example.com"},
		}},
		{"whole history", RangeOptions{Tags: mustTagMatcher(t, "^never$")}, ReadOptions{NewContributors: true}, nil},
		{"nobody new", RangeOptions{From: john}, ReadOptions{NewContributors: true, ExcludeCommits: exclude}, nil},
		{"an empty range", RangeOptions{From: "HEAD"}, ReadOptions{NewContributors: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rng, h := readBuild(t, r, tt.range_, tt.opts)
			if diff := cmp.Diff(tt.want, h.NewContributors); diff != "" {
				t.Errorf("new contributors (-want +got):\n%s", diff)
			}
			rel := NewRelease(rng, h, ReleaseOptions{})
			require.NotNil(t, rel.NewContributors, "the JSON has [] rather than null")
		})
	}
}

// mustTagMatcher compiles a tag pattern for a test.
func mustTagMatcher(t *testing.T, pattern string) *TagMatcher {
	t.Helper()
	m, err := NewTagMatcher(pattern)
	require.NoError(t, err)
	return m
}

// TestReadWithoutBodies: without bodies an entry is the same but for its
// Body and Footers: issue keys, breaking notes, reverts, pull requests
// and squash merges' bullets are still read from the whole message. With
// the bodies kept aside for the JSON, the entries are those read without
// bodies but for where their bodies are, and the release JSON is byte for
// byte the one of entries that hold their bodies; whether a squash merge
// is one entry or split.
func TestReadWithoutBodies(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: first")
	r.Tag("v1.0.0")
	r.Commit("feat(api)!: rename the endpoints\n\nThe old ones are gone.\n\nBREAKING CHANGE: /v1 is now /v2\nRefs: ABC-7\nCo-authored-by: Ann <ann@example.com>")
	bad := r.Commit("fix(ui): wrong colour\n\nSee SHOP-3.")
	r.Revert(bad)
	r.Commit("WIP")
	r.Commit("fix: \"quoted\" <b> \u2028\n\n\ttabbed \\ body é\n\nReviewed-by: Zoë \"Z\" <z@example.com>")
	r.PullRequest(4, "feature/ABC-9-search", "Search", "feat: search\n\nFaster.\n\nRefs: ABC-10")
	r.Commit(squashBranchTitle)
	r.Commit("docs: only footers\n\nRefs: ABC-11")
	for _, squash := range []SquashMode{SquashAuto, SquashSplit} {
		opts := ReadOptions{SquashMerges: squash, NewContributors: true}
		rng, inMemory := readBuild(t, r, RangeOptions{}, opts)
		opts.BodiesForJSON = true
		_, aside := readBuild(t, r, RangeOptions{}, opts)
		opts.WithoutBodies = true
		_, got := readBuild(t, r, RangeOptions{}, opts)
		require.NotEmpty(t, inMemory.Entries)
		want := inMemory
		want.Entries = slices.Clone(want.Entries)
		withBody := 0
		for i := range want.Entries {
			if want.Entries[i].Body != "" || want.Entries[i].Footers != nil {
				withBody++
			}
			want.Entries[i].Body, want.Entries[i].Footers = "", nil
		}
		require.Equal(t, want, got, squash)

		// Aside: compare its JSON first, then its entries.
		var wantJSON, gotJSON bytes.Buffer
		require.NoError(t, WriteJSON(&wantJSON, NewRelease(rng, inMemory, ReleaseOptions{})))
		require.NoError(t, WriteJSON(&gotJSON, NewRelease(rng, aside, ReleaseOptions{})))
		require.Equal(t, wantJSON.String(), gotJSON.String(), squash)
		require.Contains(t, gotJSON.String(), `"body": "\ttabbed \\ body é"`)
		require.NotNil(t, aside.bodies, squash)
		_, aside = readBuild(t, r, RangeOptions{}, ReadOptions{SquashMerges: squash, NewContributors: true, BodiesForJSON: true})
		kept := 0
		for i := range aside.Entries {
			if aside.Entries[i].bodyAt != 0 {
				kept++
			}
			aside.Entries[i].bodyAt = 0
		}
		require.Equal(t, withBody, kept, "every entry with a body or footers keeps them aside (%s)", squash)
		aside.bodies = nil
		require.Equal(t, want, aside, squash)
	}
}

// TestAttachSharesTheMergesKeys: an entry without keys of its own shares
// the merge's, and a second merge's keys added to it later never write into
// the first merge's array (its spare capacity is there on purpose).
func TestAttachSharesTheMergesKeys(t *testing.T) {
	t.Parallel()
	first := append(make([]string, 0, 4), "ABC-1")
	var a, b record
	a.attach(mergeInfo{pr: 7, issues: first})
	b.attach(mergeInfo{issues: first})
	a.attach(mergeInfo{pr: 8, issues: []string{"XYZ-2", "ABC-1"}})
	require.Equal(t, []string{"ABC-1", "XYZ-2"}, a.issues)
	require.Equal(t, 7, a.pr, "the first pull request is kept")
	require.Equal(t, []string{"ABC-1"}, b.issues)
	require.Equal(t, []string{"ABC-1"}, first)
	require.Empty(t, first[:2][1], "nothing was written past the merge's keys")
}
