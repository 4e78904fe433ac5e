package coda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

const (
	defaultUserAgent = "coda-changelog/dev"

	// maxErrorBody bounds how much of an error response is read.
	maxErrorBody = 1 << 20
	// maxDrain bounds how much of a response body is discarded before
	// its connection is reused.
	maxDrain = 4 << 10
)

// Client talks to Coda's REST API v1. It paces its requests to stay inside
// Coda's rate limits (see [Limits]), retries what is safe to retry (see
// [RetryPolicy]) and never writes the API token into an error or a log record.
//
// Create one with [NewClient]. A Client is safe for concurrent use; share one
// per token so that all requests count against the same limits.
type Client struct {
	token      func() string // a func, so that printing a Client never shows the token
	baseURL    string        // absolute, ends in "/"
	base       *url.URL      // baseURL parsed
	http       *http.Client
	userAgent  string
	logger     *slog.Logger
	retry      RetryPolicy
	poll       Polling
	timeouts   Timeouts
	maxAnswer  int64 // bytes read at most from a successful answer
	pace       *pacer
	batchRows  int
	batchBytes int

	stats *counter
}

// An Option configures a [Client] built by [NewClient].
type Option func(*Client) error

// NewClient returns a [Client] that authenticates with token.
//
// It fails when the token is empty or contains whitespace or control
// characters, when an option is invalid, and when the base URL is not an
// absolute https URL (http is allowed only for loopback hosts, for tests; see
// [ParseBaseURL]). The client never follows a redirect to another host than
// the base URL's ([RedirectError]), and reports a host it cannot reach with an
// [UnreachableError].
func NewClient(token string, opts ...Option) (*Client, error) {
	if err := checkToken(token); err != nil {
		return nil, err
	}
	base, err := ParseBaseURL(DefaultBaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		token:      func() string { return token },
		baseURL:    base.String(),
		base:       base,
		stats:      &counter{},
		http:       &http.Client{},
		userAgent:  defaultUserAgent,
		logger:     slog.New(slog.DiscardHandler),
		retry:      DefaultRetryPolicy,
		poll:       DefaultPolling,
		timeouts:   DefaultTimeouts,
		maxAnswer:  maxAnswer,
		pace:       newPacer(DefaultLimits),
		batchRows:  defaultBatchRows,
		batchBytes: defaultBatchBytes,
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	c.http = c.sameHostOnly(c.http)
	return c, nil
}

// sameHostOnly returns a copy of h that does not follow a redirect to
// another scheme or host than the base URL's, so that the token never leaves
// it; the redirect response comes back instead and becomes a
// [*RedirectError]. Other redirects go to h's own CheckRedirect, if any.
func (c *Client) sameHostOnly(h *http.Client) *http.Client {
	hc := *h
	next := h.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != c.base.Scheme || !strings.EqualFold(req.URL.Host, c.base.Host) {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &hc
}

// WithHTTPClient sets the HTTP client used for every request. The default is
// a new [http.Client]; each attempt is bounded by [Timeouts] whatever the
// client's own timeout. The client uses a copy
// of h that never follows a redirect to another host than the base URL's
// (see [RedirectError]); h itself is not changed.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) error {
		if h == nil {
			return errors.New("coda: WithHTTPClient: client is nil")
		}
		c.http = h
		return nil
	}
}

// WithUserAgent sets the User-Agent header, "coda-changelog/dev" by default.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		if strings.TrimSpace(ua) == "" {
			return errors.New("coda: WithUserAgent: user agent is empty")
		}
		c.userAgent = ua
		return nil
	}
}

// WithLogger makes the client write one debug record per HTTP attempt, with
// the method, the path and query, the status, the duration, the attempt
// number, the time spent waiting for the rate limits and the wait before a
// retry. Headers, and so the token, are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("coda: WithLogger: logger is nil")
		}
		c.logger = l
		return nil
	}
}

