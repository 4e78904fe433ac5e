package coda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Timeouts bound each attempt of a request, so that an API that accepts the
// connection and then says nothing is reported rather than waited for.
type Timeouts struct {
	// Answer bounds the wait from sending a request, connecting included,
	// to the response's headers.
	Answer time.Duration
	// Whole bounds an attempt from sending the request to the last byte
	// of the answer.
	Whole time.Duration
}

// DefaultTimeouts gives Coda 20 s to start answering and 60 s to finish.
// Coda answers in well under a second, and accepts writes in a queue (202)
// rather than making the caller wait for them, so an answer slower than
// this is a host that will not answer.
var DefaultTimeouts = Timeouts{Answer: 20 * time.Second, Whole: 60 * time.Second}

// WithTimeouts sets how long each attempt of a request may take,
// [DefaultTimeouts] by default. Zero fields take their default; Whole may not
// be shorter than Answer.
func WithTimeouts(t Timeouts) Option {
	return func(c *Client) error {
		if t.Answer < 0 || t.Whole < 0 {
			return fmt.Errorf("coda: WithTimeouts: negative field in %+v", t)
		}
		if t.Answer == 0 {
			t.Answer = DefaultTimeouts.Answer
		}
		if t.Whole == 0 {
			t.Whole = max(DefaultTimeouts.Whole, t.Answer)
		}
		if t.Whole < t.Answer {
			return fmt.Errorf("coda: WithTimeouts: Whole %v is shorter than Answer %v", t.Whole, t.Answer)
		}
		c.timeouts = t
		return nil
	}
}

// unreachableBudget bounds the time spent retrying a request whose host
// cannot be reached.
const unreachableBudget = 10 * time.Second

// noAnswerBudget bounds the time spent on a request whose attempts get no
// answer: another attempt is made only when it would end within it, so a
// silent host is reported within a minute (two attempts of 20 s by default).
const noAnswerBudget = time.Minute

// maxAnswer bounds the bytes read from a successful answer. Coda's largest
// answers, pages of rows of at most 85 KB each, stay far below it.
const maxAnswer = 32 << 20

// attempt is the context of one attempt of a request: it ends when the
// answer's headers do not come within Timeouts.Answer, or the whole answer
// within Timeouts.Whole.
type attempt struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	answer *time.Timer // stopped when the headers come
	whole  *time.Timer
}

// Causes of an attempt's end, for [attempt.timedOut].
var (
	errAnswerTimeout = errors.New("no answer in time")
	errWholeTimeout  = errors.New("answer not finished in time")
)

// startAttempt starts the clock of an attempt made within ctx.
func (c *Client) startAttempt(ctx context.Context) *attempt {
	actx, cancel := context.WithCancelCause(ctx)
	return &attempt{
		ctx:    actx,
		cancel: cancel,
		answer: time.AfterFunc(c.timeouts.Answer, func() { cancel(errAnswerTimeout) }),
		whole:  time.AfterFunc(c.timeouts.Whole, func() { cancel(errWholeTimeout) }),
	}
}

// answered stops the clock of the headers.
func (a *attempt) answered() { a.answer.Stop() }

// end stops the clocks and releases the attempt's context.
func (a *attempt) end() {
	a.answer.Stop()
	a.whole.Stop()
	a.cancel(context.Canceled)
}

// timedOut returns the error of an attempt that one of its timeouts ended,
// nil when none did.
func (c *Client) timedOut(a *attempt, r *request) *NoAnswerError {
	e := &NoAnswerError{Host: c.base.Host, Method: r.method, Path: r.logPath(false)}
	switch context.Cause(a.ctx) {
	case errAnswerTimeout:
		e.Waited = c.timeouts.Answer
	case errWholeTimeout:
		e.Waited, e.Whole = c.timeouts.Whole, true
	default:
		return nil
	}
	return e
}

// silence returns the error of an attempt that got no answer, or no whole
// answer (an error's body included), because one of its timeouts ran out,
// and failure otherwise.
func (c *Client) silence(a *attempt, r *request, failure error) error {
	timeout := c.timedOut(a, r)
	switch {
	case timeout == nil:
		return failure
	case errors.Is(failure, ErrUnreachable):
		return &UnreachableError{Host: c.base.Host, Err: fmt.Errorf("no connection within %v", timeout.Waited)}
	}
	return timeout
}

// withinBudget reports whether a request that failed with failure may be
// tried again when the next attempt starts after elapsed: an API that
// cannot be reached, or does not answer, is given a short budget.
func (c *Client) withinBudget(failure error, elapsed time.Duration) bool {
	switch {
	case errors.Is(failure, ErrUnreachable):
		return elapsed <= unreachableBudget
	case errors.Is(failure, ErrNoAnswer):
		return elapsed+c.timeouts.Answer <= noAnswerBudget
	}
	return true
}

// decodeAnswer decodes a successful answer into out and ends its attempt:
// at most maxAnswer bytes of it, within the attempt's timeouts.
func (c *Client) decodeAnswer(r *request, a *attempt, resp *http.Response, out any) error {
	defer a.end()
	resp.Body = struct {
		io.Reader
		io.Closer
	}{&capReader{r: resp.Body, left: c.maxAnswer}, resp.Body}
	err := decodeBody(r, resp, out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrAnswerTooLarge):
		return fmt.Errorf("coda: %s %s: the answer from %s is over %d MiB, far more than Coda sends; stopped reading it: %w",
			r.method, r.logPath(false), c.base.Host, c.maxAnswer>>20, ErrAnswerTooLarge)
	}
	if timeout := c.timedOut(a, r); timeout != nil {
		return timeout
	}
	return err
}

// capReader reads at most max bytes from r, then fails with
// [ErrAnswerTooLarge]: an answer far larger than Coda's is not kept in
// memory whole.
type capReader struct {
	r    io.Reader
	left int64
}

// Read reads from r until max bytes were read.
func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One more byte tells an answer of exactly the cap from a larger one.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, ErrAnswerTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
