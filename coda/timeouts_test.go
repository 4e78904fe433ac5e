package coda

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// silentTransport takes every request and answers none: it returns only
// when the request's context ends, as a host that accepted the connection
// and says nothing.
type silentTransport struct {
	mu    sync.Mutex
	calls int
}

func (s *silentTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// TestSilentHostIsReportedWithinAMinute: a host that takes requests and
// never answers is given up after two attempts of 20 s, not six of 60 s.
func TestSilentHostIsReportedWithinAMinute(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rt := &silentTransport{}
		c := newTransportClient(t, rt)
		start := time.Now()
		_, err := c.WhoAmI(t.Context())
		took := time.Since(start)
		require.ErrorIs(t, err, ErrNoAnswer)
		require.ErrorContains(t, err, "coda: GET /whoami: coda.localhost did not answer within 20s")
		require.Less(t, took, time.Minute)
		require.GreaterOrEqual(t, took, 40*time.Second, "a read is tried again once")
		require.Equal(t, 2, rt.calls)
	})
}

// TestSilentWriteIsNotResent: a write that got no answer may have been
// applied, so it is not sent again.
func TestSilentWriteIsNotResent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rt := &silentTransport{}
		c := newTransportClient(t, rt, WithTimeouts(Timeouts{Answer: time.Second}))
		_, err := c.InsertRows(t.Context(), "d", "t", []RowEdit{{Cells: []CellEdit{{Column: "c", Value: "v"}}}})
		require.ErrorIs(t, err, ErrNoAnswer)
		require.ErrorIs(t, err, ErrUnknownOutcome)
		require.Equal(t, 1, rt.calls)
	})
}

// endless is a body that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	return len(p), nil
}

// trickle is a body that sends one byte a second, forever.
type trickle struct{}

func (trickle) Read(p []byte) (int, error) {
	time.Sleep(time.Second)
	p[0] = ' '
	return 1, nil
}

// answering returns a transport whose every answer is 200 with body.
func answering(body func() io.Reader) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(body()), Request: r}, nil
	})
}

// TestHugeAnswerIsNotReadWhole: an answer larger than any of Coda's is
// refused after the cap, not kept in memory.
func TestHugeAnswerIsNotReadWhole(t *testing.T) {
	t.Parallel()
	c := newTransportClient(t, answering(func() io.Reader {
		return io.MultiReader(strings.NewReader(`{"name":"`), endless{})
	}))
	c.maxAnswer = 1 << 20
	_, err := c.GetDoc(t.Context(), "d")
	require.ErrorIs(t, err, ErrAnswerTooLarge)
	require.EqualError(t, err, "coda: GET /docs/d: the answer from coda.localhost is over 1 MiB, far more than Coda sends; stopped reading it: answer too large")
}

// TestAnswerOfExactlyTheCapIsRead: the cap refuses only what is over it.
func TestAnswerOfExactlyTheCapIsRead(t *testing.T) {
	t.Parallel()
	body := `{"id":"d","name":"` + strings.Repeat("A", 100) + `"}`
	c := newTransportClient(t, answering(func() io.Reader { return strings.NewReader(body) }))
	c.maxAnswer = int64(len(body))
	d, err := c.GetDoc(t.Context(), "d")
	require.NoError(t, err)
	require.Len(t, d.Name, 100)
}

// TestSlowAnswerIsCut: an answer that starts in time but trickles is cut at
// the whole answer's timeout.
func TestSlowAnswerIsCut(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newTransportClient(t, answering(func() io.Reader {
			return io.MultiReader(strings.NewReader(`{"name":"`), trickle{})
		}), WithTimeouts(Timeouts{Answer: 5 * time.Second, Whole: 30 * time.Second}))
		c.http.Transport = cancelOnDone{c.http.Transport}
		start := time.Now()
		_, err := c.GetDoc(t.Context(), "d")
		require.ErrorIs(t, err, ErrNoAnswer)
		require.ErrorContains(t, err, "coda.localhost did not finish its answer within 30s")
		require.LessOrEqual(t, time.Since(start), 31*time.Second)
	})
}

