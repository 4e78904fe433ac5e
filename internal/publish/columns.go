package publish

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// columnClass groups Coda's column types by what they accept from a field.
type columnClass int

const (
	classNone     columnClass = iota // cannot be written: time, duration, image, button, …
	classText                        // takes any field as text
	classNumber                      // number-like
	classCheckbox                    // booleans
	classDate                        // dates and date-times
	classPerson                      // people, by e-mail address
	classLink                        // URLs
)

// columnType is what the pipe knows of a column type it can write.
type columnType struct {
	class columnClass
	// parsed: Coda stores a value as the type only when it parses it
	// (see [Publisher.writeRows]).
	parsed bool
	// stored is how Coda stores a value of the type, read back in the rich
	// format ("" for text), and cause the likely reason when it did not.
	stored coda.RichKind
	cause  string
}

// unparsed ends the cause of a value of a parsed type kept as text.
const unparsed = ", or values were sent unparsed"

// columnTypes are the column types the pipe can write; the others are
// classNone.
var columnTypes = map[coda.ColumnType]columnType{
	coda.ColumnText:   {class: classText},
	coda.ColumnCanvas: {class: classText},
	coda.ColumnOther:  {class: classText},
	coda.ColumnSelect: {class: classText, parsed: true},
	coda.ColumnLookup: {class: classText, parsed: true, stored: coda.RichRow,
		cause: "no row of the lookup's table has that display value" + unparsed},
	coda.ColumnNumber:   {class: classNumber, stored: coda.RichNumber, cause: "Coda did not read it as a number"},
	coda.ColumnPercent:  {class: classNumber, stored: coda.RichNumber, cause: "Coda did not read it as a number"},
	coda.ColumnSlider:   {class: classNumber, stored: coda.RichNumber, cause: "Coda did not read it as a number"},
	coda.ColumnScale:    {class: classNumber, stored: coda.RichNumber, cause: "Coda did not read it as a number"},
	coda.ColumnCurrency: {class: classNumber, stored: coda.RichCurrency, cause: "Coda did not read it as an amount"},
	coda.ColumnCheckbox: {class: classCheckbox, stored: coda.RichBool, cause: "Coda did not read it as true or false"},
	coda.ColumnDate:     {class: classDate, parsed: true, stored: coda.RichDate, cause: "Coda did not read it as a date" + unparsed},
	coda.ColumnDateTime: {class: classDate, parsed: true, stored: coda.RichDate, cause: "Coda did not read it as a date" + unparsed},
	coda.ColumnPerson: {class: classPerson, parsed: true, stored: coda.RichPerson,
		cause: "that person is not a member of the doc" + unparsed},
	coda.ColumnEmail: {class: classPerson},
	coda.ColumnLink:  {class: classLink},
}

// kindClass is the class of columns, beyond text-like ones, that a kind of
// value fits.
var kindClass = map[kind]columnClass{
	kindNumber: classNumber,
	kindBool:   classCheckbox,
	kindTime:   classDate,
	kindPerson: classPerson,
}

// fits reports whether field f can go into a column of type t, given
// whether the release has the field's links, and if not, why.
func (f field) fits(t coda.ColumnType, hasLinks bool) error {
	switch class := columnTypes[t].class; {
	case class == classText,
		class != classNone && kindClass[f.kind] == class,
		class == classLink && f.links != linkNone && hasLinks:
		return nil
	case class == classLink && f.links != linkNone:
		return fmt.Errorf("a link column needs the field's links, which this build cannot make (%s)", f.links.needs())
	}
	return fmt.Errorf("a %s column cannot hold this field", t)
}

// needs says what a link source needs.
func (s linkSource) needs() string {
	switch s {
	case linkRepository:
		return "BITBUCKET_REPO_FULL_NAME is not set"
	case linkBuild:
		return "BITBUCKET_BUILD_NUMBER is not set"
	case linkIssue:
		return "set ISSUE_URL"
	}
	return ""
}

