package changelog

import (
	"bufio"
	"strconv"
	"unicode/utf8"
)

// appendEntryJSON appends e to dst as the release JSON holds it: the bytes
// a json.Encoder with SetIndent(prefix, "  ") and SetEscapeHTML(false)
// writes for it, without the final newline (TestEntryJSONIsEncodingJSONs
// and FuzzEntryJSON hold the two equal). It is written by hand because the
// encoder, by reflection, and then its indenting pass over what it wrote,
// took 0.8 s of CPU for the 89,000 entries of a whole history with
// bodies, a quarter of an OUTPUT_JSON run (bench/README.md).
//
// stored, when not nil, is the entry's body and footers kept aside
// ([bodyStore]), written instead of e's: its footers when it has any,
// else e's, which [NewRelease] made [] rather than null.
func appendEntryJSON(dst []byte, e *Entry, prefix string, stored *storedBody) ([]byte, error) {
	date, err := e.Date.MarshalJSON()
	if err != nil {
		return dst, err
	}
	w := jsonWriter{b: dst, prefix: prefix}
	w.open('{')
	w.member("sha").text(e.SHA)
	w.member("short_sha").text(e.ShortSHA)
	w.member("type").text(e.Type)
	w.member("scope").text(e.Scope)
	w.member("subject").text(e.Subject)
	w.member("body")
	if stored != nil {
		w.raw(stored.body)
	} else {
		w.text(e.Body)
	}
	w.member("breaking").boolean(e.Breaking)
	w.member("breaking_note").text(e.BreakingNote)
	w.member("footers")
	if stored != nil && stored.footers != nil {
		writeList(&w, stored.footers, func(f storedFooter) {
			w.open('{')
			w.member("token").raw(f.token)
			w.member("value").raw(f.value)
			w.close('}')
		})
	} else {
		writeList(&w, e.Footers, func(f Footer) {
			w.open('{')
			w.member("token").text(f.Token)
			w.member("value").text(f.Value)
			w.close('}')
		})
	}
	w.member("issues")
	writeList(&w, e.Issues, w.text)
	w.member("pull_request").number(e.PullRequest)
	w.member("author").open('{')
	w.member("name").text(e.Author.Name)
	w.member("email").text(e.Author.Email)
	w.close('}')
	w.member("date")
	w.b = append(w.b, date...)
	w.member("url").text(e.URL)
	w.member("merge").boolean(e.Merge)
	w.member("revert").boolean(e.Revert)
	w.member("bullet").number(e.Bullet)
	w.close('}')
	return w.b, nil
}

// writeList writes items as a JSON array, each with each: null when
// items is nil, as encoding/json writes a nil slice.
func writeList[T any](w *jsonWriter, items []T, each func(T)) {
	switch {
	case items == nil:
		w.null()
	case len(items) == 0:
		w.b = append(w.b, "[]"...)
	default:
		w.open('[')
		for _, it := range items {
			w.element()
			each(it)
		}
		w.close(']')
	}
}

// jsonWriter appends indented JSON as json.Indent lays it out: each member
// and element on a line of its own, after prefix and two spaces a level.
type jsonWriter struct {
	b      []byte
	prefix string
	depth  int
	first  bool // nothing written yet inside the innermost object or array
}

func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.first = true
}

func (w *jsonWriter) close(c byte) {
	w.depth--
	w.newline()
	w.b = append(w.b, c)
	w.first = false
}

// member starts an object's member: its name, for its value to follow.
func (w *jsonWriter) member(name string) *jsonWriter {
	w.element()
	w.b = appendJSONString(w.b, name)
	w.b = append(w.b, ": "...)
	return w
}

// element starts an array's element.
func (w *jsonWriter) element() *jsonWriter {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.newline()
	return w
}

func (w *jsonWriter) newline() {
	w.b = append(w.b, '\n')
	w.b = append(w.b, w.prefix...)
	for range w.depth {
		w.b = append(w.b, "  "...)
	}
}

func (w *jsonWriter) text(s string) { w.b = appendJSONString(w.b, s) }

// raw writes JSON that is already written, such as a string kept escaped.
func (w *jsonWriter) raw(json []byte) { w.b = append(w.b, json...) }

func (w *jsonWriter) null() { w.b = append(w.b, "null"...) }

func (w *jsonWriter) boolean(v bool) { w.b = strconv.AppendBool(w.b, v) }

func (w *jsonWriter) number(n *int) {
	if n == nil {
		w.null()
		return
	}
	w.b = strconv.AppendInt(w.b, int64(*n), 10)
}

// appendJSONString appends s as a JSON string the way encoding/json does
// without HTML escaping: quotes, backslashes and control characters
// escaped (\b, \f, \n, \r and \t by name, the others as \u00XX), invalid
// UTF-8 as \ufffd, and U+2028 and U+2029 as \u2028 and \u2029.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendJSONChars(dst, s)
	return append(dst, '"')
}

// writeJSONString writes s as appendJSONString appends it, a piece of
// jsonPiece bytes at a time: the notes of a whole history are megabytes,
// which a buffer of their own would hold once more.
func writeJSONString(w *bufio.Writer, s string) error {
	return writeJSONPieces(w, s, jsonPiece)
}

// jsonPiece is how much of a long string writeJSONString escapes at once.
const jsonPiece = 32 << 10

// writeJSONPieces is writeJSONString with pieces of about piece bytes
// (at least utf8.UTFMax). A piece never ends inside a rune: escaping
// goes rune by rune, so the pieces escaped one after the other are the
// string escaped whole.
func writeJSONPieces(w *bufio.Writer, s string, piece int) error {
	_ = w.WriteByte('"')
	for len(s) > 0 {
		n := min(len(s), piece)
		// The last rune start before n, if any within the longest rune,
		// begins a rune that may run past n: cut before it then. Bytes
		// before it cannot belong to a rune that runs past it.
		for j := n - 1; n < len(s) && j > 0 && j >= n-(utf8.UTFMax-1); j-- {
			if utf8.RuneStart(s[j]) {
				if !utf8.FullRuneInString(s[j:n]) {
					n = j
				}
				break
			}
		}
		_, _ = w.Write(appendJSONChars(w.AvailableBuffer(), s[:n]))
		s = s[n:]
	}
	return w.WriteByte('"')
}

// appendJSONChars appends s escaped as appendJSONString does, without the
// quotes.
func appendJSONChars(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		var esc string
		size := 1
		switch c {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '\b':
			esc = `\b`
		case '\f':
			esc = `\f`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		case '\t':
			esc = `\t`
		default:
			if c < utf8.RuneSelf {
				esc = `\u00` + hex[c>>4:c>>4+1] + hex[c&0xF:c&0xF+1]
				break
			}
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				esc = `\ufffd`
			case r == '\u2028':
				esc = `\u2028`
			case r == '\u2029':
				esc = `\u2029`
			default:
				i += size
				continue
			}
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, esc...)
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}
