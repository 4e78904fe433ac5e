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
	for _, text := range texts {
		for _, loc := range m.re.FindAllStringSubmatchIndex(text, -1) {
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
