package codatest

import (
	"html"
	"regexp"
	"strings"
)

// element is one item of a page's content: a line or block with its style,
// plain text and the Markdown it came from.
type element struct {
	id    string
	style string // a PageLineStyle: h1, paragraph, bulletedList...
	text  string // plain text, Markdown syntax stripped
	level int    // indentation, for indentable styles
	md    string // the Markdown source line
}

// indentable reports whether e's style carries a lineLevel.
func (e element) indentable() bool {
	switch e.style {
	case "paragraph", "blockQuote", "bulletedList", "numberedList", "checkboxList":
		return true
	}
	return false
}

// parseContent turns page content in format ("markdown" or "html") into
// elements with fresh IDs.
func (s *Server) parseContent(format, content string) []element {
	var elems []element
	if format == "html" {
		elems = parseHTML(content)
	} else {
		elems = parseMarkdown(content)
	}
	for i := range elems {
		elems[i].id = s.newID("cl-")
	}
	return elems
}

var (
	reFence    = regexp.MustCompile("^ {0,3}(```|~~~)")
	reRule     = regexp.MustCompile(`^ {0,3}([-*_])( *[-*_]){2,} *$`)
	reHeading  = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	reQuote    = regexp.MustCompile(`^ {0,3}(?:> ?)+(.*)$`)
	reBullet   = regexp.MustCompile(`^( *)[-*+][ \t]+(.*)$`)
	reTask     = regexp.MustCompile(`^\[[ xX]\][ \t]+(.*)$`)
	reNumbered = regexp.MustCompile(`^( *)[0-9]{1,9}[.)][ \t]+(.*)$`)
)

// parseMarkdown splits Markdown into one element per line or block, as Coda
// does: H1–H3 keep their level, H4–H6 become paragraphs, rules vanish, nested
// quotes flatten, each line of a fenced code block is a code element.
func parseMarkdown(md string) []element {
	var out []element
	inFence := false
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		line = strings.TrimRight(strings.ReplaceAll(line, "\t", "    "), " ")
		if reFence.MatchString(line) {
			inFence = !inFence
			continue
		}
		if inFence {
			out = append(out, element{style: "code", text: line, md: line})
			continue
		}
		if strings.TrimSpace(line) == "" || reRule.MatchString(line) {
			continue
		}
		out = append(out, markdownLine(line))
	}
	return out
}

// markdownLine classifies one non-blank Markdown line outside code blocks.
func markdownLine(line string) element {
	e := element{style: "paragraph", md: line}
	text := strings.TrimSpace(line)
	if m := reHeading.FindStringSubmatch(line); m != nil {
		text = m[2]
		if len(m[1]) <= 3 {
			e.style = "h" + string(rune('0'+len(m[1])))
		}
	} else if m := reQuote.FindStringSubmatch(line); m != nil {
		e.style, text = "blockQuote", m[1]
	} else if m := reBullet.FindStringSubmatch(line); m != nil {
		e.style, e.level, text = "bulletedList", len(m[1])/2, m[2]
		if t := reTask.FindStringSubmatch(text); t != nil {
			e.style, text = "checkboxList", t[1]
		}
	} else if m := reNumbered.FindStringSubmatch(line); m != nil {
		e.style, e.level, text = "numberedList", len(m[1])/2, m[2]
	}
	e.text = stripInline(text)
	return e
}

var (
	reEscape   = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")
	reLink     = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	reAutolink = regexp.MustCompile(`<((?:https?|mailto):[^>\s]+)>`)
	reEmphasis = []*regexp.Regexp{
		regexp.MustCompile(`\*\*([^*]+)\*\*`),
		regexp.MustCompile(`~~([^~]+)~~`),
		regexp.MustCompile(`\*([^*\s](?:[^*]*[^*\s])?)\*`),
	}
	reUnderscore = []*regexp.Regexp{
		regexp.MustCompile(`(^|[^A-Za-z0-9])__([^_]+)__($|[^A-Za-z0-9])`),
		regexp.MustCompile(`(^|[^A-Za-z0-9])_([^_\s](?:[^_]*[^_\s])?)_($|[^A-Za-z0-9])`),
	}
)

