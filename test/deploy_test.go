package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

// deployDoc seeds a doc with a deployments table and a changes table with
// a "Deployed to" column per environment, as docs/deployments.md has
// users create them.
func deployDoc(t *testing.T) (*codatest.Server, codatest.Doc) {
	t.Helper()
	return fakeDoc(t, codatest.Doc{
		Name: "Release Log",
		Tables: []codatest.Table{
			{ID: "grid-deployments", Name: "Deployments", Columns: []codatest.Column{
				{ID: "c-dep", Name: "Deployment"}, {ID: "c-env", Name: "Environment"}, {ID: "c-ver", Name: "Version"},
				{ID: "c-sha", Name: "SHA"}, {ID: "c-prev", Name: "Previous SHA"}, {ID: "c-at", Name: "Deployed at", Type: "dateTime"},
				{ID: "c-build", Name: "Build", Type: "number"}, {ID: "c-count", Name: "Count", Type: "number"},
				{ID: "c-status", Name: "Status", Type: "select", Options: []string{changelog.DeploymentSuccessful, changelog.DeploymentFailed}},
				{ID: "c-rollback", Name: "Rollback", Type: "checkbox"}, {ID: "c-lead", Name: "Lead time", Type: "number"},
				{ID: "c-leadmax", Name: "Lead time max", Type: "number"}, {ID: "c-restore", Name: "Time to restore", Type: "number"},
				{ID: "c-week", Name: "Week", Calculated: true},
			}},
			{ID: "grid-changes", Name: "Changes", Columns: []codatest.Column{
				{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"}, {ID: "c-version", Name: "Version"},
				{ID: "c-staging", Name: "Deployed to staging", Type: "dateTime"},
				{ID: "c-production", Name: "Deployed to production", Type: "dateTime"},
			}},
		},
	})
}

// deploying runs a deployment step of repo at commit to environment, as
// build number build, with vars on top.
func deploying(t *testing.T, srv *codatest.Server, doc codatest.Doc, repo *gittest.Repo, commit, environment string, build int, vars map[string]string) result {
	t.Helper()
	env := merge(pipelinesEnv(repo, commit, map[string]string{
		"BITBUCKET_DEPLOYMENT_ENVIRONMENT": environment, "BITBUCKET_BUILD_NUMBER": strconv.Itoa(build),
	}), codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes", "CODA_DEPLOYMENT_TABLE": "Deployments"}), vars)
	return runPipe(t, repo.Dir, env)
}

// deployments returns the deployments table's rows by their Deployment
// cell, checking there is one row each.
func deployments(t *testing.T, srv *codatest.Server, doc codatest.Doc) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, r := range srv.Rows(doc.ID, "grid-deployments") {
		name := fmt.Sprint(r.Values["c-dep"])
		require.NotContains(t, out, name, "one row per deployment")
		out[name] = r.Values
	}
	return out
}

// stamps returns each commit row's cell of column col, by subject.
func stamps(t *testing.T, srv *codatest.Server, doc codatest.Doc, col string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range srv.Rows(doc.ID, "grid-changes") {
		if v := r.Values[col]; v != nil {
			out[fmt.Sprint(r.Values["c-subject"])] = fmt.Sprint(v)
		}
	}
	return out
}

// TestDeploymentFirstThenNext: the first deployment to an environment
// ships the usual range and says so; the next starts exactly at its
// commit, leaves the first one's commit rows as they were, and stamps the
// new ones.
func TestDeploymentFirstThenNext(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("feat: one")
	repo.Tag("v1.0.0")
	repo.Commit("fix: two")
	first := repo.Commit("feat: three")
	srv, doc := deployDoc(t)

	res := deploying(t, srv, doc, repo, first, "production", 1, nil)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, `first deployment to production recorded in table "Deployments"`)
	require.Equal(t, 1, strings.Count(res.stderr, `INFO: Table "Deployments": filling`), "the columns are told once, not again when reading the earlier deployments")
	rows := deployments(t, srv, doc)
	require.Contains(t, rows, "production #1")
	d1 := rows["production #1"]
	require.Empty(t, d1["c-prev"], "the first deployment has no previous one")
	require.Equal(t, first, d1["c-sha"])
	require.Equal(t, changelog.DeploymentSuccessful, d1["c-status"])
	require.Equal(t, 2.0, d1["c-count"], "two entries since v1.0.0")
	require.Equal(t, "v1.1.0", d1["c-ver"])
	require.NotEmpty(t, d1["c-lead"])
	before := stamps(t, srv, doc, "c-production")
	require.NotEmpty(t, before["two"])
	require.Equal(t, before["two"], before["three"])
	require.Equal(t, before["two"], d1["c-at"], "the commits went live when the deployment ran")

	repo.Commit("fix: four")
	second := repo.Commit("fix: five")
	res = deploying(t, srv, doc, repo, second, "production", 2, nil)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, changelog.ShortSHA(first)+".."+changelog.ShortSHA(second)+" (since the previous deployment to production, production #1")
	rows = deployments(t, srv, doc)
	require.Len(t, rows, 2)
	d2 := rows["production #2"]
	require.Equal(t, first, d2["c-prev"])
	require.Equal(t, 2.0, d2["c-count"], "four and five only")
	require.Equal(t, "v1.1.0", d2["c-ver"], "the version of the release being deployed, counted from v1.0.0")
	after := stamps(t, srv, doc, "c-production")
	require.Equal(t, before["two"], after["two"], "the first deployment's rows are untouched")
	require.Equal(t, before["three"], after["three"])
	require.Equal(t, d2["c-at"], after["four"])
	require.Equal(t, d2["c-at"], after["five"])
	require.NotEqual(t, "", after["five"])
}

