package coda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

const (
	testToken   = "tok-3f9d2c1e-secret"
	testBaseURL = "http://coda.localhost/apis/v1"
)

// roundTripFunc is an [http.RoundTripper] made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// serveInMemory returns a transport that answers requests with h, mounted
// under /apis/v1 so that a path written as absolute misses it. It runs in
// the calling goroutine, so it works inside a synctest bubble.
func serveInMemory(h http.Handler) http.RoundTripper {
	mux := http.NewServeMux()
	mux.Handle("/apis/v1/", http.StripPrefix("/apis/v1", h))
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Body == nil {
			r.Body = http.NoBody
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		r.Body.Close()
		return rec.Result(), nil
	})
}

// newTestClient returns a client that talks to h in memory, with no pacing
// unless opts set limits.
func newTestClient(t *testing.T, h http.Handler, opts ...Option) *Client {
	t.Helper()
	return newTransportClient(t, serveInMemory(h), opts...)
}

// newTransportClient returns a client that sends through rt.
func newTransportClient(t *testing.T, rt http.RoundTripper, opts ...Option) *Client {
	t.Helper()
	base := []Option{
		WithBaseURL(testBaseURL),
		WithHTTPClient(&http.Client{Transport: rt}),
		WithLimits(Limits{}),
	}
	c, err := NewClient(testToken, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// recorded is a request as a test handler saw it.
type recorded struct {
	Method, Path, Query string
	Body                string
	Header              http.Header
}

// recorder records requests and answers them with the responses given, in
// order, repeating the last.
type recorder struct {
	mu        sync.Mutex
	requests  []recorded
	responses []response
}

type response struct {
	status int
	body   string
	header http.Header
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	n := len(rec.requests)
	rec.requests = append(rec.requests, recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, string(body), r.Header.Clone()})
	resp := rec.responses[min(n, len(rec.responses)-1)]
	rec.mu.Unlock()
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.status)
	io.WriteString(w, resp.body)
}

func (rec *recorder) all() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.requests...)
}

// answer returns a recorder answering with status and body every time.
func answer(status int, body string) *recorder {
	return &recorder{responses: []response{{status: status, body: body}}}
}

// codaError returns Coda's error body for status.
func codaError(status int, message string) string {
	b, _ := json.Marshal(map[string]any{"statusCode": status, "statusMessage": http.StatusText(status), "message": message})
	return string(b)
}

