package publish

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// How cells become typed. Coda reads a value sent to a row "as when you
// type" it unless the request says disableParsing; then a string stays the
// text sent. Coda's users report that with parsing disabled a Person cell
// keeps the e-mail address and a Lookup cell the display value, as text,
// with a 202 and a completed mutation all the same; dates and options are
// strings too. With parsing on, commit text would be read as typed: a
// subject "=1+1" would become a formula. Parsing is per request, not per
// cell, so rows are written in two passes keyed on the same key columns:
//
//  1. every cell, parsing disabled: text is stored exactly as written;
//  2. the key cells and the cells of parsedTypes, parsing on, so that
//     people, rows, dates and options resolve. A value that Coda would read
//     as a formula (it starts with "=") is left out of this pass and keeps
//     the text of the first.
//
// The second pass is sent once the first is applied, so its keys match the
// rows the first wrote. CODA_PARSE_VALUES: 'true' sends one pass, parsed.

// parsedTypes are the column types whose cells Coda stores as their type
// only when it parses the value.
var parsedTypes = []coda.ColumnType{coda.ColumnPerson, coda.ColumnLookup, coda.ColumnDate, coda.ColumnDateTime, coda.ColumnSelect}

// hasTypedColumns reports whether a mapped column needs the second pass.
func (plan *tablePlan) hasTypedColumns() bool {
	return slices.ContainsFunc(plan.columns, func(m mappedColumn) bool {
		return slices.Contains(parsedTypes, m.column.Format.Type)
	})
}

// typedCells is the second pass of row r: its key cells and the cells of
// parsedTypes, without values Coda would read as formulas.
func (plan *tablePlan) typedCells(r coda.RowEdit) coda.RowEdit {
	var cells []coda.CellEdit
	for i, m := range plan.columns {
		c := r.Cells[i]
		switch {
		case slices.Contains(plan.keys, m.column.ID):
			cells = append(cells, c)
		case slices.Contains(parsedTypes, m.column.Format.Type) && !formulaLike(c.Value):
			cells = append(cells, c)
		}
	}
	return coda.RowEdit{Cells: cells}
}

// formulaLike reports whether Coda would read a value, typed in, as a
// formula.
func formulaLike(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.HasPrefix(strings.TrimSpace(v), "=")
	case []string:
		return slices.ContainsFunc(v, func(s string) bool { return formulaLike(s) })
	}
	return false
}

// writeRows upserts the planned rows, in two passes when the table has
// typed columns, and says what it did. The mutations returned are the last
// pass's.
func (p *Publisher) writeRows(ctx context.Context, plan *tablePlan, rel changelog.Release) ([]coda.Mutation, string, error) {
	if len(plan.rows) == 0 {
		return nil, fmt.Sprintf("no entries to write to table %q (every commit was filtered out)", plan.table.Name), nil
	}
	var opts []coda.WriteOption
	if p.cfg.ParseValues {
		opts = append(opts, coda.WithValueParsing())
	}
	muts, err := p.client.UpsertRows(ctx, p.cfg.DocID, plan.table.ID, plan.rows, plan.keys, opts...)
	if err != nil {
		return nil, "", p.rowsError(plan, rel, err)
	}
	if plan.typed != nil {
		if muts, err = p.writeTyped(ctx, plan, muts); err != nil {
			return nil, "", p.rowsError(plan, rel, err)
		}
	}
	return muts, fmt.Sprintf("%s upserted into table %q%s", plural(len(plan.rows), "row", "rows"), plan.table.Name, link(plan.table.BrowserLink)), nil
}

// writeTyped sends the second pass once the first (muts) is applied.
func (p *Publisher) writeTyped(ctx context.Context, plan *tablePlan, first []coda.Mutation) ([]coda.Mutation, error) {
	if err := p.applied(ctx, first, "the rows' text"); err != nil {
		return nil, err
	}
	return p.client.UpsertRows(ctx, p.cfg.DocID, plan.table.ID, plan.typed, plan.keys, coda.WithValueParsing())
}

// applied waits until Coda has applied muts, whatever WAIT says: what
// comes next depends on them. A token that may not ask (a restricted token,
// where Coda does not document whether it may) gets a warning, and the run
// goes on trusting that Coda applies a doc's writes in order.
func (p *Publisher) applied(ctx context.Context, muts []coda.Mutation, what string) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.WaitTimeout)
	defer cancel()
	_, err := p.client.Wait(ctx, muts...)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, coda.ErrUnauthorized), errors.Is(err, coda.ErrForbidden):
		p.log.Warn("This token may not ask Coda whether %s was applied (%v); going on, trusting Coda to apply the doc's writes in order.", what, err)
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s was not yet applied by Coda after WAIT_TIMEOUT (%s): %w. Raise WAIT_TIMEOUT, or rerun the step: a rerun updates the same rows", what, p.cfg.WaitTimeout, err)
	}
	return err
}

// rowsError explains a failed row write.
func (p *Publisher) rowsError(plan *tablePlan, rel changelog.Release, err error) error {
	var tooLarge *coda.RowTooLargeError
	if errors.As(err, &tooLarge) {
		return fmt.Errorf("the row of %s is too large for Coda (%d by Coda's measure, limit %d); nothing was written. "+
			"Map fewer long fields (body, markdown) in CODA_COLUMNS: %w", rowName(p.cfg.Rows, rel, tooLarge.Index), tooLarge.Size, tooLarge.Limit, err)
	}
	return fmt.Errorf("upsert %d rows into table %q: %w", len(plan.rows), plan.table.Name, p.accessError(err))
}
