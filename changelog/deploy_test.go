package changelog

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

func TestResolveDeployment(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	z := r.Commit("chore: start")
	a := r.Commit("feat: a")
	r.Tag("v1.0.0")
	b := r.Commit("fix: b")
	c := r.Commit("feat: c")
	d := r.Commit("fix: d")
	r.Git("checkout", "-q", "-b", "other", b)
	e := r.Commit("fix: e")
	r.Git("checkout", "-q", "main")
	r.Git("checkout", "-q", "--orphan", "unrelated")
	lone := r.Commit("chore: unrelated root")
	r.Git("checkout", "-q", "main")

	set := func(shas ...string) map[string]bool {
		m := map[string]bool{}
		for _, s := range shas {
			m[s] = true
		}
		return m
	}
	tests := []struct {
		name, to, previous string
		want               DeploymentRange
	}{
		{"first deployment", d, "", DeploymentRange{Rollout: RolloutFirst, To: d}},
		{"forward from the previous deployment", d, b,
			DeploymentRange{Rollout: RolloutForward, Previous: b, From: b, To: d, Shipped: set(c, d)}},
		{"the previous commit given short", d, b[:12],
			DeploymentRange{Rollout: RolloutForward, Previous: b, From: b, To: d, Shipped: set(c, d)}},
		{"forward past the previous release tag", d, z,
			DeploymentRange{Rollout: RolloutForward, Previous: z, From: z, To: d, Shipped: set(a, b, c, d), SpansReleases: true}},
		{"the same commit again", d, d,
			DeploymentRange{Rollout: RolloutForward, Previous: d, From: d, To: d, Shipped: set()}},
		{"rollback", b, d,
			DeploymentRange{Rollout: RolloutRollback, Previous: d, From: b, To: b, Shipped: set(), Gone: []string{d, c}}},
		{"diverged", e, d,
			DeploymentRange{Rollout: RolloutDiverged, Previous: d, From: b, To: e, Shipped: set(e), Gone: []string{d, c}}},
		{"previous commit not in the repository", d, strings.Repeat("ab", 20),
			DeploymentRange{Rollout: RolloutUnknownPrevious, Previous: strings.Repeat("ab", 20), To: d}},
		{"previous commit in an unrelated history", d, lone,
			DeploymentRange{Rollout: RolloutUnknownPrevious, Previous: lone, To: d}},
	}
	t.Run("the rows a rollback takes back", func(t *testing.T) {
		t.Parallel()
		d := DeploymentRange{Rollout: RolloutRollback, Previous: d, From: b, To: b, Gone: []string{d, c}}
		got, err := ReadWithdrawn(t.Context(), gitFor(r), d, ReadOptions{ExcludeTypes: []string{"fix"}})
		require.NoError(t, err)
		require.Equal(t, []string{"c"}, subjects(got), "the filters apply: only rows the pipe wrote are updated")
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			usual, err := ResolveRange(t.Context(), gitFor(r), RangeOptions{To: tt.to})
			require.NoError(t, err)
			got, err := ResolveDeployment(t.Context(), gitFor(r), usual, tt.previous)
			require.NoError(t, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ResolveDeployment(%s) (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

func TestResolveDeploymentShallow(t *testing.T) {
	t.Parallel()
	origin := gittest.New(t)
	old := origin.Commit("feat: old")
	for range 3 {
		origin.Commit("fix: more")
	}
	clone := origin.Clone("--depth", "1", "--no-local")
	usual, err := ResolveRange(t.Context(), gitFor(clone), RangeOptions{})
	require.NoError(t, err)
	_, err = ResolveDeployment(t.Context(), gitFor(clone), usual, old)
	var shallow *ShallowError
	require.ErrorAs(t, err, &shallow, "a shallow clone may lack the previous commit: deepen it, do not guess")
	require.ErrorIs(t, err, ErrShallow)

	clone.Git("fetch", "-q", "--unshallow")
	d, err := ResolveDeployment(t.Context(), gitFor(clone), usual, old)
	require.NoError(t, err, "deepened since the usual range was resolved")
	require.Equal(t, RolloutForward, d.Rollout)
	d, err = ResolveDeployment(t.Context(), gitFor(clone), usual, strings.Repeat("ab", 20))
	require.NoError(t, err)
	require.Equal(t, RolloutUnknownPrevious, d.Rollout, "the whole history lacks it: not the clone's fault")
}

func TestDeploymentShip(t *testing.T) {
	t.Parallel()
	entries := func(shas ...string) []Entry {
		out := []Entry{}
		for _, s := range shas {
			out = append(out, Entry{SHA: s})
		}
		return out
	}
	releases := []Release{
		{Version: "v1.3.0", From: "s0", To: "s2", Entries: entries("s2", "s1")},
		{Version: "v1.4.0", From: "s2", To: "s4", Entries: entries("s4", "s3")},
		{Version: "v1.5.0", From: "s4", To: "s6", Entries: entries("s6", "s5")},
	}
	type summary struct {
		Version, From string
		SHAs          []string
	}
	summarize := func(rels []Release) []summary {
		var out []summary
		for _, r := range rels {
			s := summary{Version: r.Version, From: r.From, SHAs: []string{}}
			for _, e := range r.Entries {
				s.SHAs = append(s.SHAs, e.SHA)
			}
			out = append(out, s)
		}
		return out
	}
	tests := []struct {
		name string
		d    DeploymentRange
		want []summary
	}{
		{"the usual range", DeploymentRange{Rollout: RolloutFirst}, []summary{
			{"v1.3.0", "s0", []string{"s2", "s1"}}, {"v1.4.0", "s2", []string{"s4", "s3"}}, {"v1.5.0", "s4", []string{"s6", "s5"}}}},
		{"spanning two releases", DeploymentRange{From: "s3", Shipped: map[string]bool{"s4": true, "s5": true, "s6": true}}, []summary{
			{"v1.4.0", "s2", []string{"s4"}}, {"v1.5.0", "s3", []string{"s6", "s5"}}}},
		{"within the build's release", DeploymentRange{From: "s5", Shipped: map[string]bool{"s6": true}}, []summary{
			{"v1.5.0", "s5", []string{"s6"}}}},
		{"a rollback ships nothing but keeps the build's release", DeploymentRange{From: "s6", Shipped: map[string]bool{}}, []summary{
			{"v1.5.0", "s6", []string{}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, summarize(tt.d.Ship(releases))); diff != "" {
				t.Errorf("Ship (-want +got):\n%s", diff)
			}
		})
	}
	require.Len(t, releases[2].Entries, 2, "Ship leaves its input alone")
}

func TestEntryCommitDate(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Commit("feat: one")
	_, h := readBuild(t, r, RangeOptions{}, ReadOptions{})
	require.Len(t, h.Entries, 1)
	want := r.Git("log", "-1", "--format=%cI")
	require.Equal(t, want, h.Entries[0].CommitDate().Format("2006-01-02T15:04:05-07:00"))
}

func TestDeploymentJSON(t *testing.T) {
	t.Parallel()
	h := 2.5
	rel := Release{Version: "v1.5.0", Entries: []Entry{}, NewContributors: []Person{}, Deployment: &Deployment{
		Name: "production #128", Environment: "production", Status: DeploymentSuccessful, PreviousSHA: strings.Repeat("a", 40),
		Count: 3, LeadTime: &h, LeadTimeMax: &h, DeployedAt: gittest.Epoch, Gone: []string{"x"},
	}}
	var buf strings.Builder
	require.NoError(t, WriteJSON(&buf, rel))
	require.Contains(t, buf.String(), `"deployment": {
    "environment": "production",
    "status": "SUCCESSFUL",
    "previous_sha": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "rollback": false,
    "count": 3,
    "lead_time": 2.5,
    "lead_time_max": 2.5,
    "time_to_restore": null,
    "deployed_at": "2026-01-05T09:00:00Z"
  },`)
}