// escapeBase maps escaped punctuation to private-use runes while stripping, so
// that `\*` is not taken for emphasis.
const escapeBase = 0xE000

// stripInline removes inline Markdown (emphasis, strikethrough, code spans,
// links, images, escapes) and returns the plain text.
func stripInline(s string) string {
	s = reEscape.ReplaceAllStringFunc(s, func(m string) string { return string(rune(escapeBase + int(m[1]))) })
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unmatched backtick is literal
		parts[len(parts)-2] += "`" + parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	for i := 0; i < len(parts); i += 2 {
		parts[i] = stripOutsideCode(parts[i])
	}
	s = strings.Join(parts, "")
	return strings.Map(func(r rune) rune {
		if r >= escapeBase && r < escapeBase+128 {
			return r - escapeBase
		}
		return r
	}, s)
}

// stripOutsideCode strips the inline Markdown of text outside code spans.
func stripOutsideCode(s string) string {
	s = reLink.ReplaceAllString(s, "$1")
	s = reAutolink.ReplaceAllString(s, "$1")
	for _, re := range reEmphasis {
		s = re.ReplaceAllString(s, "$1")
	}
	for _, re := range reUnderscore {
		s = re.ReplaceAllString(s, "$1$2$3")
	}
	return s
}

var (
	reHTMLBlock = regexp.MustCompile(`(?is)<(ol|ul)\b[^>]*>|<(h[1-6]|p|li|pre|blockquote)\b[^>]*>(.*?)</(?:h[1-6]|p|li|pre|blockquote)>`)
	reHTMLTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// htmlStyles maps block tags to line styles; h4–h6 become paragraphs.
var htmlStyles = map[string]string{"h1": "h1", "h2": "h2", "h3": "h3", "pre": "code", "blockquote": "blockQuote"}

// mdPrefixes is the Markdown that stands for a style when content came as HTML.
var mdPrefixes = map[string]string{"h1": "# ", "h2": "## ", "h3": "### ", "blockQuote": "> ",
	"bulletedList": "- ", "numberedList": "1. "}

// parseHTML splits simple HTML into elements, one per block tag. It knows
// headings, paragraphs, list items, pre and blockquote; text outside them
// becomes one paragraph.
func parseHTML(content string) []element {
	var out []element
	list := "bulletedList"
	for _, m := range reHTMLBlock.FindAllStringSubmatch(content, -1) {
		switch {
		case strings.EqualFold(m[1], "ol"):
			list = "numberedList"
			continue
		case m[1] != "":
			list = "bulletedList"
			continue
		}
		tag := strings.ToLower(m[2])
		style, ok := htmlStyles[tag]
		switch {
		case tag == "li":
			style = list
		case !ok:
			style = "paragraph"
		}
		text := strings.TrimSpace(html.UnescapeString(reHTMLTag.ReplaceAllString(m[3], "")))
		if text != "" {
			out = append(out, element{style: style, text: text, md: mdPrefixes[style] + text})
		}
	}
	if len(out) == 0 {
		if text := strings.TrimSpace(html.UnescapeString(reHTMLTag.ReplaceAllString(content, ""))); text != "" {
			out = append(out, element{style: "paragraph", text: text, md: text})
		}
	}
	return out
}

// renderMarkdown returns elements as Markdown, one line each, with runs of
// code lines fenced.
func renderMarkdown(elems []element) string {
	var b strings.Builder
	for i, e := range elems {
		code := e.style == "code"
		if code && (i == 0 || elems[i-1].style != "code") {
			b.WriteString("```\n")
		}
		b.WriteString(e.md)
		b.WriteByte('\n')
		if code && (i == len(elems)-1 || elems[i+1].style != "code") {
			b.WriteString("```\n")
		}
	}
	return b.String()
}
