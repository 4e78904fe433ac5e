package codatest

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// doc is a stored doc.
type doc struct {
	id, name    string
	created     time.Time
	people      []Person
	tables      []*table // base tables and views, in declaration order
	pages       []*page
	automations []*automation
}

// table is a stored base table or view.
type table struct {
	id, name string
	base     *table    // the base table of a view; nil for a base table
	columns  []*column // a view's columns are shared with its base table
	rows     []*row    // only on base tables
	created  time.Time
	updated  time.Time
}

// column is a stored column.
type column struct {
	id, name, typ                string
	isArray, calculated, display bool
	options                      []string
	target                       string // a lookup's target table ID; "" for other types
}

// row is a stored row; values are keyed by column ID.
type row struct {
	id      string
	values  map[string]any
	created time.Time
	updated time.Time
	// before is what a read lagging by [WithReadLag] shows of a row
	// updated since: its values before.
	before map[string]any
}

// page is a stored canvas page.
type page struct {
	id, name, subtitle string
	hidden             bool
	elems              []element
	created, updated   time.Time
}

// automation is a stored webhook automation rule.
type automation struct {
	id       string
	off      bool
	payloads []json.RawMessage
}

// mutation is an accepted write.
type mutation struct {
	id       string
	doc      *doc
	accepted time.Time
	applyAt  time.Time
	applied  bool
	apply    func(t time.Time)
}

// newID returns a fresh ID with prefix, unique within the server.
func (s *Server) newID(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	s.nextID++
	n := s.nextID
	b := make([]byte, 7)
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = alphabet[n%len(alphabet)]
		n /= len(alphabet)
	}
	return prefix + string(b)
}

// orID returns id, or a fresh ID with prefix when id is empty.
func (s *Server) orID(id, prefix string) string {
	if id != "" {
		return id
	}
	return s.newID(prefix)
}

// AddDoc stores d and returns it with generated IDs filled in, views' BaseTable
// set to the base table ID and row values keyed by column ID. It panics on an
// inconsistent seed: a doc ID already in use, a view of an unknown table, a
// view with rows or unknown columns, or a row value for an unknown column.
func (s *Server) AddDoc(d Doc) Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := now()
	if d.ID != "" && s.doc(d.ID) != nil {
		panic(fmt.Sprintf("codatest: doc %q added twice", d.ID))
	}
	sd := &doc{id: s.orID(d.ID, "d"), name: d.Name, created: t, people: slices.Clone(d.People)}
	d.ID = sd.id
	d.Tables = slices.Clone(d.Tables)
	for i := range d.Tables {
		d.Tables[i] = s.seedTable(sd, d.Tables[i], t)
	}
	for _, st := range sd.tables {
		resolveTargets(sd, st)
	}
	for i, st := range sd.tables {
		d.Tables[i].Columns = exportColumns(st.columns)
	}
	d.Pages = slices.Clone(d.Pages)
	for i, p := range d.Pages {
		sp := &page{id: s.orID(p.ID, "canvas-"), name: p.Name, created: t, updated: t}
		sp.elems = s.parseContent("markdown", p.Markdown)
		sd.pages = append(sd.pages, sp)
		d.Pages[i].ID = sp.id
	}
	d.Automations = slices.Clone(d.Automations)
	for i, a := range d.Automations {
		sa := &automation{id: s.orID(a.ID, "rule-"), off: a.Off}
		sd.automations = append(sd.automations, sa)
		d.Automations[i].ID = sa.id
	}
	s.docs = append(s.docs, sd)
	return d
}

