package changelog

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Message is a commit message parsed by [ParseMessage] following
// Conventional Commits 1.0.0 (https://www.conventionalcommits.org/en/v1.0.0/),
// with the merge and revert messages that git, Bitbucket and GitHub write.
type Message struct {
	// Conventional reports whether the header (for a pull request merge: the
	// pull request title) is a Conventional Commits header.
	Conventional bool
	// Type is the lower-cased type of a conventional header, "revert" for a
	// revert (then Revert is set), and "" otherwise.
	Type string
	// Scope is the text between the parentheses of a conventional header.
	Scope string
	// Subject is the description of a conventional header; otherwise the
	// pull request title of a merge, or the first line. It never holds a
	// newline.
	Subject string
	// Body is the text between the header and the footers, without leading
	// and trailing blank lines; "" when there is none. For a pull request
	// merge it is the text after the title, squash bullets included.
	Body string
	// Breaking reports whether the header has a "!" before its colon or a
	// footer's token is "BREAKING CHANGE" or "BREAKING-CHANGE".
	Breaking bool
	// BreakingNote is the value of the breaking-change footers (joined by a
	// blank line when there are several), or Subject when the change is
	// breaking and no footer describes it.
	BreakingNote string
	// Footers are the footers (git trailers) in message order; nil when none.
	Footers []Footer
	// Merge describes a merge commit message; nil for other messages.
	Merge *Merge
	// Revert describes a revert; it is set exactly when Type is "revert".
	Revert *Revert
}

// Footer is one footer of a commit message, such as "Reviewed-by: Z" or
// "Refs #123": a token, then ": " or " #", then a value.
type Footer struct {
	// Token is the footer's token as written, such as "Reviewed-by" or
	// "BREAKING CHANGE".
	Token string `json:"token"`
	// Value is the text after the separator. After the " #" separator it
	// keeps the "#": "Refs #123" and "Refs: #123" both have the value
	// "#123", so the issue reference stays readable and can be found by an
	// [IssueMatcher]. The spaces after the separator, leading blank lines
	// and trailing white space are trimmed; a value that continues over
	// several lines keeps its inner newlines and the indentation of its
	// continuation lines.
	Value string `json:"value"`
}

// MergeKind tells which kind of merge message a [Merge] was parsed from.
type MergeKind int

const (
	// MergeBitbucket is a Bitbucket pull request merge: Bitbucket Cloud's
	// "Merged in <branch> (pull request #<N>)" or Bitbucket Server's
	// "Merge pull request #<N> in <repo> from <branch> to <target>".
	MergeBitbucket MergeKind = iota + 1
	// MergeGitHub is a GitHub pull request merge:
	// "Merge pull request #<N> from <owner>/<branch>".
	MergeGitHub
	// MergeBranch is a merge without a pull request: a Bitbucket branch sync
	// ("Merged <x> into <y>") or a merge made by git ("Merge branch '<x>'",
	// "Merge remote-tracking branch '<x>'", "Merge tag '<x>'",
	// "Merge commit '<x>'", each optionally followed by "into <y>").
	MergeBranch
)

// String returns "bitbucket", "github" or "branch".
func (k MergeKind) String() string {
	switch k {
	case MergeBitbucket:
		return "bitbucket"
	case MergeGitHub:
		return "github"
	case MergeBranch:
		return "branch"
	}
	return fmt.Sprintf("MergeKind(%d)", int(k))
}

// Merge describes a merge commit message.
type Merge struct {
	// Kind tells which tool wrote the message.
	Kind MergeKind
	// Branch is the merged branch when known: the source branch of a pull
	// request (without the GitHub owner), or the branch, tag or commit named
	// in a git merge message.
	Branch string
	// Into is the target branch when the message names it.
	Into string
	// PullRequest is the pull request number; 0 when there is none.
	PullRequest int
	// Title is the pull request title (the first line of the paragraph after
	// the merge line) when present.
	Title string
	// Bullets are the commit messages of a squash merge, one per
	// "* <commit message>" bullet, without the "* ": the bullet's line and
	// the lines after it up to the next bullet (Bitbucket does not indent a
	// message's further lines), trimmed of white space; the last bullet's
	// message stops before the merge's closing "Approved-by:" lines. So a
	// line of a squashed message that itself starts with "* " reads as a
	// bullet of its own.
	Bullets []string
	// ApprovedBy are the names in "Approved-by: <Name>" or
	// "Approved-by: <Name> <email>" footers.
	ApprovedBy []string
}

