package changelog

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// seedMessages returns the raw commit messages in testdata/messages.
func seedMessages(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "messages", "*.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Fatal("no seed messages in testdata/messages")
	}
	msgs := make([]string, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		msgs = append(msgs, string(b))
	}
	return msgs
}

func FuzzParseMessage(f *testing.F) {
	for _, msg := range seedMessages(f) {
		f.Add(msg)
	}
	for _, msg := range []string{"", " \n\t", "feat(x)!: y", "Revert \"Revert \"", "Merged in  (pull request #)", "a: b\r\n\r\nB #\r\n", "x\n\nBREAKING CHANGE:", "x(): y\n\nBREAKING-CHANGE:\t\n\n\nz\nA: b"} {
		f.Add(msg)
	}

	f.Fuzz(func(t *testing.T, msg string) {
		m := ParseMessage(msg)
		checkMessageInvariants(t, msg, m)
		checkSquashInvariants(t, msg, m)
		if diff := cmp.Diff(m, ParseMessage(msg)); diff != "" {
			t.Fatalf("ParseMessage(%q) is not deterministic (-first +second):\n%s", msg, diff)
		}
	})
}

// checkMessageInvariants checks what holds for every parsed message.
func checkMessageInvariants(t *testing.T, msg string, m Message) {
	t.Helper()
	if m.Type != strings.ToLower(m.Type) || strings.ContainsFunc(m.Type, unicode.IsSpace) {
		t.Errorf("ParseMessage(%q).Type = %q: not lower-case without spaces", msg, m.Type)
	}
	if strings.Contains(m.Subject, "\n") {
		t.Errorf("ParseMessage(%q).Subject = %q holds a newline", msg, m.Subject)
	}
	if m.Conventional && (m.Type == "" || m.Subject == "") {
		t.Errorf("ParseMessage(%q) is conventional with Type %q and Subject %q", msg, m.Type, m.Subject)
	}
	if !m.Conventional && m.Scope != "" {
		t.Errorf("ParseMessage(%q) is not conventional but has Scope %q", msg, m.Scope)
	}
	if (m.Revert != nil) != (m.Type == "revert") {
		t.Errorf("ParseMessage(%q): Type %q with Revert %+v", msg, m.Type, m.Revert)
	}
	if m.Footers != nil && len(m.Footers) == 0 {
		t.Errorf("ParseMessage(%q).Footers is empty but not nil", msg)
	}
	breakingFooter := false
	for _, f := range m.Footers {
		if f.Token == "" || strings.Contains(f.Token, "\n") {
			t.Errorf("ParseMessage(%q) has footer token %q", msg, f.Token)
		}
		if f.Value != strings.TrimRightFunc(f.Value, unicode.IsSpace) {
			t.Errorf("ParseMessage(%q) has footer value %q with trailing space", msg, f.Value)
		}
		breakingFooter = breakingFooter || f.Token == "BREAKING CHANGE" || f.Token == "BREAKING-CHANGE"
	}
	want := breakingFooter
	if m.Conventional {
		want = want || headerBang(msg, m)
	}
	if m.Breaking != want {
		t.Errorf("ParseMessage(%q).Breaking = %v, want %v", msg, m.Breaking, want)
	}
	if m.Breaking && m.BreakingNote == "" {
		t.Errorf("ParseMessage(%q) is breaking without a note", msg)
	}
	if m.Merge != nil {
		if m.Merge.PullRequest < 0 || strings.Contains(m.Merge.Title, "\n") {
			t.Errorf("ParseMessage(%q).Merge = %+v", msg, m.Merge)
		}
		for i, b := range m.Merge.Bullets {
			if b != strings.TrimSpace(b) || b == "" {
				t.Errorf("ParseMessage(%q): bullet %d is %q: empty or not trimmed", msg, i+1, b)
			}
			if slices.ContainsFunc(strings.Split(b, "\n")[1:], isSquashBullet) {
				t.Errorf("ParseMessage(%q): bullet %d %q holds another bullet", msg, i+1, b)
			}
			checkMessageInvariants(t, b, ParseMessage(b))
		}
	}
	if utf8.ValidString(msg) {
		for _, s := range messageStrings(m) {
			if !utf8.ValidString(s) {
				t.Errorf("ParseMessage(%q) made invalid UTF-8 %q from valid input", msg, s)
			}
		}
	}
}

// checkSquashInvariants checks the entries that each [SquashMode] makes of
// msg (parsed as m) as the message of a commit with one parent: at least
// one, each with its own row key, and a breaking one when the message or
// one of its bullets is breaking.
func checkSquashInvariants(t *testing.T, msg string, m Message) {
	t.Helper()
	if strings.Contains(strings.ToLower(msg), squashSHA) {
		return // it reverts itself, which no real commit can
	}
	breaking := m.Breaking
	if m.Merge != nil {
		for _, b := range squashBullets(m) {
			breaking = breaking || b.msg.Breaking
		}
	}
	for _, mode := range SquashModes {
		h := readCommits(ReadOptions{SquashMerges: mode}, msg)
		if len(h.Entries) == 0 {
			t.Fatalf("%s: %q makes no entry", mode, msg)
		}
		keys := map[string]bool{}
		anyBreaking := false
		for _, e := range h.Entries {
			if keys[e.Key()] {
				t.Errorf("%s: %q makes two entries with the key %s", mode, msg, e.Key())
			}
			keys[e.Key()] = true
			anyBreaking = anyBreaking || e.Breaking
		}
		if breaking && !anyBreaking {
			t.Errorf("%s: %q is breaking, but none of its entries is", mode, msg)
		}
	}
}

// headerBang reports whether the conventional header of m, as found in msg,
// has a "!" before its colon.
func headerBang(msg string, m Message) bool {
	h := headerLine(msg, m.Merge)
	rest := h[len(m.Type):] // the type is ASCII, so lower-casing kept its length
	if strings.HasPrefix(rest, "(") {
		rest = rest[strings.IndexByte(rest, ')')+1:]
	}
	return strings.HasPrefix(rest, "!")
}

// headerLine returns the line of msg that ParseMessage reads as the
// header: the merge's title, or else the first non-blank line, trimmed.
func headerLine(msg string, m *Merge) string {
	if m != nil && m.Title != "" {
		return m.Title
	}
	for line := range strings.Lines(strings.ReplaceAll(msg, "\r\n", "\n")) {
		if s := strings.TrimSpace(line); s != "" {
			return s
		}
	}
	return ""
}

// messageStrings returns every string in m.
func messageStrings(m Message) []string {
	out := []string{m.Type, m.Scope, m.Subject, m.Body, m.BreakingNote}
	for _, f := range m.Footers {
		out = append(out, f.Token, f.Value)
	}
	if m.Merge != nil {
		out = append(out, m.Merge.Branch, m.Merge.Into, m.Merge.Title)
		out = append(out, m.Merge.Bullets...)
		out = append(out, m.Merge.ApprovedBy...)
	}
	if m.Revert != nil {
		out = append(out, m.Revert.Subject, m.Revert.SHA)
	}
	return out
}

func TestParseMessageSeeds(t *testing.T) {
	t.Parallel()

	for _, msg := range seedMessages(t) {
		m := ParseMessage(msg)
		checkMessageInvariants(t, msg, m)
		checkSquashInvariants(t, msg, m)
	}
}

func BenchmarkParseMessage(b *testing.B) {
	msgs := seedMessages(b)
	n := 0
	for _, msg := range msgs {
		n += len(msg)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, msg := range msgs {
			ParseMessage(msg)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/msg")
}
