package codatest

import "encoding/json"

// Doc seeds a Coda doc with [Server.AddDoc]. Empty IDs are generated with the
// prefix Coda uses.
type Doc struct {
	ID   string
	Name string
	// People are the doc's members: a person cell written with parsing
	// resolves only to one of them.
	People      []Person
	Tables      []Table
	Pages       []Page
	Automations []Automation
}

// Table seeds a base table or, with View set, a view of the base table named by
// BaseTable (its ID or name, declared earlier in the same doc). A view's Columns,
// when set, name a subset of the base table's columns by ID or name; empty means
// all of them. A view shares its base table's rows, so its Rows must be empty.
// Base table IDs start with "grid-", view IDs with "table-".
type Table struct {
	ID        string
	Name      string
	View      bool
	BaseTable string
	Columns   []Column
	Rows      []Row
}

// Person is a member of a doc, known by name and e-mail address.
type Person struct {
	Name, Email string
}

// Column seeds a table column. Type is a Coda column format type such as
// "text" (the default), "number", "checkbox", "date", "dateTime", "select",
// "link", "person" or "lookup". IsArray marks a multi-value column, Calculated a
// formula column the API refuses to write, and Display the display column
// (default: the first column). Options lists the choices of a select column.
// Table names the target table of a lookup column (its ID or name, in the
// same doc; default: the column's own table); [Server.AddDoc] returns it as
// the target's ID. Other column types ignore it.
type Column struct {
	ID         string
	Name       string
	Type       string
	IsArray    bool
	Calculated bool
	Display    bool
	Options    []string
	Table      string
}

// Row is a table row. Values are keyed by column ID (a seeded row may use column
// names; [Server.AddDoc] returns them keyed by ID) and hold JSON-like values:
// string, float64 or other numbers, bool, or slices of those.
type Row struct {
	ID     string
	Values map[string]any
}

// Page seeds a canvas page holding Markdown.
type Page struct {
	ID       string
	Name     string
	Markdown string
}

// Automation seeds a webhook-invoked automation rule; Off makes the API refuse
// to trigger it with a 422.
type Automation struct {
	ID  string
	Off bool
}

// cloneValues returns a copy of the map m deep enough that callers cannot
// change stored cells.
func cloneValues(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

// cloneValue copies slices inside a cell value.
func cloneValue(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	case json.RawMessage:
		return append(json.RawMessage(nil), v...)
	default:
		return v
	}
}
