package changelog

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

// Squash merges as Bitbucket writes them by default: the pull request's
// title (its source branch's name when it has several commits), then one
// bullet per squashed commit, oldest first, then the approvals.
const (
	// squashBranchTitle has a branch-name title and three conventional
	// bullets, one breaking (its footer directly under the header), one
	// with a body, one with a footer.
	squashBranchTitle = "Merged in feature/ABC-12-checkout (pull request #7)\n\nfeature/ABC-12-checkout\n\n" +
		"* feat(cart): pay with vouchers\n\nVouchers come from the CRM.\n" +
		"* fix!: round totals\nBREAKING CHANGE: totals have two decimals\n" +
		"* docs: explain vouchers\n\nRefs: ABC-13\n\nApproved-by: Jane Doe\n"
	// squashConventionalTitle has a conventional title and a breaking bullet.
	squashConventionalTitle = "Merged in feature/search (pull request #8)\n\nfeat(search): search orders\n\n" +
		"* feat(search): search orders\n* fix!: drop the old index\n\nApproved-by: Jane Doe\n"
	// squashPlainBullets has a branch-name title and no conventional bullet.
	squashPlainBullets = "Merged in fix/typos (pull request #9)\n\nfix/typos\n\n* typo\n* another typo BREAKING\n\nApproved-by: Jane Doe\n"
	// squashJiraTitle has a Jira-style title, a plain bullet, a bullet that
	// syncs the branch and a conventional one.
	squashJiraTitle = "Merged in ABC-20-login (pull request #10)\n\nABC-20: login\n\n" +
		"* wip\n* Merge branch 'main' into ABC-20-login\n* feat(auth): log in with SSO\n\nApproved-by: Jane Doe\n"
)

// squashEntry is what the tests compare of an entry.
type squashEntry struct {
	Key, Type, Scope, Subject, Body string
	Breaking                        bool
	BreakingNote                    string
	PR                              int
	Issues                          []string
}

func squashEntries(es []Entry) []squashEntry {
	out := []squashEntry{}
	for _, e := range es {
		g := squashEntry{Key: e.Key(), Type: e.Type, Scope: e.Scope, Subject: e.Subject, Body: e.Body,
			Breaking: e.Breaking, BreakingNote: e.BreakingNote, Issues: e.Issues}
		if e.PullRequest != nil {
			g.PR = *e.PullRequest
		}
		out = append(out, g)
	}
	return out
}

// squashSHA is the hash of the commits the table tests make up.
const squashSHA = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"

// readCommits builds the history of made-up commits (newest first, each
// with one parent) as ReadRange would from git log.
func readCommits(opts ReadOptions, msgs ...string) History {
	b := newBuilder(opts, false)
	for i, msg := range msgs {
		sha := strings.Repeat(string(rune('a'+i)), 40)
		if i == 0 {
			sha = squashSHA
		}
		b.add(Commit{SHA: sha, Parents: []string{strings.Repeat("f", 40)}, AuthorName: "Jane", AuthorEmail: "jane@example.com", Message: msg})
	}
	return b.history(squashSHA, opts, nil)
}

