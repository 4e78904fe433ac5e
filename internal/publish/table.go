package publish

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// tablePlan is everything needed to write releases' rows to one table,
// checked against the table before anything is written.
type tablePlan struct {
	spec    Table
	table   coda.Table
	all     []coda.Column // the table's columns
	columns []mappedColumn
	keys    []string // key column ids
	rows    []coda.RowEdit
	// first and typed are the rows' two passes when the table has typed
	// columns (see [Publisher.writeRows]); nil when there is one pass, of
	// rows.
	first, typed []coda.RowEdit
	// sources are what each row was made from, to name it.
	sources []rowSource
}

// rowSource is what a row is made from: an entry of a release, or the
// release itself when entry is nil.
type rowSource struct {
	rel   *changelog.Release
	entry *changelog.Entry
	// withdrawn marks the row of a commit that a deployment took back (see
	// [tablePlan.withdrawnRow]): it has the key cells and the stamp only,
	// so its cells do not line up with the plan's columns.
	withdrawn bool
}

// mappedColumn is a field and the column it goes to.
type mappedColumn struct {
	field  field
	column coda.Column
}

// planTables plans the release table (first), the table and the
// deployments table, and checks that their lookups point at the release
// table.
func (p *Publisher) planTables(ctx context.Context, rels []changelog.Release) ([]*tablePlan, error) {
	var plans []*tablePlan
	var releases *tablePlan
	linkTo := "" // the release table's ID, once planned
	for _, t := range p.tablesFor(rels) {
		plan, err := p.planTable(ctx, t, rels, linkTo)
		if err != nil && t.Rows == PerRelease && p.cfg.Table.Name != "" && t.Name == p.cfg.ReleaseTable.Name {
			err = fmt.Errorf("%w\nCODA_TABLE %q links its commit rows to these release rows, so nothing was written to either", err, p.cfg.Table.Name)
		}
		if err != nil {
			return nil, err
		}
		if t.Name == p.cfg.ReleaseTable.Name {
			linkTo, releases = plan.table.ID, plan
		}
		plans = append(plans, plan)
	}
	for _, linked := range plans {
		if releases == nil || linked == releases || linked.spec.Rows == PerRelease {
			continue
		}
		if err := checkLink(releases, linked); err != nil {
			return nil, err
		}
	}
	return plans, nil
}

// checkLink checks that the lookup columns of the commit table (or the
// deployments table) point at the release table, and that they can find a
// release's row: Coda resolves a lookup value by the target's display
// column, which must hold the version.
func checkLink(releases, commits *tablePlan) error {
	var problems []string
	linkField := "version" // the field that holds the version in commits' rows
	if commits.spec.Rows == PerDeployment {
		linkField = "release"
	}
	for _, m := range commits.columns {
		if m.column.Format.Type != coda.ColumnLookup {
			continue
		}
		target := m.column.Format.Table
		if target == nil || target.ID != releases.table.ID {
			name := "no table"
			if target != nil {
				name = fmt.Sprintf("table %q", target.Name)
			}
			problems = append(problems, fmt.Sprintf("the Lookup column %q of table %q (for %s) points at %s, not at CODA_RELEASE_TABLE %q: "+
				"point it at %q, or map another column", m.column.Name, commits.table.Name, m.field.name, name, releases.table.Name, releases.table.Name))
			continue
		}
		if m.field.name != "version" && m.field.name != linkField {
			problems = append(problems, fmt.Sprintf("the Lookup column %q of table %q links to the releases by the field %s; map %s to it (%[4]s=%[1]s)",
				m.column.Name, commits.table.Name, m.field.name, linkField))
		}
	}
	if display := releases.displayField(); display != "version" && slices.ContainsFunc(commits.columns, func(m mappedColumn) bool {
		return m.column.Format.Type == coda.ColumnLookup
	}) {
		problems = append(problems, fmt.Sprintf("Coda finds a release's row by the display column of table %q, which does not hold the version: "+
			"make the column that CODA_RELEASE_COLUMNS maps version to the display column (in Coda: the column's menu, \"Set as display column\")", releases.table.Name))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s %q cannot link its rows to CODA_RELEASE_TABLE %q:\n- %s", commits.spec.Variable("TABLE"), commits.table.Name, releases.table.Name, strings.Join(problems, "\n- "))
	}
	return nil
}

