package changelog

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// readAll collects what ReadLog reads from s.
func readAll(s string) ([]Commit, error) {
	var out []Commit
	err := ReadLog(strings.NewReader(s), func(c Commit) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

func TestReadLogRecorded(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "log", "mixed.log"))
	require.NoError(t, err)
	commits, err := readAll(string(data))
	require.NoError(t, err)
	require.Len(t, commits, 5)

	merge := commits[0]
	require.Len(t, merge.Parents, 2)
	require.Equal(t, "Merged in side (pull request #6)\n\nSide work\n", merge.Message)
	first := commits[len(commits)-1]
	require.Empty(t, first.Parents)
	require.Equal(t, "Zoë Ünïcode", first.AuthorName)
	require.Equal(t, "z@example.com", first.AuthorEmail)
	require.Equal(t, "2026-03-01T10:00:00+01:00", first.AuthorDate.Format("2006-01-02T15:04:05Z07:00"))
	require.Contains(t, first.Message, `a NUL-looking \0 text and %x00.`)
	for _, c := range commits {
		require.True(t, isFullHash(c.SHA), c.SHA)
	}
}

func TestReadLogEmptyMessage(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "log", "empty-message.log"))
	require.NoError(t, err)
	commits, err := readAll(string(data))
	require.NoError(t, err)
	require.Len(t, commits, 1)
	require.Empty(t, commits[0].Message)
}

func TestReadLogMalformed(t *testing.T) {
	t.Parallel()
	const sha = "0123456789abcdef0123456789abcdef01234567"
	const date = "2026-01-01T00:00:00Z"
	record := func(f ...string) string { return strings.Join(f, "\x00") + "\x00" }
	tests := []struct {
		name, in, want string
	}{
		{"truncated record", sha + "\x00\x00Bob\x00", "truncated after 3 of 7 fields"},
		{"bad hash", record("not-a-sha", "", "a", "b", date, date, "msg"), "is not a full commit hash"},
		{"short hash", record(sha[:12], "", "a", "b", date, date, "msg"), "is not a full commit hash"},
		{"bad parent", record(sha, "xyz", "a", "b", date, date, "msg"), `parent "xyz"`},
		{"bad date", record(sha, "", "a", "b", "yesterday", date, "msg"), "author date"},
		{"no final NUL", record(sha, "", "a", "b", date, date, "msg") + sha, "does not end in NUL"},
		{"second record bad", record(sha, "", "a", "b", date, date, "m") + record("zz", "", "a", "b", date, date, "m"), "record 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := readAll(tt.in)
			require.ErrorContains(t, err, tt.want)
		})
	}
	_, err := readAll("")
	require.NoError(t, err, "no output is no commits")

	stop := errors.New("stop")
	err = ReadLog(strings.NewReader(record(sha, "", "a", "b", date, date, "m")), func(Commit) error { return stop })
	require.ErrorIs(t, err, stop, "the callback's error ends the read")
}

func TestReadLogHugeMessage(t *testing.T) {
	t.Parallel()
	const sha = "0123456789abcdef0123456789abcdef01234567"
	const date = "2026-01-01T00:00:00Z"
	huge := strings.Repeat("x", 1<<20)
	commits, err := readAll(strings.Join([]string{sha, "", "a", "b", date, date, huge}, "\x00") + "\x00")
	require.NoError(t, err)
	require.Len(t, commits[0].Message, 1<<20)
}

// FuzzReadLog checks that no input makes ReadLog panic, and that whatever it
// accepts is well formed.
func FuzzReadLog(f *testing.F) {
	for _, name := range []string{"mixed.log", "empty-message.log"} {
		data, err := os.ReadFile(filepath.Join("testdata", "log", name))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add([]byte("\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ReadLog(strings.NewReader(string(data)), func(c Commit) error {
			if !isFullHash(c.SHA) {
				t.Fatalf("accepted hash %q", c.SHA)
			}
			for _, p := range c.Parents {
				if !isFullHash(p) {
					t.Fatalf("accepted parent %q", p)
				}
			}
			if utf8.ValidString(string(data)) && !utf8.ValidString(c.Message) {
				t.Fatal("valid input gave an invalid message")
			}
			return nil
		})
	})
}

