package changelog

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Git runs the git program against one repository. Arguments are always passed
// as a list, never through a shell, and every call neutralises the user's git
// configuration that could change what is parsed (signatures, colours,
// decorations, output encoding).
//
// Git refuses repositories owned by another user ("detected dubious
// ownership"), which is exactly what a pipe container sees: Bitbucket's clone
// container writes the files, the pipe runs as root. Every call therefore
// marks this one repository safe with -c safe.directory=<its top
// directory>, which git accepts on the command line since 2.38 (the pipe
// image ships a newer git); any other repository stays as unsafe as git
// makes it.
//
// Git reads where the repository is from the environment too (GIT_DIR,
// GIT_WORK_TREE, GIT_INDEX_FILE, GIT_OBJECT_DIRECTORY and the like), which
// would make it read another repository than Dir: those are never passed
// on; see [repositoryVariables].
type Git struct {
	// Dir is the repository's work tree (or any directory inside it).
	Dir string
	// Logger, when set, receives every git command line at debug level.
	Logger *slog.Logger
}

// gitConfig are the -c options added before every subcommand.
var gitConfig = []string{
	"-c", "log.showSignature=false",
	"-c", "i18n.logOutputEncoding=UTF-8",
	"-c", "core.quotePath=false",
	"-c", "color.ui=false",
	"-c", "log.decorate=false",
	"-c", "log.mailmap=true",
}

// repositoryVariables are the environment variables that tell git where a
// repository and its parts are, or change what it reads from them: the
// list "git rev-parse --local-env-vars" prints (git clears the same ones
// before it works in a submodule), and GIT_NAMESPACE, GIT_CEILING_DIRECTORIES
// and GIT_DISCOVERY_ACROSS_FILESYSTEM, which change which refs and which
// directory it finds.
var repositoryVariables = []string{
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
	"GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE",
	"GIT_INDEX_FILE", "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX",
	"GIT_INTERNAL_SUPER_PREFIX", "GIT_SHALLOW_FILE", "GIT_COMMON_DIR",
	"GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
}

// command builds the exec.Cmd for one git call.
func (g *Git) command(ctx context.Context, args []string) *exec.Cmd {
	full := make([]string, 0, len(gitConfig)+4+len(args))
	full = append(full, "-C", g.Dir, "-c", "safe.directory="+g.safeDirectory())
	full = append(full, gitConfig...)
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Env = append(gitEnviron(os.Environ()),
		"GIT_TERMINAL_PROMPT=0", // never wait for credentials on a fetch
		"GIT_OPTIONAL_LOCKS=0",  // read-only commands must not take index locks
		"GIT_PAGER=cat",
		"LC_ALL=C",
	)
	if g.Logger != nil {
		g.Logger.Debug("git", "args", strings.Join(args, " "))
	}
	return cmd
}

// gitEnviron returns env without [repositoryVariables] and the
// GIT_CONFIG_KEY_n and GIT_CONFIG_VALUE_n that GIT_CONFIG_COUNT counts.
func gitEnviron(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(repositoryVariables, name) ||
			strings.HasPrefix(name, "GIT_CONFIG_KEY_") || strings.HasPrefix(name, "GIT_CONFIG_VALUE_")
	})
}

// safeDirectory returns the directory that git's ownership check compares
// with safe.directory: the top of Dir's work tree (where .git is), as an
// absolute path with symbolic links resolved, or Dir itself when no .git
// is found above it (git then fails for its own reason). A few stat calls
// are nothing beside starting git.
func (g *Git) safeDirectory() string {
	dir, err := filepath.Abs(g.Dir)
	if err == nil {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			dir = real
		}
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// Run runs git with args and returns its standard output. A failure is a
// *GitError carrying the subcommand, the exit status and git's own message.
func (g *Git) Run(ctx context.Context, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := g.command(ctx, args)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, newGitError(ctx, args, err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// line runs git and returns its output's first line, trimmed.
func (g *Git) line(ctx context.Context, args ...string) (string, error) {
	out, err := g.Run(ctx, args...)
	if err != nil {
		return "", err
	}
	s, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(s), nil
}

// Stream runs git with args and hands its standard output to read as it is
// produced, so that a long history is never held in memory whole. git
// writes into a spool where the platform has one, else a pipe
// ([newGitOutput]).
func (g *Git) Stream(ctx context.Context, read func(io.Reader) error, args ...string) error {
	var stderr bytes.Buffer
	cmd := g.command(ctx, args)
	cmd.Stderr = &stderr
	out, err := newGitOutput()
	if err != nil {
		return fmt.Errorf("git %s: %w", subcommand(args), err)
	}
	defer out.Close()
	cmd.Stdout = out.writer()
	err = cmd.Start()
	out.writer().Close() // git holds its own copy
	if err != nil {
		return newGitError(ctx, args, err, "")
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	readErr := read(bufio.NewReaderSize(out.reader(exited), 256<<10))
	if readErr != nil {
		// Stop git rather than wait for it to write a history nobody reads.
		_ = cmd.Process.Kill()
	}
	<-exited
	if readErr != nil {
		return readErr
	}
	if waitErr != nil {
		return newGitError(ctx, args, waitErr, stderr.String())
	}
	return nil
}

// GitError is a failed git command.
type GitError struct {
	Args   []string // the arguments after the global options
	Err    error    // usually an *exec.ExitError
	Stderr string   // what git printed, trimmed
}

func newGitError(ctx context.Context, args []string, err error, stderr string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("git %s: %w", subcommand(args), ctx.Err())
	}
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("git is not installed or not on PATH: %w", err)
	}
	return &GitError{Args: args, Err: err, Stderr: strings.TrimSpace(stderr)}
}

func (e *GitError) Error() string {
	msg := fmt.Sprintf("git %s: %v", subcommand(e.Args), e.Err)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *GitError) Unwrap() error { return e.Err }

// subcommand names a git call by its first argument after any -c options.
func subcommand(args []string) string {
	for len(args) >= 2 && args[0] == "-c" {
		args = args[2:]
	}
	if len(args) == 0 {
		return ""
	}
	return args[0]
}