// TestDeploymentFailedThenRestored: a failed deployment marks nothing as
// live; the successful one after it starts at the last successful one and
// says how long the environment took to restore.
func TestDeploymentFailedThenRestored(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	good := repo.Commit("feat: one")
	bad := repo.Commit("fix: two")
	srv, doc := deployDoc(t)
	require.Equal(t, 0, deploying(t, srv, doc, repo, good, "production", 1, nil).code)

	res := deploying(t, srv, doc, repo, bad, "production", 2, map[string]string{"BITBUCKET_EXIT_CODE": "1"})
	require.Equal(t, 0, res.code, "the pipe records a failed deployment and succeeds itself: %s", res.output())
	rows := deployments(t, srv, doc)
	require.Equal(t, changelog.DeploymentFailed, rows["production #2"]["c-status"])
	require.Empty(t, rows["production #2"]["c-lead"], "a failed deployment has no lead time")
	require.Equal(t, "", stamps(t, srv, doc, "c-production")["two"], "a failed deployment marks nothing live")

	res = deploying(t, srv, doc, repo, bad, "production", 3, map[string]string{"BITBUCKET_EXIT_CODE": "0"})
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, changelog.ShortSHA(good)+".."+changelog.ShortSHA(bad), "the range starts at the last successful deployment")
	rows = deployments(t, srv, doc)
	require.Equal(t, good, rows["production #3"]["c-prev"])
	require.IsType(t, 0.0, rows["production #3"]["c-restore"], "time to restore is set: %v", rows["production #3"])
	require.Empty(t, rows["production #1"]["c-restore"])
	require.NotEqual(t, "", stamps(t, srv, doc, "c-production")["two"])
}