// Revert describes a revert commit.
type Revert struct {
	// Subject is the subject of the reverted commit, when known: the quoted
	// text of git's `Revert "<subject>"`, or the description of a
	// conventional "revert: <subject>".
	Subject string
	// SHA is the full hash of the reverted commit, lower-cased, when the
	// message gives it ("This reverts commit <sha>." or a "Refs: <sha>"
	// footer); "" otherwise.
	SHA string
}

// Footer tokens that mark a breaking change. They must be upper-case.
const (
	breakingChange       = "BREAKING CHANGE"
	breakingChangeHyphen = "BREAKING-CHANGE"
)

// ParseMessage parses one raw commit message (as git prints %B). It never
// fails and never panics, and it takes time linear in the message's length.
//
// The header is the first non-blank line. A conventional header is
// "<type>[(<scope>)][!]: <description>": the type is an ASCII letter
// followed by letters, digits, "-" or "_" (but not a Jira-style issue key
// such as "ABC-123", which is common as a plain prefix), the scope holds no
// parentheses, and the description is not empty. An empty or blank scope,
// as in "docs(): fix a link", is no scope.
//
// Footers start at the first paragraph (a line after a blank line) whose
// first line is a footer: a token of letters, digits, "-" and "_", starting
// with a letter, or "BREAKING CHANGE", followed by ": " or " #". Following
// the specification, a footer's value runs until the next line that starts
// a footer, so it can hold newlines and blank lines. As older (Angular)
// histories write it, "BREAKING CHANGE:" or "BREAKING-CHANGE:" may also end
// its line, the note following in the next paragraphs: the value is then
// those paragraphs, up to the next footer or the end. A breaking-change
// footer directly under the header, with no blank line between (a common
// slip, which conventional-commits-parser counts too), starts the footers
// as well; elsewhere a footer needs the blank line, so a body line that
// mentions a breaking change in prose is body. Everything before the
// footers is the body. Tokens are case-insensitive, except that only the
// upper-case "BREAKING CHANGE" and "BREAKING-CHANGE" mark a breaking change.
// A paragraph of prose that starts like "Note: ..." is therefore a footer.
//
// Messages that are not conventional get Type "", the first line as Subject
// and the rest as Body; their footers (git trailers such as
// "Signed-off-by:") are still parsed, and a "BREAKING CHANGE" footer still
// makes them breaking.
//
// Reverts get Type "revert" and Revert: a conventional "revert" type, git's
// `Revert "<subject>"` header (nested ones included), or, for a message that
// is neither conventional nor a merge, git's "This reverts commit <sha>."
// line under an edited subject. A commit of another conventional type that
// mentions reverting keeps its type.
//
// Merge messages get Merge. A pull request merge takes Type, Scope, Subject
// and Breaking from its title, the first line of the paragraph after the
// merge line; its footers are only looked for after the last squash bullet,
// so the footers of squashed commit messages stay in the body, and
// [Merge.Bullets] holds each squashed commit's message, to be parsed on its
// own.
//
// Line endings "\r\n" are read as "\n"; other bytes, invalid UTF-8
// included, are kept as they are, and text that looks like markup or
// templates is plain data.
func ParseMessage(msg string) Message {
	if strings.Contains(msg, "\r\n") {
		msg = strings.ReplaceAll(msg, "\r\n", "\n")
	}
	lines := msgLines(msg)
	for len(lines) > 0 && isBlankLine(lines[0].text) {
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return Message{}
	}

	var m Message
	first := strings.TrimSpace(lines[0].text)
	header := first // the line read as a conventional header
	bodyFrom := 1   // first line of the body
	footerFrom := 1 // first line that may start the footers
	merge := parseMergeLine(first)
	if merge != nil {
		if merge.Kind != MergeBranch {
			if t := mergeTitleLine(lines); t > 0 {
				merge.Title = strings.TrimSpace(lines[t].text)
				header = merge.Title
				bodyFrom = t + 1
			}
		}
		footerFrom = bodyFrom
		var starts []int // the lines that start a squash bullet
		for i := bodyFrom; i < len(lines); i++ {
			if isSquashBullet(lines[i].text) {
				starts = append(starts, i)
				footerFrom = i + 1
			}
		}
		merge.Bullets = bulletMessages(msg, lines, starts)
		m.Merge = merge
	}

	fb := footerBlockStart(lines, footerFrom, footerFrom == bodyFrom)
	m.Footers = parseFooters(msg, lines[fb:])
	if fb > bodyFrom {
		m.Body = trimBlankLines(msg[lines[bodyFrom].off : lines[fb-1].off+len(lines[fb-1].text)])
	}

	var bang bool
	if h, ok := parseConventionalHeader(header); ok {
		m.Conventional = true
		m.Type, m.Scope, m.Subject, bang = h.typ, h.scope, h.desc, h.bang
	} else {
		m.Subject = header
	}

	var notes []string
	for _, f := range m.Footers {
		if isBreakingToken(f.Token) {
			m.Breaking = true
			if f.Value != "" {
				notes = append(notes, f.Value)
			}
		}
	}
	m.Breaking = m.Breaking || bang
	if m.Breaking {
		m.BreakingNote = strings.Join(notes, "\n\n")
		if m.BreakingNote == "" {
			m.BreakingNote = m.Subject
		}
	}

	switch {
	case m.Type == "revert":
		m.Revert = &Revert{Subject: unquoteSubject(m.Subject), SHA: revertedSHA(lines[bodyFrom:])}
		if m.Revert.SHA == "" {
			m.Revert.SHA = refsSHA(m.Footers)
		}
	case m.Conventional:
	case strings.HasPrefix(header, `Revert "`):
		m.Type = "revert"
		subject := strings.TrimPrefix(header, `Revert "`)
		subject = strings.TrimSuffix(subject, `"`)
		m.Revert = &Revert{Subject: subject, SHA: revertedSHA(lines[bodyFrom:])}
	case merge == nil:
		// A git revert whose subject was edited still has git's body line.
		if sha := revertedSHA(lines[bodyFrom:]); sha != "" {
			m.Type = "revert"
			m.Revert = &Revert{SHA: sha}
		}
	}

	if merge != nil {
		for _, f := range m.Footers {
			if strings.EqualFold(f.Token, "Approved-by") {
				if name := approverName(f.Value); name != "" {
					merge.ApprovedBy = append(merge.ApprovedBy, name)
				}
			}
		}
	}
	return m
}

