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

// columnClasses is the class of every column type the pipe can write.
var columnClasses = map[coda.ColumnType]columnClass{
	coda.ColumnText: classText, coda.ColumnSelect: classText, coda.ColumnLookup: classText,
	coda.ColumnCanvas: classText, coda.ColumnOther: classText,
	coda.ColumnNumber: classNumber, coda.ColumnPercent: classNumber, coda.ColumnCurrency: classNumber,
	coda.ColumnSlider: classNumber, coda.ColumnScale: classNumber,
	coda.ColumnCheckbox: classCheckbox,
	coda.ColumnDate:     classDate, coda.ColumnDateTime: classDate,
	coda.ColumnPerson: classPerson, coda.ColumnEmail: classPerson,
	coda.ColumnLink: classLink,
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
	switch class := columnClasses[t]; {
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
	switch columnClasses[f.Type] {
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