// displayField is the field mapped to the table's display column, or "".
func (plan *tablePlan) displayField() string {
	for _, m := range plan.columns {
		if m.column.Display {
			return m.field.name
		}
	}
	return ""
}

// planTable reads the table and its columns and checks the mapping: the
// table must be a base table, every mapped column must exist, be writable and
// fit its field, and there must be a key. All problems are reported at once.
//
// linkTo, when set, is the ID of the release table: the default mapping
// then prefers, for the version, a Lookup column that points at it.
func (p *Publisher) planTable(ctx context.Context, t Table, rels []changelog.Release, linkTo string) (*tablePlan, error) {
	docID, variable := p.cfg.DocID, t.Variable("TABLE")
	table, err := p.client.GetBaseTable(ctx, docID, t.Name)
	switch {
	case errors.Is(err, coda.ErrNotBaseTable):
		return nil, fmt.Errorf("%s %q: %w", variable, t.Name, err)
	case errors.Is(err, coda.ErrNotFound):
		return nil, fmt.Errorf("%s %q: no such table in doc %s (use the table's name or its grid- id; the token must be able to see it)%s",
			variable, t.Name, docID, p.similarTable(ctx, t.Name))
	case err != nil:
		return nil, fmt.Errorf("%s %q: %w", variable, t.Name, p.accessError(err))
	case linkTo != "" && table.ID == linkTo: // before its columns, which fit one of the two at most
		return nil, fmt.Errorf("%s %q and CODA_RELEASE_TABLE %q are the same table (%s): the release table gets one row per release "+
			"and %[1]s one per %[5]s, so they must be two tables; nothing was written", variable, t.Name, p.cfg.ReleaseTable.Name, linkTo, t.Rows)
	}
	// The names of the table and its columns from here on are quoted
	// short in every message, whatever the answer held; a column whose
	// name is longer is found by its ID.
	table.Name, table.BrowserLink = words.Clip(table.Name, maxLogged), words.Clip(table.BrowserLink, maxLink)
	plan := &tablePlan{spec: t, table: table}
	p.tables[table.ID] = t
	for col, err := range p.client.Columns(ctx, docID, table.ID) {
		if err != nil {
			return nil, fmt.Errorf("%s %q: list columns: %w", variable, t.Name, p.accessError(err))
		}
		col.Name = words.Clip(col.Name, maxLogged)
		plan.all = append(plan.all, col)
	}
	withLinks := linkRelease(rels)
	problems := plan.mapColumns(withLinks, linkTo)
	problems = append(problems, plan.keyColumns()...)
	if !p.cfg.ParseValues {
		problems = append(problems, plan.typedKeys()...)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s %q cannot take the rows:\n- %s\nThe table's columns are: %s",
			variable, table.Name, strings.Join(problems, "\n- "), describeColumns(plan.all))
	}
	for _, m := range plan.columns {
		if m.field.name == "markdown" && m.column.Format.Type == coda.ColumnCanvas {
			p.log.Warn("%s %q: column %q is a Canvas column, and Coda's users report that markdown written to one shows as typed, "+
				"with its # and ** (the cell is not formatted); for formatted notes, write them to a page with CODA_PAGE",
				variable, table.Name, m.column.Name)
		}
	}
	p.log.Info("%s%s", plan.fillLine(withLinks), plan.stampNote(&rels[len(rels)-1]))
	plan.buildRows(rels, p.cfg.ParseValues)
	clipped := plan.fitRows(p.cfg.ParseValues)
	for i := range plan.rows {
		if advice, ok := clipped[i]; ok {
			p.log.Warn("%s %q: the row of %s is over Coda's %d KB row limit, so its longest text cells were clipped, "+
				"ending with %q; the notes and OUTPUT_JSON keep the whole text. %s.",
				variable, table.Name, plan.rowName(i), coda.MaxRowSize/1000, strings.TrimSpace(clippedCell), advice)
		}
	}
	if err := coda.CheckRows(plan.rows); err != nil { // before anything is written to any table
		return nil, p.rowsError(plan, err)
	}
	return plan, nil
}

