package changelog

import (
	"bufio"
	"bytes"
	_ "embed" // the built-in notes
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

// Section groups the entries of one type for the notes.
type Section struct {
	Type    string
	Title   string
	Entries []*Entry
}

// sectionTitles are the known types in the order their sections appear.
// Types not listed follow in alphabetical order, then [TypeOther].
var sectionTitles = []struct{ typ, title string }{
	{"feat", "Features"},
	{"fix", "Bug Fixes"},
	{"perf", "Performance Improvements"},
	{"revert", "Reverts"},
	{"refactor", "Code Refactoring"},
	{"docs", "Documentation"},
	{"style", "Styles"},
	{"test", "Tests"},
	{"build", "Build System"},
	{"ci", "Continuous Integration"},
	{"chore", "Chores"},
}

// SectionTitle sets the title of a type's section in the notes; see
// [ReleaseOptions.Sections].
type SectionTitle struct {
	// Type is an entry type, such as "feat" or [TypeOther].
	Type string
	// Title is the section's heading; "" hides the section.
	Title string
}

// Sections returns the release's entries grouped by type for the notes.
// The types of [ReleaseOptions.Sections] come first, in their order and
// with their titles, except those with an empty title, which are left out.
// The other types follow in a fixed order (Features, Bug Fixes,
// Performance Improvements, Reverts, ...), then types without a built-in
// title alphabetically, then "Other Changes". Entries keep their order
// (newest first) within a section.
func (r Release) Sections() []Section {
	byType := map[string][]*Entry{}
	var custom []string
	for i := range r.Entries {
		e := &r.Entries[i]
		if _, seen := byType[e.Type]; !seen && e.Type != TypeOther && !knownType(e.Type) {
			custom = append(custom, e.Type)
		}
		byType[e.Type] = append(byType[e.Type], e)
	}
	slices.Sort(custom)
	var out []Section
	placed := map[string]bool{}
	add := func(typ string) {
		if placed[typ] {
			return
		}
		placed[typ] = true
		if es, title := byType[typ], r.sectionTitle(typ); len(es) > 0 && title != "" {
			out = append(out, Section{Type: typ, Title: title, Entries: es})
		}
	}
	for _, s := range r.sections {
		add(s.Type)
	}
	for _, s := range sectionTitles {
		add(s.typ)
	}
	for _, t := range custom {
		add(t)
	}
	add(TypeOther)
	return out
}

// sectionTitle returns the title of typ's section ("" for none): the one
// [ReleaseOptions.Sections] gives it first, else the built-in one, else
// the type itself.
func (r Release) sectionTitle(typ string) string {
	for _, s := range r.sections {
		if s.Type == typ {
			return s.Title
		}
	}
	for _, s := range sectionTitles {
		if s.typ == typ {
			return s.title
		}
	}
	if typ == TypeOther {
		return otherTitle
	}
	return typ
}

// otherTitle is the title of the section of [TypeOther].
const otherTitle = "Other Changes"

func knownType(t string) bool {
	for _, s := range sectionTitles {
		if s.typ == t {
			return true
		}
	}
	return false
}

// BreakingChanges returns the entries that break compatibility.
func (r Release) BreakingChanges() []*Entry {
	var out []*Entry
	for i := range r.Entries {
		if r.Entries[i].Breaking {
			out = append(out, &r.Entries[i])
		}
	}
	return out
}

// Heading is the release's heading text: version and date, and for a
// version that no tag names yet (computed, or Unreleased) also the build's
// commit, since later builds describe the same version differently. A
// publisher can look for it in notes already published, so that a rerun
// does not write the same notes twice.
func (r Release) Heading() string {
	date := r.Date.Format("2006-01-02")
	if r.tentative {
		return r.Version + " (" + ShortSHA(r.To) + ", " + date + ")"
	}
	return r.Version + " (" + date + ")"
}

// templateFuncs are available to the built-in and custom templates.
func (r Release) templateFuncs() template.FuncMap {
	rp := &r // refs runs once per entry: no copy of the release per call
	return template.FuncMap{
		"md":       EscapeMarkdown,
		"oneline":  oneLine,
		"json":     toJSON,
		"join":     strings.Join,
		"lower":    strings.ToLower,
		"upper":    strings.ToUpper,
		"trim":     strings.TrimSpace,
		"commit":   r.CommitURL,
		"pr":       r.PullRequestURL,
		"issue":    r.IssueURL,
		"refs":     rp.refs,
		"entry":    rp.entry,
		"bullets":  rp.bullets,
		"hasScope": func(e *Entry) bool { return e.Scope != "" },
	}
}

// entry renders an entry's line as the built-in notes write it: its scope
// in bold, its subject and its references, all escaped. One call per
// entry instead of three keeps long notes quick to render.
func (r *Release) entry(e *Entry) string {
	var b strings.Builder
	r.writeEntry(&b, e)
	return b.String()
}

// bullets yields entries as the built-in notes list them, each on a new
// line as "- " and its [Release.entry], in pieces of about bulletsPiece
// bytes: {{range bullets .Entries}}{{.}}{{end}}. One call per section
// instead of one per entry: at 89,000 entries the template's per-entry
// range and call took about 0.25 s of a whole-history run, after git had
// finished, where nothing else overlaps it (bench/README.md).
//
// Pieces, not the section in one string: a template prints what it is
// given through fmt, which copies it into a buffer of its own, so a
// section in one string was held three times at once (the string, fmt's
// copy and the notes): 6 MB each in the notes of 100,000 commits, the
// largest part of the run's heap at its end (heap profile). fmt keeps a
// buffer of up to 64 KiB for the next print.
func (r *Release) bullets(entries []*Entry) iter.Seq[string] {
	return func(yield func(string) bool) {
		var b strings.Builder
		for i, e := range entries {
			if b.Cap() == 0 { // a piece, or what is left of a short section
				b.Grow(min(bulletsPiece+bulletsPiece/8, (len(entries)-i)*bulletGuess))
			}
			b.WriteString("\n- ")
			r.writeEntry(&b, e)
			if b.Len() >= bulletsPiece || i == len(entries)-1 {
				if !yield(b.String()) {
					return
				}
				b = strings.Builder{}
			}
		}
	}
}

// bulletsPiece is the size [Release.bullets] yields its text in.
const bulletsPiece = 32 << 10

// bulletGuess is about the length of an entry's line with its links: a
// short section's buffer is sized from it rather than as a whole piece (a
// backfill's ~1,650 sections at 100,000 commits allocated 57 MB of whole
// pieces, half of what rendering them allocated). A longer one grows.
const bulletGuess = 256

// writeEntry writes what [Release.entry] returns into b.
func (r *Release) writeEntry(b *strings.Builder, e *Entry) {
	if e.Scope != "" {
		b.WriteString("**")
		b.WriteString(EscapeMarkdown(e.Scope))
		b.WriteString(":** ")
	}
	b.WriteString(EscapeMarkdown(e.Subject))
	r.writeRefs(b, e)
}

// refs renders an entry's references: commit, pull request and issues, as
// links when the release knows where they live.
func (r *Release) refs(e *Entry) string {
	var b strings.Builder
	r.writeRefs(&b, e)
	return b.String()
}

// writeRefs writes what [Release.refs] returns into b.
func (r *Release) writeRefs(b *strings.Builder, e *Entry) {
	b.WriteString(" (")
	writeLink(b, e.ShortSHA, r.CommitURL(e.SHA))
	b.WriteByte(')')
	if e.PullRequest != nil {
		b.WriteString(" (")
		writeLink(b, "#"+strconv.Itoa(*e.PullRequest), r.PullRequestURL(*e.PullRequest))
		b.WriteByte(')')
	}
	if len(e.Issues) > 0 {
		b.WriteString(" (")
		for i, k := range e.Issues {
			if i > 0 {
				b.WriteString(", ")
			}
			if r.issueURL == "" {
				b.WriteString(escapeInline(oneLine(k)))
				continue
			}
			b.WriteByte('[')
			b.WriteString(escapeInline(oneLine(k)))
			b.WriteString("](")
			writeIssueURL(b, r.issueURL, k)
			b.WriteByte(')')
		}
		b.WriteByte(')')
	}
}

// decimalDigits returns how many characters n takes in decimal.
func decimalDigits(n int) int {
	d := 1
	if n < 0 {
		d++
	}
	for n >= 10 || n <= -10 {
		n /= 10
		d++
	}
	return d
}

// writeLink writes a markdown link, or the escaped text alone when url is
// empty.
func writeLink(b *strings.Builder, text, url string) {
	if url == "" {
		b.WriteString(escapeInline(oneLine(text)))
		return
	}
	b.WriteByte('[')
	b.WriteString(escapeInline(oneLine(text)))
	b.WriteString("](")
	writeURL(b, url)
	b.WriteByte(')')
}

// writeURL writes a link destination, percent-encoding the characters that
// would end it early.
func writeURL(b *strings.Builder, u string) {
	start := 0
	for i := 0; i < len(u); i++ {
		if urlSpecial[u[i]] {
			b.WriteString(u[start:i])
			b.WriteByte('%')
			b.WriteByte("0123456789ABCDEF"[u[i]>>4])
			b.WriteByte("0123456789ABCDEF"[u[i]&15])
			start = i + 1
		}
	}
	b.WriteString(u[start:])
}

// writeIssueURL writes [Release.IssueURL] of key as writeURL would, without
// making the URL first: the escapes work byte by byte, so the pieces can be
// escaped one by one.
func writeIssueURL(b *strings.Builder, issueURL, key string) {
	for {
		before, after, found := strings.Cut(issueURL, IssueKeyPlaceholder)
		writeURL(b, before)
		if !found {
			return
		}
		writeURL(b, key)
		issueURL = after
	}
}

// urlSpecial marks the characters writeURL percent-encodes.
var urlSpecial = [256]bool{' ': true, '(': true, ')': true, '<': true, '>': true}

// oneLine joins the lines of s with spaces: every run of ASCII white space
// (line breaks, tabs, spaces) becomes one space, and leading and trailing
// white space goes. Text that is already one clean line is returned as is.
func oneLine(s string) string {
	clean := true
	for i := 0; clean && i < len(s); i++ {
		if asciiSpace[s[i]] {
			clean = s[i] == ' ' && i > 0 && i < len(s)-1 && s[i+1] != ' '
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	pending := false
	for i := 0; i < len(s); i++ {
		if asciiSpace[s[i]] {
			pending = b.Len() > 0
			continue
		}
		if pending {
			b.WriteByte(' ')
			pending = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// asciiSpace marks the ASCII white space characters.
var asciiSpace = [256]bool{' ': true, '\t': true, '\n': true, '\v': true, '\f': true, '\r': true}

// EscapeMarkdown makes text safe to place inside a markdown line: the
// characters with a meaning in CommonMark inline syntax are backslash-escaped
// wherever they are, text that would open a block at the start of a line (a
// heading, a list item, a thematic break) is escaped there, and line breaks
// become spaces, so the text can neither format itself nor start a new block.
func EscapeMarkdown(s string) string {
	s = escapeInline(oneLine(s))
	if s == "" {
		return s
	}
	switch s[0] {
	case '#', '-', '+', '=':
		return "\\" + s
	}
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') && (i+1 == len(s) || s[i+1] == ' ') {
		return s[:i] + "\\" + s[i:] // 1. → 1\. is not an ordered list
	}
	return s
}

// escapeInline backslash-escapes the characters with a meaning inside a
// line of CommonMark (emphasis, code, links, HTML, tables, strike-through,
// entities). Line breaks must already be gone.
func escapeInline(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if inlineSpecial[s[i]] {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + n)
	for i := 0; i < len(s); i++ {
		if inlineSpecial[s[i]] {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// inlineSpecial marks the ASCII characters escapeInline escapes.
var inlineSpecial = func() (t [256]bool) {
	for _, c := range []byte("\\`*_[]<>|~&") {
		t[c] = true
	}
	return t
}()

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// Notes renders release notes: the built-in markdown, or a user's template.
type Notes struct {
	tmpl *template.Template
}

// BuiltinTemplate is the text of the built-in notes: a template like the
// ones [LoadNotes] reads. The notes use only H2 and H3 headings, lists,
// links and emphasis, which most markdown renderers keep: an H2 heading, an H3 for the breaking changes
// and for each section, one bullet per entry, and a last line naming the new
// contributors when there are any. Every piece of commit text
// is escaped, so no commit can change the document's structure.
//
//go:embed notes.tmpl
var BuiltinTemplate string

// builtinNotes is [BuiltinTemplate] parsed once.
var builtinNotes = &Notes{tmpl: template.Must(newTemplate("notes.tmpl").Parse(BuiltinTemplate))}

// BuiltinNotes renders the built-in markdown notes.
func BuiltinNotes() *Notes { return builtinNotes }

// newTemplate makes an empty template that knows the template functions.
func newTemplate(name string) *template.Template {
	return template.New(name).Funcs(Release{}.templateFuncs())
}

// LoadNotes parses a user's Go text/template file. The release is the
// template's data; besides its fields and methods (Sections,
// BreakingChanges, Heading, CommitURL, PullRequestURL, IssueURL) the
// functions md, oneline, json, join, lower, upper, trim, commit, pr, issue,
// refs, entry, bullets and hasScope are available. The built-in notes are such a template,
// [BuiltinTemplate]: a good start for one's own. A syntax error names the
// file and line.
func LoadNotes(path string) (*Notes, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read TEMPLATE %s: %w", path, err)
	}
	t, err := newTemplate(filepath.Base(path)).Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("TEMPLATE %s is not a valid Go template: %w", path, err)
	}
	return &Notes{tmpl: t}, nil
}

// Render executes the template with r. The result is only returned whole:
// an error in the middle of a template leaves nothing half-written.
func (n *Notes) Render(r Release) (string, error) {
	t, err := n.tmpl.Clone()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(notesSizeHint(r))
	if err := t.Funcs(r.templateFuncs()).Execute(&b, r); err != nil {
		return "", fmt.Errorf("render the notes: %w", err)
	}
	return b.String(), nil
}

// WriteJSON writes a release, or the releases of a backfill (oldest first),
// as indented JSON: the document of OUTPUT_JSON and the automation. The
// bytes are those of a [json.Encoder] with SetIndent("", "  ") and
// SetEscapeHTML(false), but the entries are encoded one at a time: the
// encoder holds its whole output twice (encoded, then indented), which for
// a whole history made OUTPUT_JSON take 3.4 times the memory of a run
// without it (bench/run's pipe-json case).
func WriteJSON[T Release | []Release](w io.Writer, v T) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var err error
	switch v := any(v).(type) {
	case Release:
		err = writeReleaseJSON(bw, v, "")
		_ = bw.WriteByte('\n')
	case []Release:
		if len(v) == 0 {
			err = json.NewEncoder(bw).Encode(v) // null or []
			break
		}
		_, _ = bw.WriteString("[\n")
		for i := range v {
			_, _ = bw.WriteString("  ")
			if err = writeReleaseJSON(bw, v[i], "  "); err != nil {
				break
			}
			if i < len(v)-1 {
				_ = bw.WriteByte(',')
			}
			_ = bw.WriteByte('\n')
		}
		_, _ = bw.WriteString("]\n")
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// writeReleaseJSON writes r as an encoder indenting with prefix would
// write it inside a document, without the final newline. The encoder
// writes the release without its two large members, the entries and the
// notes, which are written into their places by hand: the encoder holds
// what it writes twice (encoded, then indented), and the notes of a whole
// history, megabytes of text escaped and indented by reflection, took
// 0.36 s of the 0.7 s that OUTPUT_JSON cost at 100,000 commits.
func writeReleaseJSON(w *bufio.Writer, r Release, prefix string) error {
	entries, markdown := r.Entries, r.Markdown
	r.Entries, r.Markdown = nil, ""
	enc, buf := jsonEncoder(prefix)
	if err := enc.Encode(r); err != nil {
		return err
	}
	head := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	before, rest, err := cutMember(head, prefix, "entries", "null")
	if err != nil {
		return err
	}
	_, _ = w.Write(before)
	if err := writeEntriesJSON(w, entries, prefix, r.bodies); err != nil {
		return err
	}
	if before, rest, err = cutMember(rest, prefix, "markdown", `""`); err != nil {
		return err
	}
	_, _ = w.Write(before)
	_ = writeJSONString(w, markdown)
	_, err = w.Write(rest)
	return err
}

// cutMember cuts doc, a release encoded with prefix, around the value of
// its member name, which the encoder wrote as value on a line of its own:
// no string in the document holds a line break, so that line can be
// nothing else. It is an error when the line is missing (the member's name
// or place changed), never a member silently dropped.
func cutMember(doc []byte, prefix, name, value string) (before, after []byte, err error) {
	line := "\n" + prefix + `  "` + name + `": ` + value
	at := bytes.Index(doc, []byte(line))
	if at < 0 {
		return nil, nil, fmt.Errorf("release JSON: no %q line to write the %s into", name, name)
	}
	end := at + len(line)
	return doc[:end-len(value)], doc[end:], nil
}

// writeEntriesJSON writes the value of a release's "entries", one entry at
// a time, the bodies kept aside read back from bodies.
func writeEntriesJSON(w *bufio.Writer, entries []Entry, prefix string, bodies *bodyStore) error {
	switch {
	case entries == nil:
		_, _ = w.WriteString("null")
		return nil
	case len(entries) == 0:
		_, _ = w.WriteString("[]")
		return nil
	}
	_, _ = w.WriteString("[\n")
	var buf []byte
	var stored *bodyReader
	for i := range entries {
		e := &entries[i]
		var sb *storedBody
		if e.bodyAt != 0 {
			if stored == nil {
				var err error
				if stored, err = bodies.reader(); err != nil {
					return fmt.Errorf("the JSON of commit %s: %w", e.ShortSHA, err)
				}
			}
			got, err := stored.get(e.bodyAt)
			if err != nil {
				return fmt.Errorf("the JSON of commit %s: %w", e.ShortSHA, err)
			}
			sb = &got
		}
		var err error
		if buf, err = appendEntryJSON(buf[:0], e, prefix+"    ", sb); err != nil {
			return fmt.Errorf("the JSON of commit %s: %w", e.ShortSHA, err)
		}
		_, _ = w.WriteString(prefix + "    ")
		_, _ = w.Write(buf)
		if i < len(entries)-1 {
			_ = w.WriteByte(',')
		}
		_ = w.WriteByte('\n')
	}
	_, _ = w.WriteString(prefix + "  ]")
	return nil
}

// jsonEncoder returns an encoder into a buffer that indents as WriteJSON
// does, with prefix before every line but the first.
func jsonEncoder(prefix string) (*json.Encoder, *bytes.Buffer) {
	buf := new(bytes.Buffer)
	enc := json.NewEncoder(buf)
	enc.SetIndent(prefix, "  ")
	enc.SetEscapeHTML(false)
	return enc, buf
}

// notesSizeHint tells at least the size of the built-in notes, and not
// much more, so that they are written into one buffer that does not grow.
// Kept for memory, not speed: the notes of a whole history are a run's
// largest single piece (1.3 MB at 20,000 commits without links, 5.7 MB
// with them; five times that at 100,000), a doubling buffer holds the old
// and the new copy at once, and the notes keep the whole buffer. It was
// 1.87 times the notes of the 20k benchmark history, 1.1 times now (1.05
// with links). TestNotesSizeHint holds it between the notes' size and a
// quarter more.
func notesSizeHint(r Release) int {
	// the heading, the breaking changes' and "No notable changes."
	n := 96 + 2*len(r.Version) + len(r.To)
	size := r.entrySizer()
	var types []string
	var hidden []bool // by type: a section left out (SECTIONS gave it no title)
	for i := range r.Entries {
		e := &r.Entries[i]
		k := slices.Index(types, e.Type)
		if k < 0 {
			title := r.sectionTitle(e.Type)
			types, hidden, k = append(types, e.Type), append(hidden, title == ""), len(types)
			n += len("\n\n### \n") + 2*len(title)
		}
		if !hidden[k] || e.Breaking {
			n += size(e)
		}
	}
	for _, p := range r.NewContributors {
		n += 2 + len(p.Name) + len(p.Name)/8
	}
	return n
}

// entrySizer returns a function that tells at least how many bytes the
// built-in notes write for an entry: its bullet and, when it breaks
// compatibility, its line among the breaking changes. Each piece is
// counted as it is written, escapes and links included, so the hint is
// close: one a little too large costs its excess for as long as the notes
// are kept (the notes of a whole history were once given 1.87 times their
// size), one too small a copy of them.
func (r Release) entrySizer() func(e *Entry) int {
	link := func(text int, url string) int {
		if url == "" {
			return text
		}
		return text + urlLen(url) + len("[]()")
	}
	commit := r.CommitURL(strings.Repeat("0", 40))
	pr := r.PullRequestURL(1)
	keys := strings.Count(r.issueURL, IssueKeyPlaceholder)
	issueURL := urlLen(r.issueURL) - keys*len(IssueKeyPlaceholder)
	return func(e *Entry) int {
		m := len("\n- ") + inlineLen(e.Subject) + link(inlineLen(e.ShortSHA), commit) + len(" ()")
		if e.Scope != "" {
			m += len("**:** ") + inlineLen(e.Scope)
		}
		if e.PullRequest != nil {
			digits := decimalDigits(*e.PullRequest)
			m += link(len("#")+digits, pr) + digits - 1 + len(" ()") // pr's number has one digit
		}
		if len(e.Issues) > 0 {
			m += len(" ()")
		}
		for _, k := range e.Issues {
			m += inlineLen(k) + len(", ")
			if r.issueURL != "" {
				m += len("[]()") + issueURL + keys*urlLen(k)
			}
		}
		if e.Breaking {
			m += m + inlineLen(e.BreakingNote)
		}
		return m
	}
}

// inlineLen tells at least how long s is once escaped for a markdown line
// (EscapeMarkdown): a backslash for each special character, and one more
// for a line that would start a heading or a list.
func inlineLen(s string) int {
	n := len(s) + 1
	for i := 0; i < len(s); i++ {
		if inlineSpecial[s[i]] {
			n++
		}
	}
	return n
}

// urlLen tells how long writeURL writes u.
func urlLen(u string) int {
	n := len(u)
	for i := 0; i < len(u); i++ {
		if urlSpecial[u[i]] {
			n += 2
		}
	}
	return n
}
