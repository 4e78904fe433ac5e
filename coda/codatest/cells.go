package codatest

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// This file holds how cells are stored and shown: values written with
// parsing become typed cells, and reads render cells per valueFormat. The
// model follows what Coda's users report (see the package documentation).

// personCell is a person cell that resolved to a doc member.
type personCell struct{ name, email string }

// rowRefCell is a lookup cell that resolved to a row of the target table.
type rowRefCell struct {
	doc   *doc
	table *table
	row   *row
}

// dateCell is a date or date-time cell. The fake's docs are all in UTC.
type dateCell struct{ t time.Time }

// formulaCell is a text cell written as "=…": Coda turns it into a formula.
// value is its result, a float64, or formulaError when it does not evaluate.
type formulaCell struct {
	text  string
	value any
}

// formulaError is the value of a formula the fake cannot evaluate.
const formulaError = "#ERROR!"

// numericTypes are the column types whose cells parse numbers.
var numericTypes = map[string]bool{"number": true, "percent": true, "currency": true, "slider": true, "scale": true}

// parseCell returns the stored form of value v written to column c of a
// table in d. Without parsing, or for a value that is not a string, the value
// is stored as sent. With parsing, a string is read as if typed into the
// cell: see the package documentation.
func (d *doc) parseCell(c *column, v any, parsing bool) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = d.parseCell(c, e, parsing)
		}
		return out
	case string:
		if parsing {
			return d.parseText(c, v)
		}
	}
	return cloneValue(v)
}

// parseText parses s as typed into column c; it stays text when it does not
// resolve.
func (d *doc) parseText(c *column, s string) any {
	trimmed := strings.TrimSpace(s)
	if trimmed == "" {
		return s // a blank value resolves to nothing
	}
	switch {
	case c.typ == "person":
		for _, p := range d.people {
			if trimmed == p.Email || trimmed == p.Name { // exact text, as users report
				return personCell{name: p.Name, email: p.Email}
			}
		}
	case c.typ == "lookup":
		target := d.table(c.target)
		if target == nil {
			return s
		}
		store := target.rowStore()
		if r := byIDOrName(store.rows, trimmed, func(r *row) (string, string) { return r.id, rowName(store, r) }); r != nil {
			return rowRefCell{doc: d, table: store, row: r}
		}
	case c.typ == "checkbox":
		if strings.EqualFold(trimmed, "true") || strings.EqualFold(trimmed, "false") {
			return strings.EqualFold(trimmed, "true")
		}
	case numericTypes[c.typ]:
		if f, err := strconv.ParseFloat(trimmed, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	case c.typ == "date" || c.typ == "dateTime":
		if t, err := time.Parse(time.DateOnly, trimmed); err == nil {
			return dateCell{t: t}
		}
		if t, err := time.Parse(time.RFC3339, trimmed); err == nil {
			t = t.UTC() // the doc's zone: the day may change
			if c.typ == "date" {
				t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			}
			return dateCell{t: t}
		}
	case c.typ == "text" && strings.HasPrefix(trimmed, "="):
		return formulaCell{text: trimmed, value: evalFormula(trimmed[1:])}
	}
	return s
}

// evalFormula evaluates an integer expression of +, - and * (integers may be
// signed), with the usual precedence and no parentheses, as a float64;
// anything else gives [formulaError].
func evalFormula(expr string) any {
	var nums []int64
	var ops []byte
	s := strings.TrimSpace(expr)
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		end := 0
		if end < len(s) && (s[end] == '-' || s[end] == '+') {
			end++
		}
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		n, err := strconv.ParseInt(s[:end], 10, 64)
		if err != nil {
			return formulaError
		}
		nums = append(nums, n)
		s = strings.TrimLeftFunc(s[end:], unicode.IsSpace)
		if s == "" {
			break
		}
		if !strings.ContainsRune("+-*", rune(s[0])) {
			return formulaError
		}
		ops = append(ops, s[0])
		s = s[1:]
	}
	// Multiply first, then add and subtract left to right.
	terms := []int64{nums[0]}
	signs := []byte{'+'}
	for i, op := range ops {
		if op == '*' {
			terms[len(terms)-1] *= nums[i+1]
			continue
		}
		terms = append(terms, nums[i+1])
		signs = append(signs, op)
	}
	var sum int64
	for i, t := range terms {
		if signs[i] == '-' {
			sum -= t
		} else {
			sum += t
		}
	}
	return float64(sum)
}

// simpleString renders a cell as text, as the simple value format shows it;
// arrays become comma-separated.
func simpleString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = simpleString(e)
		}
		return strings.Join(parts, ",")
	}
	return simpleString(simpleScalar(v))
}

// simpleScalar returns a scalar cell as simpleWithArrays shows it.
func simpleScalar(v any) any {
	switch v := v.(type) {
	case personCell:
		return v.name
	case rowRefCell:
		return rowName(v.table, v.row)
	case dateCell:
		return dateJSON(v.t)
	case formulaCell:
		return v.value
	case float64, bool, string:
		return v
	}
	return simpleString(normalize(v))
}

// rowName is the display name of row r of t: its display column as text.
func rowName(t *table, r *row) string {
	if c := t.displayColumn(); c != nil {
		return simpleString(r.values[c.id])
	}
	return ""
}

// dateJSON formats a date cell as Coda returns dates: ISO 8601 with the doc's
// offset (always UTC here).
func dateJSON(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-07:00") }

// valueFormat is a valueFormat query parameter.
type valueFormat string

// valid reports whether f is a known value format ("" means simple).
func (f valueFormat) valid() bool {
	return f == "" || f == "simple" || f == "simpleWithArrays" || f == "rich"
}

// render returns a stored cell as f shows it. Empty cells are "".
func (s *Server) render(f valueFormat, v any) any {
	switch {
	case v == nil:
		return ""
	case f == "rich":
		return s.richValue(v)
	case f == "simpleWithArrays":
		return withArrays(v)
	}
	if _, ok := v.([]any); ok {
		return simpleString(v)
	}
	return simpleScalar(v)
}

// withArrays renders v for simpleWithArrays: arrays stay arrays.
func withArrays(v any) any {
	if a, ok := v.([]any); ok {
		out := make([]any, len(a))
		for i, e := range a {
			out[i] = withArrays(e)
		}
		return out
	}
	return simpleScalar(v)
}

// richValue renders v for the rich format: plain text wrapped in triple
// backticks, people as schema.org Person objects, lookups as StructuredValue
// row references, numbers, booleans and dates as in simple.
func (s *Server) richValue(v any) any {
	switch v := v.(type) {
	case string:
		return "```" + v + "```"
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = s.richValue(e)
		}
		return out
	case personCell:
		return map[string]any{"@context": schemaContext, "@type": "Person", "name": v.name, "email": v.email}
	case rowRefCell:
		tableURL := s.tableBrowserLink(v.doc, v.table)
		return map[string]any{
			"@context": schemaContext, "@type": "StructuredValue", "additionalType": "row",
			"name": rowName(v.table, v.row), "rowId": v.row.id, "tableId": v.table.id,
			"tableUrl": tableURL, "url": tableURL + "/_ru" + v.row.id,
		}
	case formulaCell:
		if text, ok := v.value.(string); ok {
			return "```" + text + "```"
		}
		return v.value
	}
	return simpleScalar(v)
}

// schemaContext is the JSON-LD context of rich values.
const schemaContext = "http://schema.org/"
