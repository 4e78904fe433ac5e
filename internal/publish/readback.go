package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// How a real run checks its typed cells. Coda accepts a Person or Lookup
// value it cannot resolve with a 202 and a completed mutation all the same,
// and keeps it as text. So once a run's writes are confirmed (WAIT), it
// reads back one row per table that has typed columns (the row with the
// most typed cells filled) in the rich format, and warns about every typed
// column whose cell Coda kept as text, with the likely cause and the fix.
// It costs at most three reads per table, never a write, and never fails
// the run: the rows are written. TEST_PAYLOAD reports from the same reading
// ([storedProblem]).

// checkStored reads back a sample row of each planned table with typed
// columns and warns about the typed cells Coda did not store as their type.
// It does nothing unless the run waited for its writes: before, what it
// read could be the row as it was.
func (p *Publisher) checkStored(ctx context.Context, plans []*tablePlan) {
	if !p.cfg.Wait {
		return
	}
	for _, plan := range plans {
		i := plan.sampleRow()
		if i < 0 {
			continue
		}
		stored, err := p.readRow(ctx, plan, plan.rows[i])
		switch {
		case errors.Is(err, errRowNotFound):
			p.log.Info("Table %q: %s was not found to check its typed cells (Coda's reads can lag its writes); TEST_PAYLOAD checks them.",
				plan.table.Name, plan.rowName(i))
			continue
		case err != nil:
			p.log.Warn("Table %q: %s could not be read back to check its typed cells: %v", plan.table.Name, plan.rowName(i), err)
			continue
		}
		p.warnStored(plan, i, stored)
	}
}

// typedColumn reports whether Coda stores a column's values as a kind of
// their own, which the check reads back.
func typedColumn(col coda.Column) bool {
	return columnTypes[col.Format.Type].stored != ""
}

// sampleRow is the row with the most typed cells filled, the first of
// them; -1 when no row fills a typed cell.
func (plan *tablePlan) sampleRow() int {
	best, most := -1, 0
	for i, r := range plan.rows {
		if plan.sources[i].withdrawn { // its key and an emptied stamp only
			continue
		}
		n := 0
		for j, m := range plan.columns {
			if typedColumn(m.column) && !empty(r.Cells[j].Value) {
				n++
			}
		}
		if n > most {
			best, most = i, n
		}
	}
	return best
}

// errRowNotFound: the sample row was not found by its key or its name.
var errRowNotFound = errors.New("row not found")

// readRow reads the row sent as r from the doc's latest version: by its
// name when the display column holds text the run wrote, else by its
// first key column (from the copy Coda serves reads from, which may not
// have a new row yet) and then by ID. The row read must have r's keys.
func (p *Publisher) readRow(ctx context.Context, plan *tablePlan, r coda.RowEdit) (coda.Row, error) {
	docID, table := p.cfg.DocID, plan.table.ID
	latest := func(idOrName string) (row coda.Row, err error) {
		err = p.readLatest(ctx, "a row written", func() error {
			row, err = p.client.GetRow(ctx, docID, table, idOrName, coda.LatestVersion())
			return err
		})
		return row, err
	}
	if name, ok := plan.displayValue(r); ok {
		row, err := latest(name)
		if err == nil && plan.hasKeys(row, r) {
			return row, nil
		}
		if err != nil && !errors.Is(err, coda.ErrNotFound) {
			return coda.Row{}, err
		}
	}
	k := slices.IndexFunc(plan.columns, func(m mappedColumn) bool { return len(plan.keys) > 0 && m.column.ID == plan.keys[0] })
	if k < 0 {
		return coda.Row{}, errRowNotFound
	}
	key := r.Cells[k]
	value, err := json.Marshal(key.Value)
	if err != nil {
		return coda.Row{}, err
	}
	query := coda.ListRowsOptions{Query: key.Column + ":" + string(value), Limit: 1}
	for found, err := range p.client.Rows(ctx, docID, table, query) {
		if err != nil {
			return coda.Row{}, err
		}
		row, err := latest(found.ID)
		switch {
		case errors.Is(err, coda.ErrNotFound):
			return coda.Row{}, errRowNotFound
		case err != nil:
			return coda.Row{}, err
		case !plan.hasKeys(row, r):
			return coda.Row{}, errRowNotFound
		}
		return row, nil
	}
	return coda.Row{}, errRowNotFound
}