// logBuffer is a concurrency-safe buffer for a JSON slog handler.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the logged records, decoded.
func (b *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(b.buf.Bytes()))
	for dec.More() {
		var m map[string]any
		require.NoError(t, dec.Decode(&m))
		out = append(out, m)
	}
	return out
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// debugLogger returns a logger writing JSON debug records to a buffer.
func debugLogger() (*slog.Logger, *logBuffer) {
	var b logBuffer
	return slog.New(slog.NewJSONHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

func TestNewClient(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		token   string
		opts    []Option
		wantErr string // substring; "" for success
		wantURL string
	}{
		{name: "default", token: "t", wantURL: "https://coda.io/apis/v1/"},
		{name: "trailing slash kept", token: "t", opts: []Option{WithBaseURL("https://docs.superhuman.com/apis/v1/")}, wantURL: "https://docs.superhuman.com/apis/v1/"},
		{name: "loopback http", token: "t", opts: []Option{WithBaseURL("http://127.0.0.1:8080/apis/v1")}, wantURL: "http://127.0.0.1:8080/apis/v1/"},
		{name: "loopback ipv6", token: "t", opts: []Option{WithBaseURL("http://[::1]:9/x")}, wantURL: "http://[::1]:9/x/"},
		{name: "localhost", token: "t", opts: []Option{WithBaseURL("http://LocalHost:1/apis/v1")}, wantURL: "http://LocalHost:1/apis/v1/"},
		{name: "localhost domain", token: "t", opts: []Option{WithBaseURL("http://coda.localhost/apis/v1")}, wantURL: "http://coda.localhost/apis/v1/"},
		{name: "http to a name that DNS resolves", token: "t", opts: []Option{WithBaseURL("http://coda.test/apis/v1")}, wantErr: "http"},
		{name: "empty token", token: "", wantErr: "API token is empty"},
		{name: "token with newline", token: "abc\n", wantErr: "whitespace or control characters"},
		{name: "http elsewhere", token: "t", opts: []Option{WithBaseURL("http://coda.io/apis/v1")}, wantErr: "uses http; use https"},
		{name: "http on a private address", token: "t", opts: []Option{WithBaseURL("http://10.0.0.1/apis/v1")}, wantErr: "uses http"},
		{name: "relative", token: "t", opts: []Option{WithBaseURL("/apis/v1")}, wantErr: "not absolute"},
		{name: "no scheme", token: "t", opts: []Option{WithBaseURL("coda.io/apis/v1")}, wantErr: "not absolute"},
		{name: "other scheme", token: "t", opts: []Option{WithBaseURL("ftp://coda.io/apis/v1")}, wantErr: `scheme "ftp"`},
		{name: "credentials", token: "t", opts: []Option{WithBaseURL("https://u:pw@coda.io/apis/v1")}, wantErr: "must not contain credentials"},
		{name: "query", token: "t", opts: []Option{WithBaseURL("https://coda.io/apis/v1?x=1")}, wantErr: "query or fragment"},
		{name: "unparsable", token: "t", opts: []Option{WithBaseURL("https://coda.io:port/")}, wantErr: "not a valid URL"},
		{name: "nil http client", token: "t", opts: []Option{WithHTTPClient(nil)}, wantErr: "client is nil"},
		{name: "nil logger", token: "t", opts: []Option{WithLogger(nil)}, wantErr: "logger is nil"},
		{name: "empty user agent", token: "t", opts: []Option{WithUserAgent(" ")}, wantErr: "user agent is empty"},
		{name: "limit without window", token: "t", opts: []Option{WithLimits(Limits{Write: Limit{N: 3}})}, wantErr: "Write limit 3 per 0s is invalid"},
		{name: "negative limit", token: "t", opts: []Option{WithLimits(Limits{Read: Limit{N: -1, Per: time.Second}})}, wantErr: "Read limit"},
		{name: "negative retry", token: "t", opts: []Option{WithRetry(RetryPolicy{Attempts: -1})}, wantErr: "negative field"},
		{name: "cap below base", token: "t", opts: []Option{WithRetry(RetryPolicy{Base: time.Minute, Cap: time.Second})}, wantErr: "shorter than Base"},
		{name: "zero batch", token: "t", opts: []Option{withBatchLimits(0, 100)}, wantErr: "both must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tc.token, tc.opts...)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantURL, c.baseURL)
		})
	}
}

func TestPrintingClientHidesToken(t *testing.T) {
	t.Parallel()
	c, err := NewClient(testToken)
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		require.NotContains(t, fmt.Sprintf(verb, c), testToken, verb)
		require.NotContains(t, fmt.Sprintf(verb, *c), testToken, verb)
	}
}

func TestNewClientDefaults(t *testing.T) {
	t.Parallel()
	c, err := NewClient("t")
	require.NoError(t, err)
	require.NotSame(t, http.DefaultClient, c.http)
	require.Equal(t, DefaultTimeouts, c.timeouts)
	require.Equal(t, "coda-changelog/dev", c.userAgent)
	require.Equal(t, DefaultRetryPolicy, c.retry)
	require.Equal(t, DefaultLimits.DocContent, c.pace.windows[bucketDocContent].limit)

	c, err = NewClient("t", WithRetry(RetryPolicy{Attempts: 2}))
	require.NoError(t, err)
	require.Equal(t, RetryPolicy{Attempts: 2, Base: time.Second, Cap: time.Minute}, c.retry)
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	rec := answer(http.StatusOK, `{"name":"Ann","loginId":"ann@example.com","scoped":true,"tokenName":"ci"}`)
	c := newTestClient(t, rec, WithUserAgent("changelog-pipe/1.2"))
	u, err := c.WhoAmI(t.Context())
	require.NoError(t, err)
	require.Equal(t, User{Name: "Ann", LoginID: "ann@example.com", Scoped: true, TokenName: "ci"}, u)

	got := rec.all()
	require.Len(t, got, 1)
	require.Equal(t, "/whoami", got[0].Path)
	require.Equal(t, "Bearer "+testToken, got[0].Header.Get("Authorization"))
	require.Equal(t, "changelog-pipe/1.2", got[0].Header.Get("User-Agent"))
	require.Equal(t, "application/json", got[0].Header.Get("Accept"))
}