// msgLine is one line of a message and its offset in the message, so that
// a run of lines can be sliced out of the message without copying.
type msgLine struct {
	text string // without the "\n"
	off  int
}

// msgLines splits s into lines.
func msgLines(s string) []msgLine {
	lines := make([]msgLine, 0, strings.Count(s, "\n")+1)
	off := 0
	for {
		i := strings.IndexByte(s[off:], '\n')
		if i < 0 {
			return append(lines, msgLine{s[off:], off})
		}
		lines = append(lines, msgLine{s[off : off+i], off})
		off += i + 1
	}
}

// isBlankLine reports whether s holds only white space.
func isBlankLine(s string) bool {
	return strings.TrimSpace(s) == ""
}

// trimBlankLines drops the leading blank lines of s, keeping the indentation
// of its first non-blank line, and its trailing white space.
func trimBlankLines(s string) string {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			if isBlankLine(s) {
				return ""
			}
			break
		}
		if !isBlankLine(s[:i]) {
			break
		}
		s = s[i+1:]
	}
	return strings.TrimRightFunc(s, unicode.IsSpace)
}

// conventionalHeader is a parsed "<type>[(<scope>)][!]: <description>".
type conventionalHeader struct {
	typ, scope, desc string
	bang             bool
}

// parseConventionalHeader parses a header line trimmed of white space.
func parseConventionalHeader(h string) (conventionalHeader, bool) {
	n := tokenLen(h)
	if n == 0 || looksLikeIssueKey(h[:n]) {
		return conventionalHeader{}, false
	}
	c := conventionalHeader{typ: strings.ToLower(h[:n])}
	rest := h[n:]
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexAny(rest[1:], "()")
		if end < 0 || rest[1+end] != ')' {
			return conventionalHeader{}, false
		}
		c.scope = strings.TrimSpace(rest[1 : 1+end]) // "docs(): x" has no scope
		rest = rest[end+2:]
	}
	if strings.HasPrefix(rest, "!") {
		c.bang = true
		rest = rest[1:]
	}
	desc, ok := strings.CutPrefix(rest, ": ")
	if !ok {
		return conventionalHeader{}, false
	}
	c.desc = strings.TrimSpace(desc)
	if c.desc == "" {
		return conventionalHeader{}, false
	}
	return c, true
}

