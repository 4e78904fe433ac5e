package publish

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// How the page holds the notes. The page has at most one section per
// version. A section starts at a heading line (H1–H3) whose text, without
// a parenthesised part at its end, is the release's version ("v2.0.1" for
// "## v2.0.1 (5cb9d8d, 2026-02-06)", "Unreleased"), and ends before the
// next heading of the same or a higher level (or at the end of the page).
// Whatever a person writes under a release's heading belongs to that
// section; anything else on the page is never touched. The page is read
// as plain text, so a version that markdown escapes (v1\_0 in the notes)
// reads as written (v1_0).

// section is a run of page elements, [start, end) in the page's items.
type section struct {
	start, end int
}

// headingLevel is 1, 2 or 3 for an H1, H2 or H3 element, else 0.
func headingLevel(style string) int {
	switch style {
	case "h1":
		return 1
	case "h2":
		return 2
	case "h3":
		return 3
	}
	return 0
}

// releaseHeading reports whether it is a heading of level that reads as
// a release's: text, then a part in parentheses ("v2.0.1 (2026-02-06)"),
// as [changelog.Release.Heading] writes it. A heading a person wrote
// ("About this page") is not one.
func releaseHeading(it coda.PageContentItem, level int) bool {
	text := strings.TrimSpace(it.Content)
	return headingLevel(it.Style) == level && headingVersion(text) != text
}

// notesLevel is the heading level of the notes' first line (2 for
// "## v2.0.1 (…)"), or 2 when it is not an H1–H3 heading.
func notesLevel(markdown string) int {
	line, _, _ := strings.Cut(strings.TrimLeft(markdown, " \n"), "\n")
	n := len(line) - len(strings.TrimLeft(line, "#"))
	if n >= 1 && n <= 3 && strings.HasPrefix(line[n:], " ") {
		return n
	}
	return 2
}

// headingVersion is the version a heading's plain text names: the text
// without a parenthesised part at its end.
func headingVersion(text string) string {
	text = strings.TrimSpace(text)
	if strings.HasSuffix(text, ")") {
		if i := strings.LastIndex(text, " ("); i > 0 {
			text = text[:i]
		}
	}
	return strings.TrimSpace(text)
}

// sectionsOf finds the sections of version on the page, in page order.
func sectionsOf(items []coda.PageContentItem, version string) []section {
	var out []section
	for i, it := range items {
		level := headingLevel(it.Style)
		if level == 0 || headingVersion(it.Content) != version {
			continue
		}
		end := i + 1
		for end < len(items) {
			if l := headingLevel(items[end].Style); l > 0 && l <= level {
				break
			}
			end++
		}
		out = append(out, section{start: i, end: end})
	}
	return out
}

// seconds is every section of secs but the first.
func seconds(secs []section) []section {
	return secs[min(1, len(secs)):]
}

// ids returns the element IDs of s.
func (s section) ids(items []coda.PageContentItem) []string {
	ids := make([]string, 0, s.end-s.start)
	for _, it := range items[s.start:s.end] {
		ids = append(ids, it.ID)
	}
	return ids
}

// says reports whether s holds the text of markdown and nothing else,
// compared as Coda shows it: letters and digits only, so that markdown
// syntax, escapes and list markers, which Coda turns into styles, do not
// count. A section with more (an entry of a commit since excluded, a line
// a person added under the notes) does not say the same, and is replaced.
func (s section) says(items []coda.PageContentItem, markdown string) bool {
	want := lettersAndDigits(markdownText(markdown))
	var page strings.Builder
	for _, it := range items[s.start:s.end] {
		page.WriteString(lettersAndDigits(it.Content))
		if page.Len() > len(want) {
			return false
		}
	}
	return page.String() == want
}

var (
	reLineMarker = regexp.MustCompile(`^\s*(?:#{1,6}\s|>\s?|[-*+]\s+(?:\[[ xX]\]\s+)?|[0-9]{1,9}[.)]\s)`)
	reMDLink     = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
)

// markdownText is the text of markdown as Coda shows it, roughly: line
// markers (headings, lists, quotes) and link targets dropped. Punctuation
// left over does not matter to [section.says].
func markdownText(markdown string) string {
	var b strings.Builder
	for _, line := range strings.Split(markdown, "\n") {
		line = reLineMarker.ReplaceAllString(line, "")
		b.WriteString(reMDLink.ReplaceAllString(line, "$1"))
		b.WriteByte('\n')
	}
	return b.String()
}

// lettersAndDigits keeps the letters and digits of s.
func lettersAndDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// clippedLine marks a line of notes cut to fit one request.
const clippedLine = " … (clipped: this line alone was over Coda's request size limit)"

// encodedLen is the length of s encoded as a JSON string, without its
// quotes, as the client encodes it. JSON escapes rune by rune, so the
// length of a concatenation is the sum of its pieces'.
func encodedLen(s string) int {
	n, _ := coda.PayloadBytes(s)
	return n - len(`""`)
}

// splitNotes cuts markdown into parts, at line ends, each of which takes
// at most budget bytes encoded ([encodedLen]); the parts, written in order
// one after the other, make up the markdown. A line over the budget on
// its own is clipped, with a visible marker.
func splitNotes(markdown string, budget int) []string {
	if encodedLen(markdown) <= budget {
		return []string{markdown}
	}
	var parts []string
	var cur strings.Builder
	size := 0
	for _, line := range strings.SplitAfter(markdown, "\n") {
		n := encodedLen(line)
		if cur.Len() > 0 && size+n > budget {
			parts = append(parts, cur.String())
			cur.Reset()
			size = 0
		}
		if n > budget {
			line = clipLine(line, budget)
			n = encodedLen(line)
		}
		cur.WriteString(line)
		size += n
	}
	if cur.Len() > 0 {
		parts = append(parts, cur.String())
	}
	return parts
}

// clipLine shortens line, at a rune boundary, to the longest prefix that
// takes at most budget bytes encoded with the clipping marker.
func clipLine(line string, budget int) string {
	n := mostThatFits(len(line), func(n int) bool { return encodedLen(validPrefix(line, n)+clippedLine+"\n") <= budget })
	return validPrefix(line, max(n, 0)) + clippedLine + "\n"
}

// mostThatFits is the largest n in [0, most] for which fits(n) holds, fits
// being true up to some n and false after it; -1 when it holds for none.
func mostThatFits(most int, fits func(int) bool) int {
	return sort.Search(most+1, func(n int) bool { return !fits(n) }) - 1
}

// validPrefix is s cut to at most n bytes without splitting a rune.
func validPrefix(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
