// Package insightstest provides a fake of the proxy that Bitbucket
// Pipelines runs beside a step, in front of Bitbucket Cloud's Code Insights
// reports API, for tests, as coda/codatest is for Coda.
//
// A [Server] listens as an HTTP proxy: requests arrive with absolute URLs
// (PUT http://api.bitbucket.org/2.0/repositories/…) on port 29418 of a
// loopback address of its own, so that the code under test derives the
// proxy from DOCKER_HOST as it does in Pipelines ([Server.DockerHost]).
// It checks every request against the reports API's OpenAPI document
// (shared/bitbucket/code-insights-openapi.json, beside the repository's
// checkout; without it the test is skipped): the operation (path and
// method), the path parameters, the body's schema and enums, at most
// [MaxData] data items on a report, 1 to [MaxPerRequest] annotations per
// bulk request, and at most [MaxPerReport] on a report, as the document
// says in words. It also refuses what Bitbucket is reported to refuse: an
// annotation without summary or external_id, a summary over 450
// characters, a details text over 2000. A request that breaks a rule fails
// the test (t.Errorf) and gets a 400, as Bitbucket would answer. So does a
// request that carries an Authorization header: through the proxy no
// credentials are needed, and none may leak there.
//
// It keeps the reports and annotations it was given, per repository and
// commit: a PUT creates or replaces a report's fields and keeps its
// annotations, a DELETE removes the report and its annotations, a bulk
// POST upserts annotations by external_id. It can also refuse every
// request ([WithRefusal]) or never answer ([WithoutAnswer]).
//
// The fake shares no code with the client in package pipelines: it is an
// independent reading of the same documents.
package insightstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// The limits the document states in words, and those Bitbucket is reported
// to enforce (reviewdog issue 1285; saibotsivad/bpr-npm-audit pull request
// 3).
const (
	MaxData       = 10
	MaxPerRequest = 100
	MaxPerReport  = 1000
	maxSummary    = 450
	maxDetails    = 2000
)

// Port is where the Pipelines proxy listens on the step's host.
const Port = "29418"

// Server is a fake Pipelines proxy in front of the reports API. Its methods
// are safe for concurrent use.
type Server struct {
	// DockerHost is the DOCKER_HOST a pipe would see if this server's
	// address were the step's host: tcp://<address>:2375.
	DockerHost string
	// URL is the proxy's URL, http://<address>:29418.
	URL string

	fail func(format string, args ...any) // t.Errorf
	spec *spec
	ts   *httptest.Server
	cfg  config

	mu       sync.Mutex
	reports  map[string]*stored // by repository/commit/report id
	requests []Request
}

// Request is a request the server received.
type Request struct {
	Method string
	URL    string // absolute, as the request line gave it
	Header http.Header
	Body   []byte
}

// Report is a report the server keeps, as it was last put.
type Report struct {
	Repository string `json:"-"` // workspace/slug
	Commit     string `json:"-"`
	ID         string `json:"-"` // the reportId of the URL
	Title      string `json:"title"`
	Details    string `json:"details"`
	ExternalID string `json:"external_id"`
	Reporter   string `json:"reporter"`
	Link       string `json:"link"`
	ReportType string `json:"report_type"`
	Result     string `json:"result"`
	Data       []Data `json:"data"`
}

// Data is one data item of a report.
type Data struct {
	Title string `json:"title"`
	Type  string `json:"type"`
	Value any    `json:"value"` // a json.Number, string, bool or map[string]any
}

// Annotation is an annotation the server keeps.
type Annotation struct {
	ExternalID     string `json:"external_id"`
	AnnotationType string `json:"annotation_type"`
	Path           string `json:"path"`
	Line           int    `json:"line"`
	Summary        string `json:"summary"`
	Details        string `json:"details"`
	Result         string `json:"result"`
	Severity       string `json:"severity"`
	Link           string `json:"link"`
}

// stored is a report and its annotations in the order first given.
type stored struct {
	report      Report
	annotations []Annotation
}

// config is what the options set.
type config struct {
	refuse   int    // answer every request with this status; 0 to serve
	message  string // the refusal's message
	noAnswer bool
}

// Option configures a [Server].
type Option func(*config)

// WithRefusal answers every request with status and a Bitbucket error
// body holding message, as the proxy or the API refusing would.
func WithRefusal(status int, message string) Option {
	return func(c *config) { c.refuse, c.message = status, message }
}

// WithoutAnswer accepts requests and never answers them, until the client
// gives up or the server is closed.
func WithoutAnswer() Option { return func(c *config) { c.noAnswer = true } }