// tokenLen returns the length of the type or footer token at the start of
// s: an ASCII letter followed by letters, digits, "-" and "_". It returns 0
// when s does not start with a letter.
func tokenLen(s string) int {
	if s == "" || !isLetterByte(s[0]) {
		return 0
	}
	n := 1
	for n < len(s) {
		c := s[n]
		if !isLetterByte(c) && !isDigitByte(c) && c != '-' && c != '_' {
			break
		}
		n++
	}
	return n
}

func isLetterByte(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }

// looksLikeIssueKey reports whether a token ends in "-<digits>", like the
// Jira key in "ABC-123: fix the thing", which is not a commit type.
func looksLikeIssueKey(tok string) bool {
	i := strings.LastIndexByte(tok, '-')
	if i < 0 || i == len(tok)-1 {
		return false
	}
	for j := i + 1; j < len(tok); j++ {
		if !isDigitByte(tok[j]) {
			return false
		}
	}
	return true
}

// footerStart parses a line that starts a footer and returns its token and
// the offset of the value in the line.
func footerStart(s string) (token string, valueAt int, ok bool) {
	n := len(breakingChange)
	if !strings.HasPrefix(s, breakingChange) {
		n = tokenLen(s)
		if n == 0 {
			return "", 0, false
		}
	}
	switch sep := s[n:]; {
	case strings.HasPrefix(sep, ": "):
		return s[:n], n + 2, true
	case strings.HasPrefix(sep, " #"):
		return s[:n], n + 1, true // the value keeps its "#"
	case strings.HasPrefix(sep, ":") && isBlankLine(sep[1:]) && isBreakingToken(s[:n]):
		return s[:n], len(s), true // the note is in the next paragraphs
	}
	return "", 0, false
}

// isBreakingToken reports whether a footer token marks a breaking change.
func isBreakingToken(tok string) bool {
	return tok == breakingChange || tok == breakingChangeHyphen
}

// footerBlockStart returns the index of the first line of the footers: the
// first line at or after from that follows a blank line and starts a
// footer. When underHeader is set, line from is the one directly under the
// header, and a breaking-change footer there starts the footers without a
// blank line before it: "feat: x\nBREAKING CHANGE: y" is a common slip, which
// conventional-commits-parser counts too. It returns len(lines) when there
// are no footers.
func footerBlockStart(lines []msgLine, from int, underHeader bool) int {
	for i := max(from, 1); i < len(lines); i++ {
		tok, _, ok := footerStart(lines[i].text)
		if ok && (isBlankLine(lines[i-1].text) || underHeader && i == from && isBreakingToken(tok)) {
			return i
		}
	}
	return len(lines)
}

// parseFooters parses lines of msg whose first line starts a footer. A
// footer's value runs until the next line that starts a footer.
func parseFooters(msg string, lines []msgLine) []Footer {
	var footers []Footer
	var token string
	valueAt := -1
	flush := func(end int) {
		if valueAt >= 0 {
			footers = append(footers, Footer{Token: token, Value: trimBlankLines(msg[valueAt:end])})
		}
	}
	for _, l := range lines {
		tok, at, ok := footerStart(l.text)
		if !ok {
			continue
		}
		flush(l.off - 1)
		token = tok
		valueAt = l.off + at
		// Skip the spaces after the separator, not the next line's indentation.
		for end := l.off + len(l.text); valueAt < end && (msg[valueAt] == ' ' || msg[valueAt] == '\t'); {
			valueAt++
		}
	}
	if len(lines) > 0 {
		last := lines[len(lines)-1]
		flush(last.off + len(last.text))
	}
	return footers
}

