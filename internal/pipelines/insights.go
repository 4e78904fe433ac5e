package pipelines

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
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Code Insights reports are written through the proxy Bitbucket Pipelines
// runs beside every step: it authenticates calls to the reports API of the
// build's repository with no token at all (Atlassian's blog post "Provide
// full context to reviewers by including pipeline artifacts within the
// pull request", and its Code Insights page). The API is called as plain
// http://api.bitbucket.org/2.0 through it, as an HTTP proxy.

// insightsAPI is the reports API's base, as the proxy expects it: plain
// http, which the proxy turns into an authenticated https call.
const insightsAPI = "http://api.bitbucket.org/2.0"

// The reports API's limits (shared/bitbucket/code-insights-openapi.json):
// at most MaxReportData data items on a report, MaxAnnotationsPerRequest
// annotations in one bulk request and MaxAnnotations on a report. Bitbucket
// also refuses an annotation summary over maxSummary characters
// (reviewdog issue 1285) and a details text over maxDetails
// (saibotsivad/bpr-npm-audit pull request 3), which the spec does not say.
const (
	MaxReportData            = 10
	MaxAnnotationsPerRequest = 100
	MaxAnnotations           = 1000
	maxSummary               = 450
	maxDetails               = 2000
	maxTitle                 = 450 // not documented: as a summary, to be safe
)

// DefaultReportTimeout is how long [Reports.Publish] may take in all: a
// report is a courtesy to reviewers, never a reason to hold up a build.
const DefaultReportTimeout = 5 * time.Second

// InsightsProxy returns the URL of the proxy that authenticates Code
// Insights calls: port 29418 of the step's host, which inside a pipe's
// container is the host of DOCKER_HOST (tcp://host.docker.internal:2375),
// and in a step's own script (no DOCKER_HOST) localhost.
func (e Env) InsightsProxy() *url.URL {
	raw := proxyURL(e.DockerHost)
	if raw == "" {
		raw = "http://localhost:" + proxyPort + "/"
	}
	u, _ := url.Parse(raw) // proxyURL builds it from a parsed host
	return u
}

// Report is a Code Insights report, as the API's report schema names its
// fields.
type Report struct {
	Title      string       `json:"title"`
	Details    string       `json:"details,omitempty"`
	ExternalID string       `json:"external_id,omitempty"`
	Reporter   string       `json:"reporter,omitempty"`
	Link       string       `json:"link,omitempty"`
	ReportType string       `json:"report_type"` // SECURITY, COVERAGE, TEST or BUG
	Result     string       `json:"result"`      // PASSED, FAILED or PENDING
	Data       []ReportData `json:"data"`
}

