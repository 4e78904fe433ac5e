package changelog

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

// releaseSummary is what a test compares of one release.
type releaseSummary struct {
	To, From, Previous, AtTo string
	Subjects                 []string
	Commits                  int
}

func summarize(t *testing.T, r *gittest.Repo, rs []ReleaseHistory) []releaseSummary {
	t.Helper()
	var out []releaseSummary
	for _, x := range rs {
		s := releaseSummary{To: x.Range.To, From: x.Range.From, Subjects: subjects(x.History.Entries), Commits: x.History.Commits}
		if x.Range.Previous != nil {
			s.Previous = x.Range.Previous.Name
		}
		if x.Range.AtTo != nil {
			s.AtTo = x.Range.AtTo.Name
		}
		out = append(out, s)
	}
	return out
}

func TestReadReleases(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	first := r.Commit("feat: first")
	r.Tag("v1.0.0")
	r.CommitAs("Jane Doe <jane@example.com>", "fix: jane's fix")
	bad := r.Commit("feat: experiment")
	r.Revert(bad)
	v101 := r.Commit("fix: second fix")
	r.Tag("v1.0.1", "annotated")
	r.Tag("1.0.1") // another name for the same release
	chores := r.Commit("chore: tidy")
	r.Tag("v1.0.2") // only chores: everything filtered out
	rc := r.Commit("feat: big thing")
	r.Tag("v1.1.0-rc.1")
	r.PullRequest(7, "feature/ABC-1-more", "feat: more", "feat: more of it", "test: cover it")
	v110 := r.Head()
	r.Tag("v1.1.0")
	r.Commit("not-a-release: tagged otherwise")
	r.Tag("deploy-5")
	r.CommitAs("John Roe <john@example.com>", "feat!: unreleased")
	head := r.Head()

	opts := ReadOptions{ExcludeTypes: []string{"chore", "test"}, NewContributors: true}
	got, err := ReadReleases(t.Context(), gitFor(r), ReleasesOptions{}, opts)
	require.NoError(t, err)

	want := []releaseSummary{
		{To: first, AtTo: "v1.0.0", Subjects: []string{"first"}, Commits: 1},
		{To: v101, From: first, Previous: "v1.0.0", AtTo: "v1.0.1", Subjects: []string{"second fix", "jane's fix"}, Commits: 4},
		{To: chores, From: v101, Previous: "v1.0.1", AtTo: "v1.0.2", Subjects: []string{}, Commits: 1},
		{To: rc, From: chores, Previous: "v1.0.2", AtTo: "v1.1.0-rc.1", Subjects: []string{"big thing"}, Commits: 1},
		{To: v110, From: chores, Previous: "v1.0.2", AtTo: "v1.1.0", Subjects: []string{"more of it", "big thing"}, Commits: 4},
		{To: head, From: v110, Previous: "v1.1.0", Subjects: []string{"unreleased", "tagged otherwise"}, Commits: 2},
	}
	if diff := cmp.Diff(want, summarize(t, r, got)); diff != "" {
		t.Fatalf("releases (-want +got):\n%s", diff)
	}
	require.Equal(t, "v1.0.1", got[1].Range.AtTo.Name, "of two names for one release the newest in sort order names it")
	require.Equal(t, 1, got[2].History.ExcludedTypes, "the filtered-out release still counts its commit")
	require.Equal(t, []Person{{"Jane Doe", "jane@example.com"}}, got[1].History.NewContributors)
	require.Equal(t, []Person{{"John Roe", "john@example.com"}}, got[5].History.NewContributors)
	require.Nil(t, got[0].History.NewContributors, "the first release has no From, so no new contributors")

	// Each release is what resolving and reading its range gives, with
	// these options and with paths, excluded commits and merges too.
	for _, opts := range []ReadOptions{opts, {
		Paths: []string{".", ":(exclude)file-3.txt"}, ExcludeCommits: regexp.MustCompile("second"), IncludeMerges: true, NewContributors: true,
	}} {
		requireAsBuilt(t, r, opts)
	}
}

