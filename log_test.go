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
