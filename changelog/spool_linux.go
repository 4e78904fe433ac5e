package changelog

import (
	"io"
	"os"
	"syscall"
	"time"
)

// spool is an unlinked temporary file that git writes its output into
// while the pipe reads it back as it grows.
//
// It exists for speed. git log writes a long history in pieces of a few
// KiB; into a pipe, each piece wakes the reading process and, while the
// pipe is full, git waits for it. On the 2-core VMs Pipelines runs on,
// the same `git log` of a 100,000-commit history took 1.3–1.9 s into a
// file or /dev/null but 2.9–4.3 s into a pipe read as fast as possible
// (bench/README.md). Into a file git never waits and wakes nobody; the
// reader reads everything written so far and, only when it has caught
// up, waits [spoolPoll] (or until git exits) before reading on.
//
// What has been read is punched out of the file as the reader goes, so
// the spool never holds much more than what git is ahead by, not the
// whole history, in the page cache.
type spool struct {
	w, r   *os.File
	exited <-chan struct{}
	timer  *time.Timer
	read   int64 // bytes read so far
	freed  int64 // bytes at the start of the file already punched out
}

// spoolPoll is how long the reader waits, once it has read all that git
// has written, before it looks again. Shorter costs more wake-ups and
// saves nothing: git writes on in the meantime, into the file.
const spoolPoll = 2 * time.Millisecond

// spoolPunch is how much read text the spool lets accumulate before it
// punches it out of the file.
const spoolPunch = 8 << 20

// newSpool creates the spool's file in the temporary directory and
// unlinks it at once: nothing is left behind whatever happens next.
func newSpool() (gitOutput, error) {
	w, err := os.CreateTemp("", "coda-changelog-git-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(w.Name())
	r, err := os.OpenFile(w.Name(), os.O_RDWR, 0) // writable: punching needs it
	if err != nil {
		w.Close()
		return nil, err
	}
	return &spool{w: w, r: r}, nil
}

func (s *spool) writer() *os.File { return s.w }

func (s *spool) reader(exited <-chan struct{}) io.Reader {
	s.exited = exited
	return s
}

// Read reads what git has written; at the end of what is written it waits
// for more, and returns io.EOF once git has exited and all is read.
func (s *spool) Read(p []byte) (int, error) {
	for {
		done := s.done() // before reading: git wrote all there is
		n, err := s.r.Read(p)
		if n > 0 {
			s.consumed(n)
			return n, nil
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
		if done {
			return 0, io.EOF
		}
		s.wait()
	}
}

// done reports whether git has exited.
func (s *spool) done() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// wait waits spoolPoll, or less if git exits meanwhile.
func (s *spool) wait() {
	if s.timer == nil {
		s.timer = time.NewTimer(spoolPoll)
	} else {
		s.timer.Reset(spoolPoll)
	}
	select {
	case <-s.exited:
	case <-s.timer.C:
	}
}

// consumed counts n more bytes read and, every spoolPunch bytes, frees
// the file's pages that hold what was read. Freeing is an optimisation
// only: where the file system cannot punch holes, the pages stay until
// the file is closed.
func (s *spool) consumed(n int) {
	s.read += int64(n)
	if s.read-s.freed < spoolPunch {
		return
	}
	end := s.read &^ (4096 - 1)
	const punchHole = 0x02 | 0x01 // FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
	if syscall.Fallocate(int(s.r.Fd()), punchHole, s.freed, end-s.freed) == nil {
		s.freed = end
	} else {
		s.freed = s.read // do not try on every read
	}
}

// Close closes both ends; the file, unlinked, is then gone.
func (s *spool) Close() error {
	s.w.Close() // already closed once git started
	if s.timer != nil {
		s.timer.Stop()
	}
	return s.r.Close()
}