func TestErrorResponses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		want    *Error
		wantMsg string
		is      error
	}{
		{
			name: "coda body", status: 404, body: codaError(404, "Not Found"),
			want:    &Error{StatusCode: 404, StatusMessage: "Not Found", Message: "Not Found", Method: "GET", Path: "/docs/d1", Attempts: 1},
			wantMsg: "coda: GET /docs/d1: 404 Not Found: Not Found",
			is:      ErrNotFound,
		},
		{
			name: "unauthorized", status: 401, body: codaError(401, "The API token is invalid or has expired."),
			want:    &Error{StatusCode: 401, StatusMessage: "Unauthorized", Message: "The API token is invalid or has expired.", Method: "GET", Path: "/docs/d1", Attempts: 1},
			wantMsg: "coda: GET /docs/d1: 401 Unauthorized: The API token is invalid or has expired.",
			is:      ErrUnauthorized,
		},
		{
			name: "forbidden", status: 403, body: codaError(403, "The API token does not grant access to this resource."),
			want: &Error{StatusCode: 403, StatusMessage: "Forbidden", Message: "The API token does not grant access to this resource.", Method: "GET", Path: "/docs/d1", Attempts: 1},
			is:   ErrForbidden,
		},
		{
			name: "validation details", status: 400,
			body:    `{"statusCode":400,"statusMessage":"Bad Request","message":"Invalid","codaDetail":{"validationErrors":[{"path":"contentFormat","message":"must be plainText"}]}}`,
			want:    &Error{StatusCode: 400, StatusMessage: "Bad Request", Message: "Invalid; contentFormat: must be plainText", Method: "GET", Path: "/docs/d1", Attempts: 1},
			wantMsg: "coda: GET /docs/d1: 400 Bad Request: Invalid; contentFormat: must be plainText",
		},
		{
			name: "html body", status: 410, body: "<html>\n<body>Gone</body></html>",
			want: &Error{StatusCode: 410, StatusMessage: "Gone", Message: "<html>", Method: "GET", Path: "/docs/d1", Attempts: 1},
		},
		{
			name: "empty body", status: 422, body: "",
			want:    &Error{StatusCode: 422, StatusMessage: "Unprocessable Entity", Method: "GET", Path: "/docs/d1", Attempts: 1},
			wantMsg: "coda: GET /docs/d1: 422 Unprocessable Entity",
		},
		{
			name: "token echoed", status: 400, body: codaError(400, "bad token "+testToken),
			want: &Error{StatusCode: 400, StatusMessage: "Bad Request", Message: "bad token [token]", Method: "GET", Path: "/docs/d1", Attempts: 1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newTestClient(t, answer(tc.status, tc.body))
			_, err := c.GetDoc(t.Context(), "d1")
			var got *Error
			require.ErrorAs(t, err, &got)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(Error{})); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if tc.wantMsg != "" {
				require.EqualError(t, err, tc.wantMsg)
			}
			for _, sentinel := range []error{ErrNotFound, ErrUnauthorized, ErrForbidden, ErrRateLimited} {
				require.Equal(t, sentinel == tc.is, errors.Is(err, sentinel), "errors.Is(err, %v)", sentinel)
			}
			require.NotContains(t, err.Error(), testToken)
		})
	}
}

