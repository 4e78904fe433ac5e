package codatest_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// item is a listPageContent item, flattened for comparison.
type item struct {
	Style, Content string
	Level          *int
}

// lvl returns a pointer to a line level.
func lvl(n int) *int { return &n }

// pageItems lists a page's content through the API.
func pageItems(t *testing.T, a *api, page string) ([]item, []string) {
	t.Helper()
	l := decode[struct {
		Items []struct {
			ID          string
			Type        string
			ItemContent struct {
				Style, Format, Content string
				LineLevel              *int
			}
		}
	}](t, want(t, a.do("GET", "/docs/"+docID+"/pages/"+page+"/content?limit=500", nil), http.StatusOK))
	var items []item
	var ids []string
	for _, it := range l.Items {
		if it.Type != "line" || it.ItemContent.Format != "plainText" {
			t.Errorf("item %+v: want type line, format plainText", it)
		}
		items = append(items, item{it.ItemContent.Style, it.ItemContent.Content, it.ItemContent.LineLevel})
		ids = append(ids, it.ID)
	}
	return items, ids
}

func TestPageContentFromMarkdown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		md   string
		want []item
	}{
		{"# Title", []item{{"h1", "Title", nil}}},
		{"## v1.2.0 (2025-06-01) ##", []item{{"h2", "v1.2.0 (2025-06-01)", nil}}},
		{"### Fixes", []item{{"h3", "Fixes", nil}}},
		{"#### Deep", []item{{"paragraph", "Deep", lvl(0)}}},
		{"Plain **bold** *it* _em_ ~~gone~~ `co*de*` [link](https://x.y) ![img](a.png) snake_case_name \\*lit\\*",
			[]item{{"paragraph", "Plain bold it em gone co*de* link img snake_case_name *lit*", lvl(0)}}},
		{"- one\n* two\n  + nested", []item{{"bulletedList", "one", lvl(0)}, {"bulletedList", "two", lvl(0)}, {"bulletedList", "nested", lvl(1)}}},
		{"1. first\n2) second", []item{{"numberedList", "first", lvl(0)}, {"numberedList", "second", lvl(0)}}},
		{"- [ ] todo\n- [x] done", []item{{"checkboxList", "todo", lvl(0)}, {"checkboxList", "done", lvl(0)}}},
		{"> quoted\n> > nested", []item{{"blockQuote", "quoted", lvl(0)}, {"blockQuote", "nested", lvl(0)}}},
		{"```go\nx := **1**\n\ny()\n```", []item{{"code", "x := **1**", nil}, {"code", "", nil}, {"code", "y()", nil}}},
		{"a\n\n---\n***\nb", []item{{"paragraph", "a", lvl(0)}, {"paragraph", "b", lvl(0)}}},
		{"line one\r\nline two", []item{{"paragraph", "line one", lvl(0)}, {"paragraph", "line two", lvl(0)}}},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.md, func(t *testing.T) {
			t.Parallel()
			srv := codatest.NewUnstarted()
			srv.AddDoc(codatest.Doc{ID: docID, Pages: []codatest.Page{{ID: pageID, Markdown: tc.md}}})
			got, ids := pageItems(t, newAPI(t, srv, nil), pageID)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			for _, id := range ids {
				if len(id) < 4 || id[:3] != "cl-" {
					t.Errorf("item ID %q, want prefix cl-", id)
				}
			}
		})
	}
}

// contentUpdate is a PageUpdate body changing content.
func contentUpdate(mode, format, content, elementID string) map[string]any {
	cu := map[string]any{"insertionMode": mode, "canvasContent": map[string]any{"format": format, "content": content}}
	if elementID != "" {
		cu["elementId"] = elementID
	}
	return map[string]any{"contentUpdate": cu}
}

// seededPage is a server with one page P (pageID) holding seed, a client
// of it, and the ids of the page's elements.
func seededPage(t *testing.T, seed string) (*codatest.Server, *api, []string) {
	t.Helper()
	srv := codatest.NewUnstarted()
	srv.AddDoc(codatest.Doc{ID: docID, Pages: []codatest.Page{{ID: pageID, Name: "P", Markdown: seed}}})
	a := newAPI(t, srv, nil)
	_, ids := pageItems(t, a, pageID)
	return srv, a, ids
}

