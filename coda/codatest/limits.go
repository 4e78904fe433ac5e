package codatest

import (
	"net/http"
	"time"
)

// bucket identifies a rate-limit bucket.
type bucket int

const (
	bucketRead bucket = iota
	bucketWrite
	bucketDocContent
	bucketCount
)

// limit returns the configured limit of b.
func (l Limits) limit(b bucket) Limit {
	return [bucketCount]Limit{l.Read, l.Write, l.DocContent}[b]
}

// buckets returns the buckets a request counts in.
func buckets(method string, docContent bool) []bucket {
	if method == http.MethodGet || method == http.MethodHead {
		return []bucket{bucketRead}
	}
	if docContent {
		return []bucket{bucketWrite, bucketDocContent}
	}
	return []bucket{bucketWrite}
}

// window holds the times of the requests a bucket admitted.
type window struct{ times []time.Time }

// full reports whether one more request at t would exceed l, forgetting the
// requests that left the window.
func (w *window) full(l Limit, t time.Time) bool {
	keep := w.times[:0]
	for _, at := range w.times {
		if t.Sub(at) < l.Per {
			keep = append(keep, at)
		}
	}
	w.times = keep
	return l.N > 0 && len(w.times) >= l.N
}

// admit counts a request at t in its buckets, or reports full when one of them
// has no room, counting nothing.
func (s *Server) admit(method string, docContent bool, t time.Time) (full bool) {
	bs := buckets(method, docContent)
	for _, b := range bs {
		s.bucketStats(b).Requests++
	}
	for _, b := range bs {
		if s.windows[b].full(s.cfg.limits.limit(b), t) {
			s.bucketStats(b).RateLimited++
			full = true
		}
	}
	if full {
		return true
	}
	for _, b := range bs {
		s.windows[b].times = append(s.windows[b].times, t)
		s.bucketStats(b).Accepted++
	}
	return false
}

// bucketStats returns the statistics of b.
func (s *Server) bucketStats(b bucket) *BucketStats {
	return [bucketCount]*BucketStats{&s.stats.Read, &s.stats.Write, &s.stats.DocContent}[b]
}

// fault is a failure injected into one request.
type fault int

const (
	faultNone fault = iota
	faultServerError
	faultDropBefore
	faultDropAfter
	faultGateway
	faultAppliedServerError
)

// chooseFault picks the fault for a request to key (method and path), never
// faulting two requests in a row to the same key.
func (s *Server) chooseFault(key string) fault {
	f := s.cfg.faults
	if f.ServerErrorRate+f.DropBeforeRate+f.DropAfterRate+f.GatewayErrorRate+f.AppliedServerErrorRate <= 0 {
		return faultNone
	}
	if s.lastFault[key] {
		s.lastFault[key] = false
		return faultNone
	}
	x := s.rng.Float64()
	got := faultNone
	switch {
	case x < f.ServerErrorRate:
		got = faultServerError
	case x < f.ServerErrorRate+f.DropBeforeRate:
		got = faultDropBefore
	case x < f.ServerErrorRate+f.DropBeforeRate+f.DropAfterRate:
		got = faultDropAfter
	case x < f.ServerErrorRate+f.DropBeforeRate+f.DropAfterRate+f.GatewayErrorRate:
		got = faultGateway
	case x < f.ServerErrorRate+f.DropBeforeRate+f.DropAfterRate+f.GatewayErrorRate+f.AppliedServerErrorRate:
		got = faultAppliedServerError
	}
	s.lastFault[key] = got != faultNone
	return got
}
