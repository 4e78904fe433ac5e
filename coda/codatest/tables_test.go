package codatest_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tableJSON is the part of Table the tests read.
type tableJSON struct {
	ID, Name, TableType, BrowserLink string
	RowCount                         int
	ParentTable                      *struct{ ID, TableType string }
	DisplayColumn                    struct{ ID string }
}

func TestGetTable(t *testing.T) {
	t.Parallel()
	srv := newFixture()
	a := newAPI(t, srv, nil)
	base := decode[tableJSON](t, want(t, a.do("GET", "/docs/"+docID+"/tables/Releases", nil), http.StatusOK))
	if base.ID != tableID || base.TableType != "table" || base.ParentTable != nil || base.RowCount != 2 || base.DisplayColumn.ID != colVer {
		t.Errorf("base table = %+v", base)
	}
	if want := "https://coda.io/d/_d" + docID + "#Releases_turel"; base.BrowserLink != want {
		t.Errorf("browserLink = %q, want %q", base.BrowserLink, want)
	}
	view := decode[tableJSON](t, want(t, a.do("GET", "/docs/"+docID+"/tables/"+viewID, nil), http.StatusOK))
	if view.TableType != "view" || view.ParentTable == nil || view.ParentTable.ID != tableID || view.ParentTable.TableType != "table" || view.RowCount != 2 {
		t.Errorf("view = %+v, want a view of %s", view, tableID)
	}
	want(t, a.do("POST", rowsPath, upsert(nil, cells(colVer, "v3"))), http.StatusAccepted)
	if n := decode[tableJSON](t, a.do("GET", "/docs/"+docID+"/tables/"+viewID, nil)).RowCount; n != 3 {
		t.Errorf("view rowCount after an insert into its base = %d, want 3", n)
	}
}

func TestListColumns(t *testing.T) {
	t.Parallel()
	type format struct {
		Type        string
		IsArray     bool
		Options     []struct{ Name string }
		DisplayType string
	}
	type col struct {
		ID, Name            string
		Display, Calculated bool
		Format              format
	}
	l := decode[struct{ Items []col }](t, want(t, newAPI(t, newFixture(), nil).do("GET", "/docs/"+docID+"/tables/"+tableID+"/columns", nil), http.StatusOK))
	byID := map[string]col{}
	for _, c := range l.Items {
		byID[c.ID] = c
	}
	if len(l.Items) != 10 {
		t.Errorf("got %d columns, want 10", len(l.Items))
	}
	checks := []struct {
		id   string
		want col
	}{
		{colVer, col{ID: colVer, Name: "Version", Display: true, Format: format{Type: "text"}}},
		{colCalc, col{ID: colCalc, Name: "Summary", Calculated: true, Format: format{Type: "text"}}},
		{colTags, col{ID: colTags, Name: "Tags", Format: format{Type: "select", IsArray: true, Options: []struct{ Name string }{{"api"}, {"ui"}}}}},
		{"c-done", col{ID: "c-done", Name: "Done", Format: format{Type: "checkbox", DisplayType: "check"}}},
		{"c-when", col{ID: "c-when", Name: "Released at", Format: format{Type: "dateTime"}}},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, byID[c.id]); diff != "" {
			t.Errorf("column %s (-want +got):\n%s", c.id, diff)
		}
	}
}
