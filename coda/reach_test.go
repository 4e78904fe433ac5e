package coda_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// failingTransport fails every request with err and counts them.
type failingTransport struct {
	mu    sync.Mutex
	calls int
	err   error
}

func (f *failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return nil, f.err
}

// testToken is a token the tests check never shows in errors.
const testToken = "secret-token-1234"

func TestUnreachable(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "connect: connection refused", Addr: "203.0.113.9:443"}}
	for _, tc := range []struct {
		name      string
		err       error
		wantCalls int // 0: more than one, within the budget
		wantText  string
	}{
		{"connection refused", refused, 0, "connection refused"},
		{"refused errno", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, 0, "connection refused"},
		{"temporary DNS failure", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "server misbehaving", Name: "coda.io", IsTemporary: true}}, 0, "server misbehaving"},
		{"no such host", &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "coda.io", IsNotFound: true}}, 1, "no such host"},
		{"TLS alert", &net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}, 1, "handshake failure"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ft := &failingTransport{err: tc.err}
				c, err := coda.NewClient(testToken, coda.WithHTTPClient(&http.Client{Transport: ft}))
				require.NoError(t, err)
				start := time.Now()
				_, err = c.WhoAmI(t.Context())
				took := time.Since(start)

				require.ErrorIs(t, err, coda.ErrUnreachable)
				var ue *coda.UnreachableError
				require.ErrorAs(t, err, &ue)
				require.Equal(t, "coda.io", ue.Host)
				require.True(t, strings.HasPrefix(err.Error(), "coda: cannot reach coda.io: "), err.Error())
				require.ErrorContains(t, err, tc.wantText)
				require.NotContains(t, err.Error(), testToken)
				require.LessOrEqual(t, took, 10*time.Second, "time spent before giving up")
				if tc.wantCalls > 0 {
					require.Equal(t, tc.wantCalls, ft.calls)
				} else {
					require.Greater(t, ft.calls, 1, "a refused connection is tried again")
					require.ErrorContains(t, err, "giving up after")
				}
			})
		})
	}
}

func TestUnreachableRealRefusedConnection(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	synctest.Test(t, func(t *testing.T) {
		c, err := coda.NewClient(testToken, coda.WithBaseURL("http://"+addr+"/apis/v1"),
			coda.WithHTTPClient(&http.Client{Transport: &http.Transport{}}))
		require.NoError(t, err)
		start := time.Now()
		_, err = c.WhoAmI(t.Context())
		require.ErrorIs(t, err, coda.ErrUnreachable)
		require.ErrorContains(t, err, "cannot reach "+addr+": ")
		require.LessOrEqual(t, time.Since(start), 10*time.Second)
		require.Greater(t, c.Stats().Requests, 1)
	})
}

func TestUnreachableUntrustedCertificate(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the request reached the server")
	}))
	defer srv.Close()
	c, err := coda.NewClient(testToken, coda.WithBaseURL(srv.URL+"/apis/v1"), coda.WithHTTPClient(&http.Client{}))
	require.NoError(t, err)
	_, err = c.WhoAmI(t.Context())
	require.ErrorIs(t, err, coda.ErrUnreachable)
	require.ErrorContains(t, err, "certificate")
	require.Equal(t, 1, c.Stats().Requests, "a TLS failure is not retried")
}

// hostRecorder passes requests to next and records the hosts they went to.
type hostRecorder struct {
	mu    sync.Mutex
	next  http.RoundTripper
	hosts []string
}

func (h *hostRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, req.URL.Host)
	h.mu.Unlock()
	return h.next.RoundTrip(req)
}

func TestRedirectToAnotherHostIsNotFollowed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := codatest.NewUnstarted(codatest.WithRedirect("https://docs.example.com/apis/v1"))
		rec := &hostRecorder{next: s.Client().Transport}
		// A caller's client that would follow every redirect.
		c := fakeClient(t, s, codatest.DefaultToken, coda.WithHTTPClient(&http.Client{Transport: rec}))
		_, err := c.GetRow(t.Context(), "AbC", "grid-1", "i-1")
		require.ErrorIs(t, err, coda.ErrRedirected)
		var re *coda.RedirectError
		require.ErrorAs(t, err, &re)
		require.Equal(t, http.StatusTemporaryRedirect, re.StatusCode)
		require.Equal(t, "https://docs.example.com/apis/v1/docs/AbC/tables/grid-1/rows/i-1?valueFormat=rich", re.Location)
		require.ErrorContains(t, err, "redirecting to https://docs.example.com/apis/v1/docs/AbC")
		require.ErrorContains(t, err, "sent only to coda.localhost")
		require.Equal(t, []string{"coda.localhost"}, rec.hosts, "hosts the client sent requests to")

		_, err = c.DeleteRow(t.Context(), "AbC", "grid-1", "i-1")
		require.ErrorIs(t, err, coda.ErrRedirected)
		require.NotErrorIs(t, err, coda.ErrUnknownOutcome)
		require.Equal(t, 2, s.Stats().Requests, "a redirect is not retried")
	})
}

func TestRedirectOnTheSameHostIsFollowed(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/old/whoami", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/apis/v1/whoami", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("/apis/v1/whoami", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"name":"Ada","loginId":"ada@example.com"}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := coda.NewClient(testToken, coda.WithBaseURL(srv.URL+"/old"), coda.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	u, err := c.WhoAmI(t.Context())
	require.NoError(t, err)
	require.Equal(t, "Ada", u.Name)
}

func TestStats(t *testing.T) {
	t.Parallel()
	t.Run("pacing", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := codatest.NewUnstarted()
			c := fakeClient(t, s, codatest.DefaultToken, coda.WithLimits(coda.Limits{Read: coda.Limit{N: 1, Per: 10 * time.Second}}))
			start := time.Now()
			for range 3 {
				_, err := c.WhoAmI(t.Context())
				require.NoError(t, err)
			}
			st := c.Stats()
			require.Equal(t, coda.Stats{Requests: 3, RateLimitWait: time.Since(start)}, st)
			require.Greater(t, st.RateLimitWait, 20*time.Second)
		})
	})
	t.Run("429", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := codatest.NewUnstarted(codatest.WithRateLimits(codatest.Limits{Read: codatest.Limit{N: 1, Per: 5 * time.Second}}))
			c := fakeClient(t, s, codatest.DefaultToken, coda.WithLimits(coda.Limits{}))
			start := time.Now()
			for range 2 {
				_, err := c.WhoAmI(t.Context())
				require.NoError(t, err)
			}
			st, server := c.Stats(), s.Stats()
			require.Positive(t, server.RateLimited)
			require.Equal(t, coda.Stats{Requests: server.Requests, RateLimited: server.RateLimited, RateLimitWait: time.Since(start)}, st)
		})
	})
}
