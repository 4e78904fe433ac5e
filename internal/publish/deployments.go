package publish

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/deploy"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// tablesFor lists the tables that rels' rows go to, in the order they are
// written: the release rows first (the commit rows' lookups need them),
// then the commit rows, then the deployment's row, last because it
// reports on the rows before it. Only a deployment (the build's release,
// last, has a Deployment) writes to the deployments table; a backfill,
// whose older releases were deployed long ago, never does.
func (p *Publisher) tablesFor(rels []changelog.Release) []Table {
	var out []Table
	for _, t := range []Table{p.cfg.ReleaseTable, p.cfg.Table} {
		if t.Name != "" {
			out = append(out, t)
		}
	}
	if p.cfg.DeploymentTable.Name != "" && len(rels) > 0 && rels[len(rels)-1].Deployment != nil {
		out = append(out, p.cfg.DeploymentTable)
	}
	return out
}

// commitReleases are the releases whose entries become commit rows: the
// older releases a deployment ships commits of (each commit row keeps its
// own release), then rels.
func commitReleases(rels []changelog.Release) []changelog.Release {
	if len(rels) == 0 || rels[len(rels)-1].Deployment == nil || len(rels[len(rels)-1].Deployment.Older) == 0 {
		return rels
	}
	return append(slices.Clone(rels[len(rels)-1].Deployment.Older), rels...)
}

// stampColumn returns the column the plan writes the stamp field to.
func (plan *tablePlan) stampColumn() (coda.Column, bool) {
	for _, m := range plan.columns {
		if m.field.stamp {
			return m.column, true
		}
	}
	return coda.Column{}, false
}

// withdrawnSources are the rows of the commits a deployment took back
// (its [changelog.Deployment.Withdrawn] entries), to empty their stamp
// cell, when the plan is one of commit rows with a stamp column.
func (plan *tablePlan) withdrawnSources(rels []changelog.Release) []rowSource {
	if plan.spec.Rows != PerCommit || len(rels) == 0 {
		return nil
	}
	rel := &rels[len(rels)-1]
	if _, ok := plan.stampColumn(); !ok || rel.Deployment == nil {
		return nil
	}
	out := make([]rowSource, len(rel.Deployment.Withdrawn))
	for i := range rel.Deployment.Withdrawn {
		out[i] = rowSource{rel: rel, entry: &rel.Deployment.Withdrawn[i], withdrawn: true}
	}
	return out
}

// withdrawnRow is the row of a commit that a deployment took back: its key
// cells, so that it updates the commit's row, and its stamp emptied. Its
// other cells (its release among them) are left as they are.
func (plan *tablePlan) withdrawnRow(rel *changelog.Release, e *changelog.Entry) coda.RowEdit {
	var cells []coda.CellEdit
	for _, m := range plan.columns {
		switch {
		case m.field.stamp:
			cells = append(cells, coda.CellEdit{Column: m.column.ID, Value: convert(nullValue(kindTime), m.column.Format)})
		case slices.Contains(plan.keys, m.column.ID):
			cells = append(cells, coda.CellEdit{Column: m.column.ID, Value: convert(m.field.value(PerCommit, rel, e), m.column.Format)})
		}
	}
	return coda.RowEdit{Cells: cells}
}

// stampNote ends the columns line of a deployment's commit rows: why no
// commit is marked as deployed (the deployment failed, or the table has no
// column for it), or how many rows are marked as no longer deployed.
func (plan *tablePlan) stampNote(rel *changelog.Release) string {
	d := rel.Deployment
	if plan.spec.Rows != PerCommit || d == nil {
		return ""
	}
	if d.Status != changelog.DeploymentSuccessful {
		return fmt.Sprintf("; the deployment to %s failed, so no commit is marked as deployed", d.Environment)
	}
	col, ok := plan.stampColumn()
	switch {
	case !ok:
		return fmt.Sprintf("; no column %q (Date and time), so no commit is marked as deployed to %s: add one, or map deployed_at in %s",
			StampColumn(d.Environment), d.Environment, plan.spec.Variable("COLUMNS"))
	case len(d.Withdrawn) > 0:
		return fmt.Sprintf("; emptying %q in the rows of %s no longer deployed", col.Name, words.Plural(len(d.Withdrawn), "commit", "commits"))
	}
	return ""
}

