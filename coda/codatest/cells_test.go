package codatest_test

import (
	"net/http"
	"net/url"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
	"bitbucket.org/coda-changelog/coda-changelog/coda/internal/spectest"
)

// typedDoc is a doc with a member, a table of every parsed column type and a
// lookup target table.
func typedDoc() codatest.Doc {
	return codatest.Doc{
		ID:     "dTyped",
		People: []codatest.Person{{Name: "Ada Lovelace", Email: "ada@example.com"}, {Name: "Grace Hopper"}},
		Tables: []codatest.Table{
			{ID: "grid-comp", Name: "Components", Columns: []codatest.Column{{ID: "c-cname", Name: "Name"}},
				Rows: []codatest.Row{{ID: "i-api", Values: map[string]any{"Name": "API"}}, {ID: "i-ui", Values: map[string]any{"Name": "UI"}},
					{ID: "i-unnamed", Values: map[string]any{"Name": ""}}}},
			{ID: "grid-t", Name: "Typed", Columns: []codatest.Column{
				{ID: "c-text", Name: "Text"},
				{ID: "c-who", Name: "Who", Type: "person"},
				{ID: "c-comp", Name: "Component", Type: "lookup", Table: "Components"},
				{ID: "c-done", Name: "Done", Type: "checkbox"},
				{ID: "c-n", Name: "N", Type: "number"},
				{ID: "c-date", Name: "Date", Type: "date"},
				{ID: "c-when", Name: "When", Type: "dateTime"},
				{ID: "c-kind", Name: "Kind", Type: "select"},
			}},
		},
	}
}

// rich values the fake gives for the typed doc.
var (
	richAda = map[string]any{"@context": "http://schema.org/", "@type": "Person", "name": "Ada Lovelace", "email": "ada@example.com"}
	richAPI = map[string]any{
		"@context": "http://schema.org/", "@type": "StructuredValue", "additionalType": "row",
		"name": "API", "rowId": "i-api", "tableId": "grid-comp",
		"tableUrl": "https://coda.io/d/_ddTyped#Components_tucomp",
		"url":      "https://coda.io/d/_ddTyped#Components_tucomp/_rui-api",
	}
)