// TestDeploymentRollback: deploying an ancestor of the deployed commit is
// a rollback, which empties the taken-back commits' stamps.
func TestDeploymentRollback(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("feat: one")
	old := repo.Commit("fix: two")
	repo.Commit("feat: three")
	head := repo.Commit("fix: four")
	srv, doc := deployDoc(t)
	require.Equal(t, 0, deploying(t, srv, doc, repo, head, "production", 1, nil).code)
	require.NotEqual(t, "", stamps(t, srv, doc, "c-production")["four"])

	res := deploying(t, srv, doc, repo, old, "production", 2, nil)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "rollback of production: takes back 2 commits deployed by production #1")
	rows := deployments(t, srv, doc)
	require.Equal(t, true, rows["production #2"]["c-rollback"])
	require.Equal(t, 2.0, rows["production #2"]["c-count"], "the commits rolled back")
	got := stamps(t, srv, doc, "c-production")
	require.Equal(t, "", got["three"], "rolled back: no longer live")
	require.Equal(t, "", got["four"])
	require.NotEqual(t, "", got["two"], "still live")
}

// TestDeploymentRerun: a rerun of the same step updates its row.
func TestDeploymentRerun(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("feat: one")
	head := repo.Commit("fix: two")
	srv, doc := deployDoc(t)
	for range 2 {
		res := deploying(t, srv, doc, repo, head, "production", 7, nil)
		require.Equal(t, 0, res.code, res.output())
		require.Contains(t, res.stderr, "first deployment to production", "a rerun never follows its own row")
	}
	rows := deployments(t, srv, doc)
	require.Len(t, rows, 1)
	require.Equal(t, 2.0, rows["production #7"]["c-count"])
}

// TestDeploymentRerunKeyedOtherwise: keyed by environment and build, with
// no column for the deployment's name, a rerun still finds its own row by
// its key and does not take it for the previous deployment (which would
// ship nothing and overwrite the row's count).
func TestDeploymentRerunKeyedOtherwise(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("feat: one")
	head := repo.Commit("fix: two")
	srv, doc := deployDoc(t)
	vars := map[string]string{"CODA_DEPLOYMENT_COLUMNS": "deployment=", "CODA_DEPLOYMENT_KEY_COLUMNS": "Environment, Build"}
	for range 2 {
		res := deploying(t, srv, doc, repo, head, "production", 7, vars)
		require.Equal(t, 0, res.code, res.output())
		require.Contains(t, res.stderr, "first deployment to production", "a rerun never follows its own row")
	}
	rows := srv.Rows(doc.ID, "grid-deployments")
	require.Len(t, rows, 1)
	require.Equal(t, 2.0, rows[0].Values["c-count"])
	require.Empty(t, rows[0].Values["c-prev"])
}

// TestDeploymentFailedRerunKept: keyed by deployment and status, the
// failed run of a step and its successful rerun (same build number) are
// two rows, so the change failure rate still counts the failure.
func TestDeploymentFailedRerunKept(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	good := repo.Commit("feat: one")
	head := repo.Commit("fix: two")
	srv, doc := deployDoc(t)
	vars := map[string]string{"CODA_DEPLOYMENT_KEY_COLUMNS": "Deployment, Status", "CODA_PARSE_VALUES": "true"} // Status is a Select column
	require.Equal(t, 0, deploying(t, srv, doc, repo, good, "production", 1, vars).code)
	res := deploying(t, srv, doc, repo, head, "production", 2, merge(vars, map[string]string{"BITBUCKET_EXIT_CODE": "1"}))
	require.Equal(t, 0, res.code, res.output())
	res = deploying(t, srv, doc, repo, head, "production", 2, merge(vars, map[string]string{"BITBUCKET_EXIT_CODE": "0"}))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, changelog.ShortSHA(good)+".."+changelog.ShortSHA(head)+" (since the previous deployment to production, production #1")
	statuses := map[string]any{}
	for _, r := range srv.Rows(doc.ID, "grid-deployments") {
		if r.Values["c-dep"] == "production #2" {
			statuses[fmt.Sprint(r.Values["c-status"])] = r.Values["c-restore"]
		}
	}
	require.Len(t, statuses, 2, "the failed run and its rerun: %v", statuses)
	require.Empty(t, statuses[changelog.DeploymentFailed])
	require.IsType(t, 0.0, statuses[changelog.DeploymentSuccessful], "the rerun restored production")
}

