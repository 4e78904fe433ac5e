package coda

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// DefaultBaseURL is the base URL of Coda's REST API v1.
const DefaultBaseURL = "https://coda.io/apis/v1"

// WithBaseURL sets the API's base URL, [DefaultBaseURL] by default, as
// [ParseBaseURL] accepts it: absolute https, or http for loopback hosts only.
func WithBaseURL(u string) Option {
	return func(c *Client) error {
		base, err := ParseBaseURL(u)
		if err != nil {
			return err
		}
		c.base, c.baseURL = base, base.String()
		return nil
	}
}

// ParseBaseURL checks raw as the base URL of Coda's API and returns it with
// a path ending in "/", so that endpoint paths resolve below it. It must be an
// absolute https URL without credentials, query or fragment, such as
// [DefaultBaseURL]; http is accepted only for loopback hosts (localhost and
// names under .localhost, 127.0.0.0/8, ::1), for test servers. The errors say
// what was expected.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("coda: base URL is not a valid URL (%w); expected an https URL such as %s", err, DefaultBaseURL)
	}
	switch {
	case !u.IsAbs() || u.Host == "":
		return nil, fmt.Errorf("coda: base URL %q is not absolute; expected an https URL such as %s", u.Redacted(), DefaultBaseURL)
	case u.User != nil:
		return nil, fmt.Errorf("coda: base URL %q must not contain credentials; the token is sent in a header", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("coda: base URL %q must not have a query or fragment; expected a URL such as %s", u.Redacted(), DefaultBaseURL)
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	case u.Scheme == "http":
		return nil, fmt.Errorf("coda: base URL %q uses http; use https (http is allowed only for localhost, 127.0.0.0/8 and ::1)", u.Redacted())
	default:
		return nil, fmt.Errorf("coda: base URL %q has scheme %q; expected https, as in %s", u.Redacted(), u.Scheme, DefaultBaseURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

// isLoopback reports whether host stays on this machine: localhost, a
// loopback IP address, or a name under the reserved "localhost" top-level
// domain, which resolves to loopback (RFC 6761), as in-memory test servers
// use.
func isLoopback(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Parts of a doc's URL: its /d/ segment, and what a doc ID looks like.
var (
	docSegment = regexp.MustCompile(`/d/([^/?#]+)`)
	docID      = regexp.MustCompile(`^[\w-]+$`)
)

// ParseDocID accepts a doc ID or a doc's URL (https://coda.io/d/Name_dAbCdEf,
// on any host) and returns the ID: the text after the last "_d" of the
// URL's /d/ segment, since a doc's name may itself contain "_d". It returns
// "" when value is neither.
func ParseDocID(value string) string {
	v := strings.TrimSpace(value)
	if strings.Contains(v, "/") {
		m := docSegment.FindStringSubmatch(v)
		if m == nil {
			return ""
		}
		v = m[1]
		if i := strings.LastIndex(v, "_d"); i >= 0 {
			v = v[i+2:]
		}
	}
	if !docID.MatchString(v) {
		return ""
	}
	return v
}
