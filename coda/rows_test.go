package coda

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

func TestRowSize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		js   string
		want int
	}{
		{js: `{"cells":[]}`, want: 24},
		{js: `"é"`, want: 6},    // one UTF-16 unit, two UTF-8 bytes
		{js: `"漢"`, want: 6},    // one UTF-16 unit, three UTF-8 bytes
		{js: `"😀"`, want: 8},    // a surrogate pair
		{js: `"a<b"`, want: 10}, // not escaped by marshalJSON
	} {
		require.Equal(t, tc.want, rowSize([]byte(tc.js)), tc.js)
	}
	b, err := marshalJSON(RowEdit{Cells: []CellEdit{{Column: "c-1", Value: "a<b&c"}}})
	require.NoError(t, err)
	require.Equal(t, `{"cells":[{"column":"c-1","value":"a<b&c"}]}`, string(b))
}

func TestSplitRows(t *testing.T) {
	t.Parallel()
	rows := func(sizes ...int) [][]byte {
		var out [][]byte
		for _, n := range sizes {
			out = append(out, []byte(strings.Repeat("x", n)))
		}
		return out
	}
	shape := func(batches []rowBatch) []string {
		var out []string
		for _, b := range batches {
			var sizes []string
			for _, r := range b.rows {
				sizes = append(sizes, fmt.Sprint(len(r)))
			}
			out = append(out, fmt.Sprintf("@%d:%s", b.first, strings.Join(sizes, ",")))
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		rows     [][]byte
		maxRows  int
		maxBytes int
		want     []string
	}{
		{name: "none", rows: nil, maxRows: 2, maxBytes: 100, want: nil},
		{name: "by count", rows: rows(1, 1, 1, 1, 1), maxRows: 2, maxBytes: 100, want: []string{"@0:1,1", "@2:1,1", "@4:1"}},
		{name: "by bytes with commas", rows: rows(4, 4, 4), maxRows: 10, maxBytes: 9, want: []string{"@0:4,4", "@2:4"}},
		{name: "exact fit", rows: rows(4, 4), maxRows: 10, maxBytes: 8, want: []string{"@0:4", "@1:4"}},
		{name: "oversized row alone", rows: rows(2, 20, 2), maxRows: 10, maxBytes: 10, want: []string{"@0:2", "@1:20", "@2:2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, shape(splitRows(tc.rows, tc.maxRows, tc.maxBytes))); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
		})
	}
}

// rowsServer answers row writes with 202 and one request ID per request,
// and records their bodies.
type rowsServer struct {
	mu     sync.Mutex
	bodies []string
	paths  []string
	query  []url.Values
}

func (s *rowsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Rows       []json.RawMessage `json:"rows"`
		KeyColumns []string          `json:"keyColumns"`
	}
	b, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(b, &body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(b))
	s.paths = append(s.paths, r.Method+" "+r.URL.EscapedPath())
	s.query = append(s.query, r.URL.Query())
	n := len(s.bodies)
	s.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	if len(body.KeyColumns) == 0 {
		fmt.Fprintf(w, `{"requestId":"req-%d","addedRowIds":["i-%d"]}`, n, n)
		return
	}
	fmt.Fprintf(w, `{"requestId":"req-%d"}`, n)
}

func versionRows(n int) []RowEdit {
	rows := make([]RowEdit, n)
	for i := range rows {
		rows[i] = RowEdit{Cells: []CellEdit{{Column: "c-version", Value: fmt.Sprintf("v1.%d.0", i)}, {Column: "c-notes", Value: "fix: <b> & more"}}}
	}
	return rows
}

