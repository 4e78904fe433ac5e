package changelog

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// madeUp is one commit written as git log writes it in logFormat.
type madeUp struct {
	sha, parents, message  string
	authorDate, commitDate string // RFC 3339; "" is 2026-02-01T00:00:00Z
}

// readRecords reads made-up commits, newest first, through ReadLog and a
// builder, as ReadRange reads git log, and returns the history of to.
func readRecords(t *testing.T, opts ReadOptions, to string, records ...madeUp) History {
	t.Helper()
	var log bytes.Buffer
	for _, r := range records {
		for _, d := range []*string{&r.authorDate, &r.commitDate} {
			if *d == "" {
				*d = "2026-02-01T00:00:00Z"
			}
		}
		for _, f := range []string{r.sha, r.parents, "Author Name", "author@example.com", r.authorDate, r.commitDate, r.message} {
			log.WriteString(f + "\x00")
		}
	}
	b := newBuilder(opts, false)
	require.NoError(t, ReadLog(&log, func(c Commit) error { b.add(c); return nil }))
	return b.history(to, opts, nil)
}

// sha256Of makes up a SHA-256 commit hash from a hexadecimal digit: they
// differ only in their last character, past a SHA-1 hash's length.
func sha256Of(c byte) string { return strings.Repeat("0", 63) + string(c) }

// TestCompactGraphSHA256: in a SHA-256 repository, pull requests are
// attributed through the graph (the merged commits come after their merge
// in the log, a nested pull request keeps its number, a number past 2³²
// stays whole) and a revert pair is dropped, as with SHA-1 hashes.
func TestCompactGraphSHA256(t *testing.T) {
	t.Parallel()
	h := sha256Of
	head, main, release, featureMerge, inner, bad, root := h('a'), h('b'), h('c'), h('d'), h('e'), h('1'), h('2')
	got := readRecords(t, ReadOptions{}, head,
		madeUp{sha: head, parents: main, message: "Revert \"fix: a bad idea\"\n\nThis reverts commit " + bad + ".\n"},
		madeUp{sha: main, parents: bad + " " + release, message: "Merged in release/ABC-1 (pull request #4294967298)\n\nRelease"},
		madeUp{sha: release, parents: featureMerge, message: "fix: on release"},
		madeUp{sha: featureMerge, parents: root + " " + inner, message: "Merged in feature/x (pull request #1)\n\nfeat: inner"},
		madeUp{sha: inner, parents: root, message: "feat: inner"},
		madeUp{sha: bad, parents: root, message: "fix: a bad idea"},
		madeUp{sha: root, message: "chore: init"},
	)
	var entries []string // "hash subject #PR [keys]"
	for _, e := range got.Entries {
		pr := 0
		if e.PullRequest != nil {
			pr = *e.PullRequest
		}
		entries = append(entries, fmt.Sprintf("%s %s #%d %v", e.SHA, e.Subject, pr, e.Issues))
	}
	require.Equal(t, []string{
		release + " on release #4294967298 [ABC-1]",
		inner + " inner #1 []", // its own pull request, whose branch has no key
		root + " init #0 []",
	}, entries)
	require.Equal(t, 7, got.Commits)
	require.Equal(t, 2, got.Reverted)
}

// TestRevertOfALongerHashIsNoPair: a revert that names a SHA-256 hash
// whose first 40 digits are a SHA-1 commit's does not revert that commit,
// though their keys in the graph are the same bytes.
func TestRevertOfALongerHashIsNoPair(t *testing.T) {
	t.Parallel()
	head, change := strings.Repeat("a", 40), strings.Repeat("b", 40)
	got := readRecords(t, ReadOptions{}, head,
		madeUp{sha: head, parents: change, message: "Revert \"feat: a change\"\n\nThis reverts commit " + change + strings.Repeat("0", 24) + ".\n"},
		madeUp{sha: change, message: "feat: a change"},
	)
	require.Zero(t, got.Reverted)
	require.Len(t, got.Entries, 2)
}

// TestEntriesKeepTheDates: an entry's author and committer dates are the
// times git log printed, zone and all, though the builder keeps them as
// seconds and a zone index while it reads.
func TestEntriesKeepTheDates(t *testing.T) {
	t.Parallel()
	dates := [][2]string{
		{"2026-02-01T10:00:00+05:30", "2026-02-02T10:00:00+05:30"},
		{"1999-12-31T23:59:59-08:00", "2026-02-01T00:00:00Z"},
		{"2026-02-01T00:00:00.25+01:00", "2026-02-01T00:00:00+00:00"},
		{"2026-02-01T10:00:00+05:30", "1969-07-20T20:17:00-03:00"},
	}
	var records []madeUp
	for i, d := range dates {
		sha := strings.Repeat(string(rune('a'+i)), 40)
		records = append(records, madeUp{sha: sha, message: "feat: change", authorDate: d[0], commitDate: d[1]})
	}
	got := readRecords(t, ReadOptions{}, records[0].sha, records...)
	require.Len(t, got.Entries, len(dates))
	for i, d := range dates {
		author, err := time.Parse(time.RFC3339, d[0])
		require.NoError(t, err)
		committed, err := time.Parse(time.RFC3339, d[1])
		require.NoError(t, err)
		e := got.Entries[i]
		require.Equal(t, author, e.Date, d[0])
		require.Equal(t, author.String(), e.Date.String(), d[0])
		require.Equal(t, committed, e.CommitDate(), d[1])
		require.Equal(t, committed.String(), e.CommitDate().String(), d[1])
	}
}

// TestZeroEntryCommitDate: an entry made by hand, not read, has the zero
// committer date, as with a time.Time field.
func TestZeroEntryCommitDate(t *testing.T) {
	t.Parallel()
	require.Equal(t, time.Time{}, Entry{}.CommitDate())
	require.Equal(t, time.Time{}, stampOf(time.Time{}).time())
}