func TestErrorMessageAttempts(t *testing.T) {
	t.Parallel()
	e := &Error{StatusCode: 404, StatusMessage: "Not Found", Message: "Not Found", Method: "POST", Path: "/docs/abc/tables/grid-1/rows", Attempts: 3}
	require.EqualError(t, e, "coda: POST /docs/abc/tables/grid-1/rows: 404 Not Found: Not Found (after 3 attempts)")
	e.gaveUp = true
	require.EqualError(t, e, "coda: POST /docs/abc/tables/grid-1/rows: 404 Not Found: Not Found (giving up after 3 attempts)")
}

func TestErrorBodyIsBounded(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("x", 3<<20)
	c := newTestClient(t, answer(http.StatusBadRequest, huge))
	_, err := c.GetDoc(t.Context(), "d1")
	var e *Error
	require.ErrorAs(t, err, &e)
	require.LessOrEqual(t, len(e.Message), 210)
}

func TestPathEscaping(t *testing.T) {
	t.Parallel()
	rec := answer(http.StatusOK, `{"id":"grid-1","name":"Release notes/2025","tableType":"table"}`)
	c := newTestClient(t, rec)
	_, err := c.getTable(t.Context(), "doc 1", "Release notes/2025?x#y")
	require.NoError(t, err)
	require.Equal(t, "/docs/doc%201/tables/Release%20notes%2F2025%3Fx%23y", rec.all()[0].Path)

	_, err = c.getTable(t.Context(), "", "grid-1")
	require.ErrorContains(t, err, "coda: path /docs//tables/grid-1 has an empty part")
	require.Len(t, rec.all(), 1, "nothing sent for an empty ID")
}

func TestDecodeError(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, answer(http.StatusOK, `{"name": 3}`))
	_, err := c.WhoAmI(t.Context())
	require.ErrorContains(t, err, "coda: GET /whoami: decode 200 response")
}