// parseMergeLine parses the first line of a merge message; it returns nil
// for other lines.
func parseMergeLine(h string) *Merge {
	if rest, ok := strings.CutPrefix(h, "Merged in "); ok {
		if m := parseBitbucketCloudMerge(rest); m != nil {
			return m
		}
	}
	if rest, ok := strings.CutPrefix(h, "Merged "); ok {
		// Branch sync: "Merged <x> into <y>"; branch names hold no spaces.
		x, y, ok := strings.Cut(rest, " into ")
		if ok && x != "" && y != "" && !strings.ContainsAny(x, " \t") && !strings.ContainsAny(y, " \t") {
			return &Merge{Kind: MergeBranch, Branch: x, Into: y}
		}
		return nil
	}
	if rest, ok := strings.CutPrefix(h, "Merge pull request #"); ok {
		return parsePullRequestMerge(rest)
	}
	for _, prefix := range gitMergePrefixes {
		rest, ok := strings.CutPrefix(h, prefix)
		if !ok {
			continue
		}
		name, tail, ok := strings.Cut(rest, "'")
		if !ok || name == "" {
			return nil
		}
		m := &Merge{Kind: MergeBranch, Branch: name}
		if i := strings.LastIndex(tail, " into "); i >= 0 {
			m.Into = strings.Trim(strings.TrimSpace(tail[i+len(" into "):]), "'")
		}
		return m
	}
	return nil
}

// gitMergePrefixes start the subjects of merges made by git (and GitLab),
// up to the opening quote of the merged name. For an octopus merge
// ("Merge branches 'a' and 'b'") the first name is kept.
var gitMergePrefixes = []string{
	"Merge branch '",
	"Merge branches '",
	"Merge remote-tracking branch '",
	"Merge remote-tracking branches '",
	"Merge tag '",
	"Merge tags '",
	"Merge commit '",
}

// parseBitbucketCloudMerge parses what follows "Merged in ":
// "<branch> (pull request #<N>)", with any number of spaces before "(".
func parseBitbucketCloudMerge(rest string) *Merge {
	const open = "(pull request #"
	i := strings.LastIndex(rest, open)
	if i < 0 || !strings.HasSuffix(rest, ")") || i+len(open) > len(rest)-1 {
		return nil
	}
	n, ok := pullRequestNumber(rest[i+len(open) : len(rest)-1])
	branch := strings.TrimSpace(rest[:i])
	if !ok || branch == "" {
		return nil
	}
	return &Merge{Kind: MergeBitbucket, Branch: branch, PullRequest: n}
}

// parsePullRequestMerge parses what follows "Merge pull request #":
// "<N> from <owner>/<branch>" (GitHub) or
// "<N> in <repo> from <branch> to <target>" (Bitbucket Server).
func parsePullRequestMerge(rest string) *Merge {
	digits := 0
	for digits < len(rest) && isDigitByte(rest[digits]) {
		digits++
	}
	n, ok := pullRequestNumber(rest[:digits])
	if !ok {
		return nil
	}
	rest = rest[digits:]
	if after, ok := strings.CutPrefix(rest, " in "); ok {
		m := &Merge{Kind: MergeBitbucket, PullRequest: n}
		if _, from, ok := strings.Cut(after, " from "); ok {
			src, dst, _ := strings.Cut(from, " to ")
			m.Branch, m.Into = strings.TrimSpace(src), strings.TrimSpace(dst)
		}
		return m
	}
	m := &Merge{Kind: MergeGitHub, PullRequest: n}
	if from, ok := strings.CutPrefix(rest, " from "); ok {
		from = strings.TrimSpace(from)
		if _, branch, ok := strings.Cut(from, "/"); ok {
			from = branch
		}
		m.Branch = from
	}
	return m
}

