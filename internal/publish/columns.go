package publish

import (
	"fmt"
	"strings"
	"time"

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
