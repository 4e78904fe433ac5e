package changelog

import (
	"io"
	"os"
)

// gitOutput is where a streamed git call writes its standard output and
// where the pipe reads it back while git runs.
type gitOutput interface {
	// writer is handed to git as its standard output; Stream closes this
	// process's copy once git has started.
	writer() *os.File
	// reader reads what git writes, to the end; exited is closed once git
	// has exited, so all it wrote can be read.
	reader(exited <-chan struct{}) io.Reader
	// Close releases what the output holds.
	Close() error
}

// newGitOutput returns a spool ([newSpool]) where the platform has one,
// else a pipe.
func newGitOutput() (gitOutput, error) {
	if s, err := newSpool(); err == nil {
		return s, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	growPipe(w)
	return &pipeOutput{r: r, w: w}, nil
}

// pipeOutput is an os.Pipe: git's writes block while the pipe is full,
// and reading it ends when git exits.
type pipeOutput struct{ r, w *os.File }

func (p *pipeOutput) writer() *os.File                 { return p.w }
func (p *pipeOutput) reader(<-chan struct{}) io.Reader { return p.r }

func (p *pipeOutput) Close() error {
	p.w.Close() // already closed once git started: an error then is expected
	return p.r.Close()
}