// requireAsBuilt checks that each release ReadReleases finds in r with
// opts is the range and history that a build of its commit reads, and
// returns the releases.
func requireAsBuilt(t *testing.T, r *gittest.Repo, opts ReadOptions) []ReleaseHistory {
	t.Helper()
	got, err := ReadReleases(t.Context(), gitFor(r), ReleasesOptions{}, opts)
	require.NoError(t, err)
	for i, x := range got {
		rng, h := readBuild(t, r, RangeOptions{To: x.Range.To}, opts)
		require.Equal(t, rng.From, x.Range.From, "release %d", i)
		require.Equal(t, rng.Reason, x.Range.Reason, "release %d", i)
		if diff := cmp.Diff(h, x.History, cmpopts.IgnoreUnexported(Entry{}, History{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("release %d: ReadReleases and ReadRange differ (-ReadRange +ReadReleases):\n%s", i, diff)
		}
	}
	return got
}

// TestReadReleasesBranches reads releases whose ranges are not one after
// another: a hotfix released from a branch, a pre-release tagged on a
// feature branch, commits in two releases' ranges, a commit whose wrong
// clock puts it after its parent in git log's order, and authors known
// from a branch merged earlier.
func TestReadReleasesBranches(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: one")
	r.Tag("v1.0.0")
	r.Branch("hotfix")
	// After its parent in git log's order. (With a commit of the range
	// between it and the previous release, the whole log and the range's
	// log would order the range's commits differently: git orders by
	// date the commits its walk has reached.)
	r.CommitDated("946684800 +0000", "fix: committed with a clock in 2000")
	r.CommitAs("Bob Ray <bob@example.com>", "fix: hotfix")
	r.Tag("v1.0.1")
	r.Checkout("main")
	r.CommitAs("Ann Lee <ann@example.com>", "feat: two")
	r.Tag("v1.1.0") // its previous release is v1.0.0: v1.0.1 is not an ancestor
	r.Branch("feature/ABC-1")
	r.Commit("feat: three")
	r.Tag("v1.2.0-rc.1")
	r.Checkout("main")
	r.Commit("docs: meanwhile")
	r.Merge("feature/ABC-1", "Merged in feature/ABC-1 (pull request #3)")
	r.Merge("hotfix", "Merge branch 'hotfix'") // the hotfix is in v1.0.1's range and in v1.2.0's
	r.Commit("fix: four")
	r.Tag("v1.2.0")
	r.CommitAs("Bob Ray <bob@example.com>", "fix: known from the hotfix")
	r.CommitAs("Cy Doe <cy@example.com>", "feat: new")

	opts := ReadOptions{NewContributors: true}
	got := requireAsBuilt(t, r, opts)
	var froms []string
	for _, x := range got {
		from := ""
		if x.Range.Previous != nil {
			from = x.Range.Previous.Name
		}
		froms = append(froms, from)
	}
	require.Equal(t, []string{"", "v1.0.0", "v1.0.0", "v1.1.0", "v1.1.0", "v1.2.0"}, froms,
		"the releases v1.0.0, v1.0.1, v1.1.0, v1.2.0-rc.1, v1.2.0 and HEAD, each from its newest released ancestor")
	require.Contains(t, subjects(got[4].History.Entries), "hotfix", "v1.2.0 brings the hotfix to main")
	require.Equal(t, []Person{{"Cy Doe", "cy@example.com"}}, got[5].History.NewContributors)
	requireAsBuilt(t, r, ReadOptions{IncludeMerges: true, Paths: []string{".", ":(exclude)file-3.txt"}, NewContributors: true})
}

// TestTipSets checks which tips reach each commit against walking the
// graph from every tip.
func TestTipSets(t *testing.T) {
	t.Parallel()
	many := make([][]int32, 150) // a line of 150 commits, each a release
	manyTips := make([]int32, len(many))
	for i := range many {
		if i < len(many)-1 {
			many[i] = []int32{int32(i + 1)}
		}
		manyTips[i] = int32(i)
	}
	tests := []struct {
		name    string
		parents [][]int32 // by commit, in log order: its parents' positions
		tips    []int32
		sets    int // how many sets it takes: 0 for any number
	}{
		{name: "a line", parents: [][]int32{{1}, {2}, {3}, {}}, tips: []int32{0, 2}, sets: 3},
		{name: "a branch merged back shares its sets", parents: [][]int32{{1, 3}, {2}, {4}, {4}, {5}, {}}, tips: []int32{0, 4}, sets: 3},
		{name: "tips on both sides of a merge", parents: [][]int32{{1, 2}, {3}, {3}, {}}, tips: []int32{0, 1, 2}, sets: 5},
		{name: "criss-cross merges", parents: [][]int32{{2, 1}, {3, 4}, {4, 3}, {5}, {5}, {}}, tips: []int32{0, 1, 2, 5}},
		{name: "a parent before its child in the log", parents: [][]int32{{2}, {3}, {1}, {}}, tips: []int32{0, 3}},
		{name: "an octopus merge and a parent named twice", parents: [][]int32{{1, 2, 3}, {4, 4}, {4}, {4}, {}}, tips: []int32{0, 2, 3}},
		{name: "two heads", parents: [][]int32{{2}, {2}, {}}, tips: []int32{0, 1}},
		{name: "more tips than a word holds", parents: many, tips: manyTips, sets: len(many) + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parentsOf := func(c int32) []int32 { return tc.parents[c] }
			ts := newTipSets(len(tc.parents), parentsOf, tc.tips)
			for k, tip := range tc.tips {
				reached := map[int32]bool{}
				stack := []int32{tip}
				for len(stack) > 0 {
					c := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					if !reached[c] {
						reached[c] = true
						stack = append(stack, tc.parents[c]...)
					}
				}
				for c := range int32(len(tc.parents)) {
					require.Equal(t, reached[c], ts.reaches(int32(k), c), "whether tip %d (commit %d) reaches commit %d", k, tip, c)
				}
			}
			if tc.sets > 0 {
				require.Equal(t, tc.sets, len(ts.bits)/ts.words, "sets made")
			}
		})
	}
}

// lastAsBuilt returns the last release that ReadReleases finds in r for a
// build of HEAD with version, checking that it is the range and history
// that a build of HEAD with that version reads.
func lastAsBuilt(t *testing.T, r *gittest.Repo, version string) ReleaseHistory {
	t.Helper()
	got, err := ReadReleases(t.Context(), gitFor(r), ReleasesOptions{Version: version}, ReadOptions{})
	require.NoError(t, err)
	last := got[len(got)-1]
	rng, h := readBuild(t, r, RangeOptions{Version: version}, ReadOptions{})
	require.Equal(t, rng.To, last.Range.To, "VERSION %q", version)
	require.Equal(t, rng.From, last.Range.From, "VERSION %q", version)
	require.Equal(t, rng.Previous, last.Range.Previous, "VERSION %q", version)
	require.Equal(t, subjects(h.Entries), subjects(last.History.Entries), "VERSION %q", version)
	return last
}

func TestReadReleasesEdges(t *testing.T) {
	t.Parallel()
	t.Run("no tags: the whole history, unreleased", func(t *testing.T) {
		t.Parallel()
		r := gittest.New(t)
		r.Commit("feat: one")
		head := r.Commit("fix: two")
		got, err := ReadReleases(t.Context(), gitFor(r), ReleasesOptions{}, ReadOptions{})
		require.NoError(t, err)
		require.Equal(t, []releaseSummary{{To: head, Subjects: []string{"two", "one"}, Commits: 2}}, summarize(t, r, got))
	})
	t.Run("a tag at To: no unreleased part", func(t *testing.T) {
		t.Parallel()
		r := gittest.New(t)
		one := r.Commit("feat: one")
		r.Tag("v0.1.0")
		r.Commit("fix: two")
		r.Tag("v0.1.1")
		got, err := ReadReleases(t.Context(), gitFor(r), ReleasesOptions{To: one}, ReadOptions{})
		require.NoError(t, err)
		require.Equal(t, []releaseSummary{{To: one, AtTo: "v0.1.0", Subjects: []string{"one"}, Commits: 1}}, summarize(t, r, got),
			"tags after To are not part of its history")
	})
	t.Run("a pre-release VERSION counts pre-release tags, as a build does", func(t *testing.T) {
		t.Parallel()
		r := gittest.New(t)
		r.Commit("feat: one")
		r.Tag("v1.0.0")
		rc1 := r.Commit("feat: two")
		r.Tag("v1.1.0-rc.1")
		head := r.Commit("fix: three")
		last := map[string]ReleaseHistory{}
		for _, version := range []string{"", "v1.1.0", "v1.1.0-rc.2"} {
			last[version] = lastAsBuilt(t, r, version)
		}
		require.Equal(t, rc1, last["v1.1.0-rc.2"].Range.From)
		require.Equal(t, []string{"three"}, subjects(last["v1.1.0-rc.2"].History.Entries))
		require.Equal(t, []string{"three", "two"}, subjects(last["v1.1.0"].History.Entries))

		r.Tag("v1.1.0-rc.2") // a tag build
		for _, version := range []string{"", "v1.1.0-rc.2"} {
			last := lastAsBuilt(t, r, version)
			require.Equal(t, head, last.Range.To)
			require.Equal(t, rc1, last.Range.From, "VERSION %q", version)
		}
	})
	t.Run("To's release comes last, whatever its version", func(t *testing.T) {
		t.Parallel()
		r := gittest.New(t)
		r.Commit("feat: one")
		r.Tag("v1.1.0")
		head := r.Commit("fix: a hotfix tagged lower")
		r.Tag("v1.0.1")
		last := lastAsBuilt(t, r, "")
		require.Equal(t, head, last.Range.To)
		require.Equal(t, "v1.0.1", last.Range.AtTo.Name)
	})
	t.Run("tags of two kinds choose as a build does", func(t *testing.T) {
		t.Parallel()
		// With a tag that is no semantic version among the candidates, the
		// newest is the most recently created; without, the highest version.
		m, err := NewTagMatcher(`^(v[0-9.]+(-rc\.[0-9]+)?|nightly-[0-9]+)$`)
		require.NoError(t, err)
		r := gittest.New(t)
		r.Commit("feat: one")
		r.Tag("v2.0.0")
		r.Commit("feat: two")
		r.Tag("nightly-1", "annotated, created later")
		r.Commit("fix: three")
		r.Tag("v1.9.0")
		r.Commit("fix: four")
		r.Tag("v2.1.0-rc.1")
		r.Commit("fix: five")
		got, err := ReadReleases(t.Context(), gitFor(r), ReleasesOptions{Tags: m}, ReadOptions{})
		require.NoError(t, err)
		require.Len(t, got, 5)
		for i, x := range got {
			rng, h := readBuild(t, r, RangeOptions{To: x.Range.To, Tags: m}, ReadOptions{})
			require.Equal(t, rng.Previous, x.Range.Previous, "release %d", i)
			require.Equal(t, rng.From, x.Range.From, "release %d", i)
			require.Equal(t, subjects(h.Entries), subjects(x.History.Entries), "release %d", i)
		}
	})
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		_, err := ReadReleases(t.Context(), &Git{Dir: gittest.New(t).Dir}, ReleasesOptions{}, ReadOptions{})
		require.ErrorIs(t, err, ErrNoCommits)

		r := gittest.New(t)
		r.Commit("feat: one")
		r.Tag("v1.0.0")
		r.Commit("fix: two")
		r.Commit("fix: three")
		_, err = ReadReleases(t.Context(), gitFor(r.Clone("--depth", "2")), ReleasesOptions{}, ReadOptions{})
		require.ErrorIs(t, err, ErrShallow)

	})
}
