package publish

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// restricted is a token limited to one doc (or table) and access.
func restrictedClient(t *testing.T, srv *codatest.Server, tok codatest.Token) *coda.Client {
	t.Helper()
	c, err := coda.NewClient(tok.Value, coda.WithBaseURL(srv.URL), coda.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	return c
}

func TestRestrictedTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token codatest.Token
		want  string // the error, or "" for a run that succeeds
		warn  string // a warning the run must give
		opts  []codatest.Option
	}{{
		name:  "read-only token",
		token: codatest.Token{Doc: typedDocID, Access: codatest.ReadOnly},
		want: `upsert 2 rows into table "Changes": CODA_API_TOKEN is restricted and lacks write access to table "Changes" (CODA_TABLE) ` +
			"(Coda answered 401 to POST /docs/",
	}, {
		name:  "token for another doc",
		token: codatest.Token{Doc: "other-doc", Access: codatest.ReadWrite},
		want:  "lacks read access to table \"Changes\" (CODA_TABLE) (Coda answered 401 to GET /docs/" + typedDocID + "/tables/Changes)",
	}, {
		name:  "token for another table",
		token: codatest.Token{Doc: typedDocID, Table: "grid-releases", Access: codatest.ReadWrite},
		want:  "lacks read access to table \"Changes\" (CODA_TABLE)",
	}, {
		name:  "token that may not read mutation status",
		token: codatest.Token{Doc: typedDocID, Access: codatest.ReadWrite},
		opts:  []codatest.Option{codatest.WithMutationStatusRefusedForScoped()},
		warn:  "WARNING: This token may not ask Coda whether the rows' text was applied",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tok := tt.token
				tok.Value, tok.Name = "restricted-token", "ci"
				srv := codatest.NewUnstarted(append(tt.opts, codatest.WithTokens(tok))...)
				doc := typedDoc(srv)
				srv.AddDoc(codatest.Doc{ID: "other-doc"})
				var log recorder
				cfg := Config{DocID: doc.ID, Table: changesTable, Wait: true, WaitTimeout: time.Minute}
				_, err := New(restrictedClient(t, srv, tok), cfg, &log).Publish(t.Context(), bigRelease(2))
				if tt.want != "" {
					require.ErrorContains(t, err, tt.want)
					require.Contains(t, err.Error(), "Use a token for doc "+typedDocID+" instead. In Coda, Account settings → API settings → Generate API token: restrict it to the doc, not to a table")
					return
				}
				require.NoError(t, err)
				require.Contains(t, log.String(), tt.warn)
				require.Len(t, srv.Rows(doc.ID, "grid-changes"), 2, "written once, confirmed or not")
			})
		})
	}
}

// A 401 names the table by the configuration, whatever the path escapes.
func TestScopeOfATableWithASpace(t *testing.T) {
	t.Parallel()
	p := New(nil, Config{DocID: "d1", Table: Table{Name: "Changes"}, ReleaseTable: Table{Name: "Release Log", Variables: "CODA_RELEASE"}}, discard{})
	require.Equal(t, `table "Release Log" (CODA_RELEASE_TABLE)`, p.scopeOf("/docs/d1/tables/Release%20Log/columns"))
	require.Equal(t, `table "Changes" (CODA_TABLE)`, p.scopeOf("/docs/d1/tables/Changes/rows"))
}

// refusing is a transport whose every connection is refused.
type refusing struct{ calls int }

func (r *refusing) RoundTrip(*http.Request) (*http.Response, error) {
	r.calls++
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
}

// TestUnreachableAPI: a refused connection is reported as such within about
// 10 s, naming CODA_API_URL's host and not blaming the token.
func TestUnreachableAPI(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		transport := &refusing{}
		c, err := coda.NewClient("secret", coda.WithBaseURL("https://coda.example.com/apis/v1"), coda.WithHTTPClient(&http.Client{Transport: transport}))
		require.NoError(t, err)
		start := time.Now()
		_, err = New(c, Config{DocID: typedDocID, Table: changesTable}, discard{}).Publish(t.Context(), bigRelease(1))
		took := time.Since(start)
		require.Error(t, err)
		require.True(t, errors.Is(err, syscall.ECONNREFUSED), "%v", err)
		require.Contains(t, err.Error(), "cannot reach CODA_API_URL (coda.example.com): ")
		require.Contains(t, err.Error(), "connection refused")
		require.NotContains(t, err.Error(), "TOKEN")
		require.LessOrEqual(t, took, 11*time.Second, "reported within about 10 s")
		require.Greater(t, transport.calls, 1, "a refused connection is tried again")
	})
}

// TestRedirectIsNotFollowed: a moved API is named, with the URL to set; the
// token is not sent to the other host.
func TestRedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithRedirect("https://docs.example.com/apis/v1"))
		_, err := New(fakeClient(t, srv), Config{DocID: typedDocID, Table: changesTable}, discard{}).Publish(t.Context(), bigRelease(1))
		require.EqualError(t, err, "CODA_API_URL: Coda answered 307 and pointed at https://docs.example.com/apis/v1/whoami. "+
			"The pipe does not follow it, so that the token never leaves "+hostOf(t, srv.URL)+"; if the API has moved there, "+
			"set CODA_API_URL to its new base URL (such as https://docs.example.com/apis/v1)")
		require.Len(t, srv.Requests(), 1, "one request, to the base URL's host only")
	})
}

func hostOf(t *testing.T, raw string) string {
	u, err := coda.ParseBaseURL(raw)
	require.NoError(t, err)
	return u.Host
}

// silent is a transport that takes every request and never answers.
type silent struct{ calls atomic.Int32 }

func (s *silent) RoundTrip(r *http.Request) (*http.Response, error) {
	s.calls.Add(1)
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// TestSilentAPI: an API that takes the connection and never answers is
// reported within a minute, naming CODA_API_URL, not after six minutes.
func TestSilentAPI(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		transport := &silent{}
		c, err := coda.NewClient("secret", coda.WithBaseURL("https://coda.example.com/apis/v1"), coda.WithHTTPClient(&http.Client{Transport: transport}))
		require.NoError(t, err)
		start := time.Now()
		_, err = New(c, Config{DocID: typedDocID, Table: changesTable}, discard{}).Publish(t.Context(), bigRelease(1))
		require.ErrorIs(t, err, coda.ErrNoAnswer)
		require.ErrorContains(t, err, "CODA_API_URL (coda.example.com) took the request and did not answer: coda: GET /whoami: coda.example.com did not answer within 20s")
		require.Less(t, time.Since(start), time.Minute)
		require.EqualValues(t, 2, transport.calls.Load())
	})
}

// TestLongDocNameIsClipped: a name from Coda's answer is quoted short.
func TestLongDocNameIsClipped(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		doc := srv.AddDoc(codatest.Doc{Name: strings.Repeat("A", 100_000)})
		log := &recorder{}
		p := New(fakeClient(t, srv), Config{DocID: doc.ID}, log)
		require.NoError(t, p.preflight(t.Context()))
		lines := log.String()
		require.Contains(t, lines, `INFO: Doc "`+strings.Repeat("A", maxLogged)+`…"`)
		require.Less(t, len(lines), 1000)
	})
}