// checkToken rejects tokens that cannot be sent as a header value. The
// messages never repeat the token.
func checkToken(token string) error {
	if token == "" {
		return errors.New("coda: API token is empty; create one at https://coda.io/account")
	}
	if strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("coda: API token contains whitespace or control characters (a trailing newline?)")
	}
	return nil
}

// request is one API call: everything needed to rebuild it for each attempt.
type request struct {
	method string
	path   string // relative to the base URL, segments escaped
	query  url.Values
	body   []byte // nil when there is no body

	// docContent marks writes that count in the DocContent bucket too.
	docContent bool
	// resendable marks requests that are safe to send again when their
	// outcome is unknown (a 5xx, or a connection lost after sending):
	// reads, upserts by key columns and whole-page replaces.
	resendable bool
	// header holds extra request headers, such as X-Coda-Doc-Version.
	header http.Header
}

// newRequest builds a request for the path made of segments, relative to the
// base URL; each segment is escaped. A non-nil body is marshalled as JSON.
// GET requests are resendable; callers mark other requests resendable when
// sending them twice has the effect of sending them once.
func newRequest(method string, query url.Values, body any, segments ...string) (*request, error) {
	path, err := escapePath(segments...)
	if err != nil {
		return nil, err
	}
	r := &request{method: method, path: path, query: query, resendable: method == http.MethodGet}
	if body != nil {
		b, err := marshalJSON(body)
		if err != nil {
			return nil, fmt.Errorf("coda: %s %s: encode body: %w", method, r.logPath(false), err)
		}
		r.body = b
	}
	return r, nil
}

// get sends a GET request for the path made of segments and decodes the
// response into out.
func (c *Client) get(ctx context.Context, out any, query url.Values, segments ...string) error {
	return c.getWith(ctx, out, query, nil, segments...)
}

// getWith is get with read options.
func (c *Client) getWith(ctx context.Context, out any, query url.Values, opts []ReadOption, segments ...string) error {
	r, err := newRequest(http.MethodGet, query, nil, segments...)
	if err != nil {
		return err
	}
	var o readOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.latest {
		r.header = http.Header{docVersionHeader: {"latest"}}
	}
	return c.do(ctx, r, out)
}

// A ReadOption changes how a read is made.
type ReadOption func(*readOptions)

type readOptions struct {
	latest bool
}

// docVersionHeader asks for a version of the doc: "latest" for [LatestVersion].
const docVersionHeader = "X-Coda-Doc-Version"

// LatestVersion makes a read answer from the doc's latest version rather
// than from the copy Coda serves reads from, which can lag writes by
// seconds or minutes. While the doc has writes not yet applied, Coda
// refuses such a read with an error matching [ErrDocNotUpToDate]; try again
// later. (Coda documents this as the X-Coda-Doc-Version: latest header.)
func LatestVersion() ReadOption {
	return func(o *readOptions) { o.latest = true }
}

// buckets lists the rate-limit buckets the request counts in.
func (r *request) buckets() []bucket {
	switch {
	case r.method == http.MethodGet:
		return []bucket{bucketRead}
	case r.docContent:
		return []bucket{bucketWrite, bucketDocContent}
	default:
		return []bucket{bucketWrite}
	}
}

// logPath returns "/" and the path, with the query when withQuery is set. It
// never includes the host or anything secret.
func (r *request) logPath(withQuery bool) string {
	p := "/" + r.path
	if withQuery && len(r.query) > 0 {
		p += "?" + r.query.Encode()
	}
	return p
}

// send builds a fresh *http.Request for r and sends it once.
func (c *Client) send(ctx context.Context, r *request) (*http.Response, time.Duration, error) {
	u := c.baseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, 0, err
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+c.token())
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	c.count(func(st *Stats) {
		st.Requests++
		if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
			st.RateLimited++
		}
	})
	return resp, time.Since(start), err
}