// NewServer starts a fake proxy on port 29418 of a loopback address of its
// own (127.x.y.z), so that tests can run side by side, and closes it when
// the test ends. A request that breaks the API's rules fails t.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{fail: t.Errorf, spec: loadSpec(t), reports: map[string]*stored{}}
	for _, o := range opts {
		o(&s.cfg)
	}
	l, err := listen()
	if err != nil {
		t.Fatalf("insightstest: %v", err)
	}
	s.ts = httptest.NewUnstartedServer(s)
	s.ts.Listener.Close()
	s.ts.Listener = l
	s.ts.Start()
	host, _, _ := net.SplitHostPort(l.Addr().String())
	s.DockerHost = "tcp://" + host + ":2375"
	s.URL = "http://" + l.Addr().String()
	t.Cleanup(func() {
		s.ts.CloseClientConnections() // a request never answered ends too
		s.ts.Close()
	})
	return s
}

// listen opens port 29418 on a random loopback address other than
// 127.0.0.1, trying a few in case one is taken.
func listen() (net.Listener, error) {
	var err error
	for range 50 {
		addr := fmt.Sprintf("127.%d.%d.%d", 1+rand.IntN(254), rand.IntN(256), 1+rand.IntN(254))
		var l net.Listener
		if l, err = net.Listen("tcp", net.JoinHostPort(addr, Port)); err == nil {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no loopback address with port %s free: %w", Port, err)
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Reports returns the reports kept on a commit of a repository
// (workspace/slug), by id.
func (s *Server) Reports(repository, commit string) []Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Report
	for _, st := range s.reports {
		if st.report.Repository == repository && st.report.Commit == commit {
			out = append(out, st.report)
		}
	}
	slices.SortFunc(out, func(a, b Report) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Annotations returns the annotations of a report, in the order they were
// first given.
func (s *Server) Annotations(repository, commit, id string) []Annotation {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.reports[repository+"/"+commit+"/"+id]; st != nil {
		return slices.Clone(st.annotations)
	}
	return nil
}

// ServeHTTP answers one proxied request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, URL: r.RequestURI, Header: r.Header.Clone(), Body: body})
	s.mu.Unlock()
	if s.cfg.noAnswer {
		<-r.Context().Done()
		return
	}
	if s.cfg.refuse != 0 {
		writeError(w, s.cfg.refuse, s.cfg.message)
		return
	}
	status, answer, err := s.serve(r, body)
	if err != nil {
		s.fail("insightstest: %s %s: %v", r.Method, r.RequestURI, err)
		writeError(w, status, err.Error())
		return
	}
	if answer == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(answer)
}

// writeError writes Bitbucket's error body.
func writeError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"type": "error", "error": map[string]string{"message": message}})
}

