package codatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
)

// listRows serves GET /docs/{docId}/tables/{tableIdOrName}/rows.
func (c *call) listRows() result {
	d, t, res := c.table()
	if res != nil {
		return *res
	}
	p, res := c.pager(25, 500)
	if res != nil {
		return *res
	}
	vf := valueFormat(c.query.Get("valueFormat"))
	if !vf.valid() {
		return badRequest(fmt.Sprintf("Invalid valueFormat %q.", vf))
	}
	match, msg := parseRowQuery(t, c.query.Get("query"))
	if msg != "" {
		return badRequest(msg)
	}
	sorted, msg := sortRows(t.rowStore().rows, c.query.Get("sortBy"))
	if msg != "" {
		return badRequest(msg)
	}
	index := make(map[*row]int)
	for i, r := range t.rowStore().rows {
		index[r] = i
	}
	useNames := c.query.Get("useColumnNames") == "true"
	var items []rowJSON
	for _, r := range sorted {
		if seen := c.lagging(r); seen != nil && match(seen) {
			items = append(items, c.s.rowJSON(d, t, seen, index[r], useNames, vf))
		}
	}
	return jsonResult(http.StatusOK, paginate(c, p, items))
}

// sortRows returns rows ordered as sortBy asks.
func sortRows(rows []*row, sortBy string) ([]*row, string) {
	out := slices.Clone(rows)
	switch sortBy {
	case "", "createdAt":
		slices.SortStableFunc(out, func(a, b *row) int { return a.created.Compare(b.created) })
	case "updatedAt":
		slices.SortStableFunc(out, func(a, b *row) int { return a.updated.Compare(b.updated) })
	case "natural":
	default:
		return nil, fmt.Sprintf("Invalid sortBy %q.", sortBy)
	}
	return out, ""
}

// parseRowQuery parses a listRows query, `<column>:<JSON value>` where the
// column is an ID or a quoted name, into a row filter. The message is not
// empty when the query is invalid.
func parseRowQuery(t *table, q string) (func(*row) bool, string) {
	if q == "" {
		return func(*row) bool { return true }, ""
	}
	colRef, value, ok := splitRowQuery(q)
	if !ok {
		return nil, fmt.Sprintf("Invalid query %q: expected <column>:<JSON value>.", q)
	}
	col := t.column(colRef)
	if col == nil {
		return nil, fmt.Sprintf("Invalid query: unknown column %q.", colRef)
	}
	var want any
	if err := json.Unmarshal([]byte(value), &want); err != nil {
		return nil, fmt.Sprintf("Invalid query: value %s is not JSON (quote strings).", value)
	}
	key := simpleString(want)
	return func(r *row) bool { return simpleString(r.values[col.id]) == key }, ""
}

// splitRowQuery splits a query into its column reference and JSON value.
func splitRowQuery(q string) (colRef, value string, ok bool) {
	if strings.HasPrefix(q, `"`) {
		dec := json.NewDecoder(strings.NewReader(q))
		if err := dec.Decode(&colRef); err != nil {
			return "", "", false
		}
		rest := q[dec.InputOffset():]
		value, ok = strings.CutPrefix(rest, ":")
		return colRef, value, ok
	}
	return strings.Cut(q, ":")
}

// rowsUpsert is the RowsUpsert request body.
type rowsUpsert struct {
	Rows       []rowEdit `json:"rows"`
	KeyColumns []string  `json:"keyColumns,omitempty"`
}

// rowEdit is the RowEdit schema.
type rowEdit struct {
	Cells []cellEdit `json:"cells"`
}

// cellEdit is the CellEdit schema.
type cellEdit struct {
	Column string `json:"column"`
	Value  any    `json:"value"`
}

// upsertRows serves POST /docs/{docId}/tables/{tableIdOrName}/rows.
func (c *call) upsertRows() result {
	d, t, res := c.table()
	if res != nil {
		return *res
	}
	if t.base != nil {
		return badRequest(fmt.Sprintf("Row edits are not supported on views: %q is a view of table %q (%s).",
			t.name, t.base.name, t.base.id))
	}
	var body rowsUpsert
	if msg := decodeStrict(c.body, &body); msg != "" {
		return badRequest(msg)
	}
	if body.Rows == nil {
		return badRequest("Missing required field: rows.")
	}
	keys, msg := resolveKeyColumns(t, body.KeyColumns)
	if msg != "" {
		return badRequest(msg)
	}
	edits := make([]map[string]any, len(body.Rows))
	for i, re := range body.Rows {
		if edits[i], msg = resolveRowEdit(t, re, keys, i); msg != "" {
			return badRequest(msg)
		}
	}
	// Values are parsed when the write applies, against the doc as it is then.
	parsing := c.query.Get("disableParsing") != "true"
	out := mutateJSON{}
	if len(keys) == 0 {
		ids := make([]string, len(edits))
		for i := range ids {
			ids[i] = c.s.newID("i-")
		}
		out.AddedRowIDs = ids
		out.RequestID = c.s.enqueue(d, c.now, func(at time.Time) { insertRows(t, ids, d.parseEdits(t, edits, parsing), at) })
	} else {
		out.RequestID = c.s.enqueue(d, c.now, func(at time.Time) { c.s.upsertByKey(t, keys, d.parseEdits(t, edits, parsing), at) })
	}
	return jsonResult(http.StatusAccepted, out)
}

