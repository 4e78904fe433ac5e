package coda

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func tablesAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /docs/d1/tables/{table}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("table") {
		case "grid-1", "Releases":
			fmt.Fprint(w, `{"id":"grid-1","type":"table","tableType":"table","name":"Releases","browserLink":"https://coda.io/d/_dd1#_tu1","rowCount":12,"parent":{"id":"canvas-1"}}`)
		case "table-2":
			fmt.Fprint(w, `{"id":"table-2","type":"table","tableType":"view","name":"Recent releases","rowCount":3,"parentTable":{"id":"grid-1","type":"table","tableType":"table","name":"Releases","browserLink":"https://coda.io/d/_dd1#_tu1"}}`)
		case "table-3":
			fmt.Fprint(w, `{"id":"table-3","tableType":"view","name":"Orphan"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, codaError(404, "Not Found"))
		}
	})
	mux.HandleFunc("GET /docs/d1/tables/grid-1/columns", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("pageToken") == "" {
			fmt.Fprint(w, `{"items":[{"id":"c-1","type":"column","name":"Version","display":true,"format":{"type":"text","isArray":false}},
				{"id":"c-2","name":"Kind","format":{"type":"select","isArray":true,"options":[{"name":"feat","backgroundColor":"#fff"},{"name":"fix"}]}}],
				"nextPageToken":"next","nextPageLink":"https://coda.io/apis/v1/docs/d1/tables/grid-1/columns?pageToken=next"}`)
			return
		}
		fmt.Fprint(w, `{"items":[{"id":"c-3","name":"Age","calculated":true,"formula":"thisRow.Created()","format":{"type":"duration","isArray":false}}]}`)
	})
	return mux
}

func TestGetTable(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, tablesAPI())
	got, err := c.getTable(t.Context(), "d1", "table-2")
	require.NoError(t, err)
	require.Equal(t, Table{ID: "table-2", Name: "Recent releases", TableType: "view", RowCount: 3,
		ParentTable: &TableRef{ID: "grid-1", Name: "Releases", TableType: "table", BrowserLink: "https://coda.io/d/_dd1#_tu1"}}, got)
}

func TestGetBaseTable(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, tablesAPI())
	for _, tc := range []struct {
		table   string
		wantID  string
		wantErr string
	}{
		{table: "grid-1", wantID: "grid-1"},
		{table: "Releases", wantID: "grid-1"},
		{table: "table-2", wantErr: `coda: "Recent releases" (table-2) is a view of table "Releases"; use the base table's ID grid-1 instead: not a base table`},
		{table: "table-3", wantErr: `coda: "Orphan" (table-3) is a view; rows can only be written to its base table: not a base table`},
	} {
		got, err := c.GetBaseTable(t.Context(), "d1", tc.table)
		if tc.wantErr != "" {
			require.EqualError(t, err, tc.wantErr)
			require.ErrorIs(t, err, ErrNotBaseTable)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.wantID, got.ID)
		require.Equal(t, 12, got.RowCount)
	}
	_, err := c.GetBaseTable(t.Context(), "d1", "nope")
	require.ErrorIs(t, err, ErrNotFound)
	require.NotErrorIs(t, err, ErrNotBaseTable)
}

func TestColumns(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	mux := http.NewServeMux()
	api := tablesAPI()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.requests = append(rec.requests, recorded{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery})
		rec.mu.Unlock()
		api.ServeHTTP(w, r)
	})
	c := newTestClient(t, mux)

	var got []Column
	for col, err := range c.Columns(t.Context(), "d1", "grid-1") {
		require.NoError(t, err)
		got = append(got, col)
	}
	require.Len(t, got, 3)
	require.Equal(t, Column{ID: "c-2", Name: "Kind", Format: ColumnFormat{Type: "select", IsArray: true, Options: []SelectOption{{Name: "feat"}, {Name: "fix"}}}}, got[1])
	require.Equal(t, Column{ID: "c-3", Name: "Age", Calculated: true, Format: ColumnFormat{Type: "duration"}}, got[2])
	require.Equal(t, []string{"limit=100", "pageToken=next"}, queries(rec.all()))
}

func queries(rs []recorded) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Query)
	}
	return out
}

func TestGetDoc(t *testing.T) {
	t.Parallel()
	rec := answer(http.StatusOK, `{"id":"AbCDeFGH","type":"doc","name":"Product Launch Hub","browserLink":"https://coda.io/d/_dAbCDeFGH","owner":"a@b.c"}`)
	c := newTestClient(t, rec)
	d, err := c.GetDoc(t.Context(), "AbCDeFGH")
	require.NoError(t, err)
	require.Equal(t, Doc{ID: "AbCDeFGH", Name: "Product Launch Hub", BrowserLink: "https://coda.io/d/_dAbCDeFGH"}, d)
	require.Equal(t, "/docs/AbCDeFGH", rec.all()[0].Path)
}
