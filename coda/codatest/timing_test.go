package codatest_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
	"bitbucket.org/coda-changelog/coda-changelog/coda/internal/spectest"
)

// step is a request sent at a virtual time offset with the status expected.
type step struct {
	at     time.Duration
	method string
	path   string
	body   any
	status int
}

// runSteps sends steps in order, each at its offset from the start, inside a
// synctest bubble.
func runSteps(t *testing.T, a *api, steps []step) {
	t.Helper()
	start := time.Now()
	for _, st := range steps {
		time.Sleep(time.Until(start.Add(st.at)))
		r := a.do(st.method, st.path, st.body)
		if r.Status != st.status {
			t.Errorf("at %v %s %s: status %d, want %d; body %s", st.at, st.method, st.path, r.Status, st.status, r.Body)
		}
	}
}

func TestWriteDelayAndMutationStatus(t *testing.T) {
	spec := spectest.Load(t)
	synctest.Test(t, func(t *testing.T) {
		srv := newFixture(codatest.WithWriteDelay(10*time.Second), codatest.WithStatusNotFoundFor(3*time.Second))
		a := newAPI(t, srv, spec)
		start := time.Now()
		r := want(t, a.do("POST", rowsPath, upsert(nil, cells(colVer, "v3"))), http.StatusAccepted)
		status := "/mutationStatus/" + decode[struct{ RequestID string }](t, r).RequestID

		checks := []struct {
			at        time.Duration
			status    int
			completed bool
			rows      int
		}{
			{0, http.StatusNotFound, false, 2},
			{3*time.Second - time.Millisecond, http.StatusNotFound, false, 2},
			{3 * time.Second, http.StatusOK, false, 2},
			{10*time.Second - time.Millisecond, http.StatusOK, false, 2},
			{10 * time.Second, http.StatusOK, true, 3},
			{time.Hour, http.StatusOK, true, 3},
		}
		for _, c := range checks {
			time.Sleep(time.Until(start.Add(c.at)))
			r := a.do("GET", status, nil)
			if r.Status != c.status {
				t.Fatalf("at %v: mutationStatus %d %s, want %d", c.at, r.Status, r.Body, c.status)
			}
			if r.Status == http.StatusOK && decode[struct{ Completed bool }](t, r).Completed != c.completed {
				t.Errorf("at %v: mutationStatus %s, want completed=%v", c.at, r.Body, c.completed)
			}
			if n := len(srv.Rows(docID, tableID)); n != c.rows {
				t.Errorf("at %v: Rows has %d rows, want %d", c.at, n, c.rows)
			}
			if n := len(decode[rowList](t, a.do("GET", rowsPath, nil)).Items); n != c.rows {
				t.Errorf("at %v: listRows has %d rows, want %d", c.at, n, c.rows)
			}
		}
	})
}

func TestWritesApplyInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newFixture(codatest.WithWriteDelay(5 * time.Second))
		a := newAPI(t, srv, nil)
		page := "/docs/" + docID + "/pages/" + pageID
		want(t, a.do("PUT", page, contentUpdate("replace", "markdown", "one", "")), http.StatusAccepted)
		time.Sleep(time.Second)
		want(t, a.do("PUT", page, contentUpdate("append", "markdown", "two", "")), http.StatusAccepted)
		want(t, a.do("POST", "/docs/"+docID+"/hooks/automation/"+ruleOn, `{"n":1}`), http.StatusAccepted)
		want(t, a.do("DELETE", rowsPath+"/i-1", nil), http.StatusAccepted)

		time.Sleep(4 * time.Second) // the first write is due, the others not
		if md := srv.PageMarkdown(docID, pageID); md != "one\n" {
			t.Errorf("after 5s PageMarkdown = %q, want %q", md, "one\n")
		}
		if n := len(srv.AutomationPayloads(docID, ruleOn)); n != 0 {
			t.Errorf("after 5s %d payloads, want 0", n)
		}
		want(t, a.do("GET", rowsPath+"/i-1", nil), http.StatusOK)

		time.Sleep(time.Second)
		if md := srv.PageMarkdown(docID, pageID); md != "one\ntwo\n" {
			t.Errorf("after 6s PageMarkdown = %q, want %q", md, "one\ntwo\n")
		}
		if n := len(srv.AutomationPayloads(docID, ruleOn)); n != 1 {
			t.Errorf("after 6s %d payloads, want 1", n)
		}
		wantError(t, a.do("GET", rowsPath+"/i-1", nil), http.StatusNotFound, "not found")
	})
}