// decodeStrict decodes a JSON body into v, refusing unknown fields and
// trailing data; it returns a message saying what is wrong, or "".
func decodeStrict(body []byte, v any) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return "Invalid request body: " + err.Error()
	}
	if dec.More() {
		return "Invalid request body: trailing data."
	}
	return ""
}

// resolveKeyColumns resolves upsert key columns to table columns.
func resolveKeyColumns(t *table, refs []string) ([]*column, string) {
	var keys []*column
	for _, ref := range refs {
		col := t.column(columnKey(ref))
		switch {
		case col == nil:
			return nil, fmt.Sprintf("Unknown key column %q.", ref)
		case col.calculated:
			return nil, fmt.Sprintf("Cannot use formula column %q as a key column.", col.name)
		}
		keys = append(keys, col)
	}
	return keys, ""
}

// columnKey returns the ID or name a column reference holds; a column URL
// gives its last path segment.
func columnKey(ref string) string {
	if !strings.HasPrefix(ref, "http://") && !strings.HasPrefix(ref, "https://") {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	segs := strings.Split(strings.TrimSuffix(u.EscapedPath(), "/"), "/")
	last, err := url.PathUnescape(segs[len(segs)-1])
	if err != nil {
		return ref
	}
	return last
}

// resolveRowEdit checks row i of an upsert and returns its cells keyed by
// column ID.
func resolveRowEdit(t *table, re rowEdit, keys []*column, i int) (map[string]any, string) {
	if re.Cells == nil {
		return nil, fmt.Sprintf("Row %d: missing required field: cells.", i)
	}
	if size := rowSize(re); size > MaxRowBytes {
		return nil, fmt.Sprintf("Row edit of size %d KB exceeds maximum size of %d KB.",
			ceilDiv(size, 1000), MaxRowBytes/1000)
	}
	cells := make(map[string]any, len(re.Cells))
	for _, ce := range re.Cells {
		col := t.column(columnKey(ce.Column))
		switch {
		case col == nil:
			return nil, fmt.Sprintf("Row %d: unknown column %q.", i, ce.Column)
		case col.calculated:
			return nil, fmt.Sprintf("Cannot write to formula column %q.", col.name)
		case !validValue(ce.Value, 0):
			return nil, fmt.Sprintf("Row %d: invalid value for column %q: want a string, number, boolean or an array of them.", i, col.name)
		}
		cells[col.id] = ce.Value
	}
	for _, k := range keys {
		if _, ok := cells[k.id]; !ok {
			return nil, fmt.Sprintf("Row %d: no value for key column %q.", i, k.name)
		}
	}
	return cells, ""
}

// validValue reports whether v is a Coda cell value: a scalar, or an array of
// scalars or of arrays of scalars.
func validValue(v any, depth int) bool {
	switch v := v.(type) {
	case string, float64, bool:
		return true
	case []any:
		if depth >= 2 {
			return false
		}
		for _, e := range v {
			if !validValue(e, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// rowSize returns Coda's size of a row edit: 2 bytes per UTF-16 code unit of
// its JSON encoding (as JavaScript encodes it: no HTML escaping).
func rowSize(re rowEdit) int {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(re); err != nil {
		return 0
	}
	js := strings.TrimSuffix(buf.String(), "\n")
	return 2 * len(utf16.Encode([]rune(js)))
}

// ceilDiv returns a/b rounded up.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// parseEdits returns the cells of edits, keyed by column ID, in their stored
// form (see [doc.parseCell]).
func (d *doc) parseEdits(t *table, edits []map[string]any, parsing bool) []map[string]any {
	out := make([]map[string]any, len(edits))
	for i, cells := range edits {
		out[i] = make(map[string]any, len(cells))
		for id, v := range cells {
			out[i][id] = d.parseCell(t.column(id), v, parsing)
		}
	}
	return out
}

// insertRows appends new rows with ids holding edits.
func insertRows(t *table, ids []string, edits []map[string]any, at time.Time) {
	for i, cells := range edits {
		t.rows = append(t.rows, &row{id: ids[i], values: cloneValues(cells), created: at, updated: at})
	}
	if len(edits) > 0 {
		t.updated = at
	}
}

// upsertByKey updates every row whose key cells equal an edit's, or inserts
// the edit as a new row when none does. Rows are found through an index of
// their key values, so that a large upsert into a large table stays quick.
func (s *Server) upsertByKey(t *table, keys []*column, edits []map[string]any, at time.Time) {
	index := make(map[string][]*row, len(t.rows))
	for _, r := range t.rows {
		k := keyOf(r.values, keys)
		index[k] = append(index[k], r)
	}
	for _, cells := range edits {
		k := keyOf(cells, keys)
		for _, r := range index[k] {
			if lag := s.cfg.readLag; lag > 0 && at.Sub(r.updated) >= lag {
				r.before = cloneValues(r.values) // what the lagging copy still shows
			}
			copyCells(r.values, cells)
			r.updated = at
		}
		if len(index[k]) == 0 {
			insertRows(t, []string{s.newID("i-")}, []map[string]any{cells}, at)
			index[k] = []*row{t.rows[len(t.rows)-1]}
		}
	}
	t.updated = at
}

// keyOf is the key cells of values, compared as text, as one string.
func keyOf(values map[string]any, keys []*column) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(simpleString(values[k.id]))
		b.WriteByte(0)
	}
	return b.String()
}

// copyCells copies cells into dst.
func copyCells(dst, cells map[string]any) {
	for k, v := range cells {
		dst[k] = cloneValue(v)
	}
}

// row returns the doc, table and row named in the path, or a 404. A row is
// found by ID or, failing that, by its display value.
func (c *call) row() (*doc, *table, *row, *result) {
	d, t, res := c.table()
	if res != nil {
		return nil, nil, nil, res
	}
	rows := t.rowStore().rows
	key := c.segs[5]
	if r := byIDOrName(rows, key, func(r *row) (string, string) { return r.id, rowName(t, r) }); r != nil {
		return d, t, r, nil
	}
	nf := notFound(fmt.Sprintf("Row %q not found.", key))
	return nil, nil, nil, &nf
}

// getRow serves GET /docs/{docId}/tables/{tableIdOrName}/rows/{rowIdOrName}.
func (c *call) getRow() result {
	d, t, r, res := c.row()
	if res != nil {
		return *res
	}
	vf := valueFormat(c.query.Get("valueFormat"))
	if !vf.valid() {
		return badRequest(fmt.Sprintf("Invalid valueFormat %q.", vf))
	}
	index := slices.Index(t.rowStore().rows, r)
	if r = c.lagging(r); r == nil {
		return notFound(fmt.Sprintf("Row %q not found.", c.segs[5]))
	}
	rj := c.s.rowJSON(d, t, r, index, c.query.Get("useColumnNames") == "true", vf)
	parent := c.s.tableRef(d, t)
	rj.Parent = &parent
	return jsonResult(http.StatusOK, rj)
}

// lagging is row r as a read of the call sees it: with [WithReadLag] and
// unless the read asks for the latest version, from the lagging copy (nil
// when r was created too recently to be in it).
func (c *call) lagging(r *row) *row {
	lag := c.s.cfg.readLag
	if lag <= 0 || c.r.Header.Get(docVersionHeader) == "latest" {
		return r
	}
	switch {
	case c.now.Sub(r.created) < lag:
		return nil
	case c.now.Sub(r.updated) < lag && r.before != nil:
		return &row{id: r.id, values: r.before, created: r.created, updated: r.created}
	}
	return r
}

// deleteRow serves DELETE /docs/{docId}/tables/{tableIdOrName}/rows/{rowIdOrName}:
// the row goes when the write applies. With [WithRowDeletesForbidden] it
// answers 403 and deletes nothing.
func (c *call) deleteRow() result {
	if c.s.cfg.forbidRowDeletes {
		return errorResult(http.StatusForbidden, "The API token does not grant access to this resource.")
	}
	d, t, r, res := c.row()
	if res != nil {
		return *res
	}
	store := t.rowStore()
	id := c.s.enqueue(d, c.now, func(at time.Time) {
		if i := slices.Index(store.rows, r); i >= 0 {
			store.rows = slices.Delete(store.rows, i, i+1)
			store.updated = at
		}
	})
	return jsonResult(http.StatusAccepted, mutateJSON{RequestID: id, ID: r.id})
}