func TestSquashMerges(t *testing.T) {
	t.Parallel()

	key := func(n string) string { return squashSHA + n }
	vouchers := squashEntry{Key: key("#1"), Type: "feat", Scope: "cart", Subject: "pay with vouchers",
		Body: "Vouchers come from the CRM.", PR: 7, Issues: []string{"ABC-12"}}
	totals := squashEntry{Key: key("#2"), Type: "fix", Subject: "round totals",
		Breaking: true, BreakingNote: "totals have two decimals", PR: 7, Issues: []string{"ABC-12"}}
	docs := squashEntry{Key: key("#3"), Type: "docs", Subject: "explain vouchers", PR: 7, Issues: []string{"ABC-13", "ABC-12"}}
	branchAsOne := squashEntry{Key: squashSHA, Type: "feat", Subject: "feature/ABC-12-checkout",
		Body:     "* feat(cart): pay with vouchers\n\nVouchers come from the CRM.\n* fix!: round totals\nBREAKING CHANGE: totals have two decimals\n* docs: explain vouchers",
		Breaking: true, BreakingNote: "totals have two decimals", PR: 7, Issues: []string{"ABC-12", "ABC-13"}}
	search := squashEntry{Key: key("#1"), Type: "feat", Scope: "search", Subject: "search orders", PR: 8}
	index := squashEntry{Key: key("#2"), Type: "fix", Subject: "drop the old index", Breaking: true, BreakingNote: "drop the old index", PR: 8}
	conventionalAsOne := squashEntry{Key: squashSHA, Type: "feat", Scope: "search", Subject: "search orders",
		Body:     "* feat(search): search orders\n* fix!: drop the old index",
		Breaking: true, BreakingNote: "drop the old index", PR: 8}
	plain := []squashEntry{{Key: squashSHA, Type: TypeOther, Subject: "fix/typos", Body: "* typo\n* another typo BREAKING", PR: 9}}
	jiraSplit := []squashEntry{
		{Key: key("#3"), Type: "feat", Scope: "auth", Subject: "log in with SSO", PR: 10, Issues: []string{"ABC-20"}},
		{Key: key("#1"), Type: TypeOther, Subject: "wip", PR: 10, Issues: []string{"ABC-20"}},
	}
	jiraAsOne := []squashEntry{{Key: squashSHA, Type: "feat", Subject: "ABC-20: login",
		Body: "* wip\n* Merge branch 'main' into ABC-20-login\n* feat(auth): log in with SSO", PR: 10, Issues: []string{"ABC-20"}}}

	cases := []struct {
		name string
		mode SquashMode
		msg  string
		want []squashEntry
	}{
		{"auto/branch_title_splits", SquashAuto, squashBranchTitle, []squashEntry{docs, totals, vouchers}},
		{"default/branch_title_splits", "", squashBranchTitle, []squashEntry{docs, totals, vouchers}},
		{"split/branch_title", SquashSplit, squashBranchTitle, []squashEntry{docs, totals, vouchers}},
		{"one/branch_title_takes_the_first_bullet_type_and_its_breaking_change", SquashOne, squashBranchTitle, []squashEntry{branchAsOne}},

		{"auto/conventional_title_is_one_entry_breaking_when_a_bullet_is", SquashAuto, squashConventionalTitle, []squashEntry{conventionalAsOne}},
		{"split/conventional_title", SquashSplit, squashConventionalTitle, []squashEntry{index, search}},
		{"one/conventional_title", SquashOne, squashConventionalTitle, []squashEntry{conventionalAsOne}},

		{"auto/no_conventional_bullet_is_one_entry", SquashAuto, squashPlainBullets, plain},
		{"split/no_conventional_bullet_is_one_entry", SquashSplit, squashPlainBullets, plain},
		{"one/no_conventional_bullet", SquashOne, squashPlainBullets, plain},

		{"auto/jira_title_splits_leaving_out_the_branch_sync", SquashAuto, squashJiraTitle, jiraSplit},
		{"split/jira_title", SquashSplit, squashJiraTitle, jiraSplit},
		{"one/jira_title", SquashOne, squashJiraTitle, jiraAsOne},

		{"auto/github_merge_title_in_a_linear_history", SquashAuto,
			"Merge pull request #123 from octocat/feature/ABC-99-search\n\nfeat(search): search orders by customer\n",
			[]squashEntry{{Key: squashSHA, Type: "feat", Scope: "search", Subject: "search orders by customer", PR: 123, Issues: []string{"ABC-99"}}}},
		{"split/github_merge_title_in_a_linear_history", SquashSplit,
			"Merge pull request #5 from o/fix-it\n\nfix: it\n",
			[]squashEntry{{Key: squashSHA, Type: "fix", Subject: "it", PR: 5}}},
		{"split/breaking_bullet_without_conventional_ones_still_breaks", SquashSplit,
			"Merged in b (pull request #3)\n\nb\n\n* Drop the v1 API\nBREAKING CHANGE: call /v2\n",
			[]squashEntry{{Key: squashSHA, Type: TypeOther, Subject: "b", Body: "* Drop the v1 API\nBREAKING CHANGE: call /v2",
				Breaking: true, BreakingNote: "call /v2", PR: 3}}},
		{"split/breaking_title_breaks_its_newest_entry", SquashSplit,
			"Merged in checkout (pull request #4)\n\nfeat!: new checkout\n\n* feat: pay\n* fix: round\n\nApproved-by: Jane Doe\n",
			[]squashEntry{
				{Key: key("#2"), Type: "fix", Subject: "round", Breaking: true, BreakingNote: "new checkout", PR: 4},
				{Key: key("#1"), Type: "feat", Subject: "pay", PR: 4},
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := readCommits(ReadOptions{SquashMerges: tc.mode}, tc.msg)
			if diff := cmp.Diff(tc.want, squashEntries(h.Entries)); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			rel := NewRelease(Range{Previous: &Tag{Name: "v1.4.0", Version: mustVersion(t, "v1.4.0"), Semver: true}}, h, ReleaseOptions{})
			wantVersion := "v1.5.0"
			switch {
			case strings.Contains(tc.msg, "!:") || strings.Contains(tc.msg, "BREAKING CHANGE"):
				wantVersion = "v2.0.0"
			case !strings.Contains(tc.msg, "* feat") && !strings.Contains(tc.msg, "\n\nfeat"):
				wantVersion = "v1.4.1"
			}
			require.Equal(t, wantVersion, rel.Version, "the bump never loses a bullet's breaking change or feature")
		})
	}
}

