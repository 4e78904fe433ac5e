package changelog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
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
		// A field longer than the buffer (a huge message): collect it whole.
		rest, err2 := br.ReadBytes(0)
		b = append(append([]byte(nil), b...), rest...)
		err = err2
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
	var err error
	if c.AuthorDate, err = time.Parse(time.RFC3339, f[4]); err != nil {
		return Commit{}, fmt.Errorf("commit %s: author date: %w", sha, err)
	}
	if c.CommitDate, err = time.Parse(time.RFC3339, f[5]); err != nil {
		return Commit{}, fmt.Errorf("commit %s: commit date: %w", sha, err)
	}
	return c, nil
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
