package codatest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// handle runs one request through the server: authentication, rate limits,
// fault injection, the body limit and the endpoint, and records it.
func (s *Server) handle(r *http.Request) result {
	body, tooLarge := readBody(r, s.cfg.maxBodyBytes)
	if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/pages/") {
		s.atOnce.wait()
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	t := now()
	s.applyDue(t)

	c := &call{s: s, r: r, now: t, body: body, query: r.URL.Query()}
	res := s.process(c, tooLarge)
	s.record(c, res)
	return res
}

// heldWriteTimeout is the longest a gate holds a request.
const heldWriteTimeout = 10 * time.Second

// gate holds the first n requests that pass it until all n have come.
type gate struct {
	mu   sync.Mutex
	n    int           // requests still to come before it opens
	open chan struct{} // closed when it opens
}

// newGate returns a gate for n requests, or nil, which holds none, when n
// is 0.
func newGate(n int) *gate {
	if n <= 0 {
		return nil
	}
	return &gate{n: n, open: make(chan struct{})}
}

// wait holds the caller until the gate is open, or for at most
// [heldWriteTimeout]; once open, it holds no one.
func (g *gate) wait() {
	if g == nil {
		return
	}
	g.mu.Lock()
	if g.n > 0 {
		g.n--
		if g.n == 0 {
			close(g.open)
		}
	}
	g.mu.Unlock()
	select {
	case <-g.open:
	case <-time.After(heldWriteTimeout):
	}
}

// readBody reads the request body, at most limit+1 bytes; tooLarge reports
// whether it was longer than limit.
func readBody(r *http.Request, limit int64) (body []byte, tooLarge bool) {
	if r.Body == nil {
		return nil, false
	}
	defer r.Body.Close()
	body, _ = io.ReadAll(io.LimitReader(r.Body, limit+1))
	if int64(len(body)) > limit {
		return body[:limit], true
	}
	return body, false
}

// process decides the answer to c.
func (s *Server) process(c *call, tooLarge bool) result {
	if s.cfg.redirectTo != "" {
		return s.redirect(c.r.URL)
	}
	segs, ok := splitPath(c.r.URL)
	c.segs = segs
	tok, known := s.token(c.r.Header.Get("Authorization"))
	c.token = tok
	if !known {
		return unauthorized()
	}
	if tok != nil && !s.inScope(tok, c.r.Method, segs) {
		return unauthorized()
	}
	rt := findRoute(c.r.Method, segs)
	if full := s.admit(c.r.Method, rt.docContent, c.now); full {
		return errorResult(http.StatusTooManyRequests, "Too Many Requests")
	}
	switch s.chooseFault(c.r.Method + " " + c.r.URL.Path) {
	case faultServerError:
		return s.serverError()
	case faultAppliedServerError:
		if res := s.dispatch(c, rt, ok, tooLarge); res.status >= 300 || c.r.Method == http.MethodGet {
			return res // a read, or refused anyway: the fault changes nothing
		}
		return s.serverError() // applied, yet answered as a refusal

	case faultDropBefore:
		return result{drop: true}
	case faultDropAfter:
		res := s.dispatch(c, rt, ok, tooLarge)
		res.drop = true
		return res
	case faultGateway:
		s.dispatch(c, rt, ok, tooLarge) // processed, but the answer is lost
		return gatewayError()
	}
	return s.dispatch(c, rt, ok, tooLarge)
}

// serverError is a 500, 502 or 503 in Coda's error JSON.
func (s *Server) serverError() result {
	codes := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}
	code := codes[s.rng.IntN(len(codes))]
	return errorResult(code, http.StatusText(code))
}

// unauthorized is Coda's 401 answer.
func unauthorized() result {
	return errorResult(http.StatusUnauthorized, "The API token is invalid or has expired.")
}

// token finds the token an Authorization header carries: known is false when
// the server accepts none; tok is nil for the full token.
func (s *Server) token(header string) (tok *Token, known bool) {
	bearer, ok := strings.CutPrefix(header, "Bearer ")
	switch {
	case !ok:
		return nil, false
	case bearer == s.cfg.token:
		return nil, true
	}
	for i := range s.cfg.tokens {
		if s.cfg.tokens[i].Value == bearer {
			return &s.cfg.tokens[i], true
		}
	}
	return nil, false
}

// inScope reports whether a restricted token may send method to the path made
// of segs.
func (s *Server) inScope(tok *Token, method string, segs []string) bool {
	switch {
	case len(segs) == 1 && segs[0] == "whoami":
		return true
	case !tok.Access.allows(method):
		return false
	case len(segs) == 2 && segs[0] == "mutationStatus":
		return !s.cfg.scopedNoStatus
	case len(segs) < 2 || segs[0] != "docs" || segs[1] != tok.Doc:
		return false
	case tok.Table == "":
		return true
	case len(segs) < 4 || segs[2] != "tables":
		return false
	}
	d := s.doc(tok.Doc)
	if d == nil {
		return false
	}
	want, got := d.table(tok.Table), d.table(segs[3])
	return want != nil && want == got
}