// ReportData is one item of a report's data: Type is BOOLEAN, DATE,
// DURATION, LINK, NUMBER, PERCENTAGE or TEXT, and Value the JSON value
// that type takes (a [DataLink] for LINK).
type ReportData struct {
	Title string `json:"title"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// DataLink is the value of a LINK data item.
type DataLink struct {
	Text string `json:"text"`
	Href string `json:"href"`
}

// Annotation is one finding of a report. Without Path, Bitbucket shows it
// in the report's overview on every pull request whose tip is the commit.
type Annotation struct {
	ExternalID     string `json:"external_id"`
	AnnotationType string `json:"annotation_type"` // VULNERABILITY, CODE_SMELL or BUG
	Summary        string `json:"summary"`
	Details        string `json:"details,omitempty"`
	Result         string `json:"result,omitempty"`   // PASSED, FAILED, SKIPPED or IGNORED
	Severity       string `json:"severity,omitempty"` // CRITICAL, HIGH, MEDIUM or LOW
	Link           string `json:"link,omitempty"`
}

// Reports writes Code Insights reports through the Pipelines proxy. It
// holds no credentials: the proxy adds them.
type Reports struct {
	proxy   *url.URL
	http    *http.Client
	log     *slog.Logger
	timeout time.Duration // the whole report
	answer  time.Duration // one request; at most timeout
}

// ReportsOption configures [NewReports].
type ReportsOption func(*Reports)

// WithReportsLogger logs every request at debug level.
func WithReportsLogger(l *slog.Logger) ReportsOption { return func(r *Reports) { r.log = l } }

// WithReportsTimeout sets how long [Reports.Publish] may take in all;
// the default is [DefaultReportTimeout].
func WithReportsTimeout(d time.Duration) ReportsOption { return func(r *Reports) { r.timeout = d } }

// WithAnswerTimeout sets how long one request may wait for the proxy's
// answer, within the whole report's timeout; by default it is that
// timeout. A proxy that never answers is told apart from a slow report
// sooner: the black-box build gives a report ample time, and a request two
// seconds.
func WithAnswerTimeout(d time.Duration) ReportsOption { return func(r *Reports) { r.answer = d } }

// NewReports returns a client of the reports API that sends every request
// through proxy, and only there: the environment's HTTP_PROXY plays no
// part.
func NewReports(proxy *url.URL, opts ...ReportsOption) *Reports {
	r := &Reports{proxy: proxy, log: slog.New(slog.DiscardHandler), timeout: DefaultReportTimeout}
	for _, o := range opts {
		o(r)
	}
	if r.answer <= 0 || r.answer > r.timeout {
		r.answer = r.timeout
	}
	r.http = &http.Client{
		Transport: &http.Transport{
			Proxy:       http.ProxyURL(proxy),
			DialContext: (&net.Dialer{Timeout: r.answer}).DialContext,
		},
		// The proxy answers; a redirect would leave it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return r
}

// Publish puts report on commit of the repository fullName
// ("workspace/slug") under id, replacing the report and the annotations an
// earlier run left there: it deletes the report, puts it again, then posts
// the annotations, [MaxAnnotationsPerRequest] at a time. Text is clipped to
// the API's limits; annotations beyond [MaxAnnotations] are left out, and
// their count returned. It gives up after the client's timeout.
func (r *Reports) Publish(ctx context.Context, fullName, commit, id string, report Report, annotations []Annotation) (leftOut int, err error) {
	workspace, slug, ok := strings.Cut(fullName, "/")
	if !ok || workspace == "" || slug == "" || strings.Contains(slug, "/") {
		return 0, fmt.Errorf("the repository %q is not workspace/slug (BITBUCKET_REPO_FULL_NAME)", fullName)
	}
	if commit == "" {
		return 0, errors.New("no commit to report on (BITBUCKET_COMMIT)")
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	reportURL := insightsAPI + "/repositories/" + url.PathEscape(workspace) + "/" + url.PathEscape(slug) +
		"/commit/" + url.PathEscape(commit) + "/reports/" + url.PathEscape(id)
	if err := r.do(ctx, http.MethodDelete, reportURL, nil, http.StatusNotFound); err != nil {
		return 0, err
	}
	if err := r.do(ctx, http.MethodPut, reportURL, clipReport(report)); err != nil {
		return 0, err
	}
	if len(annotations) > MaxAnnotations {
		leftOut, annotations = len(annotations)-MaxAnnotations, annotations[:MaxAnnotations]
	}
	for from := 0; from < len(annotations); from += MaxAnnotationsPerRequest {
		batch := make([]Annotation, 0, MaxAnnotationsPerRequest)
		for _, a := range annotations[from:min(from+MaxAnnotationsPerRequest, len(annotations))] {
			batch = append(batch, clipAnnotation(a))
		}
		if err := r.do(ctx, http.MethodPost, reportURL+"/annotations", batch); err != nil {
			return 0, err
		}
	}
	return leftOut, nil
}

// do sends one request with a JSON body (none when body is nil) and
// accepts a 2xx answer or one of the statuses also.
func (r *Reports) do(ctx context.Context, method, rawURL string, body any, also ...int) error {
	var payload io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		payload = bytes.NewReader(b)
	}
	wait := r.answer // or what is left of the report's time
	if deadline, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(deadline))
	}
	reqCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, method, rawURL, payload)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := r.http.Do(req)
	if err != nil {
		r.log.LogAttrs(ctx, slog.LevelDebug, "code insights request", slog.String("method", method), slog.String("url", rawURL),
			slog.Duration("duration", time.Since(start)), slog.String("error", err.Error()))
		return r.transportError(method, rawURL, wait, err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	r.log.LogAttrs(ctx, slog.LevelDebug, "code insights request", slog.String("method", method), slog.String("url", rawURL),
		slog.Int("status", resp.StatusCode), slog.Duration("duration", time.Since(start)))
	if resp.StatusCode/100 == 2 || slices.Contains(also, resp.StatusCode) {
		return nil
	}
	return &ReportError{Method: method, URL: rawURL, StatusCode: resp.StatusCode, Message: errorMessage(text)}
}

// transportError says why a request got no answer: a proxy that cannot be
// reached (outside Pipelines), or none within wait.
func (r *Reports) transportError(method, rawURL string, wait time.Duration, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s %s: no answer from the Pipelines proxy %s within %s", method, rawURL, r.proxy.Host, wait.Round(10*time.Millisecond))
	}
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") {
		return fmt.Errorf("%s %s: cannot reach the Pipelines proxy %s (%v); outside Bitbucket Pipelines there is none", method, rawURL, r.proxy.Host, op.Err)
	}
	return fmt.Errorf("%s %s through the Pipelines proxy %s: %w", method, rawURL, r.proxy.Host, err)
}

// ReportError is an answer of the reports API that is not a success.
type ReportError struct {
	Method, URL string
	StatusCode  int
	// Message is the error body's error.message, or the start of the body.
	Message string
}

func (e *ReportError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// errorMessage reads Bitbucket's {"type":"error","error":{"message":…}}
// body, or returns the body's first line.
func errorMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Detail  string `json:"detail"`
		} `json:"error"`
		Message string `json:"message"` // the report service's own shape
	}
	if json.Unmarshal(body, &e) == nil {
		msg := strings.TrimSpace(e.Error.Message + " " + e.Error.Detail)
		if msg == "" {
			msg = e.Message
		}
		if msg != "" {
			return clip(msg, 300)
		}
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	return clip(line, 300)
}

// clipReport keeps a report within the API's limits.
func clipReport(r Report) Report {
	r.Title, r.Details = clip(r.Title, maxTitle), clip(r.Details, maxDetails)
	if len(r.Data) > MaxReportData {
		r.Data = r.Data[:MaxReportData]
	}
	if r.Data == nil {
		r.Data = []ReportData{}
	}
	return r
}

// clipAnnotation keeps an annotation within the API's limits.
func clipAnnotation(a Annotation) Annotation {
	a.Summary, a.Details = clip(a.Summary, maxSummary), clip(a.Details, maxDetails)
	return a
}

// clip cuts s to at most n characters, marking a cut with "…", and
// replaces invalid UTF-8: commit text is anyone's.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-1]) + "…"
}
