package codatest

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Request is a request the server received, with its answer.
type Request struct {
	Method string
	// Path is the unescaped URL path, as in [url.URL.Path].
	Path string
	// RawPath is the path as sent, with its escaping.
	RawPath string
	Query   url.Values
	// Header holds the request headers; Authorization is kept as received.
	Header http.Header
	Body   []byte
	// Status is the status the server answered, or would have answered when
	// the connection was dropped after the request was processed; 0 when it was
	// dropped before.
	Status       int
	ResponseBody []byte
	// Dropped reports that the connection was closed instead of answering.
	Dropped bool
	At      time.Time
}

// Stats counts the requests a server received.
type Stats struct {
	// Requests counts every request.
	Requests int
	// Reads and Writes count GET requests and POST, PUT, PATCH and DELETE
	// requests that passed the token check.
	Reads, Writes int
	// Unauthorized counts 401 answers.
	Unauthorized int
	// RateLimited counts 429 answers.
	RateLimited int
	// ServerErrors counts injected 5xx answers.
	ServerErrors int
	// Dropped counts dropped connections, before or after processing.
	Dropped int
	// Read, Write and DocContent count per rate-limit bucket.
	Read, Write, DocContent BucketStats
}

// BucketStats counts the requests of one rate-limit bucket.
type BucketStats struct {
	// Requests counts the requests that reached the rate limiter.
	Requests int
	// Accepted counts those it let through.
	Accepted int
	// RateLimited counts those it refused because this bucket was full.
	RateLimited int
}

// record stores c and its answer and updates the statistics.
func (s *Server) record(c *call, res result) {
	rq := Request{
		Method:  c.r.Method,
		Path:    c.r.URL.Path,
		RawPath: c.r.URL.EscapedPath(),
		Query:   c.r.URL.Query(),
		Header:  c.r.Header.Clone(),
		Body:    c.body,
		Dropped: res.drop,
		At:      c.now,
	}
	if res.status != 0 {
		rq.Status = res.status
		rq.ResponseBody = res.body
	}
	s.requests = append(s.requests, rq)

	st := &s.stats
	st.Requests++
	switch {
	case res.status == http.StatusUnauthorized:
		st.Unauthorized++
	case c.r.Method == http.MethodGet || c.r.Method == http.MethodHead:
		st.Reads++
	default:
		st.Writes++
	}
	switch {
	case res.drop:
		st.Dropped++
	case res.status == http.StatusTooManyRequests:
		st.RateLimited++
	case res.status >= 500:
		st.ServerErrors++
	}
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// PageEdits counts the requests so far that edit a page's content or
// properties: page updates (PUT …/pages/{page}) and content deletes
// (DELETE …/pages/{page}/content), whatever their answer.
func (s *Server) PageEdits() int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == http.MethodPut && strings.Contains(r.Path, "/pages/") ||
			r.Method == http.MethodDelete && strings.HasSuffix(r.Path, "/content") {
			n++
		}
	}
	return n
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}
