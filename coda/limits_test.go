package coda

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// requireWithinLimit fails unless at most l.N of the sorted times fall in
// any window of length l.Per.
func requireWithinLimit(t *testing.T, l Limit, times []time.Time) {
	t.Helper()
	for i := l.N; i < len(times); i++ {
		require.GreaterOrEqual(t, times[i].Sub(times[i-l.N]), l.Per, "requests %d and %d are %d apart in less than %v", i-l.N, i, l.N, l.Per)
	}
}

// acquireN acquires and releases n slots one after another and returns
// when each was granted.
func acquireN(t *testing.T, p *pacer, n int, buckets ...bucket) []time.Time {
	t.Helper()
	var times []time.Time
	for range n {
		_, release, err := p.acquire(t.Context(), buckets)
		require.NoError(t, err)
		times = append(times, time.Now())
		release()
	}
	return times
}

func TestPacerSlidingWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := Limit{N: 3, Per: 10 * time.Second}
		p := newPacer(Limits{Write: l})
		start := time.Now()
		times := acquireN(t, p, 10, bucketWrite)
		requireWithinLimit(t, l, times)
		// The first N go at once, and the pacer waits no longer than needed.
		require.Equal(t, start, times[l.N-1])
		require.Equal(t, start.Add(3*(l.Per+paceMargin)), times[9])
	})
}

func TestPacerEveryBucket(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		limits := Limits{Read: Limit{N: 100, Per: time.Second}, Write: Limit{N: 3, Per: 6 * time.Second}, DocContent: Limit{N: 2, Per: 10 * time.Second}}
		p := newPacer(limits)
		var content, writes []time.Time
		for i := range 12 {
			if i%3 == 0 {
				content = append(content, acquireN(t, p, 1, bucketWrite, bucketDocContent)...)
				writes = append(writes, content[len(content)-1])
			} else {
				writes = append(writes, acquireN(t, p, 1, bucketWrite)...)
			}
		}
		requireWithinLimit(t, limits.Write, writes)
		requireWithinLimit(t, limits.DocContent, content)

		// Reads are not held up by writes.
		before := time.Now()
		acquireN(t, p, 100, bucketRead)
		require.Equal(t, before, time.Now())
	})
}

func TestPacerCountsFromResponse(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := Limit{N: 1, Per: 10 * time.Second}
		p := newPacer(Limits{Write: l})
		_, release, err := p.acquire(t.Context(), []bucket{bucketWrite})
		require.NoError(t, err)
		go func() {
			time.Sleep(5 * time.Second) // a slow response
			release()
		}()
		start := time.Now()
		_, release2, err := p.acquire(t.Context(), []bucket{bucketWrite})
		require.NoError(t, err)
		release2()
		require.Equal(t, start.Add(5*time.Second+l.Per+paceMargin), time.Now())
	})
}

func TestPacerUnlimited(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(Limits{DocContent: Limit{N: 1000, Per: time.Second}})
		start := time.Now()
		acquireN(t, p, 500, bucketRead, bucketWrite, bucketDocContent)
		require.Equal(t, start, time.Now())
		require.Empty(t, p.windows[bucketRead].slots, "no slots kept for an unenforced limit")
		require.Len(t, p.windows[bucketDocContent].slots, 500)
	})
}

func TestPacerContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(Limits{Write: Limit{N: 1, Per: time.Minute}})
		acquireN(t, p, 1, bucketWrite)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, _, err := p.acquire(ctx, []bucket{bucketWrite})
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestPacerConcurrent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := Limit{N: 4, Per: time.Second}
		p := newPacer(Limits{Read: l})
		var mu sync.Mutex
		var times []time.Time
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				_, release, err := p.acquire(t.Context(), []bucket{bucketRead})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				times = append(times, time.Now())
				mu.Unlock()
				time.Sleep(100 * time.Millisecond)
				release()
			})
		}
		wg.Wait()
		slices.SortFunc(times, time.Time.Compare)
		require.Len(t, times, 20)
		requireWithinLimit(t, l, times)
	})
}

func TestPacerSlowDown(t *testing.T) {
	t.Parallel()
	p := newPacer(Limits{Read: Limit{N: 100, Per: 6 * time.Second}, Write: Limit{N: 10, Per: 6 * time.Second}, DocContent: Limit{N: 5, Per: 10 * time.Second}})
	for _, want := range []int{3, 2, 1, 1} {
		b, l := p.slowDown([]bucket{bucketWrite, bucketDocContent})
		require.Equal(t, bucketDocContent, b)
		require.Equal(t, Limit{N: want, Per: 10 * time.Second}, l)
	}
	b, l := p.slowDown([]bucket{bucketWrite})
	require.Equal(t, bucketWrite, b)
	require.Equal(t, 6, l.N)
	_, l = p.slowDown([]bucket{bucketRead})
	require.Equal(t, 66, l.N)

	unlimited := newPacer(Limits{DocContent: Limit{N: 5, Per: time.Second}})
	b, l = unlimited.slowDown([]bucket{bucketWrite, bucketDocContent})
	require.Equal(t, bucketDocContent, b)
	require.Equal(t, 3, l.N)
	_, l = unlimited.slowDown([]bucket{bucketRead})
	require.Equal(t, Limit{}, l, "an unenforced limit stays unenforced")
}

func TestSlowDownAfter429(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{responses: []response{{status: 429, body: codaError(429, "Too Many Requests")}, {status: 202, body: `{"requestId":"r1"}`}}}
		c := newTestClient(t, rec, WithLimits(DefaultLimits))
		require.NoError(t, insertOne(t.Context(), c))
		require.Equal(t, Limit{N: 3, Per: 10 * time.Second}, c.pace.windows[bucketDocContent].limit)
		require.Equal(t, DefaultLimits.Write, c.pace.windows[bucketWrite].limit)
	})
}