// seedTable stores tb in sd and returns it as stored.
func (s *Server) seedTable(sd *doc, tb Table, t time.Time) Table {
	st := &table{name: tb.Name, created: t, updated: t}
	if tb.View {
		st.id = s.orID(tb.ID, "table-")
		st.base = sd.table(tb.BaseTable)
		if st.base == nil || st.base.base != nil {
			panic(fmt.Sprintf("codatest: view %q: no base table %q", tb.Name, tb.BaseTable))
		}
		if len(tb.Rows) > 0 {
			panic(fmt.Sprintf("codatest: view %q: seed rows on its base table", tb.Name))
		}
		tb.BaseTable = st.base.id
		st.columns = viewColumns(st.base, tb.Columns)
	} else {
		st.id = s.orID(tb.ID, "grid-")
		for _, c := range tb.Columns {
			st.columns = append(st.columns, s.seedColumn(c))
		}
		if len(st.columns) > 0 && !slices.ContainsFunc(st.columns, func(c *column) bool { return c.display }) {
			st.columns[0].display = true
		}
	}
	tb.ID = st.id
	tb.Columns = exportColumns(st.columns)
	tb.Rows = slices.Clone(tb.Rows)
	for i, r := range tb.Rows {
		sr := &row{id: s.orID(r.ID, "i-"), values: map[string]any{}, created: t, updated: t}
		for k, v := range r.Values {
			c := st.column(k)
			if c == nil {
				panic(fmt.Sprintf("codatest: table %q: row value for unknown column %q", tb.Name, k))
			}
			sr.values[c.id] = normalize(v)
		}
		st.rows = append(st.rows, sr)
		tb.Rows[i] = Row{ID: sr.id, Values: cloneValues(sr.values)}
	}
	sd.tables = append(sd.tables, st)
	return tb
}

// resolveTargets sets the target table ID of t's lookup columns, once every
// table of sd is stored.
func resolveTargets(sd *doc, t *table) {
	if t.base != nil {
		return // a view shares its base table's columns
	}
	for _, c := range t.columns {
		if c.typ != "lookup" {
			continue
		}
		target := t
		if c.target != "" {
			target = sd.table(c.target)
			if target == nil {
				panic(fmt.Sprintf("codatest: lookup column %q: no table %q", c.name, c.target))
			}
		}
		c.target = target.rowStore().id
	}
}

// seedColumn stores a base table column.
func (s *Server) seedColumn(c Column) *column {
	typ := c.Type
	if typ == "" {
		typ = "text"
	}
	sc := &column{
		id: s.orID(c.ID, "c-"), name: c.Name, typ: typ,
		isArray: c.IsArray, calculated: c.Calculated, display: c.Display,
		options: slices.Clone(c.Options),
	}
	if sc.typ == "lookup" {
		sc.target = c.Table
	}
	return sc
}

// viewColumns returns the columns of base named by want, or all of them.
func viewColumns(base *table, want []Column) []*column {
	if len(want) == 0 {
		return slices.Clone(base.columns)
	}
	var out []*column
	for _, w := range want {
		ref := w.ID
		if ref == "" {
			ref = w.Name
		}
		c := base.column(ref)
		if c == nil {
			panic(fmt.Sprintf("codatest: view column %q is not in base table %q", ref, base.name))
		}
		out = append(out, c)
	}
	return out
}

// exportColumns returns cs as seed columns.
func exportColumns(cs []*column) []Column {
	out := make([]Column, len(cs))
	for i, c := range cs {
		out[i] = Column{ID: c.id, Name: c.name, Type: c.typ, IsArray: c.isArray,
			Calculated: c.calculated, Display: c.display, Options: slices.Clone(c.options), Table: c.target}
	}
	return out
}

// normalize turns a Go value into what decoding its JSON gives: float64
// numbers, []any slices.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic("codatest: cell value: " + err.Error())
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic("codatest: cell value: " + err.Error())
	}
	return out
}

// doc returns the doc with id, or nil.
func (s *Server) doc(id string) *doc {
	for _, d := range s.docs {
		if d.id == id {
			return d
		}
	}
	return nil
}

// table returns the table or view with that ID or name, or nil. IDs win over
// names.
func (d *doc) table(idOrName string) *table {
	return byIDOrName(d.tables, idOrName, func(t *table) (string, string) { return t.id, t.name })
}

// page returns the page with that ID or name, or nil.
func (d *doc) page(idOrName string) *page {
	return byIDOrName(d.pages, idOrName, func(p *page) (string, string) { return p.id, p.name })
}

// automation returns the rule with id, or nil.
func (d *doc) automation(id string) *automation {
	return byIDOrName(d.automations, id, func(a *automation) (string, string) { return a.id, "" })
}

// column returns the column with that ID or name, or nil.
func (t *table) column(idOrName string) *column {
	return byIDOrName(t.columns, idOrName, func(c *column) (string, string) { return c.id, c.name })
}

// rowStore returns the base table holding t's rows.
func (t *table) rowStore() *table {
	if t.base != nil {
		return t.base
	}
	return t
}

