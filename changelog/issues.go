package changelog

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultIssuePattern matches Jira-style issue keys such as "ABC-123" or
// "AB2-9": an upper-case letter, one or more upper-case letters, digits or
// underscores, a hyphen and a number without a leading zero, between word
// boundaries. It finds the key in "feat(ABC-12): x" and in the branch
// "feature/ABC-123-do-thing", but not in "abc-123" or "ABC-0".
//
// With this pattern, an [IssueMatcher] drops the keys of the projects UTF,
// ISO, SHA, RFC and CVE, which are nearly always "UTF-8", "ISO-8601",
// "SHA-256", "RFC-3339" or "CVE-2024-…" in prose. Use another pattern (the
// ISSUE_PATTERN setting) to find keys of those projects.
const DefaultIssuePattern = `\b[A-Z][A-Z0-9_]+-[1-9][0-9]*\b`

// ignoredProjects are the project keys dropped with [DefaultIssuePattern].
var ignoredProjects = map[string]bool{"UTF": true, "ISO": true, "SHA": true, "RFC": true, "CVE": true}

// IssueMatcher finds issue keys in text. Make one with [NewIssueMatcher]. It
// is safe for concurrent use; a nil *IssueMatcher finds nothing.
type IssueMatcher struct {
	re        *regexp.Regexp
	group     int  // the submatch holding the key: 1 with a capture group, else 0
	isDefault bool // drop the keys of ignoredProjects
}

// NewIssueMatcher compiles pattern, a Go regular expression
// (https://pkg.go.dev/regexp/syntax), into an [IssueMatcher]. The empty
// pattern means [DefaultIssuePattern]. When the pattern has a capture
// group, the first group's text is the key, so `#([0-9]+)` finds "123" in
// "Fixes #123"; otherwise the whole match is. A pattern that does not
// compile is an error naming the pattern.
func NewIssueMatcher(pattern string) (*IssueMatcher, error) {
	if pattern == "" {
		pattern = DefaultIssuePattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("invalid issue pattern %q: %w", pattern, err)
	}
	m := &IssueMatcher{re: re, isDefault: pattern == DefaultIssuePattern}
	if re.NumSubexp() > 0 {
		m.group = 1
	}
	return m, nil
}

// Find returns the issue keys in texts, each once, in the order of their
// first appearance, searching the texts in order. It returns nil when there
// are none. Matches whose key is empty (an unmatched or empty group) are
// skipped.
func (m *IssueMatcher) Find(texts ...string) []string {
	if m == nil {
		return nil
	}
	var keys []string
	var seen map[string]bool
	var locs [][]int
	for _, text := range texts {
		if m.isDefault {
			locs = jiraKeys(text, locs[:0])
		} else {
			locs = m.re.FindAllStringSubmatchIndex(text, -1)
		}
		for _, loc := range locs {
			start, end := loc[2*m.group], loc[2*m.group+1]
			if start < 0 || start == end {
				continue
			}
			key := text[start:end]
			if m.isDefault && ignoredProjects[key[:strings.LastIndexByte(key, '-')]] {
				continue
			}
			if seen[key] {
				continue
			}
			if seen == nil {
				seen = make(map[string]bool)
			}
			seen[key] = true
			// Clone so that a key does not keep a whole commit message alive.
			keys = append(keys, strings.Clone(key))
		}
	}
	return keys
}

// jiraKeys appends to locs the [start, end) of every match of
// [DefaultIssuePattern] in s, as regexp's FindAllStringIndex would, without
// the regexp engine (whose \b makes it slow): a key is a whole word of
// upper-case letters, digits and underscores that starts with a letter and
// has at least two characters, then a hyphen and a number without a
// leading zero that ends the word. Word characters are ASCII, as for \b.
//
// It looks only at hyphens, which it finds with [strings.IndexByte] (much
// quicker than a loop over every byte: bodies are most of what a history
// holds, and most of their words are not keys), and reads the word before
// each. That finds what a scan from the left finds: every key is a whole
// word, a hyphen and digits, and the word of one key never reaches into
// the digits of the key before it, which a non-word character ends.
func jiraKeys(s string, locs [][]int) [][]int {
	for h := 0; ; h++ {
		next := strings.IndexByte(s[h:], '-')
		if next < 0 {
			return locs
		}
		h += next
		if h+1 >= len(s) || s[h+1] < '1' || s[h+1] > '9' {
			continue
		}
		i := h
		for i > 0 && isWordByte(s[i-1]) {
			i--
		}
		if h-i < 2 || !isUpperByte(s[i]) || strings.IndexFunc(s[i:h], notProjectRune) >= 0 {
			continue
		}
		k := h + 2
		for k < len(s) && isDigitByte(s[k]) {
			k++
		}
		if k == len(s) || !isWordByte(s[k]) {
			locs = append(locs, []int{i, k})
		}
	}
}

// notProjectRune reports whether r cannot be part of a Jira project key.
func notProjectRune(r rune) bool {
	return !(r < 0x80 && (isUpperByte(byte(r)) || isDigitByte(byte(r)) || r == '_'))
}

func isWordByte(c byte) bool { return isLetterByte(c) || isDigitByte(c) || c == '_' }

func isUpperByte(c byte) bool { return 'A' <= c && c <= 'Z' }
