package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRedactor(t *testing.T) {
	t.Parallel()
	redact := redactor("tok-123")
	tests := map[string]string{
		"token tok-123 in a message":                                       "token [redacted] in a message",
		"-c http.http://x-token-auth:s3cret@bitbucket.org/acme/shop.proxy": "-c http.http://[redacted]@bitbucket.org/acme/shop.proxy",
		"fetch https://user@host.example/repo.git and HTTPS://a:b@c/d":     "fetch https://[redacted]@host.example/repo.git and HTTPS://[redacted]@c/d",
		"jane@example.com wrote https://example.com/a@b":                   "jane@example.com wrote https://example.com/a@b",
		"no URL at all": "no URL at all",
	}
	for in, want := range tests {
		require.Equal(t, want, redact(in), in)
	}
	require.Equal(t, "git://[redacted]@h/r", redactor()("git://u:p@h/r"), "without secrets too")
}

// FuzzMayHoldUserinfo: the quick look never misses what the regular
// expression would redact.
func FuzzMayHoldUserinfo(f *testing.F) {
	for _, s := range []string{"", "@types/node", "https://u:p@host/x", "see http://host/a@b", "x://@", "a://b@", "git+ssh://git@bitbucket.org", "a://b c@d", "A://B\t@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if userinfo.MatchString(s) && !mayHoldUserinfo(s) {
			t.Fatalf("%q holds user information the quick look misses", s)
		}
		if !mayHoldUserinfo(s) && redactUserinfo(s) != s {
			t.Fatalf("%q changed", s)
		}
	})
}
