package deploy

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

func TestName(t *testing.T) {
	t.Parallel()
	n := 128
	require.Equal(t, "production #128", Name("production", &n, "3fa4c2e8d1b0"))
	require.Equal(t, "staging 3fa4c2e", Name("staging", nil, "3fa4c2e8d1b0"))
}

func TestStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code    string
		set     bool
		want    string
		wantErr string
	}{
		{"", false, changelog.DeploymentSuccessful, ""},
		{"", true, changelog.DeploymentSuccessful, ""},
		{"0", true, changelog.DeploymentSuccessful, ""},
		{" 0\n", true, changelog.DeploymentSuccessful, ""},
		{"1", true, changelog.DeploymentFailed, ""},
		{"137", true, changelog.DeploymentFailed, ""},
		{"oops", true, "", `BITBUCKET_EXIT_CODE "oops" is not a number`},
	}
	for _, tt := range tests {
		got, err := Status(tt.code, tt.set)
		if tt.wantErr != "" {
			require.ErrorContains(t, err, tt.wantErr)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tt.want, got, "BITBUCKET_EXIT_CODE %q (set %v)", tt.code, tt.set)
	}
}

func TestEarlier(t *testing.T) {
	t.Parallel()
	at := func(h int) time.Time { return gittest.Epoch.Add(time.Duration(h) * time.Hour) }
	ok := func(name, sha string, h int) Record {
		return Record{Name: name, SHA: sha, Status: changelog.DeploymentSuccessful, DeployedAt: at(h)}
	}
	failed := func(name string, h int) Record {
		return Record{Name: name, SHA: "f", Status: changelog.DeploymentFailed, DeployedAt: at(h)}
	}
	tests := []struct {
		name    string
		records []Record
		this    string
		want    History
	}{
		{"none", nil, "production #3", History{}},
		{"the newest successful one", []Record{ok("production #1", "a", 1), ok("production #2", "b", 2)}, "production #3",
			History{Previous: ptr(ok("production #2", "b", 2))}},
		{"by date, not by the table's order", []Record{ok("production #2", "b", 2), ok("production #1", "a", 1)}, "production #3",
			History{Previous: ptr(ok("production #2", "b", 2))}},
		{"never its own row", []Record{ok("production #1", "a", 1), ok("production #2", "b", 2)}, "production #2",
			History{Previous: ptr(ok("production #1", "a", 1))}},
		{"failures since the previous one", []Record{failed("production #0", 0), ok("production #1", "a", 1), failed("production #2", 2), failed("production #3", 3)}, "production #4",
			History{Previous: ptr(ok("production #1", "a", 1)), FailedSince: at(2)}},
		{"its own failed run counts", []Record{ok("production #1", "a", 1), failed("production #2", 2)}, "production #2",
			History{Previous: ptr(ok("production #1", "a", 1)), FailedSince: at(2)}},
		{"only failures", []Record{failed("production #1", 1), failed("production #2", 2)}, "production #3",
			History{FailedSince: at(1)}},
		{"status in any case", []Record{{Name: "production #1", SHA: "a", Status: " successful ", DeployedAt: at(1)}}, "production #2",
			History{Previous: &Record{Name: "production #1", SHA: "a", Status: " successful ", DeployedAt: at(1)}}},
		{"other statuses are neither", []Record{ok("production #1", "a", 1), {Name: "production #2", Status: "IN PROGRESS", DeployedAt: at(2)}}, "production #3",
			History{Previous: ptr(ok("production #1", "a", 1))}},
	}
	for _, tt := range tests {
		for i := range tt.records {
			tt.records[i].Own = tt.records[i].Name == tt.this
		}
		if diff := cmp.Diff(tt.want, Earlier(tt.records)); diff != "" {
			t.Errorf("%s: Earlier (-want +got):\n%s", tt.name, diff)
		}
	}
}

// shipped builds a repository of four commits, an hour apart, and returns
// the release of a deployment of the last one after one of the first.
func shipped(t *testing.T) (changelog.Release, changelog.DeploymentRange, []string) {
	t.Helper()
	r := gittest.New(t)
	var shas []string
	for _, msg := range []string{"feat: one", "fix: two", "feat: three", "fix: four", "docs: five"} {
		shas = append(shas, r.Commit(msg))
	}
	g := &changelog.Git{Dir: r.Dir}
	usual, err := changelog.ResolveRange(t.Context(), g, changelog.RangeOptions{})
	require.NoError(t, err)
	h, err := changelog.ReadRange(t.Context(), g, usual, changelog.ReadOptions{})
	require.NoError(t, err)
	d, err := changelog.ResolveDeployment(t.Context(), g, usual, shas[0])
	require.NoError(t, err)
	rels := d.Ship([]changelog.Release{changelog.NewRelease(usual, h, changelog.ReleaseOptions{})})
	require.Len(t, rels, 1)
	return rels[0], d, shas
}