// pullRequestNumber parses a pull request number of at most 18 digits.
func pullRequestNumber(s string) (int, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if !isDigitByte(s[i]) {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// mergeTitleLine returns the index of a pull request merge's title: the
// first non-blank line after the merge line, unless it is a squash bullet or
// a "<Something>-by:" trailer such as "Approved-by:". It returns 0 when
// there is no title.
func mergeTitleLine(lines []msgLine) int {
	for i := 1; i < len(lines); i++ {
		s := lines[i].text
		if isBlankLine(s) {
			continue
		}
		if isSquashBullet(s) {
			return 0
		}
		if tok, _, ok := footerStart(s); ok && len(tok) > 3 && strings.EqualFold(tok[len(tok)-3:], "-by") {
			return 0
		}
		return i
	}
	return 0
}

// isSquashBullet reports whether s is a squash merge's "* <commit message>" line.
func isSquashBullet(s string) bool {
	return strings.HasPrefix(s, "* ") && !isBlankLine(s[2:])
}

// bulletMessages returns the commit messages of a squash merge's bullets,
// which start at the lines starts. Bitbucket writes each squashed commit's
// whole message after its "* ", its further lines unindented, and the
// bullets one under the other, so a bullet's message runs until the next
// bullet. The last one stops before the "Approved-by:" lines (and blank
// lines) at the end of the message: those are the merge's, not the commit's.
func bulletMessages(msg string, lines []msgLine, starts []int) []string {
	if len(starts) == 0 {
		return nil
	}
	out := make([]string, len(starts))
	for k, s := range starts {
		end := len(lines) // the line after the bullet's last one
		if k+1 < len(starts) {
			end = starts[k+1]
		} else {
			for end > s+1 && (isBlankLine(lines[end-1].text) || isApproval(lines[end-1].text)) {
				end--
			}
		}
		last := lines[end-1]
		out[k] = strings.TrimSpace(msg[lines[s].off+2 : last.off+len(last.text)])
	}
	return out
}

// isApproval reports whether s is an "Approved-by: <Name>" trailer line.
func isApproval(s string) bool {
	tok, _, ok := footerStart(s)
	return ok && strings.EqualFold(tok, "Approved-by")
}

// approverName returns the name of an "Approved-by" value, without the
// " <email>" that older Bitbucket messages add.
func approverName(v string) string {
	v, _, _ = strings.Cut(v, "\n")
	v = strings.TrimSpace(v)
	if i := strings.LastIndex(v, " <"); i >= 0 && strings.HasSuffix(v, ">") {
		if name := strings.TrimSpace(v[:i]); name != "" {
			return name
		}
	}
	return v
}

// revertedSHA returns the hash in the first "This reverts commit <sha>"
// of lines, lower-cased, or "" when there is none.
func revertedSHA(lines []msgLine) string {
	const marker = "This reverts commit "
	for _, l := range lines {
		s := l.text
		for {
			i := strings.Index(s, marker)
			if i < 0 {
				break
			}
			s = s[i+len(marker):]
			if sha := leadingFullHash(s); sha != "" {
				return sha
			}
		}
	}
	return ""
}

// refsSHA returns the first full hash of a "Refs" footer, as in
// "revert: ...\n\nRefs: <sha>", or "".
func refsSHA(footers []Footer) string {
	for _, f := range footers {
		if !strings.EqualFold(f.Token, "Refs") {
			continue
		}
		first, _, _ := strings.Cut(strings.TrimSpace(f.Value), ",")
		first, _, _ = strings.Cut(first, " ")
		if sha := leadingFullHash(first); sha != "" && len(sha) == len(first) {
			return sha
		}
	}
	return ""
}

// leadingFullHash returns the lower-cased 40- or 64-digit hexadecimal hash
// at the start of s, or "" when s does not start with one.
func leadingFullHash(s string) string {
	n := 0
	for n < len(s) && n <= 64 && isHexByte(s[n]) {
		n++
	}
	if n != 40 && n != 64 {
		return ""
	}
	return strings.ToLower(s[:n])
}

func isHexByte(c byte) bool {
	return isDigitByte(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unquoteSubject removes one pair of double quotes around s.
func unquoteSubject(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}
