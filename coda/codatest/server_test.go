package codatest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	const body = `{"statusCode":401,"statusMessage":"Unauthorized","message":"The API token is invalid or has expired."}`
	tests := []struct {
		name   string
		opts   []codatest.Option
		header string
	}{
		{"no header", nil, ""},
		{"wrong token", nil, "Bearer nope"},
		{"not bearer", nil, "Basic " + codatest.DefaultToken},
		{"lowercase scheme", nil, "bearer " + codatest.DefaultToken},
		{"default token refused when another is set", []codatest.Option{codatest.WithToken("secret")}, "Bearer " + codatest.DefaultToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFixture(tc.opts...)
			for _, path := range []string{"/whoami", rowsPath} {
				req := httptest.NewRequest("GET", srv.URL+path, nil)
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusUnauthorized || rec.Body.String() != body {
					t.Errorf("GET %s: %d %s, want 401 %s", path, rec.Code, rec.Body, body)
				}
			}
		})
	}
	t.Run("custom token accepted", func(t *testing.T) {
		t.Parallel()
		a := newAPI(t, newFixture(codatest.WithToken("secret")), nil)
		a.token = "secret"
		want(t, a.do("GET", "/whoami", nil), http.StatusOK)
	})
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	doc := "/docs/" + docID
	tests := []struct {
		method, path string
		body         any
		msg          string
	}{
		{"GET", "/docs/nope", nil, "Doc not found"},
		{"GET", "/docs/nope/tables/" + tableID, nil, "Doc not found"},
		{"GET", doc + "/tables/grid-nope", nil, `Table "grid-nope" not found`},
		{"GET", doc + "/tables/" + url.PathEscape("No such table") + "/columns", nil, `Table "No such table" not found`},
		{"GET", doc + "/tables/releases/rows", nil, `Table "releases" not found`}, // names are case-sensitive
		{"POST", doc + "/tables/grid-nope/rows", upsert(nil), "not found"},
		{"GET", doc + "/pages/canvas-nope", nil, `Page "canvas-nope" not found`},
		{"PUT", doc + "/pages/canvas-nope", map[string]any{}, "not found"},
		{"GET", doc + "/pages/canvas-nope/content", nil, "not found"},
		{"DELETE", doc + "/tables/" + tableID + "/rows/i-nope", nil, `Row "i-nope" not found`},
		{"GET", "/docs/nope/tables", nil, "Doc not found"},
		{"GET", "/docs/nope/pages", nil, "Doc not found"},
		{"POST", doc + "/pages", map[string]any{}, "Not Found"}, // createPage is not served
		{"POST", doc + "/hooks/automation/nope", map[string]any{}, "not found"},
		{"GET", "/mutationStatus/nope", nil, "not found"},
		{"GET", "/nope", nil, "Not Found"},
		{"DELETE", doc + "/tables/" + tableID, nil, "Not Found"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			t.Parallel()
			wantError(t, newAPI(t, newFixture(), nil).do(tc.method, tc.path, tc.body), http.StatusNotFound, tc.msg)
		})
	}
	t.Run("outside the base path", func(t *testing.T) {
		t.Parallel()
		srv := newFixture()
		req := httptest.NewRequest("GET", "http://coda.localhost/apis/v1beta1/whoami", nil)
		req.Header.Set("Authorization", "Bearer "+codatest.DefaultToken)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("status = %d, want 404", rec.Code)
		}
	})
}

func TestNamesInPaths(t *testing.T) {
	t.Parallel()
	srv := codatest.NewUnstarted()
	srv.AddDoc(codatest.Doc{ID: "d",
		Tables: []codatest.Table{{ID: "grid-x", Name: "A/B tests & más", Columns: []codatest.Column{{ID: "c-1", Name: "Name"}}}},
		Pages:  []codatest.Page{{ID: "canvas-x", Name: "Notes: 2025/06"}},
	})
	a := newAPI(t, srv, nil)
	r := want(t, a.do("GET", "/docs/d/tables/"+url.PathEscape("A/B tests & más"), nil), http.StatusOK)
	if id := decode[struct{ ID string }](t, r).ID; id != "grid-x" {
		t.Errorf("table by escaped name = %s, want grid-x", id)
	}
	want(t, a.do("GET", "/docs/d/pages/"+url.PathEscape("Notes: 2025/06")+"/content", nil), http.StatusOK)
	reqs := srv.Requests()
	if got := reqs[0].RawPath; got != "/apis/v1/docs/d/tables/A%2FB%20tests%20&%20m%C3%A1s" {
		t.Errorf("Request.RawPath = %q, want the path as sent", got)
	}
	if got := reqs[0].Path; got != "/apis/v1/docs/d/tables/A/B tests & más" {
		t.Errorf("Request.Path = %q, want the unescaped path", got)
	}
}

