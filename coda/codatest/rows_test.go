package codatest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// rowsPath is the rows endpoint of the fixture table.
const rowsPath = "/docs/" + docID + "/tables/" + tableID + "/rows"

// cells builds a RowEdit body row from column/value pairs.
func cells(pairs ...any) map[string]any {
	var cs []any
	for i := 0; i < len(pairs); i += 2 {
		cs = append(cs, map[string]any{"column": pairs[i], "value": pairs[i+1]})
	}
	return map[string]any{"cells": cs}
}

// upsert is a RowsUpsert body.
func upsert(keys []string, rows ...map[string]any) map[string]any {
	b := map[string]any{"rows": rows}
	if keys != nil {
		b["keyColumns"] = keys
	}
	return b
}

func TestUpsertRefusals(t *testing.T) {
	t.Parallel()
	viewByName := "/docs/" + docID + "/tables/" + url.PathEscape("Recent releases") + "/rows"
	tests := []struct {
		name string
		path string
		body any
		msg  string
	}{
		{"view by id", "/docs/" + docID + "/tables/" + viewID + "/rows", upsert(nil, cells(colVer, "x")), "Row edits are not supported on views"},
		{"view by name", viewByName, upsert(nil, cells(colVer, "x")), "Row edits are not supported on views"},
		{"calculated column by id", rowsPath, upsert(nil, cells(colCalc, "x")), `Cannot write to formula column "Summary".`},
		{"calculated column by name", rowsPath, upsert(nil, cells("Summary", "x")), `Cannot write to formula column "Summary".`},
		{"unknown column", rowsPath, upsert(nil, cells("c-nope", "x")), `unknown column "c-nope"`},
		{"unknown key column", rowsPath, upsert([]string{"c-nope"}, cells(colVer, "x")), `Unknown key column "c-nope"`},
		{"calculated key column", rowsPath, upsert([]string{colCalc}, cells(colVer, "x")), `formula column "Summary"`},
		{"key column without value", rowsPath, upsert([]string{colKind}, cells(colVer, "x")), `no value for key column "Kind"`},
		{"object value", rowsPath, upsert(nil, cells(colVer, map[string]any{"a": 1})), "invalid value"},
		{"null value", rowsPath, upsert(nil, cells(colVer, nil)), "invalid value"},
		{"missing rows", rowsPath, map[string]any{"keyColumns": []string{colVer}}, "rows"},
		{"unknown field", rowsPath, map[string]any{"rows": []any{}, "keyColumn": colVer}, "keyColumn"},
		{"not JSON", rowsPath, "rows=1", "Invalid request body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFixture()
			before := srv.Rows(docID, tableID)
			wantError(t, newAPI(t, srv, nil).do("POST", tc.path, tc.body), http.StatusBadRequest, tc.msg)
			if diff := cmp.Diff(before, srv.Rows(docID, tableID)); diff != "" {
				t.Errorf("a refused write changed rows (-before +after):\n%s", diff)
			}
		})
	}
}

func TestUpsertByKey(t *testing.T) {
	t.Parallel()
	srv := codatest.NewUnstarted()
	srv.AddDoc(codatest.Doc{ID: "d", Tables: []codatest.Table{{
		ID: "grid-t", Name: "T",
		Columns: []codatest.Column{{ID: "c-k", Name: "Key"}, {ID: "c-v", Name: "Value"}, {ID: "c-n", Name: "Note"}},
		Rows: []codatest.Row{
			{ID: "i-a", Values: map[string]any{"c-k": "a", "c-v": "old", "c-n": "keep"}},
			{ID: "i-b1", Values: map[string]any{"c-k": "b", "c-v": "old"}},
			{ID: "i-b2", Values: map[string]any{"c-k": "b", "c-v": "old"}},
			{ID: "i-3", Values: map[string]any{"c-k": 3.0, "c-v": "old"}},
		},
	}}})
	a := newAPI(t, srv, nil)
	r := want(t, a.do("POST", "/docs/d/tables/T/rows", upsert([]string{"Key"},
		cells("c-k", "a", "c-v", "new a"),
		cells("Key", "b", "Value", "new b"),
		cells("c-k", "3", "c-v", "new 3"), // text comparison: "3" matches 3
		cells("c-k", "c", "c-v", "new c"),
		cells("c-k", "c", "c-v", "newer c"), // matches the row inserted just before
	)), http.StatusAccepted)
	if strings.Contains(string(r.Body), "addedRowIds") {
		t.Errorf("upsert with keyColumns answered %s, want no addedRowIds", r.Body)
	}
	got := srv.Rows("d", "T")
	if len(got) != 5 || got[4].ID == "" {
		t.Fatalf("got %d rows %v, want 5 with the new one having an ID", len(got), got)
	}
	got[4].ID = "new"
	wantRows := []codatest.Row{
		{ID: "i-a", Values: map[string]any{"c-k": "a", "c-v": "new a", "c-n": "keep"}},
		{ID: "i-b1", Values: map[string]any{"c-k": "b", "c-v": "new b"}},
		{ID: "i-b2", Values: map[string]any{"c-k": "b", "c-v": "new b"}},
		{ID: "i-3", Values: map[string]any{"c-k": "3", "c-v": "new 3"}},
		{ID: "new", Values: map[string]any{"c-k": "c", "c-v": "newer c"}},
	}
	if diff := cmp.Diff(wantRows, got); diff != "" {
		t.Errorf("rows after upsert (-want +got):\n%s", diff)
	}
}