// serve checks a request and applies it; an error is the request's fault.
func (s *Server) serve(r *http.Request, body []byte) (int, any, error) {
	if !strings.HasPrefix(r.RequestURI, "http://") || r.URL.Host != "api.bitbucket.org" {
		return http.StatusBadRequest, nil, fmt.Errorf("a proxy expects an absolute http://api.bitbucket.org/… URL in the request line, not %q", r.RequestURI)
	}
	if auth := r.Header.Get("Authorization"); auth != "" || r.Header.Get("Proxy-Authorization") != "" {
		return http.StatusBadRequest, nil, fmt.Errorf("the request carries credentials (Authorization %d bytes): through the proxy it needs none, and none may leak", len(auth))
	}
	if err := s.spec.check(r.Method, r.RequestURI, r.Header, body); err != nil {
		return http.StatusBadRequest, nil, err
	}
	p, err := parsePath(r.URL)
	if err != nil {
		return http.StatusBadRequest, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := p.repository + "/" + p.commit + "/" + p.report
	switch {
	case p.annotations && r.Method == http.MethodPost:
		return s.postAnnotations(key, body)
	case p.annotations && r.Method == http.MethodGet:
		st := s.reports[key]
		if st == nil {
			return http.StatusOK, map[string]any{"values": []Annotation{}}, nil
		}
		return http.StatusOK, map[string]any{"values": st.annotations, "size": len(st.annotations)}, nil
	case p.annotations:
		return http.StatusMethodNotAllowed, nil, fmt.Errorf("%s of one annotation is not served by the fake", r.Method)
	case r.Method == http.MethodPut:
		return s.putReport(p, key, body)
	case r.Method == http.MethodDelete:
		delete(s.reports, key)
		return http.StatusNoContent, nil, nil
	case r.Method == http.MethodGet && p.report != "":
		if st := s.reports[key]; st != nil {
			return http.StatusOK, st.report, nil
		}
		return http.StatusNotFound, map[string]any{"type": "error", "error": map[string]string{"message": "no such report"}}, nil
	}
	return http.StatusMethodNotAllowed, nil, fmt.Errorf("%s is not served by the fake", r.Method)
}

// apiPath is a parsed reports URL.
type apiPath struct {
	repository, commit, report string
	annotations                bool
}

// parsePath reads /2.0/repositories/{ws}/{slug}/commit/{c}/reports/{id}[/annotations].
func parsePath(u *url.URL) (apiPath, error) {
	segs := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/2.0/"), "/")
	for i, seg := range segs {
		v, err := url.PathUnescape(seg)
		if err != nil {
			return apiPath{}, err
		}
		segs[i] = v
	}
	if len(segs) < 6 || segs[0] != "repositories" || segs[3] != "commit" || segs[5] != "reports" {
		return apiPath{}, fmt.Errorf("%s is not a reports path", u.Path)
	}
	p := apiPath{repository: segs[1] + "/" + segs[2], commit: segs[4]}
	if len(segs) > 6 {
		p.report = segs[6]
	}
	p.annotations = len(segs) > 7 && segs[7] == "annotations"
	return p, nil
}

// putReport creates or replaces a report's fields; its annotations stay.
func (s *Server) putReport(p apiPath, key string, body []byte) (int, any, error) {
	var rep Report
	if err := strictDecode(body, &rep); err != nil {
		return http.StatusBadRequest, nil, err
	}
	for i, d := range rep.Data {
		if err := checkDataValue(d); err != nil {
			return http.StatusBadRequest, nil, fmt.Errorf("data[%d] %q: %w", i, d.Title, err)
		}
	}
	if n := utf8.RuneCountInString(rep.Details); n > maxDetails {
		return http.StatusBadRequest, nil, fmt.Errorf("the details field cannot contain more than %d characters (%d)", maxDetails, n)
	}
	rep.Repository, rep.Commit, rep.ID = p.repository, p.commit, p.report
	st := s.reports[key]
	if st == nil {
		st = &stored{}
		s.reports[key] = st
	}
	st.report = rep
	return http.StatusOK, rep, nil
}

// postAnnotations upserts annotations by external_id.
func (s *Server) postAnnotations(key string, body []byte) (int, any, error) {
	st := s.reports[key]
	if st == nil {
		return http.StatusNotFound, nil, fmt.Errorf("annotations posted to a report that does not exist: put the report first")
	}
	var batch []Annotation
	if err := strictDecode(body, &batch); err != nil {
		return http.StatusBadRequest, nil, err
	}
	seen := map[string]bool{}
	for i, a := range batch {
		switch {
		case a.ExternalID == "":
			return http.StatusBadRequest, nil, fmt.Errorf("annotation %d has no external_id", i)
		case seen[a.ExternalID]:
			return http.StatusBadRequest, nil, fmt.Errorf("external_id %q is given twice", a.ExternalID)
		case a.Summary == "":
			return http.StatusBadRequest, nil, fmt.Errorf("annotation %q has no summary", a.ExternalID)
		case utf8.RuneCountInString(a.Summary) > maxSummary:
			return http.StatusBadRequest, nil, fmt.Errorf("the summary field cannot contain more than %d characters (%q)", maxSummary, a.ExternalID)
		case utf8.RuneCountInString(a.Details) > maxDetails:
			return http.StatusBadRequest, nil, fmt.Errorf("the details field cannot contain more than %d characters (%q)", maxDetails, a.ExternalID)
		}
		seen[a.ExternalID] = true
	}
	next := slices.Clone(st.annotations)
	for _, a := range batch {
		if i := slices.IndexFunc(next, func(b Annotation) bool { return b.ExternalID == a.ExternalID }); i >= 0 {
			next[i] = a
		} else {
			next = append(next, a)
		}
	}
	if len(next) > MaxPerReport {
		return http.StatusBadRequest, nil, fmt.Errorf("a report holds at most %d annotations; this request would make %d", MaxPerReport, len(next))
	}
	st.annotations = next
	return http.StatusOK, batch, nil
}

// strictDecode decodes JSON, refusing invalid UTF-8 text.
func strictDecode(body []byte, v any) error {
	if !utf8.Valid(body) {
		return fmt.Errorf("the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return dec.Decode(v)
}

// checkDataValue checks a data item's value against its type, as the
// document's table of data field formats says.
func checkDataValue(d Data) error {
	switch v := d.Value.(type) {
	case json.Number:
		f, err := v.Float64()
		switch {
		case err != nil:
			return err
		case d.Type == "PERCENTAGE" && (f < 0 || f > 100):
			return fmt.Errorf("a PERCENTAGE is between 0 and 100, not %v", f)
		case d.Type == "TEXT" || d.Type == "BOOLEAN" || d.Type == "LINK":
			return fmt.Errorf("a %s value is not a number", d.Type)
		}
	case string:
		if d.Type != "" && d.Type != "TEXT" {
			return fmt.Errorf("a %s value is not a string", d.Type)
		}
	case bool:
		if d.Type != "" && d.Type != "BOOLEAN" {
			return fmt.Errorf("a %s value is not a boolean", d.Type)
		}
	case map[string]any:
		text, _ := v["text"].(string)
		href, _ := v["href"].(string)
		if d.Type != "LINK" || text == "" || href == "" || len(v) != 2 {
			return fmt.Errorf("only a LINK value is an object, and it is {\"text\", \"href\"}; got %v", v)
		}
		if u, err := url.Parse(href); err != nil || !u.IsAbs() {
			return fmt.Errorf("the LINK's href %q is not an absolute URL", href)
		}
	default:
		return fmt.Errorf("a value is a number, string, boolean or LINK object, not %T", d.Value)
	}
	return nil
}
