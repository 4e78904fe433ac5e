package changelog

import "strings"

// Problem says why a commit message is not a Conventional Commit; the zero
// Problem is none. Its String is what a commit lint prints ("no type") and
// [Problem.Advice] how to write the header instead.
type Problem int

// The problems [Lint] finds.
const (
	// NoProblem is a Conventional Commit, a merge or a revert.
	NoProblem Problem = iota
	// NoType is a header that does not start with a type and a colon:
	// "Fix the login", or "ABC-123: fix the login", whose issue key is no
	// type.
	NoType
	// UnknownForm is a header that starts like a conventional one but is
	// not written as one: "feat(cart: x", "feat:x", "feat : x",
	// "feat(a)(b): x".
	UnknownForm
	// EmptyDescription is a conventional header with nothing after its
	// colon: "fix:", "feat(cart): ".
	EmptyDescription
)

// String names the problem: "no type", "unknown form", "empty description",
// or "" for [NoProblem].
func (p Problem) String() string {
	switch p {
	case NoType:
		return "no type"
	case UnknownForm:
		return "unknown form"
	case EmptyDescription:
		return "empty description"
	}
	return ""
}

// conventionalForm is the header's form, for advice.
const conventionalForm = "<type>[(<scope>)][!]: <description>, such as \"fix(cart): round the totals\" or \"feat!: drop the v1 API\""

// Advice says how to write a header that has the problem, in one or two
// sentences, for a lint message or an annotation.
func (p Problem) Advice() string {
	switch p {
	case NoType:
		return "Start the header with a type and a colon: " + conventionalForm + ". " +
			"Any type is accepted (feat and fix make the version's minor and patch bumps), and an issue key is no type."
	case UnknownForm:
		return "Write the header as " + conventionalForm + ": the type, an optional scope in one pair of parentheses, " +
			"an optional \"!\", then a colon, one space and the description."
	case EmptyDescription:
		return "Write what the change does after the colon: " + conventionalForm + "."
	}
	return ""
}

// Unconventional is a commit whose message is not a Conventional Commit,
// as a commit lint reports it.
type Unconventional struct {
	SHA string
	// Subject is the message's first line as written (for a squash merge,
	// its pull request title).
	Subject string
	Problem Problem
}

// Lint tells why a parsed commit message is not a Conventional Commit, or
// returns [NoProblem] when it is one, or when it is a merge message (git's,
// Bitbucket's, GitHub's) or a revert, which tools write and which pass. Any
// type passes, as the specification allows: which types the changelog
// shows (EXCLUDE_TYPES, SECTIONS) plays no part. Commits with more than one
// parent pass too; the caller knows them, not the message.
func Lint(m Message) Problem {
	if m.Conventional || m.Merge != nil || m.Revert != nil {
		return NoProblem
	}
	return headerProblem(m.Subject)
}

// headerProblem classifies a header that [parseConventionalHeader] refused.
// A header was meant to be conventional when it starts with a type token
// and, up to its first colon, holds only that token, parentheses, "!" and
// spaces ("feat (cart): x", "feat(a)(b): x"), or, without a colon, when
// the token is directly followed by "(" or "!". Its description is empty,
// or its form is wrong. Anything else has no type.
func headerProblem(h string) Problem {
	h = strings.TrimSpace(h)
	n := tokenLen(h)
	if n == 0 || looksLikeIssueKey(h[:n]) {
		return NoType
	}
	prefix, desc, colon := strings.Cut(h, ":")
	if !colon {
		if strings.ContainsAny(h[n:min(n+1, len(h))], "(!") {
			return UnknownForm // "feat(cart) add", "feat!"
		}
		return NoType
	}
	if !onlyDecoration(prefix[n:]) {
		return NoType // "Release 2.0: notes"
	}
	if c, ok := parseConventionalHeader(prefix + ": x"); ok && c.desc == "x" && strings.TrimSpace(desc) == "" {
		return EmptyDescription
	}
	return UnknownForm
}

// onlyDecoration reports whether what follows a type token up to the colon
// is a scope's parentheses, "!" and spaces: with the parenthesized part
// (up to the end when it is not closed) taken out, only "!" and spaces
// are left.
func onlyDecoration(s string) bool {
	if open := strings.IndexByte(s, '('); open >= 0 {
		end := strings.LastIndexByte(s, ')')
		if end < open { // "feat(cart: x": never closed
			end = len(s) - 1
		}
		s = s[:open] + s[end+1:]
	}
	return strings.Trim(s, " \t!") == ""
}
