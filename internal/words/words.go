// Package words writes counts for the pipe's log lines.
package words

import "strconv"

// Plural writes a count with the right form of its noun: "1 row", "2 rows".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
