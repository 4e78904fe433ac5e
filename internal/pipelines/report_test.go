package pipelines_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
)

// afterV130 is the release of entries since the previous release tag
// v1.3.0, its version computed, or bumped by since when the range starts
// elsewhere (a pull request's merge-base) and since is not nil.
func afterV130(t *testing.T, entries []changelog.Entry, since *changelog.History) changelog.Release {
	t.Helper()
	v, ok := changelog.ParseVersion("v1.3.0")
	require.True(t, ok)
	r := changelog.Range{Previous: &changelog.Tag{Name: "v1.3.0", Version: v, Semver: true}}
	return changelog.NewRelease(r, changelog.History{Entries: entries, Commits: len(entries)}, changelog.ReleaseOptions{SincePrevious: since})
}

func TestChangelogReport(t *testing.T) {
	t.Parallel()
	rel := afterV130(t, []changelog.Entry{
		{SHA: "aaaaaaa1", ShortSHA: "aaaaaaa", Type: "feat", Subject: "cart"},
		{SHA: "bbbbbbb1", ShortSHA: "bbbbbbb", Type: "fix", Subject: "totals", Breaking: true, BreakingNote: "totals are rounded"},
		{SHA: "ccccccc1", ShortSHA: "ccccccc", Type: "feat", Subject: "wishlist"},
		{SHA: "ddddddd1", ShortSHA: "ddddddd", Type: "docs", Subject: "readme"},
		{SHA: "eeeeeee1", ShortSHA: "eeeeeee", Type: changelog.TypeOther, Subject: "Tidy up"},
	}, nil)
	fix := []changelog.Entry{{SHA: "fffffff1", ShortSHA: "fffffff", Type: "fix", Subject: "rounding"}}
	// A pull request of one fix, branched after a feature merged since
	// v1.3.0: the version, and so its bump, counts the feature too.
	sinceTag := changelog.History{Entries: append(slices.Clone(fix), changelog.Entry{SHA: "9999999", Type: "feat"}), Commits: 2}
	lint := []changelog.Unconventional{{SHA: "eeeeeee1", Subject: "Tidy up", Problem: changelog.NoType}}

	tests := []struct {
		name        string
		in          pipelines.ReportInput
		details     string
		result      string
		data        int
		annotations int
	}{
		{"preview", pipelines.ReportInput{Release: rel, NotConventional: lint},
			"5 changes: 2 features, 1 fix, 1 docs, 1 other change; next version v2.0.0 (major); 1 breaking change; 1 commit not conventional",
			"PASSED", 6, 2},
		{"lint fails, with Coda", pipelines.ReportInput{Release: rel, NotConventional: lint, Failed: true, Link: "https://coda.io/d/x", LinkText: "Release notes"},
			"5 changes: 2 features, 1 fix, 1 docs, 1 other change; next version v2.0.0 (major); 1 breaking change; 1 commit not conventional",
			"FAILED", 7, 2},
		{"pull request after a feature", pipelines.ReportInput{Release: afterV130(t, fix, &sinceTag)},
			"1 change: 1 fix; next version v1.4.0 (minor)", "PASSED", 6, 0},
		{"given version", pipelines.ReportInput{Release: changelog.Release{Version: "v9.0.0", Entries: fix}},
			"1 change: 1 fix; next version v9.0.0", "PASSED", 5, 0},
		{"empty", pipelines.ReportInput{Release: changelog.Release{Version: "v1.3.0"}}, "No changes; next version v1.3.0", "PASSED", 5, 0},
		{"tag build", pipelines.ReportInput{Release: changelog.Release{Version: "v2.0.0", Build: changelog.Build{Tag: "v2.0.0"}, Entries: rel.Entries[:1]}},
			"1 change: 1 feature; version v2.0.0", "PASSED", 5, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, as := pipelines.ChangelogReport(tc.in)
			require.Equal(t, tc.details, r.Details)
			require.Equal(t, tc.result, r.Result)
			require.Equal(t, "Changelog", r.Title)
			require.Equal(t, pipelines.ReportType, r.ReportType)
			require.Len(t, r.Data, tc.data)
			require.LessOrEqual(t, len(r.Data), pipelines.MaxReportData)
			require.Equal(t, tc.in.Link, r.Link)
			require.Len(t, as, tc.annotations)
			bump, ok := tc.in.Release.Bump()
			require.Equal(t, map[bool]string{true: bump.String(), false: "none"}[ok], r.Data[2].Value, "the bump data item")
		})
	}

	_, as := pipelines.ChangelogReport(tests[1].in)
	require.Equal(t, "Breaking change in bbbbbbb: totals", as[0].Summary)
	require.Equal(t, "totals are rounded", as[0].Details)
	require.Equal(t, "eeeeeee is not a Conventional Commit (no type): Tidy up", as[1].Summary)
	require.Contains(t, as[1].Details, "Start the header with a type")
	require.Equal(t, "FAILED", as[1].Result)
	require.NotEqual(t, as[0].ExternalID, as[1].ExternalID)
}

// TestChangelogReportSaysWhereOtherChangesGo: an annotation of a commit
// that is not conventional names the section SECTIONS gives the type other,
// or says that the notes leave it out.
func TestChangelogReportSaysWhereOtherChangesGo(t *testing.T) {
	t.Parallel()
	lint := []changelog.Unconventional{{SHA: "eeeeeee1", Subject: "Tidy up", Problem: changelog.NoType}}
	entries := func() []changelog.Entry {
		return []changelog.Entry{{SHA: "eeeeeee1", ShortSHA: "eeeeeee", Type: changelog.TypeOther, Subject: "Tidy up"}}
	}
	tests := []struct {
		name     string
		sections []changelog.SectionTitle
		entries  []changelog.Entry
		want     string
	}{
		{"default", nil, entries(), `The changelog shows it under "Other Changes".`},
		{"renamed", []changelog.SectionTitle{{Type: "other", Title: "Odds and ends"}}, entries(), `The changelog shows it under "Odds and ends".`},
		{"hidden by SECTIONS", []changelog.SectionTitle{{Type: "other"}}, entries(), "leaves it out"},
		{"left out by EXCLUDE_TYPES", nil, nil, "leaves it out"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rel := changelog.NewRelease(changelog.Range{}, changelog.History{Entries: tc.entries, Commits: 1}, changelog.ReleaseOptions{Sections: tc.sections})
			_, as := pipelines.ChangelogReport(pipelines.ReportInput{Release: rel, NotConventional: lint})
			require.Len(t, as, 1)
			require.Contains(t, as[0].Details, tc.want)
		})
	}
}
