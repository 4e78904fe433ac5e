package coda_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

func TestParseDocID(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"AbCdEfGh":  "AbCdEfGh",
		" AbC-d_9 ": "AbC-d_9",
		"https://coda.io/d/Release-Log_dAbCDeFGH":             "AbCDeFGH",
		"https://coda.io/d/Release-Log_dAbCDeFGH/Notes_suXyz": "AbCDeFGH",
		"https://coda.io/d/My_docs_Log_dQwErTy?x=1":           "QwErTy",
		"https://coda.io/d/_dQwErTy#Table_tu1":                "QwErTy",
		"https://docs.superhuman.com/d/Log_dZz9":              "Zz9",
		"https://coda.io/workspaces/ws-1":                     "",
		"not an id!":                                          "",
		"":                                                    "",
	}
	for in, want := range tests {
		require.Equal(t, want, coda.ParseDocID(in), in)
	}
}

// FuzzParseDocID: whatever the input, the result is "" or an ID that can
// go into a request path as it is, and an ID is its own ID.
func FuzzParseDocID(f *testing.F) {
	for _, s := range []string{"AbCdEfGh", "https://coda.io/d/Release-Log_dAbCDeFGH/Notes_suXyz", "https://coda.io/d/_d", "/d/_d_d", "_d/d/"} {
		f.Add(s)
	}
	id := regexp.MustCompile(`^[\w-]+$`)
	f.Fuzz(func(t *testing.T, s string) {
		got := coda.ParseDocID(s)
		if got == "" {
			return
		}
		if !id.MatchString(got) {
			t.Fatalf("ParseDocID(%q) = %q, not an ID", s, got)
		}
		if !strings.Contains(s, "/") && got != strings.TrimSpace(s) {
			t.Fatalf("ParseDocID(%q) = %q, want the ID itself", s, got)
		}
		if again := coda.ParseDocID(got); again != got {
			t.Fatalf("ParseDocID(%q) = %q, but ParseDocID(%q) = %q", s, got, got, again)
		}
	})
}
