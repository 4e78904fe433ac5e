package coda

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// statusServer answers mutationStatus like Coda: 404 until notFoundFor after
// the write, then completed:false until doneAfter, then completed:true with
// the warning given. It records when each request was polled.
type statusServer struct {
	written     time.Time
	notFoundFor time.Duration
	doneAfter   map[string]time.Duration
	warnings    map[string]string

	mu    sync.Mutex
	polls []string // "id@seconds since the write"
}

func (s *statusServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/mutationStatus/")
	since := time.Since(s.written)
	s.mu.Lock()
	s.polls = append(s.polls, fmt.Sprintf("%s@%v", id, since))
	s.mu.Unlock()
	done, known := s.doneAfter[id]
	switch {
	case !known || since < s.notFoundFor:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, codaError(404, "Not Found"))
	case since < done:
		fmt.Fprint(w, `{"completed":false}`)
	case s.warnings[id] != "":
		fmt.Fprintf(w, `{"completed":true,"warning":%q}`, s.warnings[id])
	default:
		fmt.Fprint(w, `{"completed":true}`)
	}
}

func TestWait(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &statusServer{
			written:     time.Now(),
			notFoundFor: 4 * time.Second,
			doneAfter:   map[string]time.Duration{"a": 8 * time.Second, "b": 2 * time.Second, "c": 9 * time.Second},
			warnings:    map[string]string{"c": "Initial page HTML was invalid."},
		}
		c := newTestClient(t, s)
		now := time.Now()
		warnings, err := c.Wait(t.Context(), Mutation{RequestID: "a", At: now}, Mutation{RequestID: "b", At: now}, Mutation{RequestID: "c", At: now})
		require.NoError(t, err)
		require.Equal(t, []string{"Initial page HTML was invalid."}, warnings)
		// First poll after 1 s, then every 2 s; 404s in the first 30 s mean
		// "not yet"; a completed mutation is not asked about again, and the
		// next one is asked about at once.
		require.Equal(t, []string{"a@1s", "a@3s", "a@5s", "a@7s", "a@9s", "b@9s", "c@9s"}, s.polls)
	})
}

func TestWaitWithPolling(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &statusServer{written: time.Now(), doneAfter: map[string]time.Duration{"a": 100 * time.Millisecond, "b": 250 * time.Millisecond}}
		c := newTestClient(t, s, WithPolling(Polling{First: 20 * time.Millisecond, Interval: 50 * time.Millisecond}))
		now := time.Now()
		_, err := c.Wait(t.Context(), Mutation{RequestID: "a", At: now}, Mutation{RequestID: "b", At: now})
		require.NoError(t, err)
		require.Equal(t, []string{"a@20ms", "a@70ms", "a@120ms", "b@120ms", "b@170ms", "b@220ms", "b@270ms"}, s.polls)
	})
}

func TestWithPollingRefusesNegativeFields(t *testing.T) {
	t.Parallel()
	_, err := NewClient(testToken, WithPolling(Polling{Interval: -time.Second}))
	require.EqualError(t, err, "coda: WithPolling: negative field in {First:0s Interval:-1s}")
}

func TestWaitNotFoundForever(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &statusServer{written: time.Now()}
		c := newTestClient(t, s)
		_, err := c.Wait(t.Context(), Mutation{RequestID: "lost", At: time.Now()}, Mutation{RequestID: "other", At: time.Now()})
		require.ErrorIs(t, err, ErrNotFound)
		require.ErrorContains(t, err, "status of write lost (2 of 2 writes unconfirmed): coda: GET /mutationStatus/lost: 404 Not Found")
		require.Equal(t, 31*time.Second, time.Since(s.written), "404s are tolerated for 30 s")
	})
}

func TestWaitDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &statusServer{written: time.Now(), doneAfter: map[string]time.Duration{"a": 2 * time.Second, "b": time.Hour, "c": time.Hour}}
		c := newTestClient(t, s)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		now := time.Now()
		_, err := c.Wait(ctx, Mutation{RequestID: "a", At: now}, Mutation{RequestID: "b", At: now}, Mutation{RequestID: "c", At: now})
		require.ErrorIs(t, err, ErrNotConfirmed)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.EqualError(t, err, "coda: 2 of 3 writes queued, unconfirmed; Coda accepted them and may still apply them: context deadline exceeded")
	})
}

func TestWaitForAWrite(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		written := time.Now()
		mux := http.NewServeMux()
		mux.Handle("GET /mutationStatus/", &statusServer{written: written, doneAfter: map[string]time.Duration{"r1": 5 * time.Second}, warnings: map[string]string{"r1": "Initial page HTML was invalid."}})
		mux.HandleFunc("PUT /docs/d1/pages/canvas-1", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprint(w, `{"requestId":"r1","id":"canvas-1"}`)
		})
		c := newTestClient(t, mux)
		m, err := c.UpdatePageContent(t.Context(), "d1", "canvas-1", Prepend, "## v1")
		require.NoError(t, err)
		require.Equal(t, Mutation{RequestID: "r1", ID: "canvas-1", At: written}, m)
		warnings, err := c.Wait(t.Context(), m)
		require.NoError(t, err)
		require.Equal(t, []string{"Initial page HTML was invalid."}, warnings)
		require.Equal(t, 5*time.Second, time.Since(written))
	})
}
