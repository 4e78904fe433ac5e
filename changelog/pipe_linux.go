package changelog

import (
	"os"
	"syscall"
)

// growPipe enlarges a pipe's kernel buffer from 64 KiB to 1 MiB, so that git
// writes a long history in fewer, larger pieces and the two processes
// switch less often. It is an optimisation only: a failure is ignored.
func growPipe(f *os.File) {
	const setPipeSize = 1031 // F_SETPIPE_SZ
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) {
			_, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, setPipeSize, 1<<20)
		})
	}
}
