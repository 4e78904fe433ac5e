package publish

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// TestMarker starts the test row's subject and its key cells, so that a
// person sees it for what it is and no key of a real row can match it.
const TestMarker = "[coda-changelog test] "

// TestPayload proves that every destination is set up right and leaves the
// doc as it found it: the usual checks, then one test row inserted into
// each table (built from the release's newest entry, marked with
// [TestMarker]; with a release table, a test release row first and a test
// commit row linked to it), read back and compared column by column, then
// deleted, also when a later step fails; the page is checked but not
// written; the automation is triggered with the release JSON and "test":
// true. Columns whose value Coda did not store as their type are warnings,
// not failures. It returns what it checked.
func (p *Publisher) TestPayload(ctx context.Context, rel changelog.Release) (done []string, err error) {
	cfg := p.cfg
	if err := p.preflight(ctx); err != nil {
		return nil, err
	}
	done = append(done, "token and doc")
	perRelease := cfg.ReleaseTable.Name != "" || (cfg.Table.Name != "" && cfg.Table.Rows == PerRelease)
	plans, err := p.planTables(ctx, []changelog.Release{testRelease(rel, perRelease)})
	if err != nil {
		return nil, err
	}
	if cfg.Page != "" {
		page, err := p.checkPage(ctx)
		if err != nil {
			return nil, err
		}
		done = append(done, fmt.Sprintf("page %q readable (not written)", page.Name))
	}
	var written []testRow
	defer func() { // when a step failed: the doc is left as it was all the same
		err = errors.Join(err, p.deleteTestRows(ctx, written))
	}()
	for _, plan := range plans {
		row, err := p.writeTestRow(ctx, plan)
		if row.id != "" { // written, even if what came after failed: delete it
			written = append(written, row)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, row := range written {
		stored, err := p.readBack(ctx, row)
		if err != nil {
			return nil, err
		}
		warnings := p.report(row, stored)
		done = append(done, fmt.Sprintf("table %q: a test row written, read back (%s) and deleted",
			row.plan.table.Name, words.Plural(warnings, "warning", "warnings")))
	}
	rows := written
	written = nil
	if err := p.deleteTestRows(ctx, rows); err != nil {
		return nil, err
	}
	if cfg.RuleID != "" {
		m, err := p.client.TriggerAutomation(ctx, cfg.DocID, cfg.RuleID, testAutomationPayload{Release: rel, Test: true})
		if err != nil {
			return nil, p.automationError(err)
		}
		if err := p.wait(ctx, []coda.Mutation{m}, "the automation's run"); err != nil {
			return nil, err
		}
		done = append(done, fmt.Sprintf("automation %s triggered with \"test\": true", cfg.RuleID))
	}
	return done, nil
}

// testAutomationPayload is the release JSON with "test": true at the top
// level, so that a rule can tell a test from a release.
type testAutomationPayload struct {
	changelog.Release
	Test bool `json:"test"`
}

// testRelease is the release the test rows are built from: its newest
// entry only (a made-up one when the range has none), the subject marked,
// and, with rows per release, the version marked too, so that the test
// release row is marked and a test commit row links to it.
func testRelease(rel changelog.Release, perRelease bool) changelog.Release {
	test := rel
	if perRelease {
		test.Version = TestMarker + rel.Version
	}
	e := changelog.Entry{SHA: rel.To, ShortSHA: changelog.ShortSHA(rel.To), Type: changelog.TypeOther, Subject: "no entries in this build's range", Date: rel.Date}
	if len(rel.Entries) > 0 {
		e = rel.Entries[0]
	}
	e.Subject = TestMarker + e.Subject
	test.Entries = []changelog.Entry{e}
	return test
}

// markKeys starts every text key cell of the row with [TestMarker].
func (plan *tablePlan) markKeys(r coda.RowEdit) coda.RowEdit {
	cells := slices.Clone(r.Cells)
	for i, c := range cells {
		if s, ok := c.Value.(string); ok && slices.Contains(plan.keys, c.Column) && !strings.HasPrefix(s, TestMarker) {
			cells[i].Value = TestMarker + s
		}
	}
	return coda.RowEdit{Cells: cells}
}

// markable checks that every key cell of a marked row is marked: the test
// row's typed cells are upserted by key, which must match no real row.
func (plan *tablePlan) markable(r coda.RowEdit) error {
	for _, c := range r.Cells {
		if s, ok := c.Value.(string); slices.Contains(plan.keys, c.Column) && (!ok || !strings.HasPrefix(s, TestMarker)) {
			return fmt.Errorf("TEST_PAYLOAD cannot mark the key column %s of table %q (it is not text), so the test row's typed cells "+
				"could update a real row: use text key columns (%s), or test without them", c.Column, plan.table.Name, plan.spec.Variable("KEY_COLUMNS"))
		}
	}
	return nil
}

// testRow is a test row written: its table, its ID, what was sent and the
// mutation that inserted it.
type testRow struct {
	plan     *tablePlan
	id       string
	sent     coda.RowEdit
	inserted []coda.Mutation // the insert, to wait for before a delete
}

// writeTestRow inserts the plan's first row as a new row (never an update
// of a real one), with its typed cells sent parsed as in a real run, and
// waits until Coda has applied it.
func (p *Publisher) writeTestRow(ctx context.Context, plan *tablePlan) (testRow, error) {
	cfg := p.cfg
	row := testRow{plan: plan, sent: plan.markKeys(plan.rows[0])}
	first := row.sent
	if plan.typed != nil {
		first = plan.markKeys(plan.first[0])
		if err := plan.markable(first); err != nil {
			return row, err
		}
	}
	var opts []coda.WriteOption
	if cfg.ParseValues {
		opts = append(opts, coda.WithValueParsing())
	}
	muts, err := p.client.InsertRows(ctx, cfg.DocID, plan.table.ID, []coda.RowEdit{first}, opts...)
	if errors.Is(err, coda.ErrUnknownOutcome) { // not resent: it would add a second test row
		return row, fmt.Errorf("insert the test row into table %q: the answer was lost or was an error, so the row may have been added; "+
			"look for a row starting %q and delete it: %w", plan.table.Name, TestMarker, err)
	}
	if err != nil {
		return row, fmt.Errorf("insert the test row into table %q: %w", plan.table.Name, p.accessError(err))
	}
	if len(muts) != 1 || len(muts[0].AddedRowIDs) != 1 {
		return row, fmt.Errorf("insert the test row into table %q: Coda did not say which row it added; look for rows starting %q and delete them", plan.table.Name, TestMarker)
	}
	row.id, row.inserted = muts[0].AddedRowIDs[0], muts
	if err := p.wait(ctx, muts, "the test row"); err != nil {
		return row, err
	}
	if plan.typed == nil {
		return row, nil
	}
	typed := plan.markKeys(plan.typed[0])
	m, err := p.client.UpsertRows(ctx, cfg.DocID, plan.table.ID, []coda.RowEdit{typed}, plan.keys, coda.WithValueParsing())
	if err != nil {
		return row, fmt.Errorf("write the test row's typed cells: %w", p.accessError(err))
	}
	return row, p.wait(ctx, m, "the test row's typed cells")
}

// readBack reads the test row from the doc's latest version: Coda serves
// other reads from a copy that lags writes, which may not have the row yet,
// or not its typed cells.
func (p *Publisher) readBack(ctx context.Context, test testRow) (row coda.Row, err error) {
	plan := test.plan
	err = p.readLatest(ctx, "the test row", func() error {
		row, err = p.client.GetRow(ctx, p.cfg.DocID, plan.table.ID, test.id, coda.LatestVersion())
		return err
	})
	if err != nil {
		return coda.Row{}, fmt.Errorf("read the test row %s back from table %q: %w", test.id, plan.table.Name, p.accessError(err))
	}
	return row, nil
}

// deleteTestRows deletes the test rows, the newest first: a commit row
// before the release row it links to.
func (p *Publisher) deleteTestRows(ctx context.Context, rows []testRow) error {
	var errs []error
	for i := len(rows) - 1; i >= 0; i-- {
		errs = append(errs, p.deleteTestRow(ctx, rows[i]))
	}
	return errors.Join(errs...)
}

// deleteTestRow deletes the test row and waits until it is gone; when it
// cannot, it names the row so that a person can.
func (p *Publisher) deleteTestRow(ctx context.Context, test testRow) error {
	plan, rowID := test.plan, test.id
	if ctx.Err() != nil {
		// Stopped: still try, briefly, to leave the doc as it was.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
	}
	m, err := p.client.DeleteRow(ctx, p.cfg.DocID, plan.table.ID, rowID)
	if errors.Is(err, coda.ErrNotFound) {
		// Accepted but not applied yet: give its insert time, then again.
		if err = p.wait(ctx, test.inserted, "the test row"); err == nil {
			m, err = p.client.DeleteRow(ctx, p.cfg.DocID, plan.table.ID, rowID)
		}
	}
	if err != nil {
		return fmt.Errorf("the test row %s could not be deleted from table %q: delete the row starting %q by hand: %w",
			rowID, plan.table.Name, TestMarker, p.accessError(err))
	}
	if err := p.wait(ctx, []coda.Mutation{m}, "the test row's delete"); err != nil {
		p.log.Warn("Coda accepted the delete of the test row %s from table %q but did not confirm it (%v); check that the row starting %q is gone.",
			rowID, plan.table.Name, err, TestMarker)
	}
	return nil
}

// report logs, for every mapped column, what was sent and what Coda
// stored, and returns how many columns did not store their type.
func (p *Publisher) report(test testRow, stored coda.Row) int {
	plan, sent := test.plan, test.sent
	warnings := 0
	for i, m := range plan.columns {
		got := coda.ParseRichValue(stored.Values[m.column.ID])
		want := sent.Cells[i].Value
		line := fmt.Sprintf("%s (%s, %s): sent %s, stored %s", m.column.Name, m.column.Format.Type, m.field.name, describeSent(want), got)
		if problem := storedProblem(m.column, want, got); problem != "" {
			warnings++
			p.log.Warn("Test payload: %s: %s", line, problem)
			continue
		}
		p.log.Info("Test payload: ✔ %s", line)
	}
	return warnings
}

// describeSent shows a sent cell value in a report.
func describeSent(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%v", v)
}

// checkPage finds the page and reads its content, without writing it.
func (p *Publisher) checkPage(ctx context.Context) (coda.Page, error) {
	page, err := p.findPage(ctx)
	if err != nil {
		return page, err
	}
	for _, err := range p.client.PageContent(ctx, p.cfg.DocID, page.ID) {
		if err != nil {
			return page, fmt.Errorf("CODA_PAGE %q: read its content: %w", p.cfg.Page, p.accessError(err))
		}
		break // one item shows the content can be read
	}
	return page, nil
}
