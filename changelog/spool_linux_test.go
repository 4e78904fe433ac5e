package changelog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// TestSpoolReadsWhatGitWritesUntilItExits: the reader waits at the end of
// what is written, without taking it for the end, until git exits; then
// it reads the rest and stops.
func TestSpoolReadsWhatGitWritesUntilItExits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out, err := newSpool()
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		exited := make(chan struct{})
		w := out.writer()
		go func() {
			w.WriteString("first\x00")
			time.Sleep(time.Second) // git is slow to write the next record
			w.WriteString("second\x00")
			time.Sleep(time.Second)
			w.WriteString("last\x00")
			close(exited)
		}()
		got, err := io.ReadAll(out.reader(exited))
		if err != nil {
			t.Fatal(err)
		}
		if want := "first\x00second\x00last\x00"; string(got) != want {
			t.Errorf("read %q, want %q", got, want)
		}
	})
}

// TestSpoolFreesWhatWasRead: a long output does not stay in the file
// (the page cache) once read, and is read intact.
func TestSpoolFreesWhatWasRead(t *testing.T) {
	out, err := newSpool()
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	s := out.(*spool)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	const chunks = 3 * spoolPunch / (1 << 20)
	for range chunks {
		if _, err := s.w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	exited := make(chan struct{})
	close(exited)
	r := out.reader(exited)
	buf := make([]byte, 300<<10)
	var n int64
	for {
		m, err := r.Read(buf)
		for i, c := range buf[:m] {
			if at := n + int64(i); c != chunk[at%int64(len(chunk))] {
				t.Fatalf("byte %d is %q, not what was written", at, c)
			}
		}
		n += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if n != chunks<<20 {
		t.Fatalf("read %d bytes, want %d", n, chunks<<20)
	}
	if s.freed == n { // punching failed, and consumed gave up
		err := syscall.Fallocate(int(s.r.Fd()), 0x03, 0, 4096)
		if errors.Is(err, syscall.EOPNOTSUPP) {
			t.Skipf("%s cannot punch holes in files: %v", os.TempDir(), err)
		}
		t.Fatalf("punching failed: %v", err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(s.r.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	if held := st.Blocks * 512; held > spoolPunch+(1<<20) {
		t.Errorf("the spool still holds %d bytes of %d read; want at most %d", held, n, spoolPunch+(1<<20))
	}
}