func TestUpsertRowsRequests(t *testing.T) {
	t.Parallel()
	s := &rowsServer{}
	c := newTestClient(t, s, withBatchLimits(2, 1_000_000))
	muts, err := c.UpsertRows(t.Context(), "doc1", "grid-1", versionRows(5), []string{"c-version"})
	require.NoError(t, err)
	require.Len(t, muts, 3)
	for i, m := range muts {
		require.Equal(t, fmt.Sprintf("req-%d", i+1), m.RequestID)
		require.False(t, m.At.IsZero())
	}
	require.Equal(t, []string{"POST /docs/doc1/tables/grid-1/rows", "POST /docs/doc1/tables/grid-1/rows", "POST /docs/doc1/tables/grid-1/rows"}, s.paths)
	require.Equal(t, url.Values{"disableParsing": {"true"}}, s.query[0])
	require.JSONEq(t, `{"rows":[
		{"cells":[{"column":"c-version","value":"v1.0.0"},{"column":"c-notes","value":"fix: <b> & more"}]},
		{"cells":[{"column":"c-version","value":"v1.1.0"},{"column":"c-notes","value":"fix: <b> & more"}]}],
		"keyColumns":["c-version"]}`, s.bodies[0])
	require.Contains(t, s.bodies[2], `"v1.4.0"`)
}

func TestInsertRowsRequests(t *testing.T) {
	t.Parallel()
	s := &rowsServer{}
	c := newTestClient(t, s)
	muts, err := c.InsertRows(t.Context(), "doc1", "Release notes", versionRows(1), WithValueParsing())
	require.NoError(t, err)
	require.Equal(t, []Mutation{{RequestID: "req-1", AddedRowIDs: []string{"i-1"}, At: muts[0].At}}, muts)
	require.Equal(t, "POST /docs/doc1/tables/Release%20notes/rows", s.paths[0])
	require.Empty(t, s.query[0], "WithValueParsing drops disableParsing")
	require.NotContains(t, s.bodies[0], "keyColumns")
}

func TestUpsertRowsBatchBytes(t *testing.T) {
	t.Parallel()
	s := &rowsServer{}
	const limit = 2_000
	c := newTestClient(t, s, withBatchLimits(500, limit))
	rows := versionRows(40)
	muts, err := c.UpsertRows(t.Context(), "doc1", "grid-1", rows, []string{"c-version"})
	require.NoError(t, err)
	require.Greater(t, len(muts), 1)
	total := 0
	for _, b := range s.bodies {
		require.LessOrEqual(t, len(b), limit)
		var body struct{ Rows []json.RawMessage }
		require.NoError(t, json.Unmarshal([]byte(b), &body))
		total += len(body.Rows)
	}
	require.Equal(t, len(rows), total)
}

func TestWriteRowsRejectsBeforeSending(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("a", 42_500) // 2 × (42,500 + the JSON around it) > 85,000
	ok := strings.Repeat("a", 42_400)
	for _, tc := range []struct {
		name    string
		rows    []RowEdit
		keys    []string
		wantErr string
		wantIs  error
	}{
		{
			name:    "row too large",
			rows:    []RowEdit{{Cells: []CellEdit{{Column: "c-1", Value: ok}}}, {Cells: []CellEdit{{Column: "c-1", Value: big}}}},
			keys:    []string{"c-1"},
			wantErr: "coda: row 1 (counting from 0) has size 85078 by Coda's measure",
			wantIs:  ErrRowTooLarge,
		},
		{
			name:    "astral characters count twice",
			rows:    []RowEdit{{Cells: []CellEdit{{Column: "c-1", Value: strings.Repeat("😀", 21_250)}}}},
			keys:    []string{"c-1"},
			wantErr: "row 0 (counting from 0) has size 85078",
			wantIs:  ErrRowTooLarge,
		},
		{
			name:    "unencodable value",
			rows:    []RowEdit{{Cells: []CellEdit{{Column: "c-1", Value: make(chan int)}}}},
			keys:    []string{"c-1"},
			wantErr: "coda: encode row 0",
		},
		{
			name:    "no key columns",
			rows:    versionRows(1),
			wantErr: "no key columns",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &rowsServer{}
			c := newTestClient(t, s)
			muts, err := c.UpsertRows(t.Context(), "doc1", "grid-1", tc.rows, tc.keys)
			require.ErrorContains(t, err, tc.wantErr)
			if tc.wantIs != nil {
				require.ErrorIs(t, err, tc.wantIs)
			}
			require.Empty(t, muts)
			require.Empty(t, s.bodies, "nothing sent")
		})
	}
	// Just under the limit is sent.
	s := &rowsServer{}
	c := newTestClient(t, s)
	_, err := c.UpsertRows(t.Context(), "doc1", "grid-1", []RowEdit{{Cells: []CellEdit{{Column: "c-1", Value: ok}}}}, []string{"c-1"})
	require.NoError(t, err)
	require.Len(t, s.bodies, 1)
}

