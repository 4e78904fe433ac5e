package codatest_test

import (
	"net/http"
	"net/url"
	"testing"
	"testing/synctest"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
	"bitbucket.org/coda-changelog/coda-changelog/coda/internal/spectest"
)

func TestDeleteRow(t *testing.T) {
	spec := spectest.Load(t)
	synctest.Test(t, func(t *testing.T) {
		srv := newFixture(codatest.WithWriteDelay(5 * time.Second))
		a := newAPI(t, srv, spec)
		r := want(t, a.do("DELETE", rowsPath+"/i-1", nil), http.StatusAccepted)
		got := decode[struct{ RequestID, ID string }](t, r)
		if got.RequestID == "" || got.ID != "i-1" {
			t.Fatalf("deleteRow = %s, want a requestId and id i-1", r.Body)
		}
		if n := len(srv.Rows(docID, tableID)); n != 2 {
			t.Errorf("before the write delay: %d rows, want 2", n)
		}
		time.Sleep(5 * time.Second)
		rows := srv.Rows(docID, tableID)
		if len(rows) != 1 || rows[0].ID != "i-2" {
			t.Errorf("after the write delay: rows %v, want only i-2", rows)
		}
		st := decode[struct{ Completed bool }](t, a.do("GET", "/mutationStatus/"+got.RequestID, nil))
		if !st.Completed {
			t.Error("mutationStatus not completed after the delete applied")
		}
		wantError(t, a.do("DELETE", rowsPath+"/i-1", nil), http.StatusNotFound, "not found")
		want(t, a.do("DELETE", rowsPath+"/"+url.PathEscape("v1.1.0"), nil), http.StatusAccepted)
	})
}

func TestRowDeletesForbidden(t *testing.T) {
	t.Parallel()
	srv := newFixture(codatest.WithRowDeletesForbidden())
	a := newAPI(t, srv, spectest.Load(t))
	wantError(t, a.do("DELETE", rowsPath+"/i-1", nil), http.StatusForbidden, "does not grant access")
	if n := len(srv.Rows(docID, tableID)); n != 2 {
		t.Errorf("a refused delete left %d rows, want 2", n)
	}
	// Other writes still work.
	want(t, a.do("POST", rowsPath, upsert(nil, cells(colVer, "v3"))), http.StatusAccepted)
}

func TestRestrictedTokens(t *testing.T) {
	t.Parallel()
	tokens := []codatest.Token{
		{Value: "doc-rw", Name: "CI", Doc: docID},
		{Value: "doc-ro", Name: "reader", Doc: docID, Access: codatest.ReadOnly},
		{Value: "doc-wo", Name: "writer", Doc: docID, Access: codatest.WriteOnly},
		{Value: "table-rw", Name: "rows only", Doc: docID, Table: tableID},
		{Value: "other-doc", Name: "elsewhere", Doc: "ZzOther"},
	}
	rows := rowsPath
	rowsByName := "/docs/" + docID + "/tables/Releases/rows"
	page := "/docs/" + docID + "/pages/" + pageID
	row := cells(colVer, "v9")
	tests := []struct {
		token        string
		method, path string
		body         any
		want         int
	}{
		{"doc-rw", "GET", "/whoami", nil, 200},
		{"doc-rw", "GET", rows, nil, 200},
		{"doc-rw", "POST", rows, upsert(nil, row), 202},
		{"doc-rw", "GET", page, nil, 200},
		{"doc-rw", "GET", "/docs/ZzOther", nil, 401},
		{"doc-ro", "GET", rows, nil, 200},
		{"doc-ro", "POST", rows, upsert(nil, row), 401},
		{"doc-ro", "DELETE", rows + "/i-1", nil, 401},
		{"doc-wo", "GET", rows, nil, 401},
		{"doc-wo", "POST", rows, upsert(nil, row), 202},
		{"doc-wo", "GET", "/whoami", nil, 200},
		{"table-rw", "GET", rows, nil, 200},
		{"table-rw", "POST", rowsByName, upsert(nil, row), 202},
		{"table-rw", "GET", "/docs/" + docID + "/tables/" + tableID, nil, 200},
		{"table-rw", "GET", "/docs/" + docID + "/tables/" + viewID + "/rows", nil, 401},
		{"table-rw", "GET", "/docs/" + docID + "/tables", nil, 401},
		{"table-rw", "GET", page, nil, 401},
		{"table-rw", "GET", "/docs/" + docID, nil, 401},
		{"other-doc", "GET", rows, nil, 401},
		{"other-doc", "GET", "/whoami", nil, 200},
	}
	for _, tc := range tests {
		t.Run(tc.token+" "+tc.method+" "+tc.path, func(t *testing.T) {
			t.Parallel()
			a := newAPI(t, newFixture(codatest.WithTokens(tokens...)), nil)
			a.token = tc.token
			r := a.do(tc.method, tc.path, tc.body)
			if tc.want == http.StatusUnauthorized {
				wantError(t, r, http.StatusUnauthorized, "The API token is invalid or has expired.")
				return
			}
			want(t, r, tc.want)
		})
	}
}

