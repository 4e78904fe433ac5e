package spectest_test

import (
	"net/http"
	"strings"
	"testing"

	"bitbucket.org/coda-changelog/coda-changelog/coda/internal/spectest"
)

// jsonHeader is the header of a JSON response.
var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// bearer is the header of an authenticated JSON request.
var bearer = http.Header{"Authorization": {"Bearer t"}, "Content-Type": {"application/json"}}

func TestLoad(t *testing.T) {
	s := spectest.Load(t)
	if got := s.Version(); got != "1.5.0" {
		t.Errorf("Version() = %q, want 1.5.0", got)
	}
}

func TestCheckResponse(t *testing.T) {
	s := spectest.Load(t)
	const columns = "http://127.0.0.1:1/apis/v1/docs/d/tables/grid-1/columns"
	column := func(format string) string {
		return `{"items":[{"id":"c-1","type":"column","href":"https://x/c-1","name":"A","format":` + format + `}]}`
	}
	tests := []struct {
		name   string
		method string
		url    string
		status int
		body   string
		errMsg string // empty: valid
	}{
		{"mutation status", "GET", "http://h/apis/v1/mutationStatus/r", 200, `{"completed":false,"warning":"w"}`, ""},
		{"mutation status missing completed", "GET", "http://h/apis/v1/mutationStatus/r", 200, `{}`, "completed"},
		{"mutation status extra field", "GET", "http://h/apis/v1/mutationStatus/r", 200, `{"completed":true,"done":true}`, "done"},
		{"undeclared status", "GET", "http://h/apis/v1/mutationStatus/r", 500, `{}`, "500"},
		{"error body", "GET", "http://h/apis/v1/mutationStatus/r", 404, `{"statusCode":404,"statusMessage":"Not Found","message":"m"}`, ""},
		// These need the allOf repair: the spec's parts each forbid the other's fields.
		{"select format", "GET", columns, 200, column(`{"type":"select","isArray":true,"options":[{"name":"a"}]}`), ""},
		{"checkbox format", "GET", columns, 200, column(`{"type":"checkbox","isArray":false,"displayType":"check"}`), ""},
		{"checkbox format without displayType", "GET", columns, 200, column(`{"type":"checkbox","isArray":false}`), "displayType"},
		{"select format with unknown field", "GET", columns, 200, column(`{"type":"select","isArray":false,"colour":"red"}`), "colour"},
		// This needs the mapping repair.
		{"link format", "GET", columns, 200, column(`{"type":"link","isArray":false}`), ""},
		{"upsert result", "POST", "http://h/apis/v1/docs/d/tables/t/rows", 202, `{"requestId":"r","addedRowIds":["i-1"]}`, ""},
		{"upsert result extra field", "POST", "http://h/apis/v1/docs/d/tables/t/rows", 202, `{"requestId":"r","id":"x"}`, "id"},
		{"page create result without id", "POST", "http://h/apis/v1/docs/d/pages", 202, `{"requestId":"r"}`, "id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.CheckResponse(tc.method, tc.url, tc.status, jsonHeader, []byte(tc.body))
			switch {
			case tc.errMsg == "" && err != nil:
				t.Errorf("CheckResponse: %v", err)
			case tc.errMsg != "" && err == nil:
				t.Errorf("CheckResponse accepted %s", tc.body)
			case tc.errMsg != "" && !strings.Contains(err.Error(), tc.errMsg):
				t.Errorf("CheckResponse error %q does not mention %q", err, tc.errMsg)
			}
		})
	}
}

func TestCheckRequest(t *testing.T) {
	s := spectest.Load(t)
	tests := []struct {
		name   string
		method string
		url    string
		header http.Header
		body   string
		valid  bool
	}{
		{"whoami", "GET", "http://h/apis/v1/whoami", bearer, "", true},
		{"no token", "GET", "http://h/apis/v1/whoami", http.Header{}, "", false},
		{"unknown path", "GET", "http://h/apis/v1/nope", bearer, "", false},
		{"outside base path", "GET", "http://h/v1/whoami", bearer, "", false},
		{"rows query", "GET", "http://h/apis/v1/docs/d/tables/t/rows?query=c-1%3A%22x%22&valueFormat=simple&limit=10", bearer, "", true},
		{"bad valueFormat", "GET", "http://h/apis/v1/docs/d/tables/t/rows?valueFormat=html", bearer, "", false},
		{"columns limit over 100", "GET", "http://h/apis/v1/docs/d/tables/t/columns?limit=101", bearer, "", false},
		{"upsert", "POST", "http://h/apis/v1/docs/d/tables/t/rows", bearer, `{"rows":[{"cells":[{"column":"c-1","value":["a",1,true]}]}],"keyColumns":["c-1"]}`, true},
		{"upsert object value", "POST", "http://h/apis/v1/docs/d/tables/t/rows", bearer, `{"rows":[{"cells":[{"column":"c-1","value":{"a":1}}]}]}`, false},
		{"create page", "POST", "http://h/apis/v1/docs/d/pages", bearer, `{"name":"n","pageContent":{"type":"canvas","canvasContent":{"format":"markdown","content":"# x"}}}`, true},
		{"create page with content", "POST", "http://h/apis/v1/docs/d/pages", bearer, `{"name":"n","content":{"format":"markdown","content":"# x"}}`, false},
		{"update page prepend", "PUT", "http://h/apis/v1/docs/d/pages/p", bearer, `{"contentUpdate":{"insertionMode":"prepend","canvasContent":{"format":"markdown","content":"x"}}}`, true},
		{"update page bad mode", "PUT", "http://h/apis/v1/docs/d/pages/p", bearer, `{"contentUpdate":{"insertionMode":"insert","canvasContent":{"format":"markdown","content":"x"}}}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			err := s.CheckRequest(tc.method, tc.url, tc.header, body)
			if (err == nil) != tc.valid {
				t.Errorf("CheckRequest = %v, want valid=%v", err, tc.valid)
			}
		})
	}
}
