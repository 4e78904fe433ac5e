package insightstest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// recorder collects the failures a server reports instead of failing the
// test, so that a test can send bad requests on purpose.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) fail(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// expect checks a request's outcome: a 200 and no failure when want is
// "", else a 400 and one failure that says want.
func (r *recorder) expect(t *testing.T, status int, want string) {
	t.Helper()
	if want == "" {
		require.Empty(t, r.msgs)
		require.Equal(t, http.StatusOK, status)
		return
	}
	require.Len(t, r.msgs, 1)
	require.Contains(t, r.msgs[0], want)
	require.Equal(t, http.StatusBadRequest, status)
}

// newChecked starts a server whose failures go to the returned recorder,
// and a client that goes through it as its proxy.
func newChecked(t *testing.T) (*Server, *recorder, *http.Client) {
	srv := NewServer(t)
	rec := &recorder{}
	srv.fail = rec.fail
	proxy, err := url.Parse(srv.URL)
	require.NoError(t, err)
	return srv, rec, &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
}

const reportURL = "http://api.bitbucket.org/2.0/repositories/acme/shop/commit/abc/reports/r"

// send makes one request and returns its status.
func send(t *testing.T, c *http.Client, method, rawURL, body string, header ...string) int {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

const goodReport = `{"title":"Changelog","report_type":"TEST","result":"PASSED","data":[{"title":"n","type":"NUMBER","value":3},` +
	`{"title":"l","type":"LINK","value":{"text":"Coda","href":"https://coda.io/d/x"}},{"title":"b","type":"BOOLEAN","value":true}]}`

// annotationsJSON makes a bulk body of n annotations, ids from prefix.
func annotationsJSON(prefix string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"external_id":"%s-%d","annotation_type":"CODE_SMELL","summary":"s"}`, prefix, i)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestServerChecksRequests(t *testing.T) {
	t.Parallel()
	many := func(n int) string {
		items := make([]string, n)
		for i := range items {
			items[i] = `{"title":"t","type":"TEXT","value":"v"}`
		}
		return `{"title":"T","report_type":"TEST","result":"PASSED","data":[` + strings.Join(items, ",") + `]}`
	}
	tests := []struct {
		name, method, url, body string
		header                  []string
		want                    string // in the failure; "" for a good request
	}{
		{"good report", "PUT", reportURL, goodReport, nil, ""},
		{"unknown report type", "PUT", reportURL, `{"title":"T","report_type":"LINT","result":"PASSED"}`, nil, "at /report_type: value is not one of the allowed values"},
		{"unknown result", "PUT", reportURL, `{"title":"T","report_type":"TEST","result":"OK"}`, nil, "at /result: value is not one of"},
		{"ten data items", "PUT", reportURL, many(10), nil, ""},
		{"eleven data items", "PUT", reportURL, many(11), nil, "at /data: maximum number of items is 10"},
		{"number as text", "PUT", reportURL, `{"title":"T","report_type":"TEST","result":"PASSED","data":[{"title":"n","type":"NUMBER","value":"3"}]}`, nil, "NUMBER"},
		{"link without href", "PUT", reportURL, `{"title":"T","report_type":"TEST","result":"PASSED","data":[{"title":"n","type":"LINK","value":{"text":"x"}}]}`, nil, "LINK"},
		{"unknown data type", "PUT", reportURL, `{"title":"T","report_type":"TEST","result":"PASSED","data":[{"title":"n","type":"MONEY","value":3}]}`, nil, "at /data/0/type: value is not one of"},
		{"wrong path", "PUT", strings.Replace(reportURL, "/reports/", "/report/", 1), goodReport, nil, "no operation"},
		{"wrong method", "PATCH", reportURL, goodReport, nil, "no operation"},
		{"credentials", "PUT", reportURL, goodReport, []string{"Authorization", "Bearer secret"}, "credentials"},
		{"other host", "PUT", strings.Replace(reportURL, "api.bitbucket.org", "example.com", 1), goodReport, nil, "absolute"},
		{"details too long", "PUT", reportURL, `{"title":"T","report_type":"TEST","result":"PASSED","details":"` + strings.Repeat("x", 2001) + `"}`, nil, "2000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, rec, c := newChecked(t)
			rec.expect(t, send(t, c, tc.method, tc.url, tc.body, tc.header...), tc.want)
		})
	}
}

func TestServerChecksAnnotations(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, want string }{
		{"hundred", annotationsJSON("a", 100), ""},
		{"hundred and one", annotationsJSON("a", 101), "maximum number of items is 100"},
		{"none", "[]", "minimum number of items is 1"},
		{"unknown type", `[{"external_id":"a","annotation_type":"STYLE","summary":"s"}]`, "at /0/annotation_type: value is not one of"},
		{"line zero", `[{"external_id":"a","annotation_type":"BUG","summary":"s","path":"a.go","line":0}]`, "at /0/line"},
		{"no summary", `[{"external_id":"a","annotation_type":"BUG"}]`, "summary"},
		{"no external id", `[{"annotation_type":"BUG","summary":"s"}]`, "external_id"},
		{"summary too long", `[{"external_id":"a","annotation_type":"BUG","summary":"` + strings.Repeat("é", 451) + `"}]`, "450"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, rec, c := newChecked(t)
			require.Equal(t, http.StatusOK, send(t, c, "PUT", reportURL, goodReport))
			rec.expect(t, send(t, c, "POST", reportURL+"/annotations", tc.body), tc.want)
		})
	}
}

func TestServerKeepsReports(t *testing.T) {
	t.Parallel()
	srv, rec, c := newChecked(t)
	require.Equal(t, http.StatusNotFound, send(t, c, "POST", reportURL+"/annotations", annotationsJSON("a", 1)), "no report yet")
	require.Len(t, rec.msgs, 1)
	rec.msgs = nil

	require.Equal(t, http.StatusOK, send(t, c, "PUT", reportURL, goodReport))
	for i := range 10 {
		require.Equal(t, http.StatusOK, send(t, c, "POST", reportURL+"/annotations", annotationsJSON(fmt.Sprint(i), 100)))
	}
	require.Equal(t, http.StatusOK, send(t, c, "POST", reportURL+"/annotations", annotationsJSON("0", 100)), "an upsert by external_id adds none")
	require.Empty(t, rec.msgs)
	require.Equal(t, http.StatusBadRequest, send(t, c, "POST", reportURL+"/annotations", annotationsJSON("x", 1)), "the 1001st")
	require.Len(t, rec.msgs, 1)
	require.Contains(t, rec.msgs[0], "1000")
	rec.msgs = nil

	// A PUT keeps the annotations; a DELETE takes them away.
	require.Equal(t, http.StatusOK, send(t, c, "PUT", reportURL, strings.Replace(goodReport, "PASSED", "FAILED", 1)))
	require.Len(t, srv.Annotations("acme/shop", "abc", "r"), 1000)
	require.Equal(t, "FAILED", srv.Reports("acme/shop", "abc")[0].Result)
	require.Equal(t, http.StatusNoContent, send(t, c, "DELETE", reportURL, ""))
	require.Empty(t, srv.Reports("acme/shop", "abc"))
	require.Empty(t, srv.Annotations("acme/shop", "abc", "r"))
	require.Empty(t, rec.msgs)
}

func TestServerWantsAProxyRequest(t *testing.T) {
	t.Parallel()
	srv, rec, _ := newChecked(t)
	resp, err := http.Post(srv.URL+"/2.0/repositories/acme/shop/commit/abc/reports/r", "application/json", bytes.NewReader([]byte(goodReport)))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Len(t, rec.msgs, 1)
	require.Contains(t, rec.msgs[0], "absolute")
}