// fitsDoc lists, for the README, the column types other than text-like ones
// that the field fits.
func (f field) fitsDoc() string {
	var parts []string
	switch kindClass[f.kind] {
	case classNumber:
		parts = append(parts, "Number-like")
	case classCheckbox:
		parts = append(parts, "Checkbox")
	case classDate:
		parts = append(parts, "Date, Date and time")
	case classPerson:
		parts = append(parts, "Person, Email (they get the e-mail address)")
	}
	switch f.links {
	case linkRepository, linkBuild:
		parts = append(parts, "Link")
	case linkIssue:
		parts = append(parts, "Link (with `ISSUE_URL`; a multi-value Link column gets every key's link)")
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

// convert turns a field's value into the cell value a column of format f
// wants: numbers, booleans, YYYY-MM-DD dates and RFC 3339 date-times in the
// release's time zone, option text for selects, URLs for links, e-mail
// addresses for people, and arrays for multi-value columns.
func convert(v value, f coda.ColumnFormat) any {
	if v.null {
		return ""
	}
	switch columnTypes[f.Type].class {
	case classCheckbox:
		return v.flag
	case classNumber:
		return v.num
	case classDate:
		if f.Type == coda.ColumnDate {
			return v.when.Format(time.DateOnly)
		}
		return v.when.Format(time.RFC3339)
	case classPerson:
		emails := make([]string, len(v.people))
		for i, p := range v.people {
			emails[i] = p.Email
		}
		return oneOrMany(emails, f.IsArray)
	case classLink:
		return oneOrMany(v.links, f.IsArray)
	}
	switch {
	case v.kind == kindTime:
		return v.when.Format(time.RFC3339)
	case v.kind == kindList && f.IsArray:
		if v.list == nil {
			return []string{}
		}
		return v.list
	}
	return v.text
}

// oneOrMany is the items as a list for a multi-value column, else the first
// one ("" for none).
func oneOrMany(items []string, isArray bool) any {
	switch {
	case isArray && items == nil:
		return []string{}
	case isArray:
		return items
	case len(items) == 0:
		return ""
	}
	return items[0]
}

// mapColumns resolves the table's mapping against its columns and returns
// the problems found. CODA_COLUMNS' field=Column pairs come first; every
// other field then goes to the column named after it (see
// [matchByName]), unless a pair leaves it out (field=). A column holds one
// field.
func (plan *tablePlan) mapColumns(rel *changelog.Release, linkTo string) []string {
	var problems []string
	t, variable := plan.spec, plan.spec.Variable("COLUMNS")
	taken := map[string]string{} // column ID → its field
	for _, m := range t.Columns {
		if m.Column == "" {
			continue // left out
		}
		f, _ := fieldNamed(m.Field) // the configuration lets only known fields through
		if !f.writes(t.Rows, rel) {
			continue
		}
		col, ok := findColumn(plan.all, m.Column)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: column %q (for %s) does not exist%s", variable, m.Column, m.Field, didYouMean(m.Column, columnNames(plan.all))))
		case col.Calculated:
			problems = append(problems, fmt.Sprintf("%s: column %q (for %s) is calculated by a formula and cannot be written", variable, col.Name, m.Field))
		case taken[col.ID] != "":
			problems = append(problems, fmt.Sprintf("%s: %s and %s both go to column %q: a column holds one field, so map one of them to another column",
				variable, taken[col.ID], m.Field, col.Name))
		default:
			if err := f.fits(col.Format.Type, f.links.available(rel)); err != nil {
				problems = append(problems, fmt.Sprintf("%s: column %q (for %s): %v", variable, col.Name, m.Field, err))
				continue
			}
			taken[col.ID] = f.name
			plan.columns = append(plan.columns, mappedColumn{field: f, column: col})
		}
	}
	for _, m := range matchByName(plan.all, t, rel, linkTo, taken) {
		f, _ := fieldNamed(m.Field)
		col, _ := findColumn(plan.all, m.Column)
		plan.columns = append(plan.columns, mappedColumn{field: f, column: col})
	}
	if len(plan.columns) == 0 && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("no column of the table is named after a field (%s), and %s maps none",
			strings.Join(FieldNames(t.Rows), ", "), variable))
	}
	return problems
}

// defaultMappings is the mapping of a table without CODA_COLUMNS: each
// field of mode m to the column named after it (see [matchByName]).
func defaultMappings(columns []coda.Column, m RowMode, rel *changelog.Release, linkTo string) []ColumnMapping {
	return matchByName(columns, Table{Rows: m}, rel, linkTo, map[string]string{})
}

// matchByName maps each field of table t that t.Columns does not name to
// the first column named after it (or after one of its aliases), ignoring
// case, spaces and underscores ("Short SHA" is short_sha), when the column
// is writable, not taken by another field, and can hold the field; other
// columns are left alone. taken holds the columns already mapped, by ID,
// and gets the new ones. With linkTo, the ID of the release table, a Lookup
// column of that table comes first.
func matchByName(columns []coda.Column, t Table, rel *changelog.Release, linkTo string, taken map[string]string) []ColumnMapping {
	links := func(col coda.Column) bool { // a Lookup of the release table
		return linkTo != "" && col.Format.Type == coda.ColumnLookup && col.Format.Table != nil && col.Format.Table.ID == linkTo
	}
	candidates := slices.Clone(columns) // a Lookup of the release table first
	slices.SortStableFunc(candidates, func(a, b coda.Column) int { return cmpBool(links(b), links(a)) })
	var out []ColumnMapping
	for _, f := range fields {
		if !f.in(t.Rows) || !f.writes(t.Rows, rel) || t.names(f.name) {
			continue
		}
		for _, col := range candidates {
			if f.namedBy(col.Name, t.Rows, rel) && !col.Calculated && taken[col.ID] == "" && f.fits(col.Format.Type, f.links.available(rel)) == nil {
				taken[col.ID] = f.name
				out = append(out, ColumnMapping{Field: f.name, Column: col.ID})
				break
			}
		}
	}
	return out
}

