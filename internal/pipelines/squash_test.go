package pipelines_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
)

// TestChangelogReportSplitSquash: two breaking entries of one split squash
// merge share their commit, but each is an annotation of its own.
func TestChangelogReportSplitSquash(t *testing.T) {
	t.Parallel()
	one, two := 1, 2
	rel := changelog.Release{Version: "v2.0.0", Entries: []changelog.Entry{
		{SHA: "aaaaaaa1", ShortSHA: "aaaaaaa", Type: "fix", Subject: "totals", Breaking: true, BreakingNote: "rounded", Bullet: &two},
		{SHA: "aaaaaaa1", ShortSHA: "aaaaaaa", Type: "feat", Subject: "cart", Breaking: true, BreakingNote: "kept", Bullet: &one},
	}}
	_, as := pipelines.ChangelogReport(pipelines.ReportInput{Release: rel})
	require.Len(t, as, 2)
	require.NotEqual(t, as[0].ExternalID, as[1].ExternalID)
}