func TestInsertWithoutKeys(t *testing.T) {
	t.Parallel()
	for _, keys := range [][]string{nil, {}} {
		srv := newFixture()
		a := newAPI(t, srv, nil)
		body := upsert(keys, cells(colVer, "v1.0.0"), cells(colVer, "v9", colTags, []string{"api"}, colCount, 2.5, "Done", false))
		var added []string
		for range 2 { // a keyless retry inserts again
			r := want(t, a.do("POST", rowsPath, body), http.StatusAccepted)
			ids := decode[struct{ AddedRowIDs []string }](t, r).AddedRowIDs
			if len(ids) != 2 {
				t.Fatalf("addedRowIds = %v, want 2 IDs", ids)
			}
			added = append(added, ids...)
		}
		got := srv.Rows(docID, tableID)
		if len(got) != 6 {
			t.Fatalf("got %d rows, want 2 seeded + 4 inserted", len(got))
		}
		for i, id := range added {
			if got[2+i].ID != id || !strings.HasPrefix(id, "i-") {
				t.Errorf("row %d has ID %q, want %q from addedRowIds, prefixed i-", 2+i, got[2+i].ID, id)
			}
		}
		wantValues := map[string]any{colVer: "v9", colTags: []any{"api"}, colCount: 2.5, "c-done": false}
		if diff := cmp.Diff(wantValues, got[3].Values); diff != "" {
			t.Errorf("stored values (-want +got):\n%s", diff)
		}
	}
}

// rowList is the part of RowList the tests read.
type rowList struct {
	Items []struct {
		ID     string
		Name   string
		Values map[string]any
	}
	NextPageToken string
}

func TestListRows(t *testing.T) {
	t.Parallel()
	srv := newFixture()
	a := newAPI(t, srv, nil)
	q := func(s string) string { return url.QueryEscape(s) }
	tests := []struct {
		name    string
		query   string
		wantIDs []string
		col     string // a value to check in the first row
		want    any
	}{
		{"all", "", []string{"i-1", "i-2"}, colVer, "v1.0.0"},
		{"by id", "query=" + q(`c-ver:"v1.1.0"`), []string{"i-2"}, colVer, "v1.1.0"},
		{"by quoted name", "query=" + q(`"Version":"v1.0.0"`), []string{"i-1"}, colVer, "v1.0.0"},
		{"number", "query=" + q(`c-n:3`), []string{"i-1"}, colCount, 3.0},
		{"no match", "query=" + q(`c-ver:"v9"`), nil, "", nil},
		{"simple joins arrays", "", []string{"i-1", "i-2"}, colTags, "api,ui"},
		{"simpleWithArrays", "valueFormat=simpleWithArrays", []string{"i-1", "i-2"}, colTags, []any{"api", "ui"}},
		{"rich", "valueFormat=rich", []string{"i-1", "i-2"}, colVer, "```v1.0.0```"},
		{"column names", "useColumnNames=true", []string{"i-1", "i-2"}, "Version", "v1.0.0"},
		{"empty cell", "query=" + q(`c-ver:"v1.1.0"`), []string{"i-2"}, colCount, ""},
		{"limit", "limit=1", []string{"i-1"}, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := decode[rowList](t, want(t, a.do("GET", rowsPath+"?"+tc.query, nil), http.StatusOK))
			var ids []string
			for _, it := range l.Items {
				ids = append(ids, it.ID)
			}
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Fatalf("row IDs (-want +got):\n%s", diff)
			}
			if tc.col != "" {
				if diff := cmp.Diff(tc.want, l.Items[0].Values[tc.col]); diff != "" {
					t.Errorf("value of %s (-want +got):\n%s", tc.col, diff)
				}
			}
		})
	}

	t.Run("page token ignores other parameters", func(t *testing.T) {
		first := decode[rowList](t, a.do("GET", rowsPath+"?limit=1&useColumnNames=true", nil))
		next := decode[rowList](t, a.do("GET", rowsPath+"?limit=50&pageToken="+q(first.NextPageToken), nil))
		if len(next.Items) != 1 || next.Items[0].ID != "i-2" || next.Items[0].Values["Version"] != "v1.1.0" {
			t.Errorf("second page = %+v, want row i-2 keyed by column names", next.Items)
		}
		if next.Items[0].Name != "v1.1.0" {
			t.Errorf("row name = %q, want the display column value", next.Items[0].Name)
		}
	})

	for _, bad := range []string{"query=" + q(`c-ver:v1.0.0`), "query=" + q(`Nope:"x"`), "query=c-ver", "sortBy=size", "valueFormat=html", "limit=0", "pageToken=garbage"} {
		t.Run("bad "+bad, func(t *testing.T) {
			want(t, a.do("GET", rowsPath+"?"+bad, nil), http.StatusBadRequest)
		})
	}
}