// names reports whether the table's CODA_COLUMNS names the field, mapped
// or left out: such a field is not matched by name.
func (t Table) names(field string) bool {
	return slices.ContainsFunc(t.Columns, func(m ColumnMapping) bool { return m.Field == field })
}

// fillLine says which of the table's columns its rows fill and which they
// leave empty, and why, for the log: a column named after its field is
// named alone, others with their field.
func (plan *tablePlan) fillLine(rel *changelog.Release) string {
	var filling, empty []string
	for _, col := range plan.all {
		i := slices.IndexFunc(plan.columns, func(m mappedColumn) bool { return m.column.ID == col.ID })
		switch {
		case i >= 0 && plan.columns[i].field.namedBy(col.Name, plan.spec.Rows, rel):
			filling = append(filling, col.Name)
		case i >= 0:
			filling = append(filling, fmt.Sprintf("%s (%s)", col.Name, plan.columns[i].field.name))
		default:
			empty = append(empty, fmt.Sprintf("%s (%s)", col.Name, plan.whyEmpty(col, rel)))
		}
	}
	line := fmt.Sprintf("Table %q: filling %s", plan.table.Name, strings.Join(filling, ", "))
	if len(empty) == 0 {
		return line + "; every column"
	}
	return line + "; not filling " + strings.Join(empty, ", ")
}

// whyEmpty says why the rows leave a column empty.
func (plan *tablePlan) whyEmpty(col coda.Column, rel *changelog.Release) string {
	if col.Calculated {
		return "calculated"
	}
	for _, f := range fields {
		if !f.in(plan.spec.Rows) || !f.namedBy(col.Name, plan.spec.Rows, rel) {
			continue
		}
		if plan.spec.names(f.name) && !slices.ContainsFunc(plan.columns, func(m mappedColumn) bool { return m.field.name == f.name }) {
			return fmt.Sprintf("left out by %s=", f.name)
		}
		if i := slices.IndexFunc(plan.columns, func(m mappedColumn) bool { return m.field.name == f.name }); i >= 0 {
			return fmt.Sprintf("%s goes to %s", f.name, plan.columns[i].column.Name)
		}
		if err := f.fits(col.Format.Type, f.links.available(rel)); err != nil {
			return fmt.Sprintf("%s: %v", f.name, err)
		}
	}
	return "no field"
}

// describeMapping says, in a dry run, which columns of table t the rows
// would fill: a dry run does not read the table, so only CODA_COLUMNS'
// pairs can be named.
func describeMapping(t Table) string {
	var mapped, left []string
	for _, m := range t.Columns {
		if m.Column == "" {
			left = append(left, m.Field)
		} else {
			mapped = append(mapped, fmt.Sprintf("%s (%s)", m.Column, m.Field))
		}
	}
	s := "filling the columns named after fields"
	if len(mapped) > 0 {
		s = "filling " + strings.Join(mapped, ", ") + " and the columns named after the other fields"
	}
	if len(left) > 0 {
		s += ", leaving out " + strings.Join(left, ", ")
	}
	return s + " (a dry run does not read the table: a real run names every column it fills and leaves empty)"
}

// tooLargeAdvice says what to do about row i, too large for Coda: leave
// out the field of its largest cell, or, when that is the subject, which
// every commit row needs, leave the commit out with EXCLUDE_COMMITS.
func (plan *tablePlan) tooLargeAdvice(i int) string {
	largest, size := -1, 0
	for j, c := range plan.rows[i].Cells {
		if n := cellSize(c.Value); n > size {
			largest, size = j, n
		}
	}
	if largest < 0 {
		return "Shorten its longest cells"
	}
	f := plan.columns[largest].field
	if src := plan.sources[i]; f.name == "subject" && src.entry != nil {
		// Unanchored: EXCLUDE_COMMITS matches the first line as written,
		// which starts with the type and scope the subject has lost.
		return fmt.Sprintf("Its subject alone is %d bytes: leave the commit out with EXCLUDE_COMMITS, a Go regular expression of subjects "+
			"and authors (such as '%s')", size, regexp.QuoteMeta(prefix(src.entry.Subject, 24)))
	}
	return fmt.Sprintf("Its %s cell is the largest (%d bytes): leave %s out (%s: '%s=')",
		f.name, size, f.name, plan.spec.Variable("COLUMNS"), f.name)
}

// cellSize is the size of a cell value as sent, in bytes of JSON.
func cellSize(v any) int {
	data, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(data)
}

// prefix is at most the first n bytes of s, cut on a character boundary.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
