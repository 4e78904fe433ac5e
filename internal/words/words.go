// Package words writes counts and quotes for the pipe's messages, and
// makes untrusted text safe to print, and finds the names a mistyped one
// was meant to be.
package words

import (
	"cmp"
	"fmt"
	"slices"
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

// Nearest returns the name of known nearest to name and its edit distance
// ([Distance]); the first of the nearest when several are as near, and ""
// with a distance over len(name) when known is empty.
//
// The pipe asks it for every variable of the step that is not its own, a
// few dozen names against its forty, at each start: a name whose length
// alone puts it as far as the nearest so far (no two names are nearer than
// their lengths' difference) is not compared, and the table's one row is
// reused from name to name.
func Nearest(name string, known []string) (string, int) {
	best, bestD := "", len(name)+1
	row := make([]int, 0, 32)
	for _, k := range known {
		if abs(len(k)-len(name)) >= bestD {
			continue
		}
		if d := distance(name, k, &row); d < bestD {
			best, bestD = k, d
		}
	}
	return best, bestD
}

// Distance is the Levenshtein distance between a and b, counted in bytes:
// the fewest insertions, deletions and substitutions that turn a into b.
func Distance(a, b string) int {
	var row []int
	return distance(a, b, &row)
}

// distance is [Distance] working in *row, one row of the table, grown as
// needed and kept by the caller for the next call.
func distance(a, b string, row *[]int) int {
	if cap(*row) < len(b)+1 {
		*row = make([]int, len(b)+1)
	}
	cur := (*row)[:len(b)+1]
	for j := range cur {
		cur[j] = j
	}
	for i := 1; i <= len(a); i++ {
		diag := cur[0] // the cell above and to the left: row i-1, column j-1
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			diag, cur[j] = cur[j], min(cur[j]+1, cur[j-1]+1, diag+cost)
		}
	}
	return cur[len(b)]
}

// maxSimilar is how many names [Similar] returns at most.
const maxSimilar = 3

// Similar returns the names of known that name was probably meant to be,
// nearest first, at most three: ignoring case, those within an edit
// distance of a third of name's length (at least 2), and those that
// contain name or that name contains, when the shorter has 4 characters or
// more. Nothing when name is one of known.
func Similar(name string, known []string) []string {
	if slices.Contains(known, name) {
		return nil
	}
	type near struct {
		name string
		d    int
	}
	lower, limit := strings.ToLower(name), max(2, len(name)/3)
	var found []near
	for _, k := range known {
		lk := strings.ToLower(k)
		// No two names are nearer than their lengths' difference, and one
		// that contains the other is exactly that far: the edit distance,
		// whose cost grows with the names, is worked out only when it may
		// be within limit.
		diff := abs(len(lk) - len(lower))
		contains := min(len(lower), len(lk)) >= 4 && (strings.Contains(lk, lower) || strings.Contains(lower, lk))
		switch {
		case contains:
			found = append(found, near{k, diff})
		case diff > limit:
		default:
			if d := Distance(lower, lk); d <= limit {
				found = append(found, near{k, d})
			}
		}
	}
	slices.SortStableFunc(found, func(a, b near) int { return cmp.Compare(a.d, b.d) })
	out := make([]string, 0, min(len(found), maxSimilar))
	for _, n := range found[:min(len(found), maxSimilar)] {
		out = append(out, n.name)
	}
	return out
}

// abs is the absolute value of n.
func abs(n int) int { return max(n, -n) }
