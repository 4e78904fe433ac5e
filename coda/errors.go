package coda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

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

	gaveUp bool // every attempt failed with a retryable status
	latest bool // the request was a read of the doc's latest version
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
		if body.StatusMessage != "" {
			e.StatusMessage = body.StatusMessage
		}
		e.Message = body.Message
		for _, v := range body.CodaDetail.ValidationErrors {
			e.Message += fmt.Sprintf("; %s: %s", v.Path, v.Message)
		}
		e.Message = strings.TrimPrefix(e.Message, "; ")
	} else {
		e.Message = firstLine(string(raw), maxQuoted)
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

// maxQuoted bounds the bytes of a short text from an answer quoted in a
// message: the first line of an error page that is not Coda's JSON, or a
// cell's value in [RichValue.String].
const maxQuoted = 200

// clip cuts s to at most n bytes, on a character boundary, marking the cut
// with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
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

// NoAnswerError reports that the API's host did not answer a request in
// time (see [Timeouts]): it took the connection, or the request, and then
// said nothing. errors.Is(err, [ErrNoAnswer]) is true for it. A read is
// tried again while a minute has not passed; a write that is not safe to
// resend is not, and its error wraps [ErrUnknownOutcome] too.
type NoAnswerError struct {
	Host   string        // the base URL's host, such as coda.io
	Method string        // HTTP method of the request
	Path   string        // request path, relative to the base URL
	Waited time.Duration // the timeout that ran out
	Whole  bool          // the answer started but did not finish in time
}

// Error says which host did not answer, and within how long.
func (e *NoAnswerError) Error() string {
	what := "did not answer"
	if e.Whole {
		what = "did not finish its answer"
	}
	return fmt.Sprintf("coda: %s %s: %s %s within %v", e.Method, e.Path, e.Host, what, e.Waited)
}

// Is makes errors.Is(err, ErrNoAnswer) true.
func (e *NoAnswerError) Is(target error) bool { return target == ErrNoAnswer }

// unknownOutcome wraps err, the failure of a request that may have been
// applied and is not safe to send again.
func unknownOutcome(err error) error {
	return fmt.Errorf("%w (%w: the request may have been applied, so it was not resent; check the doc before trying again)", err, ErrUnknownOutcome)
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

// contextEnded is the error of a request whose context ended while it was
// in flight. A write that is not resendable may have been applied.
func (c *Client) contextEnded(ctx context.Context, r *request) error {
	err := fmt.Errorf("coda: %s %s: %w", r.method, r.logPath(false), ctx.Err())
	if !r.resendable {
		return unknownOutcome(err)
	}
	return err
}
