package changelog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
