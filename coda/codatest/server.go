package codatest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// BasePath is the path prefix the server answers under, as in
// https://coda.io/apis/v1.
const BasePath = "/apis/v1"

// unstartedURL is the base URL of a server built by [NewUnstarted].
const unstartedURL = "http://coda.localhost" + BasePath

// Server is a fake Coda API v1. It keeps docs, tables, rows, pages and
// automations in memory, applies writes after a delay, enforces rate limits,
// injects faults and records every request.
//
// A Server is an [http.Handler]. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API base URL, ending in [BasePath] with no trailing slash.
	URL string

	cfg config
	ts  *httptest.Server

	mu        sync.Mutex
	docs      []*doc
	mutations map[string]*mutation
	queue     []*mutation // accepted, not yet applied, in acceptance order
	nextID    int
	windows   [bucketCount]window
	rng       *rand.Rand
	lastFault map[string]bool // method+path → whether its last request was faulted
	requests  []Request
	stats     Stats
	atOnce    *gate // holds page updates, see [WithPageWritesAtOnce]
}

// NewServer starts a fake Coda API on a loopback port. Its URL is
// "http://127.0.0.1:<port>/apis/v1". Close it when done.
func NewServer(opts ...Option) *Server {
	s := newServer(opts)
	s.ts = httptest.NewServer(s)
	s.URL = s.ts.URL + BasePath
	return s
}

// NewUnstarted returns a fake Coda API without a listener. Talk to it through
// [Server.Client], whose transport calls the server in memory, or through
// [Server.ServeHTTP]. Its URL is "http://coda.localhost/apis/v1". It starts no
// goroutines, so it works inside a [testing/synctest] bubble, where time is
// virtual.
func NewUnstarted(opts ...Option) *Server {
	s := newServer(opts)
	s.URL = unstartedURL
	return s
}

// newServer builds a server from options without starting it.
func newServer(opts []Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	seed := uint64(cfg.faults.Seed)
	return &Server{
		cfg:       cfg,
		mutations: make(map[string]*mutation),
		rng:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		lastFault: make(map[string]bool),
		atOnce:    newGate(cfg.pageWritesAtOnce),
	}
}

// Close shuts down the listener of a server built by [NewServer]. It is a no-op
// for [NewUnstarted] servers.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Client returns an HTTP client that talks to s: the listener's client for
// [NewServer], an in-memory transport for [NewUnstarted]. Dropped connections
// surface as transport errors.
func (s *Server) Client() *http.Client {
	if s.ts != nil {
		return s.ts.Client()
	}
	return &http.Client{Transport: transport{s}}
}

// ServeHTTP answers one API request. A dropped connection hijacks and closes
// it, or aborts the handler when w cannot be hijacked.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	res := s.handle(r)
	if res.drop {
		dropConnection(w)
		return
	}
	for k, v := range res.header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.status)
	w.Write(res.body)
}

// dropConnection closes the client connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// errDropped is the transport error for a dropped in-memory connection.
var errDropped = errors.New("codatest: connection dropped")

// transport is the in-memory [http.RoundTripper] of [NewUnstarted] servers.
type transport struct{ s *Server }

// RoundTrip passes req to the server and turns its answer into a response, or
// into an error when the connection is dropped.
func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	res := t.s.handle(req)
	if res.drop {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Redacted(), errDropped)
	}
	return &http.Response{
		Status:        strconv.Itoa(res.status) + " " + http.StatusText(res.status),
		StatusCode:    res.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        res.header,
		Body:          io.NopCloser(bytes.NewReader(res.body)),
		ContentLength: int64(len(res.body)),
		Request:       req,
	}, nil
}

// closeBody closes the request body, if any.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// result is the server's answer to one request.
type result struct {
	status int
	header http.Header
	body   []byte
	drop   bool // close the connection instead of answering
}

// now returns the current time; inside a synctest bubble it is virtual.
func now() time.Time { return time.Now() }
