// Package words writes counts and quotes for the pipe's messages, and
// makes untrusted text safe to print.
package words

import (
	"fmt"
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

// Printable makes s safe to print to a terminal: the control characters
// that move the cursor, recolour, retitle or ring (ESC, BEL, CR, …, C1
// codes) and the invisible ones that reorder or hide text (bidi overrides
// and isolates such as U+202E) are written as escapes, \x1b or \u202e;
// newlines and tabs stay. Commit messages are untrusted: a subject must
// not rewrite the log that shows it. Text sent to Coda keeps them.
func Printable(s string) string {
	i := strings.IndexFunc(s, unprintable)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case !unprintable(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// unprintable reports whether r is a control or bidi formatting
// character that [Printable] escapes.
func unprintable(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