func TestRetries(t *testing.T) {
	t.Parallel()
	ok := response{status: 200, body: `{"requestId":"r1"}`}
	for _, tc := range []struct {
		name      string
		call      func(context.Context, *Client) error
		responses []response
		wantCalls int
		wantErr   []string // substrings
		wantIs    []error
	}{
		{
			name:      "5xx then success",
			call:      getDoc,
			responses: []response{{status: 503}, {status: 502}, {status: 200, body: `{"id":"d1"}`}},
			wantCalls: 3,
		},
		{
			name:      "5xx until giving up",
			call:      getDoc,
			responses: []response{{status: 500, body: codaError(500, "boom")}},
			wantCalls: 6,
			wantErr:   []string{"coda: GET /docs/d1: 500 Internal Server Error: boom (giving up after 6 attempts)"},
		},
		{
			name:      "501 is final",
			call:      getDoc,
			responses: []response{{status: 501}},
			wantCalls: 1,
			wantErr:   []string{"501 Not Implemented"},
		},
		{
			name:      "404 is final",
			call:      getDoc,
			responses: []response{{status: 404, body: codaError(404, "Not Found")}},
			wantCalls: 1,
			wantIs:    []error{ErrNotFound},
		},
		{
			name:      "429 on an insert is retried",
			call:      insertOne,
			responses: []response{{status: 429, body: codaError(429, "Too Many Requests")}, ok},
			wantCalls: 2,
		},
		{
			name:      "429 until giving up",
			call:      insertOne,
			responses: []response{{status: 429, body: codaError(429, "Too Many Requests")}},
			wantCalls: 6,
			wantErr:   []string{"429 Too Many Requests: Too Many Requests (giving up after 6 attempts)"},
			wantIs:    []error{ErrRateLimited},
		},
		{
			name:      "Coda's own 5xx on an insert is not resent: Coda may have applied it",
			call:      insertOne,
			responses: []response{{status: 502, body: codaError(502, "Bad Gateway")}, ok},
			wantCalls: 1,
			wantIs:    []error{ErrUnknownOutcome},
		},
		{
			name:      "a gateway's 5xx on an insert is not resent: Coda may have it",
			call:      insertOne,
			responses: []response{{status: 502, body: "<html>Bad gateway</html>"}, ok},
			wantCalls: 1,
			wantErr:   []string{"502 Bad Gateway", "outcome unknown", "not resent"},
			wantIs:    []error{ErrUnknownOutcome},
		},
		{
			name:      "504 on an insert is not resent",
			call:      insertOne,
			responses: []response{{status: 504}, ok},
			wantCalls: 1,
			wantErr:   []string{"504 Gateway Timeout", "outcome unknown", "not resent"},
			wantIs:    []error{ErrUnknownOutcome},
		},
		{
			name:      "5xx on an upsert is resent",
			call:      upsertOne,
			responses: []response{{status: 502}, {status: 500}, ok},
			wantCalls: 3,
		},
		{
			name:      "Coda's own 5xx on an append is not resent",
			call:      appendPage,
			responses: []response{{status: 500, body: codaError(500, "Internal Server Error")}, ok},
			wantCalls: 1,
			wantIs:    []error{ErrUnknownOutcome},
		},
		{
			name:      "a gateway's 5xx on an append is not resent",
			call:      appendPage,
			responses: []response{{status: 503}, ok},
			wantCalls: 1,
			wantIs:    []error{ErrUnknownOutcome},
		},
		{
			name:      "504 on an append is not resent",
			call:      appendPage,
			responses: []response{{status: 504}, ok},
			wantCalls: 1,
			wantIs:    []error{ErrUnknownOutcome},
		},
		{
			name:      "5xx on a replace is resent",
			call:      replacePage,
			responses: []response{{status: 500}, ok},
			wantCalls: 2,
		},
		{
			name:      "Coda's own 5xx on a trigger is not resent",
			call:      trigger,
			responses: []response{{status: 503, body: codaError(503, "Service Unavailable")}, ok},
			wantCalls: 1,
			wantIs:    []error{ErrUnknownOutcome},
		},
		{
			name:      "504 on a row delete is not resent",
			call:      deleteRow,
			responses: []response{{status: 504}, ok},
			wantCalls: 1,
			wantIs:    []error{ErrUnknownOutcome},
		},
		{
			name:      "a gateway's 502 on a row delete is not resent",
			call:      deleteRow,
			responses: []response{{status: 502, body: "<html>Bad Gateway</html>"}, ok},
			wantCalls: 1,
			wantIs:    []error{ErrUnknownOutcome},
		},
		{
			name:      "Coda's own 503 on a row delete is not resent",
			call:      deleteRow,
			responses: []response{{status: 503, body: codaError(503, "Service Unavailable")}, ok},
			wantCalls: 1,
			wantIs:    []error{ErrUnknownOutcome},
		},
		{
			name:      "429 on a row delete is resent",
			call:      deleteRow,
			responses: []response{{status: 429, body: codaError(429, "Too Many Requests")}, ok},
			wantCalls: 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rec := &recorder{responses: tc.responses}
				c := newTestClient(t, rec)
				err := tc.call(t.Context(), c)
				require.Len(t, rec.all(), tc.wantCalls)
				if len(tc.wantErr)+len(tc.wantIs) == 0 {
					require.NoError(t, err)
				}
				for _, s := range tc.wantErr {
					require.ErrorContains(t, err, s)
				}
				for _, target := range tc.wantIs {
					require.ErrorIs(t, err, target)
				}
				// Each attempt sends the whole body again.
				for _, r := range rec.all()[1:] {
					require.Equal(t, rec.all()[0].Body, r.Body)
				}
			})
		})
	}
}

func getDoc(ctx context.Context, c *Client) error {
	_, err := c.GetDoc(ctx, "d1")
	return err
}

func insertOne(ctx context.Context, c *Client) error {
	_, err := c.InsertRows(ctx, "d1", "grid-1", []RowEdit{{Cells: []CellEdit{{Column: "c-1", Value: "v"}}}})
	return err
}

func upsertOne(ctx context.Context, c *Client) error {
	_, err := c.UpsertRows(ctx, "d1", "grid-1", []RowEdit{{Cells: []CellEdit{{Column: "c-1", Value: "v"}}}}, []string{"c-1"})
	return err
}