func TestWriteRowsPartialFailure(t *testing.T) {
	t.Parallel()
	rec := &recorder{responses: []response{
		{status: 202, body: `{"requestId":"r1"}`},
		{status: 400, body: codaError(400, `Cannot write to formula column "Age".`)},
	}}
	c := newTestClient(t, rec, withBatchLimits(2, 1_000_000))
	muts, err := c.UpsertRows(t.Context(), "doc1", "grid-1", versionRows(5), []string{"c-version"})
	require.EqualError(t, err, `write rows 2-3 (counting from 0) of 5: coda: POST /docs/doc1/tables/grid-1/rows: 400 Bad Request: Cannot write to formula column "Age".`)
	require.Len(t, muts, 1, "the accepted batch is returned")
	require.Len(t, rec.all(), 2, "no batch after the failure")
}

func TestUpsertNothing(t *testing.T) {
	t.Parallel()
	s := &rowsServer{}
	c := newTestClient(t, s)
	muts, err := c.UpsertRows(t.Context(), "doc1", "grid-1", nil, []string{"c-1"})
	require.NoError(t, err)
	require.Empty(t, muts)
	require.Empty(t, s.bodies)
}

// pagedRows serves rows in pages of two, recording the queries.
type pagedRows struct {
	mu      sync.Mutex
	queries []string
}

func (p *pagedRows) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.queries = append(p.queries, r.URL.RawQuery)
	p.mu.Unlock()
	switch r.URL.Query().Get("pageToken") {
	case "":
		fmt.Fprint(w, `{"items":[{"id":"i-1","name":"v1","index":0,"values":{"c-1":"v1"},"browserLink":"https://coda.io/x"},{"id":"i-2","name":"v2","index":1,"values":{"c-1":"v2"}}],"nextPageToken":"p2"}`)
	case "p2":
		fmt.Fprint(w, `{"items":[{"id":"i-3","name":"v3","index":2,"values":{"c-1":3}}]}`)
	default:
		http.Error(w, codaError(400, "bad page token"), 400)
	}
}

func TestListRows(t *testing.T) {
	t.Parallel()
	p := &pagedRows{}
	c := newTestClient(t, p)
	l, err := c.listRows(t.Context(), "doc1", "grid-1", ListRowsOptions{Query: `c-1:"v1"`, UseColumnNames: true, ValueFormat: "simpleWithArrays", Limit: 2})
	require.NoError(t, err)
	require.Equal(t, "p2", l.NextPageToken)
	require.Equal(t, Row{ID: "i-1", Name: "v1", Values: map[string]any{"c-1": "v1"}, BrowserLink: "https://coda.io/x"}, l.Items[0])
	require.Equal(t, "limit=2&query=c-1%3A%22v1%22&useColumnNames=true&valueFormat=simpleWithArrays", p.queries[0])
}

func TestRows(t *testing.T) {
	t.Parallel()
	p := &pagedRows{}
	c := newTestClient(t, p)
	var ids []string
	for row, err := range c.Rows(t.Context(), "doc1", "grid-1", ListRowsOptions{Limit: 2, UseColumnNames: true}) {
		require.NoError(t, err)
		ids = append(ids, row.ID)
	}
	require.Equal(t, []string{"i-1", "i-2", "i-3"}, ids)
	require.Equal(t, []string{"limit=2&useColumnNames=true", "pageToken=p2"}, p.queries, "a page token replaces the other parameters")

	// Stopping early fetches no more pages.
	p2 := &pagedRows{}
	c = newTestClient(t, p2)
	for range c.Rows(t.Context(), "doc1", "grid-1", ListRowsOptions{}) {
		break
	}
	require.Len(t, p2.queries, 1)

	// An error ends the walk.
	var errs []error
	for _, err := range c.Rows(t.Context(), "doc1", "grid-1", ListRowsOptions{PageToken: "bogus"}) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorContains(t, errs[0], "400 Bad Request: bad page token")
}
