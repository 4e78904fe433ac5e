package codatest_test

import (
	"net/http"
	"net/url"
	"testing"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
	"bitbucket.org/coda-changelog/coda-changelog/coda/internal/spectest"
)

// TestEndpointsMatchSpec drives every endpoint, successes and errors, and
// checks each request and response against Coda's OpenAPI spec (the api
// helper validates both). Steps run in order on one server.
func TestEndpointsMatchSpec(t *testing.T) {
	spec := spectest.Load(t)
	doc := "/docs/" + docID
	rows := doc + "/tables/" + tableID + "/rows"
	page := doc + "/pages/" + pageID
	srv := newFixture()
	firstElement := srv.PageElements(docID, pageID)[0].ID
	steps := []struct {
		name   string
		method string
		path   string
		body   any
		status int
	}{
		{"whoami", "GET", "/whoami", nil, 200},
		{"getDoc", "GET", doc, nil, 200},
		{"getDoc unknown", "GET", "/docs/nope", nil, 404},
		{"getTable by id", "GET", doc + "/tables/" + tableID, nil, 200},
		{"getTable by name", "GET", doc + "/tables/" + url.PathEscape("Recent releases"), nil, 200},
		{"getTable unknown", "GET", doc + "/tables/nope", nil, 404},
		{"listColumns", "GET", doc + "/tables/" + tableID + "/columns?limit=3&visibleOnly=true", nil, 200},
		{"listColumns view", "GET", doc + "/tables/" + viewID + "/columns", nil, 200},
		{"listRows", "GET", rows, nil, 200},
		{"listRows names", "GET", rows + "?useColumnNames=true&valueFormat=simpleWithArrays&sortBy=natural&limit=1", nil, 200},
		{"listRows rich", "GET", rows + "?valueFormat=rich", nil, 200},
		{"listRows query", "GET", rows + "?query=" + url.QueryEscape(`c-ver:"v1.0.0"`), nil, 200},
		{"listRows bad query", "GET", rows + "?query=" + url.QueryEscape(`Nope:1`), nil, 400},
		{"upsertRows", "POST", rows + "?disableParsing=true", map[string]any{
			"rows":       []any{map[string]any{"cells": []any{map[string]any{"column": colVer, "value": "v2.0.0"}, map[string]any{"column": colTags, "value": []string{"api"}}}}},
			"keyColumns": []string{colVer},
		}, 202},
		{"insertRows", "POST", rows, map[string]any{
			"rows": []any{map[string]any{"cells": []any{map[string]any{"column": "Version", "value": "v2.1.0"}, map[string]any{"column": colCount, "value": 7}}}},
		}, 202},
		{"upsertRows view", "POST", doc + "/tables/" + viewID + "/rows", map[string]any{
			"rows": []any{map[string]any{"cells": []any{map[string]any{"column": colVer, "value": "x"}}}},
		}, 400},
		{"getRow", "GET", rows + "/i-1", nil, 200},
		{"getRow rich by name", "GET", rows + "/v1.0.0?valueFormat=rich&useColumnNames=true", nil, 200},
		{"getRow unknown", "GET", rows + "/i-nope", nil, 404},
		{"deleteRow", "DELETE", rows + "/i-2", nil, 202},
		{"deleteRow unknown", "DELETE", rows + "/i-nope", nil, 404},
		{"getPage", "GET", page, nil, 200},
		{"getPage by name", "GET", doc + "/pages/" + url.PathEscape("Release notes"), nil, 200},
		{"getPage unknown", "GET", doc + "/pages/nope", nil, 404},
		{"updatePage", "PUT", page, map[string]any{
			"name":          "Notes",
			"contentUpdate": map[string]any{"insertionMode": "prepend", "canvasContent": map[string]any{"format": "markdown", "content": "## v2.0.0"}},
		}, 202},
		{"updatePage html", "PUT", page, map[string]any{
			"contentUpdate": map[string]any{"insertionMode": "append", "canvasContent": map[string]any{"format": "html", "content": "<ul><li>one</li></ul>"}},
		}, 202},
		{"listPageContent", "GET", page + "/content?limit=2&contentFormat=plainText", nil, 200},
		{"updatePage at element", "PUT", page, map[string]any{
			"contentUpdate": map[string]any{"insertionMode": "prepend", "elementId": firstElement, "canvasContent": map[string]any{"format": "markdown", "content": "## v2.0.1"}},
		}, 202},
		{"updatePage unknown element", "PUT", page, map[string]any{
			"contentUpdate": map[string]any{"insertionMode": "append", "elementId": "cl-nope", "canvasContent": map[string]any{"format": "markdown", "content": "x"}},
		}, 400},
		{"deletePageContent elements", "DELETE", page + "/content", map[string]any{"elementIds": []string{firstElement}}, 202},
		{"deletePageContent unknown element", "DELETE", page + "/content", map[string]any{"elementIds": []string{"cl-nope"}}, 400},
		{"deletePageContent all", "DELETE", page + "/content", nil, 202},
		{"triggerWebhookAutomation", "POST", doc + "/hooks/automation/" + ruleOn, map[string]any{"version": "v2.0.0"}, 202},
		{"triggerWebhookAutomation off", "POST", doc + "/hooks/automation/" + ruleOff, map[string]any{}, 422},
		{"triggerWebhookAutomation unknown", "POST", doc + "/hooks/automation/nope", map[string]any{}, 404},
		{"mutationStatus unknown", "GET", "/mutationStatus/nope", nil, 404},
	}
	a := newAPI(t, srv, spec)
	var lastRequestID string
	for _, st := range steps {
		r := a.do(st.method, st.path, st.body)
		if r.Status != st.status {
			t.Errorf("%s: status = %d, want %d; body %s", st.name, r.Status, st.status, r.Body)
		}
		if r.Status == http.StatusAccepted {
			lastRequestID = decode[struct{ RequestID string }](t, r).RequestID
		}
	}
	r := a.do("GET", "/mutationStatus/"+lastRequestID, nil)
	if got := decode[struct{ Completed bool }](t, r); !got.Completed {
		t.Errorf("mutationStatus %s = %s, want completed", lastRequestID, r.Body)
	}

	a.token = "wrong"
	wantError(t, a.do("GET", "/whoami", nil), http.StatusUnauthorized, "The API token is invalid or has expired.")
}

