package publish

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// fakeClient is a Coda client of the fake srv, with its default token.
func fakeClient(t testing.TB, srv *codatest.Server) *coda.Client {
	t.Helper()
	c, err := coda.NewClient(codatest.DefaultToken, coda.WithBaseURL(srv.URL), coda.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	return c
}

// discard is a Logger that prints nothing.
type discard struct{}

func (discard) Info(string, ...any) {}
func (discard) Warn(string, ...any) {}

// recorder is a Logger that keeps every line, INFO: and WARNING: prefixed.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) Info(format string, args ...any) { r.add("INFO: " + fmt.Sprintf(format, args...)) }
func (r *recorder) Warn(format string, args ...any) {
	r.add("WARNING: " + fmt.Sprintf(format, args...))
}

func (r *recorder) add(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, line)
}

// String is every line, one a line.
func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

// withoutLinks drops the browser links from what a publisher did.
func withoutLinks(done []string) []string {
	out := make([]string, len(done))
	for i, d := range done {
		if j := strings.LastIndex(d, " <https://"); j >= 0 {
			d = d[:j]
		}
		out[i] = d
	}
	return out
}
