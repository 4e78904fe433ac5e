package changelog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// Commit is one commit as git log prints it, before its message is parsed.
type Commit struct {
	SHA         string
	Parents     []string
	AuthorName  string
	AuthorEmail string
	AuthorDate  time.Time
	CommitDate  time.Time
	Message     string
	// Warnings say what of the commit git could not print as written (a
	// date before 1970, a time-zone offset out of range) and how it was
	// read instead, naming the commit: see [parseDate].
	Warnings []string

	undated [2]bool // the author, committer date: git printed no date, see readRawDates
}

// logFormat is the --format of the one git log call that reads a range. With
// -z every field and every record ends in NUL, which git refuses inside commit
// messages, so no message can forge a field.
const logFormat = "%H%x00%P%x00%aN%x00%aE%x00%aI%x00%cI%x00%B"

// logFields is how many NUL-terminated fields logFormat gives per commit.
const logFields = 7

// logArgs returns the git log arguments that print revs in logFormat.
func logArgs(revs ...string) []string {
	args := []string{"log", "-z", "--format=" + logFormat, "--no-decorate", "--no-color", "--no-show-signature", "--end-of-options"}
	return append(args, revs...)
}

// ReadLog reads git log output written with logFormat and -z, calling fn for
// each commit as soon as it is read. Malformed input is an error naming the
// record, never skipped.
func ReadLog(r io.Reader, fn func(Commit) error) error {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	var fields [logFields]string
	for n := 1; ; n++ {
		for i := range fields {
			f, err := readField(br)
			if err == io.EOF && i == 0 {
				return nil
			}
			if err != nil {
				if err == io.EOF {
					return fmt.Errorf("git log record %d: truncated after %d of %d fields", n, i, logFields)
				}
				return fmt.Errorf("git log record %d: %w", n, err)
			}
			fields[i] = f
		}
		c, err := commitFromFields(fields)
		if err != nil {
			return fmt.Errorf("git log record %d: %w", n, err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
}

// readField reads up to the next NUL, which it drops. Between records git
// writes the NUL of -z after the message's own terminator; a leading newline
// left from that is not part of the hash.
func readField(br *bufio.Reader) (string, error) {
	b, err := br.ReadSlice(0)
	if err == bufio.ErrBufferFull {
		// A field longer than the buffer (a huge message). ReadSlice's
		// result is the reader's own buffer, which the next read refills:
		// copy each piece before reading on.
		long := append([]byte(nil), b...)
		for err == bufio.ErrBufferFull {
			b, err = br.ReadSlice(0)
			long = append(long, b...)
		}
		b = long
	}
	if err != nil {
		if err == io.EOF && len(bytes.TrimSpace(b)) > 0 {
			return "", errors.New("output does not end in NUL")
		}
		return "", err
	}
	return string(b[:len(b)-1]), nil
}

// commitFromFields checks and converts one record's fields.
func commitFromFields(f [logFields]string) (Commit, error) {
	sha := strings.TrimLeft(f[0], "\n")
	if !isFullHash(sha) {
		return Commit{}, fmt.Errorf("%q is not a full commit hash", words.Clip(sha, 80))
	}
	c := Commit{SHA: sha, AuthorName: f[2], AuthorEmail: f[3], Message: f[6]}
	if f[1] != "" {
		c.Parents = strings.Split(f[1], " ")
		for _, p := range c.Parents {
			if !isFullHash(p) {
				return Commit{}, fmt.Errorf("commit %s: parent %q is not a full commit hash", sha, words.Clip(p, 80))
			}
		}
	}
	var warns [2]string
	for i, d := range []*time.Time{&c.AuthorDate, &c.CommitDate} {
		var err error
		*d, warns[i], c.undated[i], err = parseDate(f[4+i])
		if err != nil {
			return Commit{}, fmt.Errorf("commit %s: %s date: %w", sha, dateNames[i], err)
		}
	}
	c.warnDates(warns)
	return c, nil
}

// warnDates adds to c's warnings what went wrong with its author date
// (warns[0]) and committer date (warns[1]), in one warning, naming c.
func (c *Commit) warnDates(warns [2]string) {
	var w string
	switch {
	case warns[0] == warns[1] && warns[0] != "":
		w = "its author and committer dates: " + warns[0]
	case warns[0] != "" && warns[1] != "":
		w = "its author date: " + warns[0] + "; its committer date: " + warns[1]
	case warns[0] != "":
		w = "its author date: " + warns[0]
	case warns[1] != "":
		w = "its committer date: " + warns[1]
	default:
		return
	}
	c.Warnings = append(c.Warnings, fmt.Sprintf("commit %s: %s", ShortSHA(c.SHA), w))
}

// dateNames name a commit's two dates, in the order of logFormat.
var dateNames = [2]string{"author", "committer"}

// parseDate reads a date git printed with %aI or %cI. Two kinds of dates
// that git stores but cannot print as written are read anyway, with a
// warning (what follows "its author date: "), so that one odd commit (from an imported history, say) never
// stops a run:
//   - a time-zone offset out of range, such as +9900 or -9959 (git fsck's
//     badTimezone): git still prints the local time and the offset, from
//     which the time is read exactly, in UTC;
//   - a date git cannot read at all, such as one before 1970: git then
//     prints the placeholder itself ("%aI"). The date is left zero and
//     undated is set, for [readRawDates] to read it from the commit.
//
// Anything else that is no date is malformed output, an error.
func parseDate(s string) (t time.Time, warning string, undated bool, err error) {
	if s == "%aI" || s == "%cI" {
		return time.Time{}, "", true, nil
	}
	t, err = time.Parse(time.RFC3339, s)
	if err == nil {
		return t, "", false, nil
	}
	// 2006-01-02T15:04:05 then a sign and hh:mm, the hours out of range.
	const local = len("2006-01-02T15:04:05")
	if len(s) != local+6 || (s[local] != '+' && s[local] != '-') || s[local+3] != ':' {
		return time.Time{}, "", false, err
	}
	lt, err1 := time.Parse("2006-01-02T15:04:05", s[:local])
	hh, err2 := strconv.Atoi(s[local+1 : local+3])
	mm, err3 := strconv.Atoi(s[local+4:])
	if err1 != nil || err2 != nil || err3 != nil {
		return time.Time{}, "", false, err
	}
	offset := time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute
	if s[local] == '-' {
		offset = -offset
	}
	t = lt.Add(-offset).UTC()
	return t, fmt.Sprintf("time-zone offset %s%02d%02d out of range (git fsck: badTimezone); "+
		"read as %s UTC", s[local:local+1], hh, mm, t.Format(time.DateTime)), false, nil
}

// isFullHash reports whether s is a full SHA-1 (40) or SHA-256 (64) hash in
// lower-case hexadecimal.
func isFullHash(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
