package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// commitFields are the fields CODA_COLUMNS can map with ROW_PER=commit.
var commitFields = []string{
	"sha", "short_sha", "type", "scope", "subject", "body", "breaking", "breaking_note", "issues",
	"pull_request", "author", "author_email", "date", "url", "version", "build", "branch",
	"repository", "environment",
}

// releaseFields are the fields CODA_COLUMNS can map with ROW_PER=release:
// those that describe the release as a whole. sha, short_sha and url are the
// release's last commit; issues are every entry's issues.
var releaseFields = []string{
	"version", "previous_version", "date", "markdown", "count", "issues", "sha", "short_sha", "url",
	"build", "branch", "repository", "environment",
}

// fieldsFor lists the fields allowed with a ROW_PER value.
func fieldsFor(rowPer string) []string {
	if rowPer == rowPerRelease {
		return releaseFields
	}
	return commitFields
}

// kind is the shape of a field's value, which decides the columns it fits.
type kind int

const (
	kindText kind = iota
	kindNumber
	kindBool
	kindTime
	kindList
	kindPerson
)

// value is one field of one row before it is converted for a column.
type value struct {
	kind  kind
	text  string    // the text form, for text-like columns
	num   float64   // kindNumber
	flag  bool      // kindBool
	when  time.Time // kindTime
	list  []string  // kindList
	links []string  // URLs for link columns, one per item
	email string    // kindPerson, and author_email
	null  bool      // no value (a commit without pull request): the cell is cleared
}

func textValue(s string) value { return value{kind: kindText, text: s} }

func linkedText(s, link string) value {
	v := textValue(s)
	if link != "" {
		v.links = []string{link}
	}
	return v
}

func numberValue(n *int, link string) value {
	if n == nil {
		return value{kind: kindNumber, null: true}
	}
	v := value{kind: kindNumber, num: float64(*n), text: strconv.Itoa(*n)}
	if link != "" {
		v.links = []string{link}
	}
	return v
}

// row is what a row's values are taken from: a release, and one of its
// entries with ROW_PER=commit.
type row struct {
	rel   *changelog.Release
	entry *changelog.Entry
}

// fieldValue returns one field of a row. The field must be one of
// [fieldsFor] the row's kind.
func (r row) fieldValue(field string) value {
	rel, e := r.rel, r.entry
	switch field {
	case "version":
		return textValue(rel.Version)
	case "previous_version":
		return textValue(rel.PreviousVersion)
	case "build":
		return numberValue(rel.Build.Number, rel.Build.URL)
	case "branch":
		return textValue(rel.Build.Branch)
	case "repository":
		return linkedText(rel.Repository.FullName, rel.Repository.URL)
	case "environment":
		return textValue(rel.Build.DeploymentEnvironment)
	case "markdown":
		return textValue(rel.Markdown)
	case "count":
		n := len(rel.Entries)
		return numberValue(&n, "")
	}
	if e == nil {
		return r.releaseValue(field)
	}
	switch field {
	case "sha":
		return linkedText(e.SHA, e.URL)
	case "short_sha":
		return linkedText(e.ShortSHA, e.URL)
	case "type":
		return textValue(e.Type)
	case "scope":
		return textValue(e.Scope)
	case "subject":
		return textValue(e.Subject)
	case "body":
		return textValue(e.Body)
	case "breaking":
		return value{kind: kindBool, flag: e.Breaking, text: strconv.FormatBool(e.Breaking)}
	case "breaking_note":
		return textValue(e.BreakingNote)
	case "issues":
		return listValue(e.Issues, rel.IssueURL)
	case "pull_request":
		if e.PullRequest == nil {
			return numberValue(nil, "")
		}
		return numberValue(e.PullRequest, rel.PullRequestURL(*e.PullRequest))
	case "author":
		return value{kind: kindPerson, text: e.Author.Name, email: e.Author.Email}
	case "author_email":
		return value{kind: kindPerson, text: e.Author.Email, email: e.Author.Email}
	case "date":
		return value{kind: kindTime, when: e.Date}
	case "url":
		return linkedText(e.URL, e.URL)
	}
	panic("fieldValue: unknown field " + field) // parseColumns only lets known fields through
}

// releaseValue returns the fields of a release row that differ from a commit row's.
func (r row) releaseValue(field string) value {
	rel := r.rel
	switch field {
	case "sha":
		return linkedText(rel.To, rel.CommitURL(rel.To))
	case "short_sha":
		return linkedText(shortSHA(rel.To), rel.CommitURL(rel.To))
	case "url":
		u := rel.CommitURL(rel.To)
		return linkedText(u, u)
	case "date":
		return value{kind: kindTime, when: rel.Date}
	case "issues":
		var all []string
		seen := map[string]bool{}
		for _, e := range rel.Entries {
			for _, k := range e.Issues {
				if !seen[k] {
					seen[k] = true
					all = append(all, k)
				}
			}
		}
		return listValue(all, rel.IssueURL)
	}
	panic("releaseValue: unknown field " + field)
}

func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// listValue makes a list of keys, each with its link when link gives one.
func listValue(items []string, link func(string) string) value {
	v := value{kind: kindList, list: items, text: strings.Join(items, ", ")}
	for _, it := range items {
		if u := link(it); u != "" {
			v.links = append(v.links, u)
		}
	}
	if len(v.links) != len(items) {
		v.links = nil
	}
	return v
}

// linkable reports whether a field has URLs for link columns in this
// release: commits, pull requests and the repository need the repository,
// builds a build number, issues ISSUE_URL.
func linkable(field string, rel changelog.Release) bool {
	switch field {
	case "sha", "short_sha", "url", "pull_request", "repository":
		return rel.Repository.URL != ""
	case "build":
		return rel.Build.URL != ""
	case "issues":
		return rel.IssueURL("KEY-1") != ""
	}
	return false
}

// numberTypes are column formats that hold numbers.
var numberTypes = map[string]bool{"number": true, "percent": true, "currency": true, "slider": true, "scale": true}

// textTypes are column formats that take text as it is typed.
var textTypes = map[string]bool{"text": true, "select": true, "lookup": true, "canvas": true, "other": true}

// fits reports whether a value of kind k with links can go into a column of
// format t, and if not, why.
func fits(k kind, hasLinks bool, t string) error {
	switch {
	case textTypes[t]:
		return nil
	case numberTypes[t] && k == kindNumber, t == "checkbox" && k == kindBool,
		(t == "date" || t == "dateTime") && k == kindTime,
		(t == "person" || t == "email") && k == kindPerson,
		t == "link" && hasLinks:
		return nil
	}
	return fmt.Errorf("a %s column cannot hold this field", t)
}

// convert turns a field's value into the cell value a column of format f
// wants: numbers, booleans, YYYY-MM-DD dates and RFC 3339 date-times in the
// release's time zone, option text for selects, URLs for links, e-mail
// addresses for people, and arrays for multi-value columns.
func convert(v value, f coda.ColumnFormat) any {
	if v.null {
		return ""
	}
	switch {
	case f.Type == "checkbox":
		return v.flag
	case numberTypes[f.Type]:
		return v.num
	case f.Type == "date":
		return v.when.Format(time.DateOnly)
	case f.Type == "dateTime":
		return v.when.Format(time.RFC3339)
	case f.Type == "person" || f.Type == "email":
		return v.email
	case f.Type == "link" && f.IsArray:
		if v.links == nil {
			return []string{}
		}
		return v.links
	case f.Type == "link":
		if len(v.links) == 0 {
			return ""
		}
		return v.links[0]
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