func TestWrittenValues(t *testing.T) {
	t.Parallel()
	spec := spectest.Load(t)
	tests := []struct {
		name      string
		column    string
		value     any
		parsing   bool
		wantRich  any
		wantSimpl any
	}{
		{"raw person keeps the text", "c-who", "ada@example.com", false, "```ada@example.com```", "ada@example.com"},
		{"person by e-mail", "c-who", "ada@example.com", true, richAda, "Ada Lovelace"},
		{"person by name", "c-who", " Ada Lovelace ", true, richAda, "Ada Lovelace"},
		{"person e-mail differs in case", "c-who", "ADA@example.com", true, "```ADA@example.com```", "ADA@example.com"},
		{"person name differs in case", "c-who", "ada lovelace", true, "```ada lovelace```", "ada lovelace"},
		{"person blank", "c-who", " ", true, "``` ```", " "}, // not the member without an e-mail
		{"person not a member", "c-who", "bob@example.com", true, "```bob@example.com```", "bob@example.com"},
		{"raw lookup keeps the text", "c-comp", "API", false, "```API```", "API"},
		{"lookup by display value", "c-comp", "API", true, richAPI, "API"},
		{"lookup by row id", "c-comp", "i-api", true, richAPI, "API"},
		{"lookup display value differs in case", "c-comp", "api", true, "```api```", "api"},
		{"lookup unknown", "c-comp", "CLI", true, "```CLI```", "CLI"},
		{"lookup blank", "c-comp", "  ", true, "```  ```", "  "}, // not the row with a blank name
		{"lookup array", "c-comp", []any{"API", "CLI"}, true, []any{richAPI, "```CLI```"}, "API,CLI"},
		{"raw checkbox text", "c-done", "true", false, "```true```", "true"},
		{"checkbox text", "c-done", "TRUE", true, true, true},
		{"checkbox bool", "c-done", false, false, false, false},
		{"checkbox other text", "c-done", "yes", true, "```yes```", "yes"},
		{"raw number text", "c-n", "42", false, "```42```", "42"},
		{"number text", "c-n", " 42.5 ", true, 42.5, 42.5},
		{"number sent as number", "c-n", 7, false, 7.0, 7.0},
		{"number not numeric", "c-n", "many", true, "```many```", "many"},
		{"raw date", "c-date", "2025-06-01", false, "```2025-06-01```", "2025-06-01"},
		{"date", "c-date", "2025-06-01", true, "2025-06-01T00:00:00.000+00:00", "2025-06-01T00:00:00.000+00:00"},
		{"date from date-time", "c-date", "2025-06-01T23:30:00-08:00", true, "2025-06-02T00:00:00.000+00:00", "2025-06-02T00:00:00.000+00:00"},
		{"date-time", "c-when", "2025-06-01T14:03:00+02:00", true, "2025-06-01T12:03:00.000+00:00", "2025-06-01T12:03:00.000+00:00"},
		{"date not a date", "c-date", "June 1st", true, "```June 1st```", "June 1st"},
		{"raw formula text", "c-text", "=1+2", false, "```=1+2```", "=1+2"},
		{"formula", "c-text", "=1+2*3", true, 7.0, 7.0},
		{"formula with minus", "c-text", "= 10 - 2 - 3", true, 5.0, 5.0},
		{"formula not evaluated", "c-text", "=SUM(1)", true, "```#ERROR!```", "#ERROR!"},
		{"text", "c-text", "fix: *bold*", true, "```fix: *bold*```", "fix: *bold*"},
		{"select", "c-kind", "feat", true, "```feat```", "feat"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := codatest.NewUnstarted()
			srv.AddDoc(typedDoc())
			a := newAPI(t, srv, spec)
			path := "/docs/dTyped/tables/grid-t/rows"
			if !tc.parsing {
				path += "?disableParsing=true"
			}
			r := want(t, a.do("POST", path, upsert(nil, cells(tc.column, tc.value))), http.StatusAccepted)
			id := decode[struct{ AddedRowIDs []string }](t, r).AddedRowIDs[0]

			row := "/docs/dTyped/tables/grid-t/rows/" + id
			got := decode[struct{ Values map[string]any }](t, want(t, a.do("GET", row+"?valueFormat=rich", nil), http.StatusOK))
			if diff := cmp.Diff(tc.wantRich, got.Values[tc.column]); diff != "" {
				t.Errorf("rich value (-want +got):\n%s", diff)
			}
			got = decode[struct{ Values map[string]any }](t, want(t, a.do("GET", row, nil), http.StatusOK))
			if diff := cmp.Diff(tc.wantSimpl, got.Values[tc.column]); diff != "" {
				t.Errorf("simple value (-want +got):\n%s", diff)
			}
			list := decode[rowList](t, want(t, a.do("GET", "/docs/dTyped/tables/grid-t/rows?valueFormat=rich", nil), http.StatusOK))
			if diff := cmp.Diff(tc.wantRich, list.Items[0].Values[tc.column]); diff != "" {
				t.Errorf("listRows rich value (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsingIsAtApplyTime(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithWriteDelay(time.Second))
		srv.AddDoc(typedDoc())
		a := newAPI(t, srv, nil)
		// Both writes are queued before either applies; the lookup resolves
		// when it is applied, against the row the first write added.
		want(t, a.do("POST", "/docs/dTyped/tables/grid-comp/rows", upsert(nil, cells("c-cname", "CLI"))), http.StatusAccepted)
		want(t, a.do("POST", "/docs/dTyped/tables/grid-t/rows", upsert(nil, cells("c-comp", "CLI"))), http.StatusAccepted)
		require.Empty(t, decode[rowList](t, a.do("GET", "/docs/dTyped/tables/grid-t/rows", nil)).Items, "nothing is applied yet")
		time.Sleep(2 * time.Second) // virtual: both writes apply
		l := decode[rowList](t, a.do("GET", "/docs/dTyped/tables/grid-t/rows?valueFormat=rich", nil))
		if v, ok := l.Items[0].Values["c-comp"].(map[string]any); !ok || v["name"] != "CLI" {
			t.Errorf("lookup = %v, want a row reference to CLI", l.Items[0].Values["c-comp"])
		}
	})
}

func TestUpsertByKeyComparesParsedValues(t *testing.T) {
	t.Parallel()
	srv := codatest.NewUnstarted()
	srv.AddDoc(typedDoc())
	a := newAPI(t, srv, nil)
	path := "/docs/dTyped/tables/grid-t/rows"
	want(t, a.do("POST", path, upsert(nil, cells("c-who", "ada@example.com", "c-text", "one"))), http.StatusAccepted)
	want(t, a.do("POST", path, upsert([]string{"c-who"}, cells("c-who", "Ada Lovelace", "c-text", "two"))), http.StatusAccepted)
	rows := srv.Rows("dTyped", "grid-t")
	if len(rows) != 1 || rows[0].Values["c-text"] != "two" || rows[0].Values["c-who"] != "Ada Lovelace" {
		t.Errorf("rows = %v, want one row updated through the person key", rows)
	}
}

func TestLookupColumnFormatNamesTarget(t *testing.T) {
	t.Parallel()
	srv := codatest.NewUnstarted()
	seed := typedDoc()
	seed.Tables = append(seed.Tables, codatest.Table{Name: "Typed view", View: true, BaseTable: "Typed"})
	seed.Tables[1].Columns = append(seed.Tables[1].Columns, codatest.Column{ID: "c-self", Type: "lookup"}, codatest.Column{ID: "c-p", Type: "person", Table: "Typed"})
	d := srv.AddDoc(seed)
	for i, tb := range d.Tables[1:] {
		cols := tb.Columns
		if cols[2].Table != "grid-comp" || cols[8].Table != "grid-t" || cols[9].Table != "" {
			t.Errorf("table %d: seeded Table fields %q, %q, %q; want grid-comp, grid-t (own table), empty (not a lookup)", i+1, cols[2].Table, cols[8].Table, cols[9].Table)
		}
	}
	r := want(t, newAPI(t, srv, spectest.Load(t)).do("GET", "/docs/dTyped/tables/grid-t/columns", nil), http.StatusOK)
	cols := decode[struct {
		Items []struct {
			ID     string
			Format struct{ Table struct{ ID string } }
		}
	}](t, r)
	if cols.Items[2].ID != "c-comp" || cols.Items[2].Format.Table.ID != "grid-comp" {
		t.Errorf("lookup column = %+v, want format.table grid-comp", cols.Items[2])
	}
	defer func() {
		if recover() == nil {
			t.Error("AddDoc with a lookup of an unknown table did not panic")
		}
	}()
	srv.AddDoc(codatest.Doc{Tables: []codatest.Table{{Name: "T", Columns: []codatest.Column{{Name: "L", Type: "lookup", Table: "nope"}}}}})
}

func TestGetRow(t *testing.T) {
	t.Parallel()
	srv := newFixture()
	a := newAPI(t, srv, spectest.Load(t))
	for _, key := range []string{"i-2", "v1.1.0"} {
		r := want(t, a.do("GET", rowsPath+"/"+url.PathEscape(key)+"?useColumnNames=true", nil), http.StatusOK)
		got := decode[struct {
			ID, Name string
			Index    int
			Values   map[string]any
			Parent   struct{ ID string }
		}](t, r)
		if got.ID != "i-2" || got.Name != "v1.1.0" || got.Index != 1 || got.Values["Kind"] != "fix" || got.Parent.ID != tableID {
			t.Errorf("getRow %s = %s", key, r.Body)
		}
	}
	wantError(t, a.do("GET", rowsPath+"/i-nope", nil), http.StatusNotFound, `Row "i-nope" not found.`)
	a.spec = nil // the spec allows no 400 here
	want(t, a.do("GET", rowsPath+"/i-1?valueFormat=html", nil), http.StatusBadRequest)
}

// Reads lag writes, as Coda serves them from a copy; a read of the latest
// version does not.
func TestReadLag(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithReadLag(30 * time.Second))
		srv.AddDoc(typedDoc())
		a := newAPI(t, srv, nil)
		id := decode[struct{ AddedRowIDs []string }](t, want(t, a.do("POST", "/docs/dTyped/tables/grid-t/rows", upsert(nil, cells("c-text", "one"))), http.StatusAccepted)).AddedRowIDs[0]
		row := "/docs/dTyped/tables/grid-t/rows/" + id
		want(t, a.do("GET", row, nil), http.StatusNotFound)
		latest := newAPI(t, srv, nil)
		latest.header = http.Header{"X-Coda-Doc-Version": {"latest"}}
		text := func(a *api) any {
			return decode[struct{ Values map[string]any }](t, want(t, a.do("GET", row, nil), http.StatusOK)).Values["c-text"]
		}
		require.Equal(t, "one", text(latest), "the latest version has the row")

		time.Sleep(30 * time.Second)
		require.Equal(t, "one", text(a), "the copy has caught up")
		want(t, a.do("POST", "/docs/dTyped/tables/grid-t/rows", upsert([]string{"c-text"}, cells("c-text", "one", "c-n", "2"))), http.StatusAccepted)
		require.Equal(t, "one", text(a))
		got := decode[struct{ Values map[string]any }](t, want(t, a.do("GET", row, nil), http.StatusOK)).Values
		require.Equal(t, "", got["c-n"], "the copy shows the row as it was")
		got = decode[struct{ Values map[string]any }](t, want(t, latest.do("GET", row, nil), http.StatusOK)).Values
		require.Equal(t, 2.0, got["c-n"])

		// A listing lags as much: a new row is not listed yet, an updated
		// one shows its values from before, and a query matches those.
		want(t, a.do("POST", "/docs/dTyped/tables/grid-t/rows", upsert([]string{"c-text"}, cells("c-text", "two"))), http.StatusAccepted)
		list := func(a *api, query string) []map[string]any {
			var out []map[string]any
			for _, r := range decode[struct {
				Items []struct{ Values map[string]any }
			}](t, want(t, a.do("GET", "/docs/dTyped/tables/grid-t/rows"+query, nil), http.StatusOK)).Items {
				out = append(out, r.Values)
			}
			return out
		}
		stale := list(a, "")
		require.Len(t, stale, 1, "the new row is not in the copy yet")
		require.Equal(t, "", stale[0]["c-n"])
		require.Empty(t, list(a, "?query="+url.QueryEscape(`c-n:2`)), "the query sees the copy")
		require.Len(t, list(latest, ""), 2, "the latest version has both")
	})
}
