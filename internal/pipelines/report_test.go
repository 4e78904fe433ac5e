package pipelines_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
)

func TestChangelogReport(t *testing.T) {
	t.Parallel()
	rel := changelog.Release{
		Version: "v1.4.0", PreviousVersion: "v1.3.0",
		Entries: []changelog.Entry{
			{SHA: "aaaaaaa1", ShortSHA: "aaaaaaa", Type: "feat", Subject: "cart"},
			{SHA: "bbbbbbb1", ShortSHA: "bbbbbbb", Type: "fix", Subject: "totals", Breaking: true, BreakingNote: "totals are rounded"},
			{SHA: "ccccccc1", ShortSHA: "ccccccc", Type: "feat", Subject: "wishlist"},
			{SHA: "ddddddd1", ShortSHA: "ddddddd", Type: "docs", Subject: "readme"},
			{SHA: "eeeeeee1", ShortSHA: "eeeeeee", Type: changelog.TypeOther, Subject: "Tidy up"},
		},
	}
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
			"5 changes: 2 features, 1 fix, 1 docs, 1 other change; next version v1.4.0 (major); 1 breaking change; 1 commit not conventional",
			"PASSED", 6, 2},
		{"lint fails, with Coda", pipelines.ReportInput{Release: rel, NotConventional: lint, Failed: true, Link: "https://coda.io/d/x", LinkText: "Release notes"},
			"5 changes: 2 features, 1 fix, 1 docs, 1 other change; next version v1.4.0 (major); 1 breaking change; 1 commit not conventional",
			"FAILED", 7, 2},
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
