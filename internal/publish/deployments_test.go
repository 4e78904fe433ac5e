package publish

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
	"bitbucket.org/coda-changelog/coda-changelog/internal/deploy"
)

// deployedAt is when the deployments of these tests ran.
var deployedAt = time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)

// deploymentsDoc seeds a doc with a releases table, a changes table with
// a "Deployed to production" column, and a deployments table with earlier
// deployments to two environments, then more.
func deploymentsDoc(t *testing.T, more []codatest.Row, opts ...codatest.Option) (*codatest.Server, *Publisher, *recorder) {
	t.Helper()
	srv := codatest.NewServer(opts...)
	t.Cleanup(srv.Close)
	row := func(name, env, sha, status string, at time.Time) codatest.Row {
		return codatest.Row{Values: map[string]any{"c-dep": name, "c-env": env, "c-dsha": sha, "c-status": status, "c-at": at.Format(time.RFC3339)}}
	}
	srv.AddDoc(codatest.Doc{
		ID: typedDocID,
		Tables: []codatest.Table{
			{ID: "grid-releases", Name: "Releases", Columns: []codatest.Column{{ID: "c-version", Name: "Version", Display: true}}},
			{ID: "grid-changes", Name: "Changes", Columns: []codatest.Column{
				{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"}, {ID: "c-live", Name: "Deployed to Production", Type: "dateTime"},
			}},
			{ID: "grid-deployments", Name: "Deployments", Columns: []codatest.Column{
				{ID: "c-dep", Name: "Deployment"}, {ID: "c-env", Name: "Environment"}, {ID: "c-dsha", Name: "SHA"},
				{ID: "c-status", Name: "Status"}, {ID: "c-at", Name: "Deployed at", Type: "dateTime"},
				{ID: "c-ver", Name: "Version"}, {ID: "c-release", Name: "Release", Type: "lookup", Table: "Releases"},
				{ID: "c-change", Name: "Change", Type: "lookup", Table: "Changes"},
			}, Rows: append([]codatest.Row{
				row("production #1", "production", "aaa", changelog.DeploymentSuccessful, deployedAt.Add(-48*time.Hour)),
				row("staging #2", "staging", "bbb", changelog.DeploymentSuccessful, deployedAt.Add(-24*time.Hour)),
				row("production #3", "production", "ccc", changelog.DeploymentFailed, deployedAt.Add(-2*time.Hour)),
			}, more...)},
		},
	})
	log := &recorder{}
	p := New(fakeClient(t, srv), Config{
		DocID:           typedDocID,
		ReleaseTable:    Table{Name: "Releases", Rows: PerRelease, Variables: "CODA_RELEASE"},
		Table:           Table{Name: "Changes", Rows: PerCommit},
		DeploymentTable: Table{Name: "Deployments", Rows: PerDeployment, Variables: "CODA_DEPLOYMENT"},
		Wait:            true, WaitTimeout: time.Minute,
	}, log)
	return srv, p, log
}

// deployed is release v1.5.0 of changes 3 and 2, deployed to production
// with status, taking back change 9.
func deployed(status string) changelog.Release {
	rel := release("v1.5.0", 3, 2)
	withdrawn := release("v1.4.0", 9)
	rel.Deployment = &changelog.Deployment{Name: "production #4", Environment: "production", Status: status,
		DeployedAt: deployedAt, Count: 2, Withdrawn: withdrawn.Entries}
	return rel
}

// planned returns each plan's column names by field, and its rows.
func planned(t *testing.T, p *Publisher, rel changelog.Release) map[string]*tablePlan {
	t.Helper()
	plans, err := p.planTables(t.Context(), []changelog.Release{rel})
	require.NoError(t, err)
	out := map[string]*tablePlan{}
	for _, plan := range plans {
		out[plan.table.Name] = plan
	}
	return out
}

// mapped lists a plan's mapping as field→column name.
func mapped(plan *tablePlan) map[string]string {
	out := map[string]string{}
	for _, m := range plan.columns {
		out[m.field.name] = m.column.Name
	}
	return out
}

func TestDeploymentPlans(t *testing.T) {
	t.Parallel()
	_, p, log := deploymentsDoc(t, nil)
	plans := planned(t, p, deployed(changelog.DeploymentSuccessful))
	require.Len(t, plans, 3, "the releases, the changes, then the deployment")

	require.Equal(t, map[string]string{"sha": "SHA", "subject": "Subject", "deployed_at": "Deployed to Production"}, mapped(plans["Changes"]),
		"the stamp goes to the environment's column, ignoring case")
	require.Equal(t, map[string]string{"deployment": "Deployment", "environment": "Environment", "sha": "SHA", "status": "Status",
		"deployed_at": "Deployed at", "version": "Version", "release": "Release"}, mapped(plans["Deployments"]),
		"the Release column takes the release field, not the version's alias")
	require.Equal(t, []string{"c-dep"}, plans["Deployments"].keys)

	changes := plans["Changes"]
	require.Len(t, changes.rows, 3, "two shipped commits and one taken back")
	require.Equal(t, coda.RowEdit{Cells: []coda.CellEdit{{Column: "c-sha", Value: changes.sources[2].entry.SHA}, {Column: "c-live", Value: ""}}},
		changes.first[2], "a commit taken back: its key and its stamp emptied, nothing else")
	require.Contains(t, log.String(), `INFO: Table "Changes": filling SHA, Subject, Deployed to Production; every column; emptying "Deployed to Production" in the rows of 1 commit no longer deployed`)

	failed := planned(t, p, deployed(changelog.DeploymentFailed))
	require.NotContains(t, mapped(failed["Changes"]), "deployed_at", "a failed deployment marks nothing live")
	require.Len(t, failed["Changes"].rows, 2)

	p.cfg.DeploymentTable.Columns = []ColumnMapping{{Field: "deployment", Column: "Deployment"}, {Field: "release", Column: "Change"}}
	_, err := p.planTables(t.Context(), []changelog.Release{deployed(changelog.DeploymentSuccessful)})
	require.ErrorContains(t, err, `CODA_DEPLOYMENT_TABLE "Deployments" cannot link its rows to CODA_RELEASE_TABLE "Releases":
- the Lookup column "Change" of table "Deployments" (for release) points at table "Changes"`)
	p.cfg.DeploymentTable.Columns = nil

	plain := release("v1.5.0", 3)
	p.cfg.Table.Columns = []ColumnMapping{{Field: "sha", Column: "SHA"}, {Field: "deployed_at", Column: "Deployed to Production"}}
	outside := planned(t, p, plain)
	require.Len(t, outside, 2, "no deployment, no deployment row")
	require.Equal(t, map[string]string{"sha": "SHA", "subject": "Subject"}, mapped(outside["Changes"]), "outside a deployment the stamp is not written")
}

func TestEarlierDeployments(t *testing.T) {
	t.Parallel()
	// Coda serves reads from a copy that lags writes; the deployments just
	// recorded are in the latest version only.
	srv, p, _ := deploymentsDoc(t, nil, codatest.WithReadLag(time.Hour))
	got, err := p.EarlierDeployments(t.Context(), deployed(changelog.DeploymentSuccessful))
	require.NoError(t, err)
	require.Equal(t, deploy.History{
		Previous:    &deploy.Record{Name: "production #1", SHA: "aaa", Status: changelog.DeploymentSuccessful, DeployedAt: deployedAt.Add(-48 * time.Hour)},
		FailedSince: deployedAt.Add(-2 * time.Hour),
	}, got, "staging's deployment is not production's")
	var queries []string
	for _, r := range srv.Requests() {
		if q := r.Query.Get("query"); q != "" {
			queries = append(queries, q)
		}
	}
	require.Equal(t, []string{`c-env:"production"`}, queries, "only the environment's rows are read")
}

func TestCommitOf(t *testing.T) {
	t.Parallel()
	sha := "3fa4c2e8d1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6"
	require.Equal(t, sha, commitOf(sha))
	require.Equal(t, sha, commitOf("https://bitbucket.org/acme/shop/commits/"+sha), "a Link column holds the commit's URL")
	require.Equal(t, "", commitOf(""))
}

func TestEarlierDeploymentsOneRequestForAYear(t *testing.T) {
	t.Parallel()
	// A year of daily deployments to production: listRows cannot be asked
	// for the newest rows only, so it is asked for large pages, and one
	// request reads them all (Coda's default page of 25 would take 15).
	var year []codatest.Row
	for day := range 365 {
		year = append(year, codatest.Row{Values: map[string]any{
			"c-dep": fmt.Sprintf("production #%d", 10+day), "c-env": "production", "c-dsha": fmt.Sprintf("sha%d", day),
			"c-status": changelog.DeploymentSuccessful, "c-at": deployedAt.Add(time.Duration(day-365) * 24 * time.Hour).Format(time.RFC3339),
		}})
	}
	srv, p, _ := deploymentsDoc(t, year)
	got, err := p.EarlierDeployments(t.Context(), deployed(changelog.DeploymentSuccessful))
	require.NoError(t, err)
	require.Equal(t, "sha364", got.Previous.SHA)
	lists := 0
	for _, r := range srv.Requests() {
		if r.Method == "GET" && strings.HasSuffix(r.Path, "/tables/grid-deployments/rows") {
			lists++
		}
	}
	require.Equal(t, 1, lists, "one listRows request")
}