func TestRateLimits(t *testing.T) {
	const s = time.Second
	doc := "/docs/" + docID
	hook := doc + "/hooks/automation/" + ruleOn
	page := doc + "/pages/" + pageID
	edit := contentUpdate("append", "markdown", "x", "")
	row := upsert(nil, cells(colVer, "v9"))
	tests := []struct {
		name   string
		limits codatest.Limits
		steps  []step
	}{
		{
			name:   "read window slides",
			limits: codatest.Limits{Read: codatest.Limit{N: 3, Per: 6 * s}},
			steps: []step{
				{0, "GET", "/whoami", nil, 200},
				{1 * s, "GET", doc, nil, 200},
				{2 * s, "GET", rowsPath, nil, 200},
				{6*s - 1, "GET", "/whoami", nil, 429}, // 4th within 6 s of the 1st
				{6 * s, "GET", "/whoami", nil, 200},   // the 1st left the window
				{6*s + s/2, "GET", "/whoami", nil, 429},
				{7 * s, "GET", "/whoami", nil, 200},
				{7 * s, "POST", hook, `{}`, 202}, // writes are another bucket
			},
		},
		{
			name:   "write bucket covers every write",
			limits: codatest.Limits{Write: codatest.Limit{N: 3, Per: 6 * s}},
			steps: []step{
				{0, "POST", hook, `{}`, 202},
				{0, "PUT", page, edit, 202},
				{0, "DELETE", rowsPath + "/i-1", nil, 202},
				{0, "POST", rowsPath, row, 429},
				{0, "GET", "/whoami", nil, 200},
				{6 * s, "POST", rowsPath, row, 202},
			},
		},
		{
			name: "doc content counts in both buckets",
			limits: codatest.Limits{
				Write:      codatest.Limit{N: 4, Per: 6 * s},
				DocContent: codatest.Limit{N: 2, Per: 10 * s},
			},
			steps: []step{
				{0, "POST", rowsPath, row, 202},
				{0, "DELETE", rowsPath + "/i-1", nil, 202},
				{0, "POST", hook, `{}`, 202},    // automations are not doc content
				{0, "PUT", page, edit, 429},     // doc content full
				{0, "POST", rowsPath, row, 429}, // still full; 429s do not count
				{0, "POST", hook, `{}`, 202},    // write: 4th
				{1 * s, "POST", hook, `{}`, 429},
				{6 * s, "POST", hook, `{}`, 202},
				{10*s - 1, "PUT", page, edit, 429},
				{10 * s, "PUT", page, edit, 202},
			},
		},
		{
			name:   "documented doc content limit",
			limits: codatest.DocumentedLimits,
			steps: []step{
				{0, "POST", rowsPath, row, 202}, {0, "POST", rowsPath, row, 202}, {0, "POST", rowsPath, row, 202},
				{0, "POST", rowsPath, row, 202}, {0, "POST", rowsPath, row, 202},
				{0, "POST", rowsPath, row, 429},
				{10 * s, "POST", rowsPath, row, 202},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newFixture(codatest.WithRateLimits(tc.limits))
				runSteps(t, newAPI(t, srv, nil), tc.steps)
				var want int
				for _, st := range tc.steps {
					if st.status == http.StatusTooManyRequests {
						want++
					}
				}
				if got := srv.Stats().RateLimited; got != want {
					t.Errorf("Stats().RateLimited = %d, want %d", got, want)
				}
			})
		})
	}
}

