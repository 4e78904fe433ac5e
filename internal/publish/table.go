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

// tablePlan is everything needed to write a release's rows, checked against
// the table before anything is written.
type tablePlan struct {
	table   coda.Table
	columns []mappedColumn
	keys    []string // key column ids
	rows    []coda.RowEdit
	// typed are the rows' key cells and the cells that Coda stores as
	// their type only when it parses them, for the second pass (see
	// [Publisher.writeRows]); nil when there is none.
	typed []coda.RowEdit
}

// mappedColumn is a field and the column it goes to.
type mappedColumn struct {
	field  field
	column coda.Column
}

// planTable reads the table and its columns and checks the mapping: the
// table must be a base table, every mapped column must exist, be writable and
// fit its field, and there must be a key. All problems are reported at once.
func (p *Publisher) planTable(ctx context.Context, rel changelog.Release) (*tablePlan, error) {
	cfg := p.cfg
	table, err := p.client.GetBaseTable(ctx, cfg.DocID, cfg.Table)
	switch {
	case errors.Is(err, coda.ErrNotBaseTable):
		return nil, fmt.Errorf("CODA_TABLE %q: %w", cfg.Table, err)
	case errors.Is(err, coda.ErrNotFound):
		return nil, fmt.Errorf("CODA_TABLE %q: no such table in doc %s (use the table's name or its grid- id; the token must be able to see it)", cfg.Table, cfg.DocID)
	case err != nil:
		return nil, fmt.Errorf("CODA_TABLE %q: %w", cfg.Table, p.accessError(err))
	}
	var columns []coda.Column
	for col, err := range p.client.Columns(ctx, cfg.DocID, table.ID) {
		if err != nil {
			return nil, fmt.Errorf("CODA_TABLE %q: list columns: %w", cfg.Table, p.accessError(err))
		}
		columns = append(columns, col)
	}
	plan := &tablePlan{table: table}
	problems := plan.mapColumns(cfg, columns, &rel)
	keys, keyProblems := keyColumns(cfg, columns, plan.columns)
	plan.keys = keys
	problems = append(problems, keyProblems...)
	if len(problems) > 0 {
		return nil, fmt.Errorf("CODA_TABLE %q cannot take the rows:\n- %s\nThe table's columns are: %s",
			table.Name, strings.Join(problems, "\n- "), describeColumns(columns))
	}
	plan.rows, plan.typed = plan.buildRows(cfg.Rows, &rel, cfg.ParseValues)
	return plan, nil
}

// mapColumns resolves CODA_COLUMNS, or the default mapping, against the
// table's columns and returns the problems found.
func (plan *tablePlan) mapColumns(cfg Config, columns []coda.Column, rel *changelog.Release) []string {
	var problems []string
	mappings := cfg.Columns
	if len(mappings) == 0 {
		mappings = defaultMappings(columns, cfg.Rows, rel)
		if len(mappings) == 0 {
			problems = append(problems, fmt.Sprintf("CODA_COLUMNS is not set and no column of the table is named after a field (%s)",
				strings.Join(FieldNames(cfg.Rows), ", ")))
		}
	}
	for _, m := range mappings {
		f, _ := fieldNamed(m.Field) // the configuration lets only known fields through
		col, ok := findColumn(columns, m.Column)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("CODA_COLUMNS: column %q (for %s) does not exist", m.Column, m.Field))
		case col.Calculated:
			problems = append(problems, fmt.Sprintf("CODA_COLUMNS: column %q (for %s) is calculated by a formula and cannot be written", col.Name, m.Field))
		default:
			if err := f.fits(col.Format.Type, f.links.available(rel)); err != nil {
				problems = append(problems, fmt.Sprintf("CODA_COLUMNS: column %q (for %s): %v", col.Name, m.Field, err))
				continue
			}
			plan.columns = append(plan.columns, mappedColumn{field: f, column: col})
		}
	}
	return problems
}

// defaultMappings maps each field to the column named after it, ignoring
// case, spaces and underscores ("Short SHA" is short_sha), when the column
// is writable and can hold the field; other columns are left alone.
func defaultMappings(columns []coda.Column, m RowMode, rel *changelog.Release) []ColumnMapping {
	var out []ColumnMapping
	for _, f := range fields {
		if !f.in(m) {
			continue
		}
		for _, col := range columns {
			if normalizeName(col.Name) == normalizeName(f.name) && !col.Calculated &&
				f.fits(col.Format.Type, f.links.available(rel)) == nil {
				out = append(out, ColumnMapping{Field: f.name, Column: col.ID})
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

// defaultKey is the field whose column identifies a row of each mode.
var defaultKey = map[RowMode]string{PerCommit: "sha", PerRelease: "version"}

// keyColumns resolves CODA_KEY_COLUMNS, or picks the column mapped from the
// mode's default key field. A key must be a mapped column, or rows could
// never match.
func keyColumns(cfg Config, columns []coda.Column, mapped []mappedColumn) ([]string, []string) {
	var keys, problems []string
	if len(cfg.KeyColumns) == 0 {
		want := defaultKey[cfg.Rows]
		for _, m := range mapped {
			if m.field.name == want {
				return []string{m.column.ID}, nil
			}
		}
		return nil, []string{fmt.Sprintf("no key column: map the %s field to a column (it identifies a row, so reruns update instead of adding), or set CODA_KEY_COLUMNS", want)}
	}
	for _, k := range cfg.KeyColumns {
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

// buildRows converts the release into rows, one per entry or one for the
// release, and, unless Coda parses every value anyway, the second pass of
// their typed cells.
func (plan *tablePlan) buildRows(m RowMode, rel *changelog.Release, parseAll bool) (rows, typed []coda.RowEdit) {
	if m == PerRelease {
		rows = []coda.RowEdit{plan.rowEdit(rel, nil)}
	} else {
		rows = make([]coda.RowEdit, len(rel.Entries))
		for i := range rel.Entries {
			rows[i] = plan.rowEdit(rel, &rel.Entries[i])
		}
	}
	if parseAll || !plan.hasTypedColumns() {
		return rows, nil
	}
	typed = make([]coda.RowEdit, len(rows))
	for i, r := range rows {
		typed[i] = plan.typedCells(r)
	}
	return rows, typed
}

// rowEdit is the row of entry e of rel, or of the release when e is nil.
func (plan *tablePlan) rowEdit(rel *changelog.Release, e *changelog.Entry) coda.RowEdit {
	cells := make([]coda.CellEdit, len(plan.columns))
	for i, m := range plan.columns {
		cells[i] = coda.CellEdit{Column: m.column.ID, Value: convert(m.field.value(rel, e), m.column.Format)}
	}
	return coda.RowEdit{Cells: cells}
}

// rowName names the entry (or the release) that row i of a table write holds.
func rowName(m RowMode, rel changelog.Release, i int) string {
	if m == PerRelease || i >= len(rel.Entries) {
		return "release " + rel.Version
	}
	e := rel.Entries[i]
	return fmt.Sprintf("commit %s (%q)", e.ShortSHA, e.Subject)
}