func TestRequestsAndStats(t *testing.T) {
	t.Parallel()
	srv := newFixture()
	a := newAPI(t, srv, nil)
	a.do("GET", "/whoami?x=1", nil)
	a.do("POST", rowsPath, upsert(nil, cells(colVer, "v3")))
	a.do("POST", "/docs/"+docID+"/hooks/automation/"+ruleOn, `{}`)
	a.token = "bad"
	a.do("GET", "/whoami", nil)

	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("got %d requests, want 4", len(reqs))
	}
	r := reqs[1]
	if r.Method != "POST" || r.Path != "/apis/v1"+rowsPath || r.Status != http.StatusAccepted ||
		!bytes.Contains(r.Body, []byte(`"v3"`)) || !bytes.Contains(r.ResponseBody, []byte("requestId")) ||
		r.Header.Get("Authorization") != "Bearer "+codatest.DefaultToken || r.At.IsZero() || r.Dropped {
		t.Errorf("recorded request = %+v", r)
	}
	if reqs[0].Query.Get("x") != "1" {
		t.Errorf("recorded query = %v, want x=1", reqs[0].Query)
	}
	if got := reqs[3].Header.Get("Authorization"); got != "Bearer bad" {
		t.Errorf("Authorization recorded as %q, want it as received", got)
	}

	want := codatest.Stats{
		Requests: 4, Reads: 1, Writes: 2, Unauthorized: 1,
		Read:       codatest.BucketStats{Requests: 1, Accepted: 1},
		Write:      codatest.BucketStats{Requests: 2, Accepted: 2},
		DocContent: codatest.BucketStats{Requests: 1, Accepted: 1},
	}
	if got := srv.Stats(); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

func TestNewServer(t *testing.T) {
	t.Parallel()
	srv := codatest.NewServer()
	defer srv.Close()
	d := srv.AddDoc(codatest.Doc{Name: "Generated", Tables: []codatest.Table{{Name: "T", Columns: []codatest.Column{{Name: "A"}}}}})
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || !strings.HasSuffix(srv.URL, "/apis/v1") {
		t.Errorf("URL = %q, want http://127.0.0.1:N/apis/v1", srv.URL)
	}
	if d.ID == "" || !strings.HasPrefix(d.Tables[0].ID, "grid-") || !strings.HasPrefix(d.Tables[0].Columns[0].ID, "c-") {
		t.Errorf("generated IDs: %+v", d)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/docs/"+d.ID+"/tables/T", nil)
	req.Header.Set("Authorization", "Bearer "+codatest.DefaultToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `"href":"`+srv.URL+"/docs/") {
		t.Errorf("GET table: %d %s, want 200 with hrefs under %s", resp.StatusCode, b, srv.URL)
	}
}

func TestAddDocPanicsOnBadSeed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  codatest.Doc
	}{
		{"view of unknown table", codatest.Doc{Tables: []codatest.Table{{Name: "V", View: true, BaseTable: "nope"}}}},
		{"view with rows", codatest.Doc{Tables: []codatest.Table{{Name: "T"}, {Name: "V", View: true, BaseTable: "T", Rows: []codatest.Row{{}}}}}},
		{"unknown column in row", codatest.Doc{Tables: []codatest.Table{{Name: "T", Rows: []codatest.Row{{Values: map[string]any{"x": 1}}}}}}},
		{"view column not in base", codatest.Doc{Tables: []codatest.Table{{Name: "T"}, {Name: "V", View: true, BaseTable: "T", Columns: []codatest.Column{{Name: "x"}}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if recover() == nil {
					t.Error("AddDoc did not panic")
				}
			}()
			codatest.NewUnstarted().AddDoc(tc.doc)
		})
	}
}

func TestInMemoryTransportHonoursContext(t *testing.T) {
	t.Parallel()
	srv := newFixture()
	req := httptest.NewRequest("GET", srv.URL+"/whoami", nil).WithContext(canceled())
	req.RequestURI = ""
	if _, err := srv.Client().Do(req); !errors.Is(err, context.Canceled) {
		t.Errorf("Do with a canceled context: %v, want %v", err, context.Canceled)
	}
	if n := srv.Stats().Requests; n != 0 {
		t.Errorf("the server saw %d requests, want 0", n)
	}
}
