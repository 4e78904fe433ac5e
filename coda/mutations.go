package coda

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// notFoundGrace is how long after a write a 404 from mutationStatus means
// "not known yet" rather than "no such request".
const notFoundGrace = 30 * time.Second

// Polling paces [Client.Wait]: the status of a write is first asked First
// after Coda accepted it, then every Interval while it is pending.
type Polling struct {
	First    time.Duration
	Interval time.Duration
}

// DefaultPolling asks 1 s after a write, then every 2 s: Coda applies most
// writes within seconds and counts every status request against the read
// limit.
var DefaultPolling = Polling{First: time.Second, Interval: 2 * time.Second}

// WithPolling sets how [Client.Wait] paces its status requests,
// [DefaultPolling] by default. Zero fields take their default.
func WithPolling(p Polling) Option {
	return func(c *Client) error {
		if p.First < 0 || p.Interval < 0 {
			return fmt.Errorf("coda: WithPolling: negative field in %+v", p)
		}
		if p.First == 0 {
			p.First = DefaultPolling.First
		}
		if p.Interval == 0 {
			p.Interval = DefaultPolling.Interval
		}
		c.poll = p
		return nil
	}
}

// Polling returns how the client paces its status requests
// ([WithPolling]), for callers that wait for Coda in other ways, such as
// reads of a doc's latest version, to pace themselves alike.
func (c *Client) Polling() Polling { return c.poll }

// MutationStatus is the state of a queued write.
type MutationStatus struct {
	Completed bool   `json:"completed"`
	Warning   string `json:"warning,omitempty"` // set when the write completed with caveats
}

// MutationStatus returns the state of the write with the given request ID.
// Right after the write Coda may answer 404 (an error wrapping
// [ErrNotFound]) for a few seconds; [Client.Wait] allows for that.
//
// Coda API: getMutationStatus, https://coda.io/developers/apis/v1#tag/Miscellaneous/operation/getMutationStatus
func (c *Client) MutationStatus(ctx context.Context, requestID string) (MutationStatus, error) {
	var st MutationStatus
	if err := c.get(ctx, &st, nil, "mutationStatus", requestID); err != nil {
		return MutationStatus{}, err
	}
	return st, nil
}

// Wait polls [Client.MutationStatus] until every mutation has completed and
// returns the warnings Coda gave, in the order of mutations. It asks about
// each write as the client's [Polling] says (1 s after it was accepted, then
// every 2 s, by default), one mutation at a time in order; a 404 in the
// first 30 s after a write means "not yet".
//
// ctx bounds the wait. When it ends first, the error wraps [ErrNotConfirmed]
// and the context's error and says how many writes are still unconfirmed:
// Coda accepted them and may still apply them.
//
// Coda API: getMutationStatus, https://coda.io/developers/apis/v1#tag/Miscellaneous/operation/getMutationStatus
func (c *Client) Wait(ctx context.Context, mutations ...Mutation) ([]string, error) {
	statuses, err := c.wait(ctx, mutations)
	var warnings []string
	for _, st := range statuses {
		if st.Warning != "" {
			warnings = append(warnings, st.Warning)
		}
	}
	return warnings, err
}

// wait is [Client.Wait]; it returns the final status of each mutation that
// completed, in order, stopping at the first that did not.
func (c *Client) wait(ctx context.Context, mutations []Mutation) ([]MutationStatus, error) {
	start := time.Now()
	statuses := make([]MutationStatus, 0, len(mutations))
	var lastPoll time.Time
	for len(statuses) < len(mutations) {
		m := mutations[len(statuses)]
		at := m.At
		if at.IsZero() {
			at = start
		}
		due := at.Add(c.poll.First)
		if !lastPoll.IsZero() {
			due = later(due, lastPoll.Add(c.poll.Interval))
		}
		if err := sleep(ctx, time.Until(due)); err != nil {
			return statuses, notConfirmed(len(mutations)-len(statuses), len(mutations), err)
		}
		st, err := c.MutationStatus(ctx, m.RequestID)
		lastPoll = time.Now()
		switch {
		case errors.Is(err, ErrNotFound) && time.Since(at) < notFoundGrace:
			continue
		case err != nil && ctx.Err() != nil:
			return statuses, notConfirmed(len(mutations)-len(statuses), len(mutations), ctx.Err())
		case err != nil:
			return statuses, fmt.Errorf("status of write %s (%d of %d writes unconfirmed): %w",
				m.RequestID, len(mutations)-len(statuses), len(mutations), err)
		case st.Completed:
			statuses = append(statuses, st)
			lastPoll = time.Time{}
		}
	}
	return statuses, nil
}

// notConfirmed is the error of a wait that ended with pending of total
// writes unconfirmed.
func notConfirmed(pending, total int, cause error) error {
	return fmt.Errorf("coda: %d of %d writes %w; Coda accepted them and may still apply them: %w", pending, total, ErrNotConfirmed, cause)
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
