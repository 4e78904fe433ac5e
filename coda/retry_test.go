package coda

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestShouldRetry(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	for _, tc := range []struct {
		status     int
		err        error
		resendable bool
		want       verdict
	}{
		{status: 200, resendable: true, want: retryNo},
		{status: 202, resendable: false, want: retryNo},
		{status: 400, resendable: true, want: retryNo},
		{status: 404, resendable: true, want: retryNo},
		{status: 422, resendable: false, want: retryNo},
		{status: 429, resendable: true, want: retryYes},
		{status: 429, resendable: false, want: retryYes},
		{status: 500, resendable: true, want: retryYes},
		{status: 500, resendable: false, want: retryUnsafe}, // whoever answered: it may have been applied
		{status: 501, resendable: true, want: retryNo},
		{status: 501, resendable: false, want: retryNo},
		{status: 502, resendable: true, want: retryYes},
		{status: 502, resendable: false, want: retryUnsafe},
		{status: 503, resendable: false, want: retryUnsafe},
		{status: 504, resendable: true, want: retryYes},
		{status: 504, resendable: false, want: retryUnsafe},
		{err: io.EOF, resendable: true, want: retryYes},
		{err: io.EOF, resendable: false, want: retryUnsafe},
		{err: fmt.Errorf("wrapped: %w", dial), resendable: false, want: retryYes},
		{err: dial, resendable: true, want: retryYes},
		{err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}, resendable: true, want: retryNo},
		{err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "timeout", IsTimeout: true}}, resendable: false, want: retryYes},
		{err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, resendable: true, want: retryNo},
		{err: x509.HostnameError{}, resendable: false, want: retryNo},
		{err: &net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}, resendable: false, want: retryNo},
		{err: &net.OpError{Op: "read", Err: io.EOF}, resendable: false, want: retryUnsafe},
	} {
		t.Run(fmt.Sprintf("status %d err %v resendable %v", tc.status, tc.err, tc.resendable), func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, shouldRetry(tc.status, tc.err, tc.resendable))
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{Attempts: 6, Base: time.Second, Cap: 10 * time.Second}
	for _, tc := range []struct {
		name       string
		retry      int
		retryAfter time.Duration
		jitter     float64
		want       time.Duration
	}{
		{name: "first, no jitter", retry: 1, want: 500 * time.Millisecond},
		{name: "first, some jitter", retry: 1, jitter: 0.75, want: 875 * time.Millisecond},
		{name: "second", retry: 2, jitter: 0.5, want: 1500 * time.Millisecond},
		{name: "third", retry: 3, want: 2 * time.Second},
		{name: "fourth", retry: 4, jitter: 0.5, want: 6 * time.Second},
		{name: "capped", retry: 5, want: 5 * time.Second},
		{name: "capped with jitter", retry: 9, jitter: 0.5, want: 7500 * time.Millisecond},
		{name: "no overflow", retry: 80, want: 5 * time.Second},
		{name: "shift overflow", retry: 40, want: 5 * time.Second},
		{name: "retry-after wins", retry: 1, retryAfter: 8 * time.Second, jitter: 0.5, want: 8 * time.Second},
		{name: "retry-after is capped", retry: 1, retryAfter: 24 * time.Hour, jitter: 0.5, want: 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, backoff(p, tc.retry, tc.retryAfter, tc.jitter))
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{in: "", want: 0},
		{in: "0", want: 0},
		{in: "5", want: 5 * time.Second},
		{in: "-3", want: 0},
		{in: "soon", want: 0},
		{in: now.Add(90 * time.Second).Format(http.TimeFormat), want: 90 * time.Second},
		{in: now.Add(-time.Minute).Format(http.TimeFormat), want: 0},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, parseRetryAfter(tc.in, now))
		})
	}
}
