// Package words writes counts and quotes for the pipe's messages.
package words

import (
	"strconv"
	"strings"
)

// Plural writes a count with the right form of its noun: "1 row", "2 rows".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Clip cuts s to at most n bytes, on a character boundary, marking the cut
// with "…": a commit subject or an answer quoted in a message stays short.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