// logRecord is one record as git log prints it with logFormat and -z.
func logRecord(sha, msg string) string {
	return strings.Join([]string{sha, "", "Ann", "ann@example.com", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", msg}, "\x00") + "\x00"
}

// FuzzReadLogFieldSizes reads records whose messages are about as long as
// the read buffer, longer or shorter, and requires each read exactly: a
// field that spans buffer fills must not take in what comes after it.
func FuzzReadLogFieldSizes(f *testing.F) {
	for _, size := range []int{0, 1, 15, 16, 17, 31, 32, 33, 64<<10 - 1, 64 << 10, 64<<10 + 1, 256<<10 + 300, 300 << 10} {
		f.Add(uint32(size), uint32(size/2), uint16(16))
	}
	f.Add(uint32(64<<10), uint32(64<<10), uint16(0)) // the default buffer
	f.Fuzz(func(t *testing.T, first, second uint32, buf uint16) {
		first, second = first%(1<<20), second%(1<<20) // up to a MiB each
		shas := []string{strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("c", 40)}
		msgs := []string{longMessage('x', int(first)), longMessage('y', int(second)), "fix: the last one\n"}
		var in strings.Builder
		for i := range shas {
			in.WriteString(logRecord(shas[i], msgs[i]))
			in.WriteString("\n") // git's newline after each record's NUL
		}
		var r io.Reader = strings.NewReader(in.String())
		if buf > 0 {
			r = bufio.NewReaderSize(r, int(buf))
		}
		var got []Commit
		err := ReadLog(r, func(c Commit) error {
			got = append(got, c)
			return nil
		})
		require.NoError(t, err)
		require.Len(t, got, len(shas))
		for i, c := range got {
			require.Equal(t, shas[i], c.SHA)
			require.True(t, c.Message == msgs[i], "message %d: %d bytes read, %d written", i, len(c.Message), len(msgs[i]))
			require.Equal(t, "ann@example.com", c.AuthorEmail)
		}
	})
}

// longMessage is a message of n bytes of c after a subject; any byte out
// of place shows.
func longMessage(c byte, n int) string {
	return "feat: long\n\n" + strings.Repeat(string(c), n)
}

func TestReadLogOddDates(t *testing.T) {
	t.Parallel()
	const sha = "0123456789abcdef0123456789abcdef01234567"
	record := func(author, committer string) string {
		return strings.Join([]string{sha, "", "Ann", "ann@example.com", author, committer, "msg"}, "\x00") + "\x00"
	}
	utc := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name              string
		author, committer string
		wantAuthor        time.Time
		wantWarning       string
	}{
		{"in range", "2026-01-05T09:00:00Z", "2026-01-05T09:00:00Z", utc, ""},
		{"east out of range", "2026-01-09T12:00:00+99:00", "2026-01-09T12:00:00+99:00", utc,
			"commit 0123456: its author and committer dates: time-zone offset +9900 out of range (git fsck: badTimezone); read as 2026-01-05 09:00:00 UTC"},
		{"west out of range", "2026-01-01T05:01:00-99:59", "2026-01-05T09:00:00Z", utc,
			"commit 0123456: its author date: time-zone offset -9959 out of range (git fsck: badTimezone); read as 2026-01-05 09:00:00 UTC"},
		{"minutes out of range", "2026-01-05T10:15:00+00:75", "2026-01-05T09:00:00Z", utc,
			"commit 0123456: its author date: time-zone offset +0075 out of range (git fsck: badTimezone); read as 2026-01-05 09:00:00 UTC"},
		{"not printable", "%aI", "%cI", time.Time{}, ""}, // left to readRawDates
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			commits, err := readAll(record(tt.author, tt.committer))
			require.NoError(t, err)
			c := commits[0]
			require.True(t, tt.wantAuthor.Equal(c.AuthorDate), "author date %s", c.AuthorDate)
			require.Equal(t, time.UTC, c.AuthorDate.Location(), "an offset out of range is read as UTC") // in range: kept as written
			if tt.wantWarning == "" {
				require.Empty(t, c.Warnings)
			} else {
				require.Equal(t, []string{tt.wantWarning}, c.Warnings)
			}
		})
	}
}