func appendPage(ctx context.Context, c *Client) error {
	_, err := c.UpdatePageContent(ctx, "d1", "canvas-1", Append, "- x")
	return err
}

func replacePage(ctx context.Context, c *Client) error {
	_, err := c.UpdatePageContent(ctx, "d1", "canvas-1", Replace, "- x")
	return err
}

func trigger(ctx context.Context, c *Client) error {
	_, err := c.TriggerAutomation(ctx, "d1", "suite-1", map[string]string{"v": "1"})
	return err
}

func deleteRow(ctx context.Context, c *Client) error {
	_, err := c.DeleteRow(ctx, "d1", "grid-1", "i-1")
	return err
}

// failingTransport fails the first n requests with err, then passes them to
// next.
type failingTransport struct {
	mu    sync.Mutex
	n     int
	err   error
	calls int
	next  http.RoundTripper
}

func (f *failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.calls++
	fail := f.calls <= f.n
	f.mu.Unlock()
	if fail {
		return nil, f.err
	}
	return f.next.RoundTrip(r)
}

func TestTransportErrors(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	for _, tc := range []struct {
		name      string
		call      func(context.Context, *Client) error
		err       error
		fails     int
		wantCalls int
		wantIs    error
		wantErr   string
	}{
		{name: "read retried", call: getDoc, err: io.ErrUnexpectedEOF, fails: 2, wantCalls: 3},
		{name: "read gives up", call: getDoc, err: reset, fails: 10, wantCalls: 6, wantErr: "coda: GET /docs/d1: read tcp: connection reset by peer (giving up after 6 attempts)"},
		{name: "insert not resent", call: insertOne, err: reset, fails: 1, wantCalls: 1, wantIs: ErrUnknownOutcome, wantErr: "coda: POST /docs/d1/tables/grid-1/rows: read tcp: connection reset by peer (outcome unknown"},
		{name: "insert resent when never sent", call: insertOne, err: dial, fails: 2, wantCalls: 3},
		{name: "trigger not resent", call: trigger, err: io.EOF, fails: 1, wantCalls: 1, wantIs: ErrUnknownOutcome},
		{name: "upsert resent", call: upsertOne, err: io.EOF, fails: 1, wantCalls: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ft := &failingTransport{n: tc.fails, err: tc.err, next: serveInMemory(answer(200, `{"id":"d1","requestId":"r1"}`))}
				c := newTransportClient(t, ft)
				err := tc.call(t.Context(), c)
				require.Equal(t, tc.wantCalls, ft.calls)
				if tc.wantIs == nil && tc.wantErr == "" {
					require.NoError(t, err)
					return
				}
				if tc.wantIs != nil {
					require.ErrorIs(t, err, tc.wantIs)
				}
				require.ErrorContains(t, err, tc.wantErr)
				require.NotContains(t, err.Error(), "coda.localhost", "no URL in errors")
			})
		})
	}
}

func TestContextEndsRetries(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newTestClient(t, answer(503, ""))
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		err := getDoc(ctx, c)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorContains(t, err, "503 Service Unavailable")
		require.ErrorContains(t, err, "stopped before retrying")
	})
}

func TestContextEndsInFlightInsert(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			cancel() // the request left; the caller gives up before the answer
			return nil, r.Context().Err()
		})
		c := newTransportClient(t, rt)
		err := insertOne(ctx, c)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, ErrUnknownOutcome)

		// A read whose context ends is just cancelled.
		ctx, cancel = context.WithCancel(t.Context())
		defer cancel()
		err = getDoc(ctx, c)
		require.EqualError(t, err, "coda: GET /docs/d1: context canceled")
		require.NotErrorIs(t, err, ErrUnknownOutcome)
	})
}