// displayColumn returns the display column of t, or nil when it has no columns.
func (t *table) displayColumn() *column {
	for _, c := range t.rowStore().columns {
		if c.display {
			return c
		}
	}
	return nil
}

// byIDOrName returns the element of xs whose ID is key or, failing that, the
// first whose name is key.
func byIDOrName[T any](xs []T, key string, idName func(T) (string, string)) T {
	var zero T
	for _, x := range xs {
		if id, _ := idName(x); id == key {
			return x
		}
	}
	for _, x := range xs {
		if _, name := idName(x); name != "" && name == key {
			return x
		}
	}
	return zero
}

// enqueue accepts a write to d at t that apply carries out after the write
// delay, and returns its request ID.
func (s *Server) enqueue(d *doc, t time.Time, apply func(t time.Time)) string {
	m := &mutation{id: s.newRequestID(), doc: d, accepted: t, applyAt: t.Add(s.cfg.writeDelay), apply: apply}
	s.mutations[m.id] = m
	s.queue = append(s.queue, m)
	return m.id
}

// newRequestID returns a fresh mutation request ID.
func (s *Server) newRequestID() string {
	s.nextID++
	return fmt.Sprintf("mutate-%04x-%08x", s.nextID, uint32(s.nextID)*2654435761)
}

// applyDue applies, in acceptance order, every queued write due at t.
func (s *Server) applyDue(t time.Time) {
	for len(s.queue) > 0 && !s.queue[0].applyAt.After(t) {
		m := s.queue[0]
		s.queue = s.queue[1:]
		m.apply(m.applyAt)
		m.applied = true
	}
}

// pending reports whether a write to d is queued.
func (s *Server) pending(d *doc) bool {
	for _, m := range s.queue {
		if m.doc == d {
			return true
		}
	}
	return false
}

// Rows returns the applied rows of a table or view (by ID or name) in insertion
// order, or nil when there is no such table. Values are keyed by column ID and
// shown as the simpleWithArrays value format shows them: a person by name, a
// lookup by the row's display value, a date as ISO 8601, a formula by its
// result. Read a row with valueFormat=rich to see how a cell was stored.
func (s *Server) Rows(docID, table string) []Row {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyDue(now())
	t := s.lookupTable(docID, table)
	if t == nil {
		return nil
	}
	var out []Row
	for _, r := range t.rowStore().rows {
		vals := make(map[string]any, len(r.values))
		for k, v := range r.values {
			vals[k] = withArrays(v)
		}
		out = append(out, Row{ID: r.id, Values: vals})
	}
	return out
}

// PageMarkdown returns the applied content of a page (by ID or name) as
// Markdown, or "" when there is no such page.
func (s *Server) PageMarkdown(docID, page string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.appliedPage(docID, page)
	if p == nil {
		return ""
	}
	return renderMarkdown(p.elems)
}

// appliedPage returns a page with every write due applied, or nil. The
// caller holds s.mu.
func (s *Server) appliedPage(docID, page string) *page {
	s.applyDue(now())
	d := s.doc(docID)
	if d == nil {
		return nil
	}
	return d.page(page)
}

// PageElement is one element of a page's applied content.
type PageElement struct {
	ID    string // "cl-…"
	Style string // h1, paragraph, bulletedList, …
	Text  string // plain text
}

// PageElements returns the applied content of a page (by ID or name), one
// element per line or block, or nil when there is no such page.
func (s *Server) PageElements(docID, page string) []PageElement {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.appliedPage(docID, page)
	if p == nil {
		return nil
	}
	out := make([]PageElement, len(p.elems))
	for i, e := range p.elems {
		out[i] = PageElement{ID: e.id, Style: e.style, Text: e.text}
	}
	return out
}

// AutomationPayloads returns the payloads a rule received, oldest first, once
// their triggers were applied.
func (s *Server) AutomationPayloads(docID, rule string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyDue(now())
	d := s.doc(docID)
	if d == nil {
		return nil
	}
	a := d.automation(rule)
	if a == nil {
		return nil
	}
	out := make([]json.RawMessage, len(a.payloads))
	for i, p := range a.payloads {
		out[i] = append(json.RawMessage(nil), p...)
	}
	return out
}

// lookupTable returns a table of a doc, or nil.
func (s *Server) lookupTable(docID, table string) *table {
	d := s.doc(docID)
	if d == nil {
		return nil
	}
	return d.table(table)
}