func TestNew(t *testing.T) {
	t.Parallel()
	rel, d, shas := shipped(t)
	// The shipped commits were committed at +2h, +3h, +4h and +5h.
	at := gittest.Epoch.Add(6 * time.Hour)
	hours := func(h float64) *float64 { return &h }
	build := 7
	previous := &Record{Name: "production #6", SHA: shas[0][:12], Status: changelog.DeploymentSuccessful}

	tests := []struct {
		name string
		opts Options
		d    changelog.DeploymentRange
		want changelog.Deployment
	}{
		{"successful", Options{Environment: "production", Status: changelog.DeploymentSuccessful, DeployedAt: at, Build: &build,
			Earlier: History{Previous: previous}}, d,
			changelog.Deployment{Name: "production #7", Environment: "production", Status: changelog.DeploymentSuccessful,
				PreviousSHA: shas[0], Count: 4, LeadTime: hours(2.5), LeadTimeMax: hours(4), DeployedAt: at}},
		{"restores after failures", Options{Environment: "production", Status: changelog.DeploymentSuccessful, DeployedAt: at, Build: &build,
			Earlier: History{Previous: previous, FailedSince: gittest.Epoch.Add(4*time.Hour + 30*time.Minute)}}, d,
			changelog.Deployment{Name: "production #7", Environment: "production", Status: changelog.DeploymentSuccessful,
				PreviousSHA: shas[0], Count: 4, LeadTime: hours(2.5), LeadTimeMax: hours(4), TimeToRestore: hours(1.5), DeployedAt: at}},
		{"failed: no lead time, nothing restored", Options{Environment: "production", Status: changelog.DeploymentFailed, DeployedAt: at, Build: &build,
			Earlier: History{Previous: previous, FailedSince: gittest.Epoch}}, d,
			changelog.Deployment{Name: "production #7", Environment: "production", Status: changelog.DeploymentFailed,
				PreviousSHA: shas[0], Count: 4, DeployedAt: at}},
		{"rollback counts the commits taken back", Options{Environment: "staging", Status: changelog.DeploymentSuccessful, DeployedAt: at,
			Earlier: History{Previous: previous}},
			changelog.DeploymentRange{Rollout: changelog.RolloutRollback, Previous: shas[3], Gone: []string{shas[3], shas[2]}},
			changelog.Deployment{Name: "staging " + changelog.ShortSHA(shas[4]), Environment: "staging", Status: changelog.DeploymentSuccessful,
				PreviousSHA: shas[3], Rollback: true, Count: 2, LeadTime: hours(2.5), LeadTimeMax: hours(4), DeployedAt: at,
				Gone: []string{shas[3], shas[2]}}},
	}
	for _, tt := range tests {
		got := New(rel, tt.d, tt.opts)
		if diff := cmp.Diff(&tt.want, got); diff != "" {
			t.Errorf("%s: New (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestLeadTimes(t *testing.T) {
	t.Parallel()
	rel, _, _ := shipped(t)
	at := gittest.Epoch.Add(6 * time.Hour)
	median, longest := LeadTimes(rel.Entries[1:], at) // +4h, +3h, +2h: 2, 3, 4 hours
	require.Equal(t, 3.0, *median)
	require.Equal(t, 4.0, *longest)
	squash := rel.Entries[1] // one commit split into three entries, one per bullet
	median, _ = LeadTimes(append([]changelog.Entry{squash, squash, squash}, rel.Entries[2:]...), at)
	require.Equal(t, 3.0, *median, "a commit counts once, whatever number of entries it makes")
	median, longest = LeadTimes(rel.Entries[:1], gittest.Epoch) // committed after the deployment: a skewed clock
	require.Equal(t, 0.0, *median)
	require.Equal(t, 0.0, *longest)
	median, longest = LeadTimes(nil, at)
	require.Nil(t, median)
	require.Nil(t, longest)
}

// ptr points at a copy of r.
func ptr(r Record) *Record { return &r }