// mustVersion parses a semantic version.
func mustVersion(t *testing.T, s string) Version {
	t.Helper()
	v, ok := ParseVersion(s)
	require.True(t, ok, "version %q", s)
	return v
}

func TestSquashMergesFilters(t *testing.T) {
	t.Parallel()

	keys := func(h History) []string {
		var out []string
		for _, e := range h.Entries {
			out = append(out, strings.TrimPrefix(e.Key(), squashSHA))
		}
		return out
	}
	h := readCommits(ReadOptions{ExcludeTypes: []string{"docs", "fix"}}, squashBranchTitle)
	require.Equal(t, []string{"#2", "#1"}, keys(h), "EXCLUDE_TYPES drops a bullet's type; a breaking bullet stays")
	require.Equal(t, 1, h.ExcludedTypes)
	require.Equal(t, []string{"docs", "feat", "fix"}, h.TypesSeen)

	h = readCommits(ReadOptions{ExcludeCommits: regexp.MustCompile(`^(docs|fix)`)}, squashBranchTitle)
	require.Equal(t, []string{"#2", "#1"}, keys(h), "EXCLUDE_COMMITS matches a bullet's first line; a breaking bullet stays")
	require.Equal(t, 1, h.ExcludedCommits)

	h = readCommits(ReadOptions{ExcludeCommits: regexp.MustCompile(`^Merged in`)}, squashBranchTitle)
	require.Equal(t, []string{"#3", "#2", "#1"}, keys(h), "the merge line is not a split entry's subject")

	h = readCommits(ReadOptions{ExcludeCommits: regexp.MustCompile(`jane@example\.com`)}, squashBranchTitle)
	require.Equal(t, []string{"#2"}, keys(h), "EXCLUDE_COMMITS matches the squash commit's author")

	h = readCommits(ReadOptions{ExcludeTypes: []string{"other"}}, squashJiraTitle)
	require.Equal(t, []string{"#3"}, keys(h), "a plain bullet is an other entry")
	require.Empty(t, h.NotConventional, "a split squash's plain bullet passes the lint, as the squash does")

	revert := "Revert \"Merged in feature/ABC-12-checkout (pull request #7)\"\n\nThis reverts commit " + squashSHA + ".\n"
	h = readRevertFirst(revert, squashBranchTitle)
	require.Empty(t, h.Entries, "a revert of a split squash merge drops all its entries")
	require.Equal(t, 4, h.Reverted)
}