// TestPaginationMatchesSpec follows nextPageLink through every list endpoint
// and checks each page against the spec.
func TestPaginationMatchesSpec(t *testing.T) {
	spec := spectest.Load(t)
	srv := codatest.NewUnstarted()
	var cols []codatest.Column
	var rowsSeed []codatest.Row
	for i := range 30 {
		cols = append(cols, codatest.Column{Name: "Col " + string(rune('A'+i))})
		rowsSeed = append(rowsSeed, codatest.Row{Values: map[string]any{"Col A": i}})
	}
	var md string
	for range 60 {
		md += "- item\n"
	}
	var tables []codatest.Table
	tables = append(tables, codatest.Table{Name: "Big", Columns: cols, Rows: rowsSeed})
	for i := range 30 {
		tables = append(tables, codatest.Table{Name: "View " + string(rune('A'+i)), View: true, BaseTable: "Big"})
	}
	var pages []codatest.Page
	for i := range 30 {
		pages = append(pages, codatest.Page{Name: "Page " + string(rune('A'+i)), Markdown: md})
	}
	d := srv.AddDoc(codatest.Doc{Tables: tables, Pages: pages})
	base := "/docs/" + d.ID
	for _, tc := range []struct {
		path      string
		wantPages int
		wantItems int
		offSpec   bool // the request breaks the spec on purpose
	}{
		{base + "/tables/Big/columns", 2, 30, false}, // default limit 25
		{base + "/tables/Big/columns?limit=100", 1, 30, false},
		{base + "/tables/Big/columns?limit=20", 2, 30, false},
		{base + "/tables/Big/columns?limit=500", 1, 30, true}, // capped at 100
		{base + "/tables/Big/rows?limit=7&query=" + url.QueryEscape(`"Col A":3`), 1, 1, false},
		{base + "/tables/Big/rows?limit=7", 5, 30, false},
		{base + "/pages/" + url.PathEscape("Page A") + "/content", 2, 60, false}, // default limit 50
	} {
		t.Run(tc.path, func(t *testing.T) {
			a := newAPI(t, srv, spec)
			if tc.offSpec {
				a.spec = nil
			}
			pages, items := 0, 0
			next := srv.URL + tc.path
			for next != "" {
				r := want(t, a.do("GET", next[len(srv.URL):], nil), http.StatusOK)
				l := decode[struct {
					Items         []any
					NextPageToken string
					NextPageLink  string
				}](t, r)
				pages++
				items += len(l.Items)
				if (l.NextPageToken == "") != (l.NextPageLink == "") {
					t.Fatalf("nextPageToken %q and nextPageLink %q disagree", l.NextPageToken, l.NextPageLink)
				}
				next = l.NextPageLink
				if pages > 10 {
					t.Fatal("too many pages")
				}
			}
			if pages != tc.wantPages || items != tc.wantItems {
				t.Errorf("got %d pages, %d items; want %d pages, %d items", pages, items, tc.wantPages, tc.wantItems)
			}
		})
	}
}
