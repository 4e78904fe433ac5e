package coda

import (
	"sync"
	"time"
)

// Stats counts what a [Client] did since it was made.
type Stats struct {
	// Requests counts the HTTP requests sent, retries included.
	Requests int
	// RateLimited counts the requests Coda answered with 429 Too Many
	// Requests.
	RateLimited int
	// RateLimitWait is the time spent waiting for Coda's rate limits: pacing
	// before sending (see [Limits]) plus the waits after 429 answers.
	RateLimitWait time.Duration
}

// counter holds a client's [Stats]; a pointer, so a Client value can be
// copied and printed.
type counter struct {
	mu    sync.Mutex
	stats Stats
}

// Stats returns what the client did so far. It is safe to call while
// requests are in flight.
func (c *Client) Stats() Stats {
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	return c.stats.stats
}

// count updates the statistics with f.
func (c *Client) count(f func(*Stats)) {
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	f(&c.stats.stats)
}