// TestDeploymentUnknownPrevious: a previous deployment whose commit the
// repository does not have (here, recorded by another repository) is a
// WARNING, and the deployment ships the usual range.
func TestDeploymentUnknownPrevious(t *testing.T) {
	t.Parallel()
	other := gittest.New(t)
	elsewhere := other.Commit("feat: elsewhere")
	srv, doc := deployDoc(t)
	require.Equal(t, 0, deploying(t, srv, doc, other, elsewhere, "production", 1, nil).code)

	repo := gittest.New(t)
	repo.Commit("feat: one")
	head := repo.Commit("fix: two")
	res := deploying(t, srv, doc, repo, head, "production", 2, nil)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "WARNING: the previous deployment to production, production #1, deployed commit "+elsewhere+
		", which this repository does not have (history rewritten, or another repository?): the range is the usual one")
	require.Contains(t, res.stderr, "(whole history: no previous release tag; the previous deployment to production is unknown to the repository)")
	d2 := deployments(t, srv, doc)["production #2"]
	require.Equal(t, 2.0, d2["c-count"], "the usual range: both commits")
	require.Equal(t, elsewhere, d2["c-prev"], "the previous deployment is still named")
}

// TestDeploymentFromRef: FROM_REF wins over the previous deployment,
// which the row still names.
func TestDeploymentFromRef(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	root := repo.Commit("feat: one")
	first := repo.Commit("fix: two")
	srv, doc := deployDoc(t)
	require.Equal(t, 0, deploying(t, srv, doc, repo, first, "production", 1, nil).code)
	head := repo.Commit("fix: three")
	res := deploying(t, srv, doc, repo, head, "production", 2, map[string]string{"FROM_REF": root})
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, changelog.ShortSHA(root)+".."+changelog.ShortSHA(head))
	require.Contains(t, res.stderr, "FROM_REF instead of the previous deployment to production, production #1")
	d2 := deployments(t, srv, doc)["production #2"]
	require.Equal(t, 2.0, d2["c-count"], "two and three, since FROM_REF")
	require.Equal(t, first, d2["c-prev"])
}

// TestDeploymentTwoEnvironments: staging and production have their own
// columns and their own ranges.
func TestDeploymentTwoEnvironments(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("feat: one")
	a := repo.Commit("fix: two")
	b := repo.Commit("feat: three")
	srv, doc := deployDoc(t)
	require.Equal(t, 0, deploying(t, srv, doc, repo, b, "staging", 1, nil).code)
	require.Equal(t, 0, deploying(t, srv, doc, repo, a, "production", 2, nil).code)
	staging, production := stamps(t, srv, doc, "c-staging"), stamps(t, srv, doc, "c-production")
	require.NotEqual(t, "", staging["three"])
	require.Equal(t, "", production["three"], "not yet in production")
	require.NotEqual(t, "", production["two"])

	c := repo.Commit("fix: four")
	res := deploying(t, srv, doc, repo, c, "staging", 3, nil)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, changelog.ShortSHA(b)+".."+changelog.ShortSHA(c)+" (since the previous deployment to staging, staging #1")
	rows := deployments(t, srv, doc)
	require.Equal(t, b, rows["staging #3"]["c-prev"], "staging follows staging, not production")
	require.Equal(t, 1.0, rows["staging #3"]["c-count"])
	require.Equal(t, "", stamps(t, srv, doc, "c-production")["four"])
}