// linkRelease is the release whose links the column checks go by: one of
// rels with the build's link, when one has it, else the first. Only the
// build's link differs between releases (the repository's and ISSUE_URL's
// are the same for all), and in a backfill only the newest release, the
// build's own, has it: a link column for build then fits, and the rows of
// the other releases get no link.
func linkRelease(rels []changelog.Release) *changelog.Release {
	if i := slices.IndexFunc(rels, func(rel changelog.Release) bool { return linkBuild.available(&rel) }); i >= 0 {
		return &rels[i]
	}
	return &rels[0]
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// normalizeName is a column or field name without case, spaces,
// underscores or hyphens: "Short SHA" and short_sha are one name.
func normalizeName(s string) string {
	return strings.ToLower(nameSeparators.Replace(s))
}

var nameSeparators = strings.NewReplacer(" ", "", "_", "", "-", "")

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
var defaultKey = map[RowMode]string{PerCommit: "sha", PerRelease: "version", PerDeployment: "deployment"}

// keyColumns resolves the key columns, or picks the column mapped from the
// mode's key field, and returns the problems found. A key must be a mapped
// column, or rows could never match.
func (plan *tablePlan) keyColumns() []string {
	t := plan.spec
	variable := t.Variable("KEY_COLUMNS")
	if len(t.KeyColumns) == 0 {
		want := defaultKey[t.Rows]
		for _, m := range plan.columns {
			if m.field.name == want {
				plan.keys = []string{m.column.ID}
				return nil
			}
		}
		return []string{fmt.Sprintf("no key column: map the %s field to a column (it identifies a row, so reruns update instead of adding), or set %s", want, variable)}
	}
	var problems []string
	for _, k := range t.KeyColumns {
		col, ok := findColumn(plan.all, k)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: column %q does not exist%s", variable, k, didYouMean(k, columnNames(plan.all))))
			continue
		}
		if !slices.ContainsFunc(plan.columns, func(m mappedColumn) bool { return m.column.ID == col.ID }) {
			problems = append(problems, fmt.Sprintf("%s: column %q is not in %s, so rows would have no key value", variable, col.Name, t.Variable("COLUMNS")))
			continue
		}
		plan.keys = append(plan.keys, col.ID)
	}
	return problems
}

