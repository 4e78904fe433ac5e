package coda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultBaseURL is the base URL of Coda's REST API v1.
const DefaultBaseURL = "https://coda.io/apis/v1"

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

// counter holds a client's [Stats]; a pointer, so a Client value can be
// copied and printed.
type counter struct {
	mu    sync.Mutex
	stats Stats
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

// WithBaseURL sets the API's base URL, [DefaultBaseURL] by default, as
// [ParseBaseURL] accepts it: absolute https, or http for loopback hosts only.
func WithBaseURL(u string) Option {
	return func(c *Client) error {
		base, err := ParseBaseURL(u)
		if err != nil {
			return err
		}
		c.base, c.baseURL = base, base.String()
		return nil
	}
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

// ParseBaseURL checks raw as the base URL of Coda's API and returns it with
// a path ending in "/", so that endpoint paths resolve below it. It must be an
// absolute https URL without credentials, query or fragment, such as
// [DefaultBaseURL]; http is accepted only for loopback hosts (localhost and
// names under .localhost, 127.0.0.0/8, ::1), for test servers. The errors say
// what was expected.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("coda: base URL is not a valid URL (%w); expected an https URL such as %s", err, DefaultBaseURL)
	}
	switch {
	case !u.IsAbs() || u.Host == "":
		return nil, fmt.Errorf("coda: base URL %q is not absolute; expected an https URL such as %s", u.Redacted(), DefaultBaseURL)
	case u.User != nil:
		return nil, fmt.Errorf("coda: base URL %q must not contain credentials; the token is sent in a header", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("coda: base URL %q must not have a query or fragment; expected a URL such as %s", u.Redacted(), DefaultBaseURL)
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	case u.Scheme == "http":
		return nil, fmt.Errorf("coda: base URL %q uses http; use https (http is allowed only for localhost, 127.0.0.0/8 and ::1)", u.Redacted())
	default:
		return nil, fmt.Errorf("coda: base URL %q has scheme %q; expected https, as in %s", u.Redacted(), u.Scheme, DefaultBaseURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

// isLoopback reports whether host stays on this machine: localhost, a
// loopback IP address, or a name under the reserved "localhost" top-level
// domain, which resolves to loopback (RFC 6761), as in-memory test servers
// use.
func isLoopback(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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
		if err != nil {
			failure = c.silence(a, r, failure)
		}
		if failure != nil {
			a.end()
		}
		var apiErr *Error
		v := shouldRetry(status, err, r.resendable, errors.As(failure, &apiErr) && apiErr.fromCoda)

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

// silence returns the error of an attempt that got no answer because one of
// its timeouts ran out, and failure otherwise.
func (c *Client) silence(a *attempt, r *request, failure error) error {
	timeout := c.timedOut(a, r)
	switch {
	case timeout == nil:
		return failure
	case errors.Is(failure, ErrUnreachable):
		return &UnreachableError{Host: c.base.Host, Err: fmt.Errorf("no connection within %v", timeout.Waited)}
	}
	return timeout
}

// withinBudget reports whether a request that failed with failure may be
// tried again when the next attempt starts after elapsed: an API that
// cannot be reached, or does not answer, is given a short budget.
func (c *Client) withinBudget(failure error, elapsed time.Duration) bool {
	switch {
	case errors.Is(failure, ErrUnreachable):
		return elapsed <= unreachableBudget
	case errors.Is(failure, ErrNoAnswer):
		return elapsed+c.timeouts.Answer <= noAnswerBudget
	}
	return true
}

// decodeAnswer decodes a successful answer into out and ends its attempt:
// at most maxAnswer bytes of it, within the attempt's timeouts.
func (c *Client) decodeAnswer(r *request, a *attempt, resp *http.Response, out any) error {
	defer a.end()
	resp.Body = struct {
		io.Reader
		io.Closer
	}{&capReader{r: resp.Body, left: c.maxAnswer}, resp.Body}
	err := decodeBody(r, resp, out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrAnswerTooLarge):
		return fmt.Errorf("coda: %s %s: the answer from %s is over %d MiB, far more than Coda sends; stopped reading it: %w",
			r.method, r.logPath(false), c.base.Host, c.maxAnswer>>20, ErrAnswerTooLarge)
	}
	if timeout := c.timedOut(a, r); timeout != nil {
		return timeout
	}
	return err
}

// unreachableBudget bounds the time spent retrying a request whose host
// cannot be reached.
const unreachableBudget = 10 * time.Second

// Stats counts what a [Client] did since it was made.
type Stats struct {
	// Requests counts the HTTP requests sent, retries included.
	Requests int
	// RateLimited counts the requests Coda answered with 429 Too Many
	// Requests.
	RateLimited int
	// RateLimitWait is the time spent waiting for Coda's rate limits: pacing
	// before sending (see [Limits]) plus the waits after 429 answers.
	RateLimitWait time.Duration
}

// Stats returns what the client did so far. It is safe to call while
// requests are in flight.
func (c *Client) Stats() Stats {
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	return c.stats.stats
}

// count updates the statistics with f.
func (c *Client) count(f func(*Stats)) {
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	f(&c.stats.stats)
}

// failure returns the error of an attempt that got the transport error err
// or the error response resp, reading and closing its body; nil on success.
func (c *Client) failure(r *request, resp *http.Response, err error, attempt int) error {
	switch {
	case err != nil:
		return c.transportError(r, err)
	case resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "":
		return c.redirectError(r, resp)
	case resp.StatusCode >= 300:
		return c.newError(r, resp, attempt)
	}
	return nil
}

// redirectError reads a redirect response, closes its body and describes it.
func (c *Client) redirectError(r *request, resp *http.Response) *RedirectError {
	drainClose(resp.Body)
	loc := resp.Header.Get("Location")
	if u, err := resp.Location(); err == nil {
		loc = u.Redacted()
	}
	return &RedirectError{StatusCode: resp.StatusCode, Location: loc, Host: c.base.Host, Method: r.method, Path: r.logPath(false)}
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

// contextEnded is the error of a request whose context ended while it was
// in flight. A write that is not resendable may have been applied.
func (c *Client) contextEnded(ctx context.Context, r *request) error {
	err := fmt.Errorf("coda: %s %s: %w", r.method, r.logPath(false), ctx.Err())
	if !r.resendable {
		return unknownOutcome(err)
	}
	return err
}

// finalError is the error a request ends with after its last attempt failed
// with failure.
func finalError(v verdict, failure error, attempts int) error {
	var apiErr *Error
	switch {
	case v == retryUnsafe:
		return unknownOutcome(failure)
	case v == retryYes && errors.As(failure, &apiErr):
		apiErr.gaveUp = true
		return apiErr
	case v == retryYes && attempts > 1:
		return fmt.Errorf("%w (giving up after %d attempts)", failure, attempts)
	}
	return failure
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

// transportError describes an error that got no HTTP response, without the
// URL that [url.Error] would repeat: an [*UnreachableError] when no
// connection could be made.
func (c *Client) transportError(r *request, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	if ok, _ := unreachable(err); ok {
		return &UnreachableError{Host: c.base.Host, Err: err}
	}
	return fmt.Errorf("coda: %s %s: %w", r.method, r.logPath(false), err)
}

// UnreachableError reports that no connection to the API's host could be
// made: the connection was refused, the name did not resolve, or TLS failed.
// errors.Is(err, [ErrUnreachable]) is true for it. A refused connection is
// retried for about 10 s in all; DNS names that do not exist and TLS
// failures are not retried.
type UnreachableError struct {
	Host string // the base URL's host, such as coda.io
	Err  error  // the cause, without the request URL
}

// Error returns "coda: cannot reach <host>: <cause>".
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("coda: cannot reach %s: %v", e.Host, e.Err)
}

// Unwrap returns the cause.
func (e *UnreachableError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnreachable) true.
func (e *UnreachableError) Is(target error) bool { return target == ErrUnreachable }

// RedirectError reports that the API answered a redirect to another scheme
// or host than the base URL's. The client does not follow it, so that the
// token is only ever sent to the base URL's host. errors.Is(err,
// [ErrRedirected]) is true for it.
type RedirectError struct {
	StatusCode int    // such as 301 or 307
	Location   string // where the API pointed, as an absolute URL
	Host       string // the base URL's host, the only one the token goes to
	Method     string // HTTP method of the request
	Path       string // request path, relative to the base URL
}

// Error names where the API pointed and what to do about it.
func (e *RedirectError) Error() string {
	return fmt.Sprintf("coda: %s %s: the API answered %d %s, redirecting to %s; the token is sent only to %s, so the redirect was not followed: if that is Coda's new address, use it as the base URL",
		e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode), e.Location, e.Host)
}

// Is makes errors.Is(err, ErrRedirected) true.
func (e *RedirectError) Is(target error) bool { return target == ErrRedirected }

// unknownOutcome wraps err, the failure of a request that may have been
// applied and is not safe to send again.
func unknownOutcome(err error) error {
	return fmt.Errorf("%w (%w: the request may have been applied, so it was not resent; check the doc before trying again)", err, ErrUnknownOutcome)
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

// Sentinel errors. Errors returned by a [Client] wrap them where they apply;
// test with [errors.Is].
var (
	// ErrNotFound: HTTP 404, the resource does not exist or the token cannot see it.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: HTTP 401, the token is invalid or has expired.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: HTTP 403, the token does not grant access to the resource.
	ErrForbidden = errors.New("forbidden")
	// ErrRateLimited: HTTP 429, still rate limited after every attempt.
	ErrRateLimited = errors.New("rate limited")
	// ErrNotBaseTable: rows can only be written to a base table, not a view.
	ErrNotBaseTable = errors.New("not a base table")
	// ErrUnknownOutcome: a write that is not safe to resend (an insert, a
	// row delete, an append or prepend, an automation trigger) failed in a
	// way that leaves unknown whether Coda applied it.
	ErrUnknownOutcome = errors.New("outcome unknown")
	// ErrNotConfirmed: Coda queued writes whose completion was not seen
	// before the context ended. They may still be applied.
	ErrNotConfirmed = errors.New("queued, unconfirmed")
	// ErrRowTooLarge: a row exceeds Coda's 85,000 size limit; nothing was sent.
	ErrRowTooLarge = errors.New("row too large")
	// ErrUnreachable: no connection to the API's host could be made; see
	// [UnreachableError].
	ErrUnreachable = errors.New("API unreachable")
	// ErrRedirected: the API answered a redirect to another host, which the
	// client does not follow; see [RedirectError].
	ErrRedirected = errors.New("redirected to another host")
	// ErrNoAnswer: the API's host took a request and did not answer it
	// in time; see [NoAnswerError] and [Timeouts].
	ErrNoAnswer = errors.New("no answer")
	// ErrAnswerTooLarge: an answer was far larger than any of Coda's, and
	// was not read whole.
	ErrAnswerTooLarge = errors.New("answer too large")
	// ErrDocNotUpToDate: a read that asked for the latest version of a doc
	// ([LatestVersion]) was refused because the doc has writes not yet
	// applied: any HTTP 400 to such a read, since Coda does not document the
	// refusal's message.
	ErrDocNotUpToDate = errors.New("doc not yet up to date")
)

// Error is an error response from Coda. Its Path is relative to the base URL
// and carries no query, host or token.
type Error struct {
	StatusCode    int    // HTTP status code, such as 404
	StatusMessage string // Coda's statusMessage, such as "Not Found"
	Message       string // Coda's message, with any validation details
	Method        string // HTTP method of the request
	Path          string // request path, such as /docs/AbCDeFGH/tables/grid-1/rows
	Attempts      int    // attempts made, counting the first

	gaveUp   bool // every attempt failed with a retryable status
	fromCoda bool // the body was Coda's own error JSON, not a gateway's page
	latest   bool // the request was a read of the doc's latest version
}

var _ error = (*Error)(nil)

// Error returns a one-line description such as
// "coda: POST /docs/abc/tables/grid-1/rows: 404 Not Found: Not Found".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "coda: %s %s: %d %s", e.Method, e.Path, e.StatusCode, e.StatusMessage)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	switch {
	case e.gaveUp:
		fmt.Fprintf(&b, " (giving up after %d attempts)", e.Attempts)
	case e.Attempts > 1:
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Is reports whether target is the sentinel error that matches e's status
// code: [ErrNotFound], [ErrUnauthorized], [ErrForbidden] or [ErrRateLimited].
func (e *Error) Is(target error) bool {
	switch e.StatusCode {
	case http.StatusNotFound:
		return target == ErrNotFound
	case http.StatusUnauthorized:
		return target == ErrUnauthorized
	case http.StatusForbidden:
		return target == ErrForbidden
	case http.StatusTooManyRequests:
		return target == ErrRateLimited
	case http.StatusBadRequest:
		// Coda does not document the message of this refusal: a 400 to a
		// read of the latest version is taken for it, whatever it says.
		return target == ErrDocNotUpToDate && e.latest
	}
	return false
}

// errorBody is Coda's error response.
type errorBody struct {
	StatusCode    int    `json:"statusCode"`
	StatusMessage string `json:"statusMessage"`
	Message       string `json:"message"`
	CodaDetail    struct {
		ValidationErrors []struct {
			Path    string `json:"path"`
			Message string `json:"message"`
		} `json:"validationErrors"`
	} `json:"codaDetail"`
}

// newError reads an error response (at most 1 MiB of it), closes its body and
// returns it as an *Error. Bodies that are not Coda's JSON are kept as text.
func (c *Client) newError(r *request, resp *http.Response, attempt int) *Error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	drainClose(resp.Body)
	e := &Error{
		StatusCode:    resp.StatusCode,
		StatusMessage: http.StatusText(resp.StatusCode),
		Method:        r.method,
		Path:          r.logPath(false),
		Attempts:      attempt,
		latest:        r.header.Get(docVersionHeader) == "latest",
	}
	var body errorBody
	if err := json.Unmarshal(raw, &body); err == nil {
		e.fromCoda = body.StatusCode != 0
		if body.StatusMessage != "" {
			e.StatusMessage = body.StatusMessage
		}
		e.Message = body.Message
		for _, v := range body.CodaDetail.ValidationErrors {
			e.Message += fmt.Sprintf("; %s: %s", v.Path, v.Message)
		}
		e.Message = strings.TrimPrefix(e.Message, "; ")
	} else {
		e.Message = firstLine(string(raw), 200)
	}
	// Coda does not echo tokens, but a proxy might.
	e.Message = clip(strings.ReplaceAll(e.Message, c.token(), "[token]"), maxMessage)
	return e
}

// firstLine returns the first non-blank line of s, cut to at most n bytes.
func firstLine(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return clip(s, n)
}

// maxMessage bounds the bytes of an error answer's message kept in an
// [Error]: enough for Coda's validation details, not a page of HTML.
const maxMessage = 2000

// clip cuts s to at most n bytes, on a character boundary, marking the cut
// with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// paginate walks a list endpoint. fetch returns the items of the page with
// the given token ("" for the first) and the token of the next page, "" after
// the last. Per Coda's docs, the walk goes on while a token comes back, never
// stopping on a short page.
func paginate[T any](fetch func(pageToken string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		token := ""
		for {
			items, next, err := fetch(token)
			if err == nil && next != "" && next == token {
				err = fmt.Errorf("coda: the server returned page token %q twice", next)
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			token = next
		}
	}
}

// pageQuery returns the query of a list request: only the page token when
// there is one (Coda ignores the rest then), else the given parameters with
// limit added when positive.
func pageQuery(q url.Values, limit int, pageToken string) url.Values {
	if pageToken != "" {
		return url.Values{"pageToken": {pageToken}}
	}
	if q == nil {
		q = url.Values{}
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}