// EarlierDeployments reads, from the deployments table, the deployments to
// rel's environment that came before rel's (see [deploy.Earlier]): only
// the rows of that environment, found by a listRows query on the column of
// the environment field. rel must have its Deployment, with what its row's
// key cells hold (its name, environment and status): the row with the
// same key cells is its own, a rerun's, never its previous one. Its range
// need not be known yet. Reading needs the token's read access to the
// table; a refusal names the table.
func (p *Publisher) EarlierDeployments(ctx context.Context, rel changelog.Release) (deploy.History, error) {
	t := p.cfg.DeploymentTable
	variable := t.Variable("TABLE")
	if err := p.preflight(ctx); err != nil {
		return deploy.History{}, err
	}
	// The columns are planned again, and told, when the row is written.
	quiet := *p
	quiet.log = mute{}
	plan, err := quiet.planTable(ctx, t, []changelog.Release{rel}, "")
	if err != nil {
		return deploy.History{}, err
	}
	cols := map[string]string{} // column ID by field
	for _, m := range plan.columns {
		cols[m.field.name] = m.column.ID
	}
	var missing []string
	for _, f := range []string{"environment", "sha", "status"} {
		if cols[f] == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return deploy.History{}, fmt.Errorf("%s %q: the previous deployment is found by the fields %s, which have no column: "+
			"add the columns (see docs/deployments.md) or map them in %s", variable, plan.table.Name, strings.Join(missing, ", "), t.Variable("COLUMNS"))
	}
	env, err := json.Marshal(rel.Deployment.Environment)
	if err != nil {
		return deploy.History{}, err
	}
	// The previous deployment may have been written moments ago (a rerun
	// after a failure): read the doc's latest version, not the copy Coda
	// serves other reads from, which can lag by minutes. listRows can
	// neither sort by a column nor sort newest first (sortBy is createdAt,
	// natural or updatedAt, ascending), so the newest rows cannot be asked
	// for alone: every row of the environment is read, in pages as large
	// as Coda serves, one request per earlierPage deployments.
	opts := coda.ListRowsOptions{Query: cols["environment"] + ":" + string(env), ValueFormat: "simple", Limit: earlierPage}
	own := plan.rows[0] // the row this deployment writes
	var records []deploy.Record
	err = p.readLatest(ctx, "the earlier deployments", func() error {
		records = records[:0]
		for row, err := range p.client.Rows(ctx, p.cfg.DocID, plan.table.ID, opts, coda.LatestVersion()) {
			if err != nil {
				return err
			}
			records = append(records, deploy.Record{
				Name:       cmp.Or(cellText(row.Values[cols["deployment"]]), row.Name),
				SHA:        commitOf(cellText(row.Values[cols["sha"]])),
				Status:     cellText(row.Values[cols["status"]]),
				DeployedAt: cellTime(row.Values[cols["deployed_at"]]),
				Own:        plan.sameKeys(row, own),
			})
		}
		return nil
	})
	if err != nil {
		return deploy.History{}, fmt.Errorf("%s %q: read the earlier deployments to %s: %w", variable, plan.table.Name,
			rel.Deployment.Environment, p.accessError(err))
	}
	return deploy.Earlier(records), nil
}

// sameKeys reports whether a row read in the simple format has the key
// cells of r, a row the plan writes: whether r, upserted, would update it.
// Matching the key cells, not the deployment's name, finds a rerun's own
// row whatever CODA_DEPLOYMENT_KEY_COLUMNS says, even when no column holds
// the deployment's name.
func (plan *tablePlan) sameKeys(row coda.Row, r coda.RowEdit) bool {
	for _, c := range r.Cells {
		if slices.Contains(plan.keys, c.Column) && cellText(row.Values[c.Column]) != cellText(c.Value) {
			return false
		}
	}
	return len(plan.keys) > 0
}

// mute is a [Logger] that says nothing.
type mute struct{}

func (mute) Info(string, ...any) {}
func (mute) Warn(string, ...any) {}

// earlierPage is the page size asked for when reading the earlier
// deployments: the spec sets no maximum for listRows' limit, and Coda caps
// a larger one silently (shared/reference/coda-api.md, "Pagination"), so
// this asks for as many as Coda's other lists serve at most.
const earlierPage = 500

// cellText is a cell read in the simple format, as text.
func cellText(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case nil:
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// commitOf is the commit a sha cell names: the cell itself, or the last
// segment of a Link column's commit URL.
func commitOf(cell string) string {
	if strings.Contains(cell, "://") {
		cell = cell[strings.LastIndex(cell, "/")+1:]
	}
	return cell
}

// cellTime is a date cell read in the simple format (ISO 8601 with the
// doc's offset); zero when it is empty or not a date.
func cellTime(v any) time.Time {
	t, err := time.Parse(time.RFC3339, cellText(v))
	if err != nil {
		return time.Time{}
	}
	return t
}

// describeDeployment tells, in a dry run, the deployment row a real run
// would write: a dry run does not read Coda, so its previous deployment,
// range and keys are unknown.
func describeDeployment(log Logger, t Table, rel changelog.Release) {
	d := rel.Deployment
	if t.Name == "" || d == nil {
		return
	}
	log.Info("Would upsert the row of deployment %q (%s, version %s, %d entries, %s) into table %q; "+
		"a real run first reads the table for the previous deployment to %s and ships what came since.",
		d.Name, d.Status, rel.Version, d.Count, d.DeployedAt.Format(time.RFC3339), t.Name, d.Environment)
}