// readRevertFirst reads a history of the commit reverted (msg, squashSHA)
// and, after it, the revert (newest first, as git log lists them).
func readRevertFirst(revert, msg string) History {
	b := newBuilder(ReadOptions{}, false)
	head := strings.Repeat("e", 40)
	b.add(Commit{SHA: head, Parents: []string{squashSHA}, Message: revert})
	b.add(Commit{SHA: squashSHA, Parents: []string{strings.Repeat("f", 40)}, Message: msg})
	return b.history(head, ReadOptions{}, nil)
}

// squashRelease is a release with a squash merge split into three entries,
// beside an ordinary commit, read from git.
func squashRelease(t *testing.T, ropts ReadOptions) Release {
	t.Helper()
	r := gittest.New(t)
	r.Commit("feat: the first release")
	r.Tag("v1.4.0")
	r.CommitAs("Jane Doe <jane@example.com>", squashBranchTitle)
	r.Commit("perf: cache prices")
	ropts.NewContributors = true
	rng, h := readBuild(t, r, RangeOptions{}, ropts)
	return NewRelease(rng, h, ReleaseOptions{Repository: shopRepo, Links: shopLinks, IssueURL: "https://acme.atlassian.net/browse/{key}"})
}

func TestRenderSplitSquash(t *testing.T) {
	t.Parallel()
	rel := squashRelease(t, ReadOptions{})
	md, err := BuiltinNotes().Render(rel)
	require.NoError(t, err)
	golden(t, t.Name(), []byte(md))
	require.True(t, strings.HasPrefix(md, "## v2.0.0 ("), "a breaking bullet makes the next major version")
	require.Equal(t, 4, strings.Count(md, "/pull-requests/7)"), "each split entry, and the breaking change, links the pull request")
	require.Equal(t, []Person{{Name: "Jane Doe", Email: "jane@example.com"}}, rel.NewContributors, "a split squash's author is a new contributor once")

	var buf bytes.Buffer
	require.NoError(t, WriteJSON(&buf, rel))
	var doc struct {
		Entries []struct {
			SHA    string `json:"sha"`
			Bullet *int   `json:"bullet"`
		} `json:"entries"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	var bullets []any
	for _, e := range doc.Entries {
		if e.Bullet == nil {
			bullets = append(bullets, nil)
			continue
		}
		require.Equal(t, rel.Entries[1].SHA, e.SHA, "a split entry names its squash commit")
		bullets = append(bullets, *e.Bullet)
	}
	require.Equal(t, []any{nil, 3, 2, 1}, bullets, "the release JSON says which bullet each entry came from")

	tmpl := filepath.Join(t.TempDir(), "keys.tmpl")
	require.NoError(t, os.WriteFile(tmpl, []byte("{{range .Entries}}{{.Key}} {{with .Bullet}}{{.}}{{else}}-{{end}}\n{{end}}"), 0o600))
	notes, err := LoadNotes(tmpl)
	require.NoError(t, err)
	keysText, err := notes.Render(rel)
	require.NoError(t, err)
	sha := rel.Entries[1].SHA
	require.Equal(t, rel.Entries[0].SHA+" -\n"+sha+"#3 3\n"+sha+"#2 2\n"+sha+"#1 1\n", keysText, "a template reads .Key and .Bullet")

	hidden := rel
	hidden.sections = []SectionTitle{{Type: "fix", Title: "Fixes"}, {Type: "docs", Title: ""}}
	var titles []string
	for _, s := range hidden.Sections() {
		titles = append(titles, s.Title)
	}
	require.Equal(t, []string{"Fixes", "Features", "Performance Improvements"}, titles, "SECTIONS titles and hides split entries' types")
}