func TestDocumentedLimitsAtNPlusOne(t *testing.T) {
	spec := spectest.Load(t)
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		n      int
	}{
		{"read", "GET", "/whoami", nil, codatest.DocumentedLimits.Read.N},
		{"write", "POST", "/docs/" + docID + "/hooks/automation/" + ruleOn, `{}`, codatest.DocumentedLimits.Write.N},
		{"doc content", "POST", rowsPath, upsert(nil, cells(colVer, "x")), codatest.DocumentedLimits.DocContent.N},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newFixture(codatest.WithRateLimits(codatest.DocumentedLimits))
				a := newAPI(t, srv, spec)
				for range tc.n {
					want(t, a.do(tc.method, tc.path, tc.body), statusFor(tc.method))
				}
				r := a.do(tc.method, tc.path, tc.body)
				const body = `{"statusCode":429,"statusMessage":"Too Many Requests","message":"Too Many Requests"}`
				if r.Status != http.StatusTooManyRequests || string(r.Body) != body {
					t.Errorf("request %d: %d %s, want 429 %s", tc.n+1, r.Status, r.Body, body)
				}
				if v := r.Header.Get("Retry-After"); v != "" {
					t.Errorf("Retry-After = %q, want none", v)
				}
			})
		})
	}
}

// statusFor is the success status of a method on the fake.
func statusFor(method string) int {
	if method == http.MethodGet {
		return http.StatusOK
	}
	return http.StatusAccepted
}

func TestRateLimitedWriteChangesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newFixture(codatest.WithRateLimits(codatest.Limits{Write: codatest.Limit{N: 1, Per: time.Minute}}))
		a := newAPI(t, srv, nil)
		want(t, a.do("POST", rowsPath, upsert(nil, cells(colVer, "a"))), http.StatusAccepted)
		want(t, a.do("POST", rowsPath, upsert(nil, cells(colVer, "b"))), http.StatusTooManyRequests)
		want(t, a.do("POST", "/docs/"+docID+"/hooks/automation/"+ruleOn, `{}`), http.StatusTooManyRequests)
		if n := len(srv.Rows(docID, tableID)); n != 3 {
			t.Errorf("%d rows, want 2 seeded + 1 accepted", n)
		}
		if n := len(srv.AutomationPayloads(docID, ruleOn)); n != 0 {
			t.Errorf("%d payloads after a 429, want 0", n)
		}
	})
}

func TestDocVersionLatest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newFixture(codatest.WithWriteDelay(5 * time.Second))
		srv.AddDoc(codatest.Doc{ID: "other"})
		a := newAPI(t, srv, nil)
		a.header = http.Header{"X-Coda-Doc-Version": {"latest"}}
		want(t, a.do("GET", rowsPath, nil), http.StatusOK)
		want(t, a.do("POST", rowsPath, upsert(nil, cells(colVer, "v3"))), http.StatusAccepted)
		wantError(t, a.do("GET", rowsPath, nil), http.StatusBadRequest, "The latest version of this doc is not available yet.")
		want(t, a.do("GET", "/docs/other", nil), http.StatusOK) // other docs are current
		a.header = nil
		want(t, a.do("GET", rowsPath, nil), http.StatusOK) // without the header reads may be stale
		time.Sleep(5 * time.Second)
		a.header = http.Header{"X-Coda-Doc-Version": {"latest"}}
		want(t, a.do("GET", rowsPath, nil), http.StatusOK)
	})
}

func TestUpdateOfElementDeletedMeanwhileChangesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithWriteDelay(time.Second))
		srv.AddDoc(codatest.Doc{ID: docID, Pages: []codatest.Page{{ID: pageID, Markdown: "a\nb"}}})
		a := newAPI(t, srv, nil)
		_, ids := pageItems(t, a, pageID)
		page := "/docs/" + docID + "/pages/" + pageID
		// The whole-page replace drops the element the second update names.
		want(t, a.do("PUT", page, contentUpdate("replace", "markdown", "b", "")), http.StatusAccepted)
		want(t, a.do("PUT", page, contentUpdate("replace", "markdown", "c", ids[0])), http.StatusAccepted)
		time.Sleep(time.Second)
		if md := srv.PageMarkdown(docID, pageID); md != "b\n" {
			t.Errorf("PageMarkdown = %q, want %q", md, "b\n")
		}
	})
}