func TestRetryAfterAndLogging(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{responses: []response{
			{status: 429, body: codaError(429, "Too Many Requests"), header: http.Header{"Retry-After": {"7"}}},
			{status: 200, body: `{"items":[]}`},
		}}
		logger, logs := debugLogger()
		c := newTestClient(t, rec, WithLogger(logger))
		_, err := c.listRows(t.Context(), "d1", "grid-1", ListRowsOptions{Query: `c-1:"v1"`, Limit: 10})
		require.NoError(t, err)

		var attempts []map[string]any
		for _, r := range logs.records(t) {
			if r["msg"] == "coda request" {
				attempts = append(attempts, r)
			}
		}
		require.Len(t, attempts, 2)
		first, second := attempts[0], attempts[1]
		require.Equal(t, "GET", first["method"])
		require.Equal(t, `/docs/d1/tables/grid-1/rows?limit=10&query=c-1%3A%22v1%22`, first["path"])
		require.EqualValues(t, 429, first["status"])
		require.EqualValues(t, 1, first["attempt"])
		require.EqualValues(t, 7*time.Second, first["retry_in"])
		require.Contains(t, first, "duration")
		require.EqualValues(t, 200, second["status"])
		require.EqualValues(t, 2, second["attempt"])
		require.NotContains(t, second, "retry_in")
		require.NotContains(t, logs.String(), testToken)
	})
}

func TestLoggingNeverShowsToken(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		logger, logs := debugLogger()
		ft := &failingTransport{n: 1, err: io.EOF, next: serveInMemory(answer(401, codaError(401, "The API token is invalid or has expired.")))}
		c := newTransportClient(t, ft, WithLogger(logger))
		_, err := c.WhoAmI(t.Context())
		require.ErrorIs(t, err, ErrUnauthorized)
		require.NotContains(t, err.Error(), testToken)
		require.NotEmpty(t, logs.String())
		require.NotContains(t, logs.String(), testToken)
		require.NotContains(t, strings.ToLower(logs.String()), "bearer")
	})
}

func TestParseBaseURL(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"https://coda.io/apis/v1":              "https://coda.io/apis/v1/",
		"https://coda.io":                      "https://coda.io/",
		"http://127.0.0.2:9/a%2Fb":             "http://127.0.0.2:9/a%2Fb/",
		"https://docs.superhuman.com/apis/v1/": "https://docs.superhuman.com/apis/v1/",
	} {
		u, err := ParseBaseURL(raw)
		require.NoError(t, err, raw)
		require.Equal(t, want, u.String(), raw)
	}
	_, err := ParseBaseURL("http://coda.test/apis/v1")
	require.ErrorContains(t, err, "allowed only for localhost")
	_, err = ParseBaseURL("coda.io")
	require.ErrorContains(t, err, "expected an https URL such as https://coda.io/apis/v1")
}

func FuzzParseBaseURL(f *testing.F) {
	for _, s := range []string{"https://coda.io/apis/v1", "http://localhost:8080/x", "http://[::1]/", "ftp://a", "https://u:p@h/", "https://h/?q", "http://coda.test/", "", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := ParseBaseURL(raw)
		if err != nil {
			return
		}
		switch {
		case u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())):
			t.Fatalf("%q: accepted scheme %q for host %q", raw, u.Scheme, u.Hostname())
		case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Host == "":
			t.Fatalf("%q: accepted %#v", raw, u)
		case !strings.HasSuffix(u.EscapedPath(), "/"):
			t.Fatalf("%q: path %q does not end in /", raw, u.EscapedPath())
		}
		again, err := ParseBaseURL(u.String())
		if err != nil || again.String() != u.String() {
			t.Fatalf("%q: parsing %q again gave %v, %v", raw, u, again, err)
		}
	})
}

// A 400 means "not up to date" only for a read of the latest version, and
// then whatever Coda's message says, since Coda does not document it.
func TestDocNotUpToDateIsA400ToALatestRead(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, codaError(400, "Some wording Coda may choose."))
	}))
	for latest, want := range map[bool]bool{true: true, false: false} {
		var opts []ReadOption
		if latest {
			opts = append(opts, LatestVersion())
		}
		var page struct{}
		err := c.getWith(t.Context(), &page, nil, opts, "docs", "d1")
		require.Error(t, err)
		require.Equal(t, want, errors.Is(err, ErrDocNotUpToDate), "latest read: %v: %v", latest, err)
	}
}