// redirect answers a 307 to the same call under the configured base URL.
func (s *Server) redirect(u *url.URL) result {
	loc := strings.TrimSuffix(s.cfg.redirectTo, "/") + strings.TrimPrefix(u.EscapedPath(), BasePath)
	if u.RawQuery != "" {
		loc += "?" + u.RawQuery
	}
	h := http.Header{}
	h.Set("Location", loc)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	return result{status: http.StatusTemporaryRedirect, header: h, body: []byte("Temporary Redirect. Redirecting to " + loc)}
}

// dispatch runs the endpoint handler for c.
func (s *Server) dispatch(c *call, rt route, pathOK, tooLarge bool) result {
	switch {
	case !pathOK || rt.handler == nil:
		return errorResult(http.StatusNotFound, "Not Found")
	case tooLarge:
		return errorResult(http.StatusBadRequest, "Request entity too large")
	}
	return rt.handler(c)
}

// splitPath returns the unescaped path segments after [BasePath].
func splitPath(u *url.URL) ([]string, bool) {
	rest, ok := strings.CutPrefix(u.EscapedPath(), BasePath+"/")
	if !ok {
		return nil, false
	}
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	for i, p := range parts {
		v, err := url.PathUnescape(p)
		if err != nil || v == "" {
			return nil, false
		}
		parts[i] = v
	}
	return parts, true
}

// call is one request being handled.
type call struct {
	s     *Server
	r     *http.Request
	now   time.Time
	segs  []string
	query url.Values
	body  []byte
	token *Token // the restricted token of the request; nil for the full token
}

// route is an endpoint: its handler (nil when the path has none for the
// method) and whether it changes doc content.
type route struct {
	handler    func(*call) result
	docContent bool
}

// findRoute maps a method and path to its endpoint.
func findRoute(method string, segs []string) route {
	get := method == http.MethodGet
	n := len(segs)
	at := func(i int, name string) bool { return n > i && segs[i] == name }
	switch {
	case n == 1 && at(0, "whoami"):
		return routeIf(get, (*call).whoami, false)
	case n == 2 && at(0, "mutationStatus"):
		return routeIf(get, (*call).mutationStatus, false)
	case n < 2 || !at(0, "docs"):
		return route{}
	case n == 2:
		return routeIf(get, (*call).getDoc, false)
	case n == 3 && at(2, "tables"):
		return routeIf(get, (*call).listTables, false)
	case n == 4 && at(2, "tables"):
		return routeIf(get, (*call).getTable, false)
	case n == 5 && at(2, "tables") && at(4, "columns"):
		return routeIf(get, (*call).listColumns, false)
	case n == 5 && at(2, "tables") && at(4, "rows"):
		if method == http.MethodPost {
			return route{(*call).upsertRows, true}
		}
		return routeIf(get, (*call).listRows, method != http.MethodGet)
	case n == 6 && at(2, "tables") && at(4, "rows"):
		if method == http.MethodDelete {
			return route{(*call).deleteRow, true}
		}
		// Row update is not implemented but still counts as a doc content write.
		return routeIf(get, (*call).getRow, !get)
	case n > 6 && at(2, "tables") && at(4, "rows"):
		// Row buttons are not implemented but still count as doc content writes.
		return route{docContent: !get}
	case n == 3 && at(2, "pages"):
		return routeIf(get, (*call).listPages, false)
	case n == 4 && at(2, "pages"):
		if method == http.MethodPut {
			return route{(*call).updatePage, true}
		}
		return routeIf(get, (*call).getPage, false)
	case n == 5 && at(2, "pages") && at(4, "content"):
		if method == http.MethodDelete {
			return route{(*call).deletePageContent, true}
		}
		return routeIf(get, (*call).listPageContent, !get)
	case n == 5 && at(2, "hooks") && at(3, "automation"):
		return routeIf(method == http.MethodPost, (*call).triggerAutomation, false)
	}
	return route{}
}

// routeIf returns the route for h when ok, else a route without handler.
func routeIf(ok bool, h func(*call) result, docContent bool) route {
	if !ok {
		return route{docContent: docContent}
	}
	return route{handler: h, docContent: docContent}
}

// jsonResult answers status with v encoded as JSON.
func jsonResult(status int, v any) result {
	b, err := json.Marshal(v)
	if err != nil {
		panic("codatest: encoding response: " + err.Error())
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return result{status: status, header: h, body: b}
}

// apiError is Coda's error body.
type apiError struct {
	StatusCode    int    `json:"statusCode"`
	StatusMessage string `json:"statusMessage"`
	Message       string `json:"message"`
}

// errorResult answers status with Coda's error body carrying message.
func errorResult(status int, message string) result {
	return jsonResult(status, apiError{StatusCode: status, StatusMessage: http.StatusText(status), Message: message})
}

// badRequest answers 400 with message.
func badRequest(message string) result { return errorResult(http.StatusBadRequest, message) }

// notFound answers 404 with message.
func notFound(message string) result { return errorResult(http.StatusNotFound, message) }

// gatewayError is what a gateway in front of Coda answers when it loses
// Coda's answer: a 502 with an HTML page, not Coda's error JSON.
func gatewayError() result {
	h := http.Header{}
	h.Set("Content-Type", "text/html")
	return result{status: http.StatusBadGateway, header: h, body: []byte("<html><body><h1>502 Bad Gateway</h1></body></html>\n")}
}