// displayValue is the text the run wrote to the table's display column
// in row r, when it wrote one: Coda finds a row by that name.
func (plan *tablePlan) displayValue(r coda.RowEdit) (string, bool) {
	for j, m := range plan.columns {
		if m.column.Display && !columnTypes[m.column.Format.Type].parsed {
			s, ok := r.Cells[j].Value.(string)
			return s, ok && s != ""
		}
	}
	return "", false
}

// hasKeys reports whether a row read back has the key cells of r.
func (plan *tablePlan) hasKeys(row coda.Row, r coda.RowEdit) bool {
	for j, m := range plan.columns {
		if !slices.Contains(plan.keys, m.column.ID) {
			continue
		}
		want := fmt.Sprint(r.Cells[j].Value)
		if got := coda.ParseRichValue(row.Values[m.column.ID]); got.Text != want {
			return false
		}
	}
	return true
}

// warnStored warns about each typed cell of the sample row i that Coda did
// not store as its type.
func (p *Publisher) warnStored(plan *tablePlan, i int, stored coda.Row) {
	for j, m := range plan.columns {
		if !typedColumn(m.column) {
			continue
		}
		sent := plan.rows[i].Cells[j].Value
		got := coda.ParseRichValue(stored.Values[m.column.ID])
		if problem := storedProblem(m.column, sent, got); problem != "" {
			p.log.Warn("Table %q: column %q (%s, for %s) of %s: %s. %s.",
				plan.table.Name, m.column.Name, m.column.Format.Type, m.field.name, plan.rowName(i), problem, p.storedFix(plan, m, sent))
		}
	}
}

// storedFix says what to do about a typed cell kept as text.
func (p *Publisher) storedFix(plan *tablePlan, m mappedColumn, sent any) string {
	switch m.column.Format.Type {
	case coda.ColumnPerson:
		return fmt.Sprintf("Share the doc with %s so that Coda finds them, or map %s to a text or Email column instead", describeSent(sent), m.field.name)
	case coda.ColumnLookup:
		target := "the table it looks up"
		if t := m.column.Format.Table; t != nil {
			target = fmt.Sprintf("table %q", t.Name)
		}
		if p.cfg.ReleaseTable.Name == "" {
			return fmt.Sprintf("Set CODA_RELEASE_TABLE to %s, so that each run writes its release's row before the commits, or create the row %s there", target, describeSent(sent))
		}
		return fmt.Sprintf("Check that the display column of %s holds the version (CODA_RELEASE_COLUMNS), or create the row %s there", target, describeSent(sent))
	case coda.ColumnDate, coda.ColumnDateTime:
		return "Check the column's type in Coda, or map a text column instead"
	}
	return fmt.Sprintf("Check the column's type in Coda, or map %s to a text column", m.field.name)
}

// storedProblem says what is wrong when a column did not store the value
// sent as its type, with the likely cause, or "" when it did. It is the one
// reading of what Coda stored, for TEST_PAYLOAD's report and a real run's
// check alike.
func storedProblem(col coda.Column, sent any, got coda.RichValue) string {
	if empty(sent) {
		return ""
	}
	if text, ok := sent.(string); ok && col.Format.Type == coda.ColumnText {
		if got.Kind != coda.RichText || got.Text != text {
			return fmt.Sprintf("Coda changed the text into %s: text that looks like a formula is read as one when values are parsed (CODA_PARSE_VALUES)", got)
		}
		return ""
	}
	want, cause := columnTypes[col.Format.Type].stored, columnTypes[col.Format.Type].cause
	if want == "" {
		return ""
	}
	items := []coda.RichValue{got}
	if got.Kind == coda.RichList {
		items = got.Items
	}
	for _, it := range items {
		if it.Kind != want {
			return fmt.Sprintf("Coda kept %s instead of a %s: %s", it, want, cause)
		}
	}
	return ""
}

// empty reports whether a sent value clears the cell.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []string:
		return len(v) == 0
	}
	return false
}
