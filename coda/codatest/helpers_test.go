package codatest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
	"bitbucket.org/coda-changelog/coda-changelog/coda/internal/spectest"
)

// api sends requests to a fake with plain net/http, as a client would, and
// checks requests and responses against the spec when spec is set.
type api struct {
	t     testing.TB
	srv   *codatest.Server
	hc    *http.Client
	spec  *spectest.Spec
	token string
	// header holds extra headers sent with every request.
	header http.Header
}

// newAPI returns an api for srv sending the default token, validating against
// spec when it is not nil.
func newAPI(t testing.TB, srv *codatest.Server, spec *spectest.Spec) *api {
	return &api{t: t, srv: srv, hc: srv.Client(), spec: spec, token: codatest.DefaultToken}
}

// reply is an answer from the fake.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// decode decodes the reply body into a fresh T.
func decode[T any](t testing.TB, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("decoding %s: %v", r.Body, err)
	}
	return v
}

// apiErr is Coda's error body.
type apiErr struct {
	StatusCode    int    `json:"statusCode"`
	StatusMessage string `json:"statusMessage"`
	Message       string `json:"message"`
}

// body encodes v as a request body: []byte and string pass through, nil is
// no body, anything else becomes JSON.
func body(t testing.TB, v any) []byte {
	t.Helper()
	switch v := v.(type) {
	case nil:
		return nil
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// do sends method path (relative to the base URL) with body b and returns the
// reply; a transport error fails the test.
func (a *api) do(method, path string, b any) reply {
	a.t.Helper()
	r, err := a.try(method, path, b)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// try is do returning transport errors.
func (a *api) try(method, path string, b any) (reply, error) {
	a.t.Helper()
	data := body(a.t, b)
	u := a.srv.URL + path
	req, err := http.NewRequest(method, u, bytes.NewReader(data))
	if err != nil {
		a.t.Fatal(err)
	}
	if data == nil {
		req.Body = nil
	}
	for k, v := range a.header {
		req.Header[k] = v
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if data != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.spec != nil {
		a.spec.ValidateRequest(a.t, method, u, req.Header, data)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	if a.spec != nil {
		a.spec.ValidateResponse(a.t, method, u, resp.StatusCode, resp.Header, rb)
	}
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: rb}, nil
}

// want checks the status of r and returns r.
func want(t testing.TB, r reply, status int) reply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

// wantError checks that r is Coda's error body for status with a message
// containing msg.
func wantError(t testing.TB, r reply, status int, msg string) {
	t.Helper()
	want(t, r, status)
	e := decode[apiErr](t, r)
	if e.StatusCode != status || e.StatusMessage != http.StatusText(status) {
		t.Errorf("error body %s: want statusCode %d, statusMessage %q", r.Body, status, http.StatusText(status))
	}
	if !strings.Contains(e.Message, msg) {
		t.Errorf("message = %q, want it to contain %q", e.Message, msg)
	}
}

// IDs of the fixture doc.
const (
	docID    = "AbCDeFGH"
	tableID  = "grid-rel"
	viewID   = "table-recent"
	pageID   = "canvas-notes"
	ruleOn   = "grid-auto-on"
	ruleOff  = "grid-auto-off"
	colVer   = "c-ver"
	colKind  = "c-kind"
	colTags  = "c-tags"
	colCalc  = "c-calc"
	colCount = "c-n"
)

// fixture is a doc with a table of every supported column type, a view, a
// page and two automations.
func fixture() codatest.Doc {
	return codatest.Doc{
		ID:   docID,
		Name: "Changelog",
		Tables: []codatest.Table{
			{
				ID: tableID, Name: "Releases",
				Columns: []codatest.Column{
					{ID: colVer, Name: "Version", Display: true},
					{ID: "c-date", Name: "Date", Type: "date"},
					{ID: "c-when", Name: "Released at", Type: "dateTime"},
					{ID: colCount, Name: "Commits", Type: "number"},
					{ID: "c-done", Name: "Done", Type: "checkbox"},
					{ID: colKind, Name: "Kind", Type: "select", Options: []string{"feat", "fix"}},
					{ID: colTags, Name: "Tags", Type: "select", IsArray: true, Options: []string{"api", "ui"}},
					{ID: "c-link", Name: "Link", Type: "link"},
					{ID: "c-who", Name: "Author", Type: "person"},
					{ID: colCalc, Name: "Summary", Calculated: true},
				},
				Rows: []codatest.Row{
					{ID: "i-1", Values: map[string]any{colVer: "v1.0.0", colCount: 3, colTags: []string{"api", "ui"}, "Done": true}},
					{ID: "i-2", Values: map[string]any{colVer: "v1.1.0", colKind: "fix", colCalc: "v1.1.0 (fix)"}},
				},
			},
			{ID: viewID, Name: "Recent releases", View: true, BaseTable: "Releases"},
		},
		Pages: []codatest.Page{
			{ID: pageID, Name: "Release notes", Markdown: "# Release notes\n\nSee **below**."},
		},
		Automations: []codatest.Automation{{ID: ruleOn}, {ID: ruleOff, Off: true}},
	}
}

// newFixture starts an unstarted fake with opts seeded with [fixture].
func newFixture(opts ...codatest.Option) *codatest.Server {
	srv := codatest.NewUnstarted(opts...)
	srv.AddDoc(fixture())
	return srv
}

// canceled returns a context that is already canceled.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
