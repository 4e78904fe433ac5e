package coda

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// A Limit allows at most N requests in any window of length Per. A Limit
// with N == 0 is not enforced.
type Limit struct {
	N   int
	Per time.Duration
}

// Limits are the rate limits a [Client] paces its requests to. Every GET
// counts in Read; every other method counts in Write; writes that change doc
// content (row upserts and inserts, page creates and content updates) count
// in both Write and DocContent.
type Limits struct {
	Read, Write, DocContent Limit
}

// DefaultLimits are Coda's documented limits: 100 reads per 6 s, 10 writes
// per 6 s, of which at most 5 per 10 s change doc content.
var DefaultLimits = Limits{
	Read:       Limit{N: 100, Per: 6 * time.Second},
	Write:      Limit{N: 10, Per: 6 * time.Second},
	DocContent: Limit{N: 5, Per: 10 * time.Second},
}

// WithLimits sets the rate limits the client paces its requests to,
// [DefaultLimits] by default. On a 429 the client lowers to two thirds the limit of the
// narrowest bucket the refused request counts in (not below 1 request per
// window) for the rest of its life.
func WithLimits(l Limits) Option {
	return func(c *Client) error {
		for _, b := range []struct {
			name string
			l    Limit
		}{{"Read", l.Read}, {"Write", l.Write}, {"DocContent", l.DocContent}} {
			if b.l.N < 0 || b.l.Per < 0 || (b.l.N > 0 && b.l.Per == 0) {
				return fmt.Errorf("coda: WithLimits: %s limit %d per %v is invalid; use N > 0 and Per > 0, or N == 0 for no limit", b.name, b.l.N, b.l.Per)
			}
		}
		c.pace = newPacer(l)
		return nil
	}
}

// bucket names a rate-limit bucket.
type bucket int

const (
	bucketRead bucket = iota
	bucketWrite
	bucketDocContent
	numBuckets
)

// paceMargin is added to every window, so that a request never lands exactly
// on the edge of a server's window.
const paceMargin = 10 * time.Millisecond

// pacer keeps a sliding window per bucket. A request takes a slot in every
// bucket it counts in; a slot counts from when the request is sent until
// Per after its response arrived, since the server saw it somewhere in
// between.
type pacer struct {
	mu      sync.Mutex
	windows [numBuckets]window
	changed chan struct{} // closed and replaced whenever a slot is released
}

type window struct {
	limit Limit
	slots []*slot
}

// slot is one request. Its end is zero while the request is in flight.
type slot struct {
	end time.Time
}

func newPacer(l Limits) *pacer {
	p := &pacer{changed: make(chan struct{})}
	p.windows[bucketRead].limit = l.Read
	p.windows[bucketWrite].limit = l.Write
	p.windows[bucketDocContent].limit = l.DocContent
	return p
}

// acquire waits until every bucket in buckets has room, then takes a slot in
// each. It returns how long it waited and a release function to call once the
// response (or a transport error) arrived.
func (p *pacer) acquire(ctx context.Context, buckets []bucket) (waited time.Duration, release func(), err error) {
	start := time.Now()
	for {
		p.mu.Lock()
		now := time.Now()
		delay, known := time.Duration(0), true
		for _, b := range buckets {
			d, ok := p.windows[b].delay(now)
			delay, known = max(delay, d), known && ok
		}
		if known && delay <= 0 {
			s := &slot{}
			for _, b := range buckets {
				if w := &p.windows[b]; w.limit.N > 0 {
					w.slots = append(w.slots, s)
				}
			}
			p.mu.Unlock()
			return now.Sub(start), func() { p.release(s) }, nil
		}
		changed := p.changed
		p.mu.Unlock()

		if err := waitFor(ctx, delay, changed); err != nil {
			return time.Since(start), nil, err
		}
	}
}

// waitFor waits until d has passed (when d > 0), changed is closed, or ctx is
// done.
func waitFor(ctx context.Context, d time.Duration, changed <-chan struct{}) error {
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timeout:
	case <-changed:
	}
	return nil
}

func (p *pacer) release(s *slot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.end = time.Now()
	close(p.changed)
	p.changed = make(chan struct{})
}

// slowDown lowers the limit of the narrowest of buckets to two thirds, after
// the server refused a request that counted in them, and returns that
// bucket's new limit. Two thirds takes the documented 5 doc-content writes
// per 10 s straight to the 3 that Coda staff have also announced.
func (p *pacer) slowDown(buckets []bucket) (bucket, Limit) {
	p.mu.Lock()
	defer p.mu.Unlock()
	narrowest := buckets[0]
	for _, b := range buckets[1:] {
		if p.windows[b].limit.narrower(p.windows[narrowest].limit) {
			narrowest = b
		}
	}
	l := &p.windows[narrowest].limit
	if l.N > 0 {
		l.N = max(1, l.N*2/3)
	}
	return narrowest, *l
}

// narrower reports whether l allows fewer requests per unit of time than o.
// A Limit that is not enforced is never narrower.
func (l Limit) narrower(o Limit) bool {
	switch {
	case l.N == 0:
		return false
	case o.N == 0:
		return true
	}
	return float64(l.N)/float64(l.Per) < float64(o.N)/float64(o.Per)
}

// String returns the bucket's name, as in [Limits].
func (b bucket) String() string {
	return [...]string{"Read", "Write", "DocContent"}[b]
}

// delay returns how long from now until one more request fits in w. ok is
// false when that depends on requests still in flight; delay is then the
// time until the slots already finished make room, if any.
func (w *window) delay(now time.Time) (delay time.Duration, ok bool) {
	if w.limit.N == 0 {
		return 0, true
	}
	span := w.limit.Per + paceMargin
	w.slots = slices.DeleteFunc(w.slots, func(s *slot) bool {
		return !s.end.IsZero() && now.Sub(s.end) >= span
	})
	excess := len(w.slots) - w.limit.N + 1 // slots that must expire first
	if excess <= 0 {
		return 0, true
	}
	var ends []time.Time
	for _, s := range w.slots {
		if !s.end.IsZero() {
			ends = append(ends, s.end)
		}
	}
	slices.SortFunc(ends, time.Time.Compare)
	if len(ends) < excess {
		return 0, false
	}
	return ends[excess-1].Add(span).Sub(now), true
}