func TestUpdatePageContent(t *testing.T) {
	t.Parallel()
	const seed = "# A\nb"
	tests := []struct {
		name    string
		mode    string
		content string
		element int // index of the reference element, or -1 for the whole page
		want    []string
		wantMD  string
	}{
		{"append", "append", "## C", -1, []string{"A", "b", "C"}, "# A\nb\n## C\n"},
		{"prepend", "prepend", "## C\n- d", -1, []string{"C", "d", "A", "b"}, "## C\n- d\n# A\nb\n"},
		{"replace", "replace", "C", -1, []string{"C"}, "C\n"},
		{"append after element", "append", "C", 0, []string{"A", "C", "b"}, "# A\nC\nb\n"},
		{"prepend before element", "prepend", "C", 1, []string{"A", "C", "b"}, "# A\nC\nb\n"},
		{"replace element", "replace", "C\nD", 0, []string{"C", "D", "b"}, "C\nD\nb\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, a, ids := seededPage(t, seed)
			ref := ""
			if tc.element >= 0 {
				ref = ids[tc.element]
			}
			r := want(t, a.do("PUT", "/docs/"+docID+"/pages/P", contentUpdate(tc.mode, "markdown", tc.content, ref)), http.StatusAccepted)
			if got := decode[struct{ ID string }](t, r).ID; got != pageID {
				t.Errorf("PageUpdateResult.id = %q, want %q", got, pageID)
			}
			items, _ := pageItems(t, a, pageID)
			var texts []string
			for _, it := range items {
				texts = append(texts, it.Content)
			}
			if diff := cmp.Diff(tc.want, texts); diff != "" {
				t.Errorf("content (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantMD, srv.PageMarkdown(docID, pageID)); diff != "" {
				t.Errorf("PageMarkdown (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpdatePageRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body any
		msg  string
	}{
		{"bad mode", contentUpdate("insert", "markdown", "x", ""), "insertionMode"},
		{"bad format", contentUpdate("append", "text", "x", ""), "format"},
		{"unknown element", contentUpdate("append", "markdown", "x", "cl-nope"), `Element "cl-nope" not found`},
		{"no canvasContent", map[string]any{"contentUpdate": map[string]any{"insertionMode": "append"}}, "canvasContent"},
		{"unknown field", map[string]any{"content": "x"}, "content"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFixture()
			before := srv.PageMarkdown(docID, pageID)
			wantError(t, newAPI(t, srv, nil).do("PUT", "/docs/"+docID+"/pages/"+pageID, tc.body), http.StatusBadRequest, tc.msg)
			if after := srv.PageMarkdown(docID, pageID); after != before {
				t.Errorf("page changed from %q to %q", before, after)
			}
		})
	}
}

func TestUpdatePageMetadata(t *testing.T) {
	t.Parallel()
	srv := newFixture()
	a := newAPI(t, srv, nil)
	want(t, a.do("PUT", "/docs/"+docID+"/pages/"+pageID, map[string]any{"name": "Changes", "subtitle": "All of them", "isHidden": true}), http.StatusAccepted)
	p := decode[struct {
		Name, Subtitle      string
		IsHidden            bool
		IsEffectivelyHidden bool
	}](t, a.do("GET", "/docs/"+docID+"/pages/Changes", nil))
	if p.Name != "Changes" || p.Subtitle != "All of them" || !p.IsHidden || !p.IsEffectivelyHidden {
		t.Errorf("page after update = %+v", p)
	}
	if md := srv.PageMarkdown(docID, pageID); md != "# Release notes\nSee **below**.\n" {
		t.Errorf("content changed by a metadata update: %q", md)
	}
}

func TestAutomation(t *testing.T) {
	t.Parallel()
	hook := "/docs/" + docID + "/hooks/automation/"
	tests := []struct {
		name   string
		rule   string
		body   any
		status int
		msg    string
	}{
		{"unknown rule", "grid-auto-nope", map[string]any{}, http.StatusNotFound, "not found"},
		{"rule off", ruleOff, map[string]any{}, http.StatusUnprocessableEntity, "not enabled"},
		{"array payload", ruleOn, []any{1}, http.StatusBadRequest, "JSON object"},
		{"string payload", ruleOn, `"x"`, http.StatusBadRequest, "JSON object"},
		{"null payload", ruleOn, `null`, http.StatusBadRequest, "JSON object"},
		{"not JSON", ruleOn, "message=hi", http.StatusBadRequest, "JSON object"},
		{"no body", ruleOn, nil, http.StatusBadRequest, "JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFixture()
			wantError(t, newAPI(t, srv, nil).do("POST", hook+tc.rule, tc.body), tc.status, tc.msg)
			if p := srv.AutomationPayloads(docID, ruleOn); len(p) != 0 {
				t.Errorf("payloads after a refused trigger: %s", p)
			}
		})
	}
	t.Run("payloads stored in order", func(t *testing.T) {
		t.Parallel()
		srv := newFixture()
		a := newAPI(t, srv, nil)
		for _, p := range []string{`{"version":"v1"}`, `{"version":"v2","notes":["a"]}`} {
			r := want(t, a.do("POST", hook+ruleOn, p), http.StatusAccepted)
			if decode[struct{ RequestID string }](t, r).RequestID == "" {
				t.Errorf("no requestId in %s", r.Body)
			}
		}
		want := []json.RawMessage{json.RawMessage(`{"version":"v1"}`), json.RawMessage(`{"version":"v2","notes":["a"]}`)}
		if diff := cmp.Diff(want, srv.AutomationPayloads(docID, ruleOn)); diff != "" {
			t.Errorf("payloads (-want +got):\n%s", diff)
		}
	})
}

func TestDeletePageContent(t *testing.T) {
	t.Parallel()
	const seed = "# A\nb\n## C\nd"
	tests := []struct {
		name     string
		elements []int // indexes of the elements to delete; nil sends no body
		status   int
		want     []string
	}{
		{"some elements", []int{1, 2}, http.StatusAccepted, []string{"A", "d"}},
		{"every element", nil, http.StatusAccepted, nil},
		{"unknown element", []int{-1}, http.StatusBadRequest, []string{"A", "b", "C", "d"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, a, ids := seededPage(t, seed)
			var body any
			if tc.elements != nil {
				var del []string
				for _, i := range tc.elements {
					if i < 0 {
						del = append(del, "cl-nope")
					} else {
						del = append(del, ids[i])
					}
				}
				body = map[string]any{"elementIds": del}
			}
			want(t, a.do("DELETE", "/docs/"+docID+"/pages/P/content", body), tc.status)
			var texts []string
			for _, e := range srv.PageElements(docID, pageID) {
				texts = append(texts, e.Text)
			}
			if diff := cmp.Diff(tc.want, texts); diff != "" {
				t.Errorf("content (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPageWritesAtOnce: the first page updates are held until all have
// come, so that none is accepted before the others were sent; later ones
// are not held, and a lone one is let go after a while.
func TestPageWritesAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newFixture(codatest.WithPageWritesAtOnce(2))
		a := newAPI(t, srv, nil)
		put := func() {
			want(t, a.do("PUT", "/docs/"+docID+"/pages/"+pageID, contentUpdate("append", "markdown", "x", "")), http.StatusAccepted)
		}
		var wg sync.WaitGroup
		wg.Go(put)
		synctest.Wait()
		if n := len(srv.Requests()); n != 0 {
			t.Fatalf("%d requests taken before the second came: the first should be held", n)
		}
		start := time.Now()
		wg.Go(put)
		wg.Wait()
		if n := len(srv.Requests()); n != 2 {
			t.Fatalf("%d requests taken, want 2", n)
		}
		put()
		if d := time.Since(start); d != 0 {
			t.Errorf("later updates were held %v", d)
		}

		lone := newFixture(codatest.WithPageWritesAtOnce(2))
		want(t, newAPI(t, lone, nil).do("PUT", "/docs/"+docID+"/pages/"+pageID, contentUpdate("append", "markdown", "x", "")), http.StatusAccepted)
		if d := time.Since(start); d != 10*time.Second {
			t.Errorf("a lone update was held %v, want 10s", d)
		}
	})
}
