package changelog

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// syntheticLog writes n commits in git log's -z format with realistic
// conventional messages, so that reading can be measured without git.
func syntheticLog(n int) []byte {
	var b bytes.Buffer
	types := []string{"feat", "fix", "chore", "docs", "refactor", "perf", "test"}
	for i := range n {
		sha := fmt.Sprintf("%040x", i+1)
		parent := fmt.Sprintf("%040x", i+2)
		date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		msg := fmt.Sprintf("%s(scope%d): change number %d for ABC-%d\n\nA body paragraph explaining the change in some detail,\nover two lines.\n\nRefs: ABC-%d\nReviewed-by: Someone\n",
			types[i%len(types)], i%9, i, i%500+1, i%300+1)
		for _, f := range []string{sha, parent, "Author Name", "author@example.com", date, date, msg} {
			b.WriteString(f)
			b.WriteByte(0)
		}
	}
	return b.Bytes()
}

// TestEntriesAcrossBlocks: a history longer than a block of entries keeps
// every entry, in log order, and a revert in the newest block drops the
// commit it reverts from the oldest.
func TestEntriesAcrossBlocks(t *testing.T) {
	t.Parallel()
	n := 2*entryBlock + 3
	sha := func(i int) string { return fmt.Sprintf("%040x", i) }
	var log bytes.Buffer
	for _, f := range []string{sha(0), sha(1), "Author Name", "author@example.com", "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z",
		"Revert \"an old change\"\n\nThis reverts commit " + sha(n) + ".\n"} {
		log.WriteString(f + "\x00")
	}
	log.Write(syntheticLog(n))
	bl := newBuilder(ReadOptions{}, false)
	if err := ReadLog(&log, func(c Commit) error { bl.add(c); return nil }); err != nil {
		t.Fatal(err)
	}
	h := bl.history(sha(0), ReadOptions{}, nil)
	if len(h.Entries) != n-1 || h.Reverted != 2 {
		t.Fatalf("%d entries, %d reverted; want %d, 2", len(h.Entries), h.Reverted, n-1)
	}
	for i, e := range h.Entries {
		if e.SHA != sha(i+1) || !strings.Contains(e.Subject, fmt.Sprintf("change number %d ", i)) {
			t.Fatalf("entry %d is %s %q, want %s", i, e.SHA, e.Subject, sha(i+1))
		}
	}
}

func BenchmarkReadLog(b *testing.B) {
	data := syntheticLog(5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := ReadLog(bytes.NewReader(data), func(Commit) error { n++; return nil }); err != nil || n != 5000 {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkBuildEntries measures reading, parsing and building entries: all
// of ReadRange but running git.
func BenchmarkBuildEntries(b *testing.B) {
	data := syntheticLog(5000)
	issues, _ := NewIssueMatcher("")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		bl := builder{issues: issues}
		if err := ReadLog(bytes.NewReader(data), func(c Commit) error { bl.add(c); return nil }); err != nil {
			b.Fatal(err)
		}
		if h := bl.history(fmt.Sprintf("%040x", 1), ReadOptions{}, nil); len(h.Entries) != 5000 {
			b.Fatal("entries lost")
		}
	}
}

func BenchmarkRenderNotes(b *testing.B) {
	var entries []Entry
	bl := builder{}
	bl.issues, _ = NewIssueMatcher("")
	_ = ReadLog(bytes.NewReader(syntheticLog(1000)), func(c Commit) error { bl.add(c); return nil })
	entries = bl.history(fmt.Sprintf("%040x", 1), ReadOptions{}, nil).Entries
	rel := NewRelease(Range{To: strings.Repeat("a", 40)}, History{Entries: entries}, ReleaseOptions{
		Repository: shopRepo, Links: shopLinks, IssueURL: "https://acme.atlassian.net/browse/{key}",
	})
	notes := BuiltinNotes()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := notes.Render(rel); err != nil {
			b.Fatal(err)
		}
	}
}