// cancelOnDone makes a body fail once its request's context ends, as
// net/http's own bodies do.
type cancelOnDone struct{ next http.RoundTripper }

func (c cancelOnDone) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err == nil {
		resp.Body = io.NopCloser(ctxReader{r: resp.Body, done: r.Context().Done()})
	}
	return resp, err
}

type ctxReader struct {
	r    io.Reader
	done <-chan struct{}
}

func (c ctxReader) Read(p []byte) (int, error) {
	select {
	case <-c.done:
		return 0, io.ErrUnexpectedEOF
	default:
		return c.r.Read(p)
	}
}

// TestLongErrorMessageIsClipped: an error answer's message is kept short.
func TestLongErrorMessageIsClipped(t *testing.T) {
	t.Parallel()
	c := newTransportClient(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body := `{"statusCode":400,"statusMessage":"Bad Request","message":"` + strings.Repeat("x", 1<<19) + `"}`
		return &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}))
	_, err := c.GetDoc(t.Context(), "d")
	require.Error(t, err)
	require.Less(t, len(err.Error()), maxMessage+100)
	require.True(t, strings.HasSuffix(err.Error(), "x…"), err.Error()[len(err.Error())-20:])
}

func TestWithTimeouts(t *testing.T) {
	t.Parallel()
	_, err := NewClient(testToken, WithTimeouts(Timeouts{Answer: time.Minute, Whole: time.Second}))
	require.EqualError(t, err, "coda: WithTimeouts: Whole 1s is shorter than Answer 1m0s")
	c, err := NewClient(testToken, WithTimeouts(Timeouts{Answer: 90 * time.Second}))
	require.NoError(t, err)
	require.Equal(t, Timeouts{Answer: 90 * time.Second, Whole: 90 * time.Second}, c.timeouts)
}

// blackhole is a transport whose connections are never accepted: the dial
// fails only when the request's context ends.
type blackhole struct{ calls int }

func (b *blackhole) RoundTrip(r *http.Request) (*http.Response, error) {
	b.calls++
	<-r.Context().Done()
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: r.Context().Err()}
}

// TestHostThatNeverAcceptsIsUnreachable: a connection never accepted is
// an unreachable host after the answer's timeout, not tried again past the
// budget of an unreachable host.
func TestHostThatNeverAcceptsIsUnreachable(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rt := &blackhole{}
		c := newTransportClient(t, rt)
		start := time.Now()
		_, err := c.WhoAmI(t.Context())
		require.ErrorIs(t, err, ErrUnreachable)
		require.EqualError(t, err, "coda: cannot reach coda.localhost: no connection within 20s")
		require.Equal(t, 20*time.Second, time.Since(start))
		require.Equal(t, 1, rt.calls)
	})
}

// TestErrorAnswerThatNeverEndsIsNoAnswer: an error status whose body
// trickles is cut at the whole answer's timeout and is a host that does not
// answer, given up within a minute, not an error status retried six times
// for a minute each.
func TestErrorAnswerThatNeverEndsIsNoAnswer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		c := newTransportClient(t, cancelOnDone{roundTripFunc(func(r *http.Request) (*http.Response, error) {
			calls++
			body := io.MultiReader(strings.NewReader(`{"statusCode":503,"message":"`), trickle{})
			return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}, Body: io.NopCloser(body), Request: r}, nil
		})})
		start := time.Now()
		_, err := c.GetDoc(t.Context(), "d")
		require.ErrorIs(t, err, ErrNoAnswer)
		require.ErrorContains(t, err, "coda: GET /docs/d: coda.localhost did not finish its answer within 1m0s")
		require.LessOrEqual(t, time.Since(start), 61*time.Second)
		require.Equal(t, 1, calls)
	})
}