// TestDeploymentSpanningTwoReleases: each commit row keeps the release
// that first contains it, not the deployment's version.
func TestDeploymentSpanningTwoReleases(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	first := repo.Commit("feat: one")
	repo.Tag("v1.0.0")
	srv, doc := deployDoc(t)
	require.Equal(t, 0, deploying(t, srv, doc, repo, first, "production", 1, nil).code)
	repo.Commit("feat: two")
	repo.Tag("v1.1.0")
	head := repo.Commit("fix: three")
	out := filepath.Join(t.TempDir(), "release.json")
	res := deploying(t, srv, doc, repo, head, "production", 2, map[string]string{"OUTPUT_JSON": out, "TIMEZONE": "Asia/Kolkata"})
	require.Equal(t, 0, res.code, res.output())
	versions := map[string]string{}
	for _, r := range srv.Rows(doc.ID, "grid-changes") {
		versions[fmt.Sprint(r.Values["c-subject"])] = fmt.Sprint(r.Values["c-version"])
	}
	require.Equal(t, map[string]string{"one": "v1.0.0", "two": "v1.1.0", "three": "v1.1.1"}, versions)
	require.Equal(t, 2.0, deployments(t, srv, doc)["production #2"]["c-count"])

	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var rel struct {
		Version    string `json:"version"`
		Deployment struct {
			Environment string `json:"environment"`
			PreviousSHA string `json:"previous_sha"`
			Count       int    `json:"count"`
			DeployedAt  string `json:"deployed_at"`
		} `json:"deployment"`
	}
	require.NoError(t, json.Unmarshal(data, &rel))
	require.Equal(t, "v1.1.1", rel.Version)
	require.Equal(t, "production", rel.Deployment.Environment)
	require.Equal(t, first, rel.Deployment.PreviousSHA)
	require.Equal(t, 2, rel.Deployment.Count)
	require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+05:30$`, rel.Deployment.DeployedAt, "deployed_at is in TIMEZONE")
	inJSON, err := time.Parse(time.RFC3339, rel.Deployment.DeployedAt)
	require.NoError(t, err)
	inRow, err := time.Parse(time.RFC3339, fmt.Sprint(deployments(t, srv, doc)["production #2"]["c-at"]))
	require.NoError(t, err)
	require.True(t, inJSON.Truncate(time.Second).Equal(inRow), "the row has the same instant: %s, %s", inJSON, inRow)
}

// TestDeploymentDryRun shows the deployment row without reading Coda.
func TestDeploymentDryRun(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	head := repo.Commit("feat: one")
	srv, doc := deployDoc(t)
	res := deploying(t, srv, doc, repo, head, "production", 4, map[string]string{"DRY_RUN": "true"})
	require.Equal(t, 0, res.code, res.output())
	require.Empty(t, srv.Requests(), "a dry run sends nothing")
	require.Contains(t, res.stderr, `Would upsert the row of deployment "production #4"`)
	require.Contains(t, res.stderr, "the previous deployment to production is not read in a dry run")
}

// TestDeploymentTestPayload writes, reads back and deletes a test
// deployment row, and reads no earlier deployment.
func TestDeploymentTestPayload(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	head := repo.Commit("feat: one")
	srv, doc := deployDoc(t)
	// The deployments table alone: two tables' test rows take longer than
	// Coda's write limits allow in a few seconds.
	res := deploying(t, srv, doc, repo, head, "production", 4, map[string]string{"TEST_PAYLOAD": "true", "CODA_TABLE": ""})
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, `table "Deployments": a test row written, read back (0 warnings) and deleted`)
	require.Contains(t, res.stderr, `INFO: Test payload: ✔ Deployment (text, deployment): sent "[coda-changelog test] production #4"`)
	require.Empty(t, srv.Rows(doc.ID, "grid-deployments"))
}

// TestDeploymentBackfillWritesNone: a backfill in a deployment step writes
// the history's rows, no deployment row and no stamps.
func TestDeploymentBackfillWritesNone(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("feat: one")
	repo.Tag("v1.0.0")
	head := repo.Commit("fix: two")
	srv, doc := deployDoc(t)
	res := deploying(t, srv, doc, repo, head, "production", 4, map[string]string{"BACKFILL": "true"})
	require.Equal(t, 0, res.code, res.output())
	require.Len(t, srv.Rows(doc.ID, "grid-changes"), 2)
	require.Empty(t, srv.Rows(doc.ID, "grid-deployments"))
	require.Empty(t, stamps(t, srv, doc, "c-production"))
}

// TestDeploymentWithoutItsColumn: a changes table without a "Deployed to
// <environment>" column is not stamped, and the log says so; a deployments
// table the token may not read is an error naming it.
func TestDeploymentWithoutItsColumn(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	head := repo.Commit("feat: one")
	srv, doc := deployDoc(t)
	res := deploying(t, srv, doc, repo, head, "qa", 4, nil)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, `; no column "Deployed to qa" (Date and time), so no commit is marked as deployed to qa: add one, or map deployed_at in CODA_COLUMNS`)
	require.Contains(t, deployments(t, srv, doc), "qa #4")

	noTable := deploying(t, srv, doc, repo, head, "", 5, map[string]string{"DRY_RUN": "true"})
	require.Equal(t, 0, noTable.code, noTable.output())
	require.Contains(t, noTable.stderr, "WARNING: CODA_DEPLOYMENT_TABLE is set, but this step deploys nowhere")
}

// TestDeploymentTableNotReadable: the previous deployment is read with the
// token; a token that may not read the table gets an error naming it.
func TestDeploymentTableNotReadable(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	head := repo.Commit("feat: one")
	const writer = "write-only-token"
	srv, doc := fakeDoc(t, codatest.Doc{ID: "dWriteOnly", Tables: []codatest.Table{{Name: "Deployments", Columns: []codatest.Column{{Name: "Deployment"}, {Name: "Environment"}, {Name: "SHA"}, {Name: "Status"}}}}},
		codatest.WithTokens(codatest.Token{Value: writer, Name: "writer", Doc: "dWriteOnly", Access: codatest.WriteOnly}))
	env := merge(pipelinesEnv(repo, head, map[string]string{"BITBUCKET_DEPLOYMENT_ENVIRONMENT": "production"}),
		codaVars(srv, doc, map[string]string{"CODA_DEPLOYMENT_TABLE": "Deployments", "CODA_API_TOKEN": writer}))
	res := runPipe(t, repo.Dir, env)
	require.Equal(t, 1, res.code, res.output())
	require.Contains(t, res.stderr, `✖ CODA_DEPLOYMENT_TABLE "Deployments"`)
	require.Contains(t, res.stderr, `lacks read access to table "Deployments" (CODA_DEPLOYMENT_TABLE)`)
	require.NotContains(t, res.output(), writer)
}

// TestDeploymentDiverged: a deployment whose commit is on another line
// than the previous one's starts at their merge base, warns, and empties
// the stamps of what it does not have.
func TestDeploymentDiverged(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	base := repo.Commit("feat: one")
	deployed := repo.Commit("fix: two")
	srv, doc := deployDoc(t)
	require.Equal(t, 0, deploying(t, srv, doc, repo, deployed, "production", 1, nil).code)
	repo.Git("checkout", "-q", "-b", "hotfix", base)
	hotfix := repo.Commit("fix: three")
	res := deploying(t, srv, doc, repo, hotfix, "production", 2, nil)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, changelog.ShortSHA(base)+".."+changelog.ShortSHA(hotfix)+" (merge base with the previous deployment to production")
	require.Contains(t, res.stderr, "WARNING: the previous deployment to production, production #1 ("+changelog.ShortSHA(deployed)+
		"), is not an ancestor of this one: 1 commit it deployed is not in this deployment")
	got := stamps(t, srv, doc, "c-production")
	require.Equal(t, "", got["two"], "no longer deployed")
	require.NotEqual(t, "", got["three"])
	require.NotEqual(t, "", got["one"])
}