// typedKeys returns a problem for each key column whose cells Coda stores
// as their type only when it parses them: the rows' two passes (see
// [Publisher.writeRows]) could not match, the first writing text that the
// second, parsed, would not find.
func (plan *tablePlan) typedKeys() []string {
	var problems []string
	for _, m := range plan.columns {
		if slices.Contains(plan.keys, m.column.ID) && columnTypes[m.column.Format.Type].parsed {
			problems = append(problems, fmt.Sprintf("%s: column %q is a %s column, which Coda fills only from parsed values, so it cannot "+
				"identify the rows written in two passes: use text key columns, or set CODA_PARSE_VALUES: 'true' to write in one parsed pass",
				plan.spec.Variable("KEY_COLUMNS"), m.column.Name, m.column.Format.Type))
		}
	}
	return problems
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

// buildRows converts the releases into rows, one per entry or one per
// release, and, unless Coda parses every value anyway, the second pass of
// their typed cells.
func (plan *tablePlan) buildRows(rels []changelog.Release, parseAll bool) {
	if plan.spec.Rows == PerCommit {
		rels = commitReleases(rels)
	}
	for i := range rels {
		rel := &rels[i]
		if plan.spec.Rows != PerCommit { // a release's or a deployment's row
			plan.sources = append(plan.sources, rowSource{rel: rel})
			continue
		}
		for j := range rel.Entries {
			plan.sources = append(plan.sources, rowSource{rel: rel, entry: &rel.Entries[j]})
		}
	}
	plan.sources = append(plan.sources, plan.withdrawnSources(rels)...)
	plan.rows = make([]coda.RowEdit, len(plan.sources))
	for i, src := range plan.sources {
		if src.withdrawn {
			plan.rows[i] = plan.withdrawnRow(src.rel, src.entry)
		} else {
			plan.rows[i] = plan.rowEdit(src.rel, src.entry)
		}
	}
	plan.dedupe()
	plan.buildPasses(parseAll)
}

// buildPasses splits the rows into their two passes, unless Coda parses
// every value anyway or no column is typed.
func (plan *tablePlan) buildPasses(parseAll bool) {
	plan.first, plan.typed = nil, nil
	if parseAll || !plan.hasTypedColumns() {
		return
	}
	plan.first = make([]coda.RowEdit, len(plan.rows))
	for i, r := range plan.rows {
		if plan.sources[i].withdrawn { // its key and an empty cell: one pass
			plan.first[i] = r
			continue
		}
		var typed coda.RowEdit
		plan.first[i], typed = plan.passes(r)
		if len(typed.Cells) > 0 {
			plan.typed = append(plan.typed, typed)
		}
	}
}

// fitRows fits each row to Coda's row limit ([fitRow]) and returns, for
// each row it clipped, by index, the advice on what made it too large.
func (plan *tablePlan) fitRows(parseAll bool) map[int]string {
	clipped := map[int]string{}
	for i := range plan.rows {
		if fitted, cut := fitRow(plan.rows[i], plan.keys); cut {
			clipped[i] = plan.tooLargeAdvice(i) // of the row as it was
			plan.rows[i] = fitted
		}
	}
	if len(clipped) > 0 {
		plan.buildPasses(parseAll)
	}
	return clipped
}

// dedupe keeps one row per key, the last: releases overlap (a release's
// range runs from the release before it, so it can hold a pre-release's
// commits too), and the newest release a commit is in is where a run of
// each release in turn would leave it. Coda does not say what one upsert
// does with two rows of one key.
func (plan *tablePlan) dedupe() {
	seen := make(map[string]bool, len(plan.rows))
	keep := make([]bool, len(plan.rows))
	for i := len(plan.rows) - 1; i >= 0; i-- {
		k := plan.keyOf(plan.rows[i])
		keep[i] = !seen[k]
		seen[k] = true
	}
	n := 0
	for i := range plan.rows {
		if keep[i] {
			plan.rows[n], plan.sources[n] = plan.rows[i], plan.sources[i]
			n++
		}
	}
	plan.rows, plan.sources = plan.rows[:n], plan.sources[:n]
}

// keyOf is a row's key cells, as one string.
func (plan *tablePlan) keyOf(r coda.RowEdit) string {
	var b strings.Builder
	for _, c := range r.Cells {
		if slices.Contains(plan.keys, c.Column) {
			fmt.Fprintf(&b, "%s=%v\x00", c.Column, c.Value)
		}
	}
	return b.String()
}

// rowEdit is the row of entry e of rel, or of the release when e is nil.
func (plan *tablePlan) rowEdit(rel *changelog.Release, e *changelog.Entry) coda.RowEdit {
	cells := make([]coda.CellEdit, len(plan.columns))
	for i, m := range plan.columns {
		cells[i] = coda.CellEdit{Column: m.column.ID, Value: convert(m.field.value(plan.spec.Rows, rel, e), m.column.Format)}
	}
	return coda.RowEdit{Cells: cells}
}

// rowName names the entry (or the release) that row i holds.
func (plan *tablePlan) rowName(i int) string {
	src := plan.sources[i]
	if src.entry == nil {
		return "release " + src.rel.Version
	}
	return fmt.Sprintf("commit %s (%q)", src.entry.ShortSHA, words.Clip(src.entry.Subject, 60))
}