// do sends r, pacing and retrying it as [Client] describes, and decodes a
// successful response into out unless out is nil.
func (c *Client) do(ctx context.Context, r *request, out any) error {
	first := time.Now()
	for attempt := 1; ; attempt++ {
		paced, release, err := c.pace.acquire(ctx, r.buckets())
		c.count(func(st *Stats) { st.RateLimitWait += paced })
		if err != nil {
			return fmt.Errorf("coda: %s %s: waiting for the rate limit: %w", r.method, r.logPath(false), err)
		}
		a := c.startAttempt(ctx)
		resp, took, err := c.send(a.ctx, r)
		a.answered()
		release()
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		if err != nil && ctx.Err() != nil {
			// The context ended the attempt, not the network.
			a.end()
			c.logAttempt(ctx, r, attempt, status, took, paced, 0, err)
			return c.contextEnded(ctx, r)
		}
		failure := c.failure(r, resp, err, attempt)
		if failure != nil {
			// Reading an error answer's body is bounded by the attempt's
			// clock too: one cut short is a host that does not answer.
			failure = c.silence(a, r, failure)
			a.end()
		}
		v := shouldRetry(status, err, r.resendable)

		retry, wait := v == retryYes && attempt < c.retry.Attempts, time.Duration(0)
		if retry {
			wait = c.beforeRetry(ctx, r, resp, attempt)
			retry = c.withinBudget(failure, time.Since(first)+wait)
		}
		if retry {
			c.logAttempt(ctx, r, attempt, status, took, paced, wait, err)
			if status == http.StatusTooManyRequests {
				c.count(func(st *Stats) { st.RateLimitWait += wait })
			}
			if err := sleep(ctx, wait); err != nil {
				return fmt.Errorf("%w (stopped before retrying: %w)", failure, err)
			}
			continue
		}
		c.logAttempt(ctx, r, attempt, status, took, paced, 0, err)
		if failure != nil {
			return finalError(v, failure, attempt)
		}
		return c.decodeAnswer(r, a, resp, out)
	}
}

// beforeRetry returns how long to wait before retry number attempt, and
// lowers the pace after a 429.
func (c *Client) beforeRetry(ctx context.Context, r *request, resp *http.Response, attempt int) time.Duration {
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		b, l := c.pace.slowDown(r.buckets())
		c.logger.LogAttrs(ctx, slog.LevelDebug, "coda rate limit lowered after 429",
			slog.String("bucket", b.String()), slog.Int("n", l.N), slog.Duration("per", l.Per))
	}
	return backoff(c.retry, attempt, retryAfter(resp, time.Now()), rand.Float64())
}

// decodeBody decodes a successful response into out and closes the body.
func decodeBody(r *request, resp *http.Response, out any) error {
	defer drainClose(resp.Body)
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("coda: %s %s: decode %d response: %w", r.method, r.logPath(false), resp.StatusCode, err)
	}
	return nil
}

// logAttempt writes the debug record of one attempt.
func (c *Client) logAttempt(ctx context.Context, r *request, attempt, status int, took, paced, retryIn time.Duration, err error) {
	if !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.method),
		slog.String("path", r.logPath(true)),
		slog.Int("status", status),
		slog.Duration("duration", took),
		slog.Int("attempt", attempt),
	}
	if paced > 0 {
		attrs = append(attrs, slog.Duration("paced", paced))
	}
	if retryIn > 0 {
		attrs = append(attrs, slog.Duration("retry_in", retryIn))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", c.transportError(r, err).Error()))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "coda request", attrs...)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// drainClose discards a little of what is left of body, so that its
// connection can be reused, and closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, maxDrain)
	_ = body.Close()
}

// marshalJSON encodes v without escaping <, > and &, as Coda counts sizes on
// the text it receives.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// escapePath joins segments with "/", escaping each with [url.PathEscape]. It
// fails when a segment is empty, which means an ID or name is missing.
func escapePath(segments ...string) (string, error) {
	escaped := make([]string, len(segments))
	for i, s := range segments {
		escaped[i] = url.PathEscape(s)
	}
	p := strings.Join(escaped, "/")
	if slices.Contains(segments, "") {
		return "", fmt.Errorf("coda: path /%s has an empty part: an ID or name is missing", p)
	}
	return p, nil
}
