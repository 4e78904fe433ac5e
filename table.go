package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// tablePlan is everything needed to write a release's rows, checked against
// the table before anything is written.
type tablePlan struct {
	table   coda.Table
	columns []mappedColumn
	keys    []string // key column ids
	rows    []coda.RowEdit
}

// mappedColumn is a field and the column it goes to.
type mappedColumn struct {
	field  string
	column coda.Column
}

// planTable reads the table and its columns and checks the mapping: the
// table must be a base table, every mapped column must exist, be writable and
// fit its field, and there must be a key. All problems are reported at once.
func planTable(ctx context.Context, c *coda.Client, cc CodaConfig, rel changelog.Release) (*tablePlan, error) {
	table, err := c.GetBaseTable(ctx, cc.DocID, cc.Table)
	switch {
	case errors.Is(err, coda.ErrNotBaseTable):
		return nil, fmt.Errorf("CODA_TABLE %q: %w", cc.Table, err)
	case errors.Is(err, coda.ErrNotFound):
		return nil, fmt.Errorf("CODA_TABLE %q: no such table in doc %s (use the table's name or its grid- id; the token must be able to see it)", cc.Table, cc.DocID)
	case err != nil:
		return nil, fmt.Errorf("CODA_TABLE %q: %w", cc.Table, err)
	}
	var columns []coda.Column
	for col, err := range c.Columns(ctx, cc.DocID, table.ID) {
		if err != nil {
			return nil, fmt.Errorf("CODA_TABLE %q: list columns: %w", cc.Table, err)
		}
		columns = append(columns, col)
	}
	p := &tablePlan{table: table}
	var problems []string
	sample := row{rel: &rel}
	if cc.RowPer == rowPerCommit && len(rel.Entries) > 0 {
		sample.entry = &rel.Entries[0]
	}
	mappings := cc.Columns
	if len(mappings) == 0 {
		mappings = defaultMappings(columns, fieldsFor(cc.RowPer), func(field string, col coda.Column) bool {
			return fits(sample.fieldValue(field).kind, linkable(field, rel), col.Format.Type) == nil
		})
		if len(mappings) == 0 {
			problems = append(problems, fmt.Sprintf("CODA_COLUMNS is not set and no column of the table is named after a field (%s)",
				strings.Join(fieldsFor(cc.RowPer), ", ")))
		}
	}
	for _, m := range mappings {
		col, ok := findColumn(columns, m.Column)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("CODA_COLUMNS: column %q (for %s) does not exist", m.Column, m.Field))
		case col.Calculated:
			problems = append(problems, fmt.Sprintf("CODA_COLUMNS: column %q (for %s) is calculated by a formula and cannot be written", col.Name, m.Field))
		default:
			if err := fits(sample.fieldValue(m.Field).kind, linkable(m.Field, rel), col.Format.Type); err != nil {
				problems = append(problems, fmt.Sprintf("CODA_COLUMNS: column %q (for %s): %v", col.Name, m.Field, err))
				continue
			}
			p.columns = append(p.columns, mappedColumn{field: m.Field, column: col})
		}
	}
	keys, keyProblems := keyColumns(cc, columns, p.columns)
	p.keys = keys
	problems = append(problems, keyProblems...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("CODA_TABLE %q cannot take the rows:\n- %s\nThe table's columns are: %s",
			table.Name, strings.Join(problems, "\n- "), describeColumns(columns))
	}
	p.rows = p.buildRows(cc.RowPer, rel)
	return p, nil
}

// defaultMappings maps each field to the column named after it, ignoring
// case, spaces and underscores ("Short SHA" is short_sha), when the column
// is writable and can hold the field; other columns are left alone.
func defaultMappings(columns []coda.Column, fields []string, canHold func(string, coda.Column) bool) []ColumnMapping {
	var out []ColumnMapping
	for _, f := range fields {
		for _, col := range columns {
			if normalizeName(col.Name) == normalizeName(f) && !col.Calculated && canHold(f, col) {
				out = append(out, ColumnMapping{Field: f, Column: col.ID})
				break
			}
		}
	}
	return out
}

func normalizeName(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "_", "", "-", "").Replace(s))
}

// findColumn finds a column by id, by exact name, or by name ignoring case.
func findColumn(columns []coda.Column, ref string) (coda.Column, bool) {
	for _, c := range columns {
		if c.ID == ref || c.Name == ref {
			return c, true
		}
	}
	for _, c := range columns {
		if strings.EqualFold(c.Name, ref) {
			return c, true
		}
	}
	return coda.Column{}, false
}

// keyColumns resolves CODA_KEY_COLUMNS, or picks the column mapped from sha
// (version with ROW_PER=release). A key must be a mapped column, or rows
// could never match.
func keyColumns(cc CodaConfig, columns []coda.Column, mapped []mappedColumn) ([]string, []string) {
	var keys, problems []string
	if len(cc.KeyColumns) == 0 {
		want := "sha"
		if cc.RowPer == rowPerRelease {
			want = "version"
		}
		for _, m := range mapped {
			if m.field == want {
				return []string{m.column.ID}, nil
			}
		}
		return nil, []string{fmt.Sprintf("no key column: map the %s field to a column (it identifies a row, so reruns update instead of adding), or set CODA_KEY_COLUMNS", want)}
	}
	for _, k := range cc.KeyColumns {
		col, ok := findColumn(columns, k)
		if !ok {
			problems = append(problems, fmt.Sprintf("CODA_KEY_COLUMNS: column %q does not exist", k))
			continue
		}
		if !slices.ContainsFunc(mapped, func(m mappedColumn) bool { return m.column.ID == col.ID }) {
			problems = append(problems, fmt.Sprintf("CODA_KEY_COLUMNS: column %q is not in CODA_COLUMNS, so rows would have no key value", col.Name))
			continue
		}
		keys = append(keys, col.ID)
	}
	return keys, problems
}

// describeColumns lists columns as name (type, id), marking formulas.
func describeColumns(columns []coda.Column) string {
	parts := make([]string, 0, len(columns))
	for _, c := range columns {
		s := fmt.Sprintf("%q (%s, %s)", c.Name, c.Format.Type, c.ID)
		if c.Calculated {
			s += " [formula]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// buildRows converts the release into rows: one per entry, or one for the
// release.
func (p *tablePlan) buildRows(rowPer string, rel changelog.Release) []coda.RowEdit {
	if rowPer == rowPerRelease {
		return []coda.RowEdit{p.rowEdit(row{rel: &rel})}
	}
	rows := make([]coda.RowEdit, len(rel.Entries))
	for i := range rel.Entries {
		rows[i] = p.rowEdit(row{rel: &rel, entry: &rel.Entries[i]})
	}
	return rows
}

func (p *tablePlan) rowEdit(r row) coda.RowEdit {
	cells := make([]coda.CellEdit, len(p.columns))
	for i, m := range p.columns {
		cells[i] = coda.CellEdit{Column: m.column.ID, Value: convert(r.fieldValue(m.field), m.column.Format)}
	}
	return coda.RowEdit{Cells: cells}
}