func TestWhoamiOfRestrictedToken(t *testing.T) {
	t.Parallel()
	srv := newFixture(codatest.WithTokens(codatest.Token{Value: "scoped", Name: "CI token", Doc: docID}))
	a := newAPI(t, srv, spectest.Load(t))
	full := decode[struct {
		Scoped    bool
		TokenName string
	}](t, a.do("GET", "/whoami", nil))
	a.token = "scoped"
	scoped := decode[struct {
		Scoped    bool
		TokenName string
	}](t, a.do("GET", "/whoami", nil))
	if full.Scoped || !scoped.Scoped || scoped.TokenName != "CI token" {
		t.Errorf("whoami: full token %+v, scoped token %+v; want scoped only for the restricted one, named CI token", full, scoped)
	}
}

func TestMutationStatusForRestrictedTokens(t *testing.T) {
	t.Parallel()
	tok := codatest.Token{Value: "scoped", Name: "CI", Doc: docID}
	for _, refused := range []bool{false, true} {
		opts := []codatest.Option{codatest.WithTokens(tok)}
		wantStatus := http.StatusOK
		if refused {
			opts = append(opts, codatest.WithMutationStatusRefusedForScoped())
			wantStatus = http.StatusUnauthorized
		}
		a := newAPI(t, newFixture(opts...), nil)
		a.token = "scoped"
		r := want(t, a.do("POST", rowsPath, upsert(nil, cells(colVer, "v9"))), http.StatusAccepted)
		status := "/mutationStatus/" + decode[struct{ RequestID string }](t, r).RequestID
		if got := a.do("GET", status, nil); got.Status != wantStatus {
			t.Errorf("refused=%v: restricted token got %d, want %d", refused, got.Status, wantStatus)
		}
		a.token = codatest.DefaultToken
		want(t, a.do("GET", status, nil), http.StatusOK)
	}
}

func TestRedirect(t *testing.T) {
	t.Parallel()
	srv := newFixture(codatest.WithRedirect("https://docs.example.com/apis/v1/"))
	a := newAPI(t, srv, nil)
	a.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, tc := range []struct{ path, loc string }{
		{"/whoami", "https://docs.example.com/apis/v1/whoami"},
		{rowsPath + "?limit=2", "https://docs.example.com/apis/v1" + rowsPath + "?limit=2"},
	} {
		r := want(t, a.do("GET", tc.path, nil), http.StatusTemporaryRedirect)
		if got := r.Header.Get("Location"); got != tc.loc {
			t.Errorf("GET %s: Location %q, want %q", tc.path, got, tc.loc)
		}
	}
	if st := srv.Stats(); st.Requests != 2 {
		t.Errorf("Stats().Requests = %d, want 2", st.Requests)
	}
}
