package coda

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy says how a [Client] retries a request that failed with a 429, a
// 5xx other than 501, or a transport error. Waits grow exponentially from
// Base, are capped at Cap and are jittered; a Retry-After header, when
// present, sets the wait instead.
//
// A write that is not safe to send twice (an insert, a row delete, a page
// append or prepend, a page content delete, an automation trigger) is
// retried only when it surely was not applied: a 429, or a connection that
// could not be made. Any other failure leaves its outcome unknown: a 5xx,
// even one whose body is Coda's own error JSON (Coda documents nowhere that
// such an answer means nothing was applied), a timeout, or a connection
// lost after the request was sent. Such a write is not resent and the
// error wraps [ErrUnknownOutcome]: the caller checks what the doc holds
// and sends only what is missing.
type RetryPolicy struct {
	Attempts int           // attempts in all, counting the first; at least 1
	Base     time.Duration // wait before the first retry, before jitter
	Cap      time.Duration // longest wait, before jitter
}

// DefaultRetryPolicy makes 6 attempts, waiting about 1 s, 2 s, 4 s, 8 s and
// 16 s between them, never more than 60 s.
var DefaultRetryPolicy = RetryPolicy{Attempts: 6, Base: time.Second, Cap: 60 * time.Second}

// WithRetry sets the retry policy, [DefaultRetryPolicy] by default. Zero
// fields take their default.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.Attempts < 0 || p.Base < 0 || p.Cap < 0 {
			return fmt.Errorf("coda: WithRetry: negative field in %+v", p)
		}
		if p.Attempts == 0 {
			p.Attempts = DefaultRetryPolicy.Attempts
		}
		if p.Base == 0 {
			p.Base = DefaultRetryPolicy.Base
		}
		if p.Cap == 0 {
			p.Cap = DefaultRetryPolicy.Cap
		}
		if p.Cap < p.Base {
			return fmt.Errorf("coda: WithRetry: Cap %v is shorter than Base %v", p.Cap, p.Base)
		}
		c.retry = p
		return nil
	}
}

// verdict is what to do after an attempt.
type verdict int

const (
	retryNo     verdict = iota // done: success, or an error retrying cannot fix
	retryYes                   // send again
	retryUnsafe                // outcome unknown and the request is not resendable
)

// shouldRetry decides what to do after an attempt that got status (0 when
// there was no response) or the transport error err. resendable says whether
// the request may be sent twice.
func shouldRetry(status int, err error, resendable bool) verdict {
	if ok, transient := unreachable(err); ok {
		if transient {
			return retryYes // nothing was sent
		}
		return retryNo
	}
	switch {
	case err != nil, status >= 500 && status != http.StatusNotImplemented:
		if resendable {
			return retryYes
		}
		return retryUnsafe // it may have been applied, whoever answered
	case status == http.StatusTooManyRequests:
		return retryYes // refused, so never applied
	}
	return retryNo
}

// unreachable reports whether err means that no connection to the host
// could be made, so the request never left, and whether trying again may
// help: a refused or timed-out connection and a temporary DNS failure may
// pass; a name that does not exist and a TLS failure will not.
func unreachable(err error) (ok, transient bool) {
	if err == nil {
		return false, false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true, !dns.IsNotFound
	}
	var (
		verify    *tls.CertificateVerificationError
		header    tls.RecordHeaderError
		authority x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	if errors.As(err, &verify) || errors.As(err, &header) || errors.As(err, &authority) ||
		errors.As(err, &hostname) || errors.As(err, &invalid) {
		return true, false
	}
	var op *net.OpError
	if errors.As(err, &op) {
		switch op.Op {
		case "dial":
			return true, true
		case "remote error": // a TLS alert from the server
			return true, false
		}
	}
	return false, false
}

// backoff returns the wait before retry number retry (1 for the first). A
// positive retryAfter, from the server, wins, up to Cap. Otherwise the wait is
// Base×2^(retry-1), capped at Cap, with equal jitter: half of it fixed and
// half scaled by jitter, a number in [0, 1).
func backoff(p RetryPolicy, retry int, retryAfter time.Duration, jitter float64) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, p.Cap)
	}
	d := p.Cap
	if retry-1 < 62 {
		if exp := p.Base << (retry - 1); exp > 0 && exp < p.Cap {
			d = exp
		}
	}
	half := d / 2
	return half + time.Duration(jitter*float64(d-half))
}

// retryAfter returns the wait the Retry-After header of resp asks for, in
// seconds or as an HTTP date relative to now; 0 when there is none.
func retryAfter(resp *http.Response, now time.Time) time.Duration {
	if resp == nil {
		return 0
	}
	return parseRetryAfter(resp.Header.Get("Retry-After"), now)
}

// parseRetryAfter parses a Retry-After value; 0 when it is absent, invalid or
// in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		return max(0, time.Duration(s)*time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now))
	}
	return 0
}