func TestListRowsOfView(t *testing.T) {
	t.Parallel()
	srv := codatest.NewUnstarted()
	srv.AddDoc(codatest.Doc{ID: "d", Tables: []codatest.Table{
		{ID: "grid-t", Name: "T", Columns: []codatest.Column{{ID: "c-a", Name: "A"}, {ID: "c-b", Name: "B"}},
			Rows: []codatest.Row{{ID: "i-1", Values: map[string]any{"A": "a", "B": "b"}}}},
		{ID: "table-v", Name: "V", View: true, BaseTable: "grid-t", Columns: []codatest.Column{{Name: "B"}}},
	}})
	l := decode[rowList](t, want(t, newAPI(t, srv, nil).do("GET", "/docs/d/tables/V/rows", nil), http.StatusOK))
	if len(l.Items) != 1 || len(l.Items[0].Values) != 1 || l.Items[0].Values["c-b"] != "b" {
		t.Errorf("view rows = %+v, want the base row with only the view's column", l.Items)
	}
}

func TestRowSizeLimit(t *testing.T) {
	t.Parallel()
	// The JSON of {"cells":[{"column":"c-ver","value":"<text>"}]} is 38
	// characters plus the text.
	const overhead = len(`{"cells":[{"column":"c-ver","value":""}]}`)
	tests := []struct {
		name string
		text string
		msg  string // empty: accepted
	}{
		{"at the limit", strings.Repeat("a", codatest.MaxRowBytes/2-overhead), ""},
		{"one unit over", strings.Repeat("a", codatest.MaxRowBytes/2-overhead+1), "Row edit of size 86 KB exceeds maximum size of 85 KB."},
		{"BMP runes count once", strings.Repeat("é", codatest.MaxRowBytes/2-overhead), ""},
		{"astral runes count twice", strings.Repeat("😀", (codatest.MaxRowBytes/2-overhead)/2+1), "exceeds maximum size of 85 KB"},
		{"HTML characters are not escaped", strings.Repeat("<", codatest.MaxRowBytes/2-overhead), ""},
		{"43 KB of text", strings.Repeat("a", 43_400), "Row edit of size 87 KB exceeds maximum size of 85 KB."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFixture()
			r := newAPI(t, srv, nil).do("POST", rowsPath, upsert(nil, cells(colVer, tc.text)))
			if tc.msg == "" {
				want(t, r, http.StatusAccepted)
				return
			}
			wantError(t, r, http.StatusBadRequest, tc.msg)
			if n := len(srv.Rows(docID, tableID)); n != 2 {
				t.Errorf("%d rows after a refused write, want 2", n)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	pad := func(n int) []byte { // a valid RowsUpsert body of exactly n bytes
		b := []byte(`{"rows":[]}`)
		return append(b, strings.Repeat(" ", n-len(b))...)
	}
	tests := []struct {
		name   string
		opts   []codatest.Option
		size   int
		status int
	}{
		{"default limit", nil, codatest.DefaultMaxBodyBytes, http.StatusAccepted},
		{"over default limit", nil, codatest.DefaultMaxBodyBytes + 1, http.StatusBadRequest},
		{"custom limit", []codatest.Option{codatest.WithMaxBodyBytes(100)}, 100, http.StatusAccepted},
		{"over custom limit", []codatest.Option{codatest.WithMaxBodyBytes(100)}, 101, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newAPI(t, newFixture(tc.opts...), nil).do("POST", rowsPath, pad(tc.size))
			if tc.status == http.StatusBadRequest {
				wantError(t, r, tc.status, "Request entity too large")
				if string(r.Body) != `{"statusCode":400,"statusMessage":"Bad Request","message":"Request entity too large"}` {
					t.Errorf("body = %s, want Coda's exact body", r.Body)
				}
				return
			}
			want(t, r, tc.status)
		})
	}
}
