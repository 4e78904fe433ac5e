// Package gittest builds real git repositories for tests: fixed authors and
// dates, so the hashes are the same on every run, and a git configuration
// isolated from the machine's.
package gittest

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Epoch is the date of a repository's first commit; each later one is an
// hour on.
var Epoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Author is the name and e-mail of every commit.
const (
	AuthorName  = "Test Author"
	AuthorEmail = "author@example.com"
)

// Repo is a git repository in a temporary directory.
//
// Repo writes its commits, trees, blobs, tags and refs itself, as git
// would, instead of running git for each: a test history then costs no
// process at all, where git took two per commit (TestSameAsGit checks that
// both give the same hashes). Its commits therefore leave the work tree and
// the index alone: the history is in .git, which is all the code under test
// reads. [Repo.Git] runs git for anything else; "checkout [-q] [-b]
// <branch>" is done by [Repo.Checkout] and [Repo.Branch], which only move
// HEAD.
type Repo struct {
	t    testing.TB
	Dir  string          // the work tree
	Home string          // HOME for git, with no configuration in it
	n    int             // commits made, for dates and file names
	objs *store          // the commits made here and in copies, to build on them
	have map[string]bool // objects known to be in this repository's .git

	rawDate string // the date of the next commit, as CommitDated gives it
}

// store remembers what each commit made by a Repo holds, so that the next
// commit, merge or revert can be written without reading the repository.
// Copies and clones of a Repo share it: its entries never change.
type store struct {
	mu      sync.Mutex
	commits map[string]*commit
}

// commit is what [store] keeps of one commit.
type commit struct {
	parents []string
	files   map[string]string // path to content
	message string
	gen     int // 1 + the longest chain of parents below it
}

// New initialises an empty repository whose branch is main.
func New(t testing.TB) *Repo {
	t.Helper()
	return NewAt(t, t.TempDir())
}

// NewAt is [New] in dir, which outlives t: for a history made once and
// given to many tests with [Repo.Copy]. The caller removes dir. The Repo
// reports failures to t, so once t has ended only Copy may be called.
func NewAt(t testing.TB, dir string) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: filepath.Join(dir, "repo"), Home: filepath.Join(dir, "home"),
		objs: &store{commits: map[string]*commit{}}, have: map[string]bool{}}
	// What "git init -b main" writes that git needs to find the repository.
	for _, d := range []string{r.Home, ".git/objects", ".git/refs/heads", ".git/refs/tags"} {
		if err := os.MkdirAll(filepath.Join(r.Dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r.writeGitFile("HEAD", "ref: refs/heads/main\n")
	r.writeGitFile("config", "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n")
	return r
}

// Copy returns a copy of the repository, in t's temporary directory, that t
// may change: copying files costs far less than making the commits again.
// A repository with symbolic links cannot be copied.
func (r *Repo) Copy(t testing.TB) *Repo {
	t.Helper()
	c := &Repo{t: t, Dir: filepath.Join(t.TempDir(), "repo"), Home: t.TempDir(), n: r.n, objs: r.objs, have: maps.Clone(r.have)}
	if err := os.CopyFS(c.Dir, os.DirFS(r.Dir)); err != nil {
		t.Fatal(err)
	}
	return c
}

// Pack moves the repository's objects into one pack, as git gc does, and
// returns r. A history made once and copied by many tests is worth
// packing: a copy then makes a few files, not a file and a directory for
// each object (directories cost the most to make and remove).
func (r *Repo) Pack() *Repo {
	r.t.Helper()
	r.Git("repack", "-a", "-d", "-q")
	return r
}

// Open wraps an existing repository (a clone) to run git in it.
func (r *Repo) Open(dir string) *Repo {
	return &Repo{t: r.t, Dir: dir, Home: r.Home, n: r.n, objs: r.objs, have: map[string]bool{}}
}

// Git runs git in the repository and returns its trimmed output; a failure
// fails the test. "checkout [-q] [-b] <branch>" is [Repo.Checkout] or
// [Repo.Branch].
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	if branch, create, ok := checkoutBranch(args); ok {
		if create {
			r.Branch(branch)
		} else {
			r.Checkout(branch)
		}
		return ""
	}
	return runGit(r.t, r.Dir, r.Home, r.date(), args...)
}

// Environ returns the process's environment without git's own variables
// (GIT_DIR, GIT_INDEX_FILE, GIT_AUTHOR_NAME and the rest): tests run from
// a git hook or from git rebase -x inherit them, and they would point the
// tests' git at the repository being rebased instead of the test's.
func Environ() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GIT_") })
}

// runGit runs git in dir with no configuration but the test identity, HOME
// set to home, and date as the author and committer date; it returns the
// trimmed output, and a failure fails t.
func runGit(t testing.TB, dir, home string, date time.Time, args ...string) string {
	t.Helper()
	full := append([]string{"-c", "user.name=" + AuthorName, "-c", "user.email=" + AuthorEmail,
		"-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false", "-c", "init.defaultBranch=main",
		"-c", "protocol.file.allow=always"}, args...)
	cmd := exec.Command("git", full...)
	cmd.Dir = dir
	d := date.Format(time.RFC3339)
	cmd.Env = append(Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_DATE="+d, "GIT_COMMITTER_DATE="+d, "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// checkoutBranch recognises "checkout [-q] [-b] <branch>".
func checkoutBranch(args []string) (branch string, create, ok bool) {
	if len(args) == 0 || args[0] != "checkout" {
		return "", false, false
	}
	args = args[1:]
	if len(args) > 0 && args[0] == "-q" {
		args = args[1:]
	}
	if len(args) > 0 && args[0] == "-b" {
		create, args = true, args[1:]
	}
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return "", false, false
	}
	return args[0], create, true
}

// date is the author and committer date of the repository's r.n-th commit.
func (r *Repo) date() time.Time { return Epoch.Add(time.Duration(r.n) * time.Hour) }

// Checkout makes branch, which exists, the current branch.
func (r *Repo) Checkout(branch string) {
	r.t.Helper()
	if r.ref("refs/heads/"+branch) == "" {
		r.t.Fatalf("gittest: checkout %s: no such branch", branch)
	}
	r.writeGitFile("HEAD", "ref: refs/heads/"+branch+"\n")
}

// Branch makes a branch at HEAD and makes it the current branch, as
// "git checkout -b" does.
func (r *Repo) Branch(branch string) {
	r.t.Helper()
	if r.ref("refs/heads/"+branch) != "" {
		r.t.Fatalf("gittest: branch %s already exists", branch)
	}
	r.writeGitFile("refs/heads/"+branch, r.Head()+"\n")
	r.Checkout(branch)
}

// Commit writes a change to file (default: a new file of its own, so that
// merges and reverts never conflict) and commits it with msg, returning the
// new commit's hash.
func (r *Repo) Commit(msg string, file ...string) string {
	r.t.Helper()
	return r.CommitAs("", msg, file...)
}

// CommitAs is [Repo.Commit] with another author, written "Name <email>"; an
// empty author is [AuthorName] and [AuthorEmail]. The committer stays the
// same.
func (r *Repo) CommitAs(author, msg string, file ...string) string {
	r.t.Helper()
	r.n++
	name := fmt.Sprintf("file-%d.txt", r.n)
	if len(file) > 0 {
		name = file[0]
	}
	var parents []string
	files := map[string]string{}
	if head := r.head(); head != "" {
		parents = []string{head}
		files = maps.Clone(r.commit(head).files)
	}
	files[name] += fmt.Sprintf("change %d\n", r.n)
	return r.writeCommit(author, msg, parents, files)
}

// CommitDated is [Repo.Commit] with the author and committer date written
// into the commit as given, "<seconds since 1970> <offset>", unchecked:
// for the dates git stores but cannot print, such as "1767603600 +9900"
// (an offset out of range) or "-100 +0000" (before 1970).
func (r *Repo) CommitDated(date, msg string) string {
	r.t.Helper()
	r.rawDate = date
	defer func() { r.rawDate = "" }()
	return r.Commit(msg)
}

// Head returns the hash of HEAD, which must have a commit.
func (r *Repo) Head() string {
	r.t.Helper()
	if sha := r.head(); sha != "" {
		return sha
	}
	return r.Git("rev-parse", "HEAD") // fails the test with git's own words
}

// head returns the hash of HEAD, read from the repository's files, or ""
// when the current branch has no commit yet.
func (r *Repo) head() string {
	head := r.gitFile("HEAD")
	if isHash(head) {
		return head
	}
	if ref, ok := strings.CutPrefix(head, "ref: "); ok {
		return r.ref(ref)
	}
	r.t.Fatalf("gittest: HEAD is %q", head)
	return ""
}

// ref returns the hash a ref such as refs/heads/main names, loose or
// packed, or "" when there is no such ref.
func (r *Repo) ref(name string) string {
	if sha := r.gitFile(name); isHash(sha) {
		return sha
	}
	for line := range strings.Lines(r.gitFile("packed-refs")) {
		if sha, ref, ok := strings.Cut(strings.TrimSpace(line), " "); ok && ref == name && isHash(sha) {
			return sha
		}
	}
	return ""
}

// gitFile returns the trimmed content of a file in the repository's .git
// directory, or "" when it cannot be read.
func (r *Repo) gitFile(name string) string {
	data, err := os.ReadFile(filepath.Join(r.Dir, ".git", filepath.FromSlash(name)))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// writeGitFile writes a file in the repository's .git directory.
func (r *Repo) writeGitFile(name, content string) {
	r.t.Helper()
	path := filepath.Join(r.Dir, ".git", filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// isHash reports whether s is a full SHA-1 or SHA-256 object name.
func isHash(s string) bool {
	return (len(s) == 40 || len(s) == 64) && strings.Trim(s, "0123456789abcdef") == ""
}

// Merge merges branch into the current branch with a merge commit, as
// "git merge --no-ff -m msg branch" does. A conflict fails the test.
func (r *Repo) Merge(branch, msg string) string {
	r.t.Helper()
	r.n++
	ours, theirs := r.Head(), r.resolve(branch)
	files := r.merge3(r.commit(r.mergeBase(ours, theirs)).files, r.commit(ours).files, r.commit(theirs).files)
	return r.writeCommit("", msg, []string{ours, theirs}, files)
}

// Revert reverts sha with git's own message, as "git revert --no-edit"
// does (git 2.43 and later say "Reapply" for a revert of a revert; this
// keeps the older message, which every git understands).
func (r *Repo) Revert(sha string) string {
	r.t.Helper()
	r.n++
	c := r.commit(sha)
	before := map[string]string{}
	if len(c.parents) > 0 {
		before = r.commit(c.parents[0]).files
	}
	head := r.Head()
	files := r.merge3(c.files, r.commit(head).files, before)
	subject, _, _ := strings.Cut(cleanMessage(c.message), "\n")
	msg := fmt.Sprintf("Revert \"%s\"\n\nThis reverts commit %s.\n", subject, sha)
	return r.writeCommit("", msg, []string{head}, files)
}

// Tag makes a lightweight tag, or an annotated one with a message.
func (r *Repo) Tag(name string, message ...string) {
	r.t.Helper()
	if r.ref("refs/tags/"+name) != "" {
		r.t.Fatalf("gittest: tag %s already exists", name)
	}
	sha := r.Head()
	if len(message) > 0 {
		sha = r.writeObject("tag", fmt.Sprintf("object %s\ntype commit\ntag %s\ntagger %s\n\n%s",
			sha, name, r.ident(""), cleanTagMessage(message[0])))
	}
	r.writeGitFile("refs/tags/"+name, sha+"\n")
}

// Clone clones the repository into a new temporary directory, with extra
// arguments such as --depth, and returns the clone.
func (r *Repo) Clone(args ...string) *Repo {
	r.t.Helper()
	dir := filepath.Join(r.t.TempDir(), "clone")
	r.Git(append(append([]string{"clone", "-q"}, args...), "file://"+r.Dir, dir)...)
	return r.Open(dir)
}

// PullRequest makes a branch off the current one with a commit per message,
// then merges it back as Bitbucket Cloud does, with the message "Merged in
// <branch> (pull request #<number>)", the title and an approval. It returns
// the merge commit's hash.
func (r *Repo) PullRequest(number int, branch, title string, messages ...string) string {
	r.t.Helper()
	base, ok := strings.CutPrefix(r.gitFile("HEAD"), "ref: refs/heads/")
	if !ok {
		r.t.Fatal("gittest: a pull request needs a branch checked out")
	}
	r.Branch(branch)
	for _, m := range messages {
		r.Commit(m)
	}
	r.Checkout(base)
	return r.Merge(branch, fmt.Sprintf("Merged in %s (pull request #%d)\n\n%s\n\nApproved-by: Jane Doe", branch, number, title))
}

// resolve returns the commit a branch, a tag or a hash names.
func (r *Repo) resolve(rev string) string {
	r.t.Helper()
	if isHash(rev) {
		return rev
	}
	for _, ref := range []string{"refs/heads/" + rev, "refs/tags/" + rev} {
		if sha := r.ref(ref); sha != "" {
			return sha
		}
	}
	r.t.Fatalf("gittest: %s names no branch or tag", rev)
	return ""
}

// commit returns what the store knows of sha, which a Repo made.
func (r *Repo) commit(sha string) *commit {
	r.t.Helper()
	r.objs.mu.Lock()
	c := r.objs.commits[sha]
	r.objs.mu.Unlock()
	if c == nil {
		r.t.Fatalf("gittest: commit %s was not made by gittest, so it cannot be built on", sha)
	}
	return c
}

// mergeBase returns a best common ancestor of a and b: of the commits both
// reach, one with the longest history (git's own choice may differ only
// when there are several, which no test history has).
func (r *Repo) mergeBase(a, b string) string {
	r.t.Helper()
	inA := r.ancestors(a)
	best := ""
	for sha := range r.ancestors(b) {
		if inA[sha] && (best == "" || r.commit(sha).gen > r.commit(best).gen) {
			best = sha
		}
	}
	if best == "" {
		r.t.Fatalf("gittest: %s and %s have no common history", a, b)
	}
	if best == b {
		r.t.Fatalf("gittest: %s is already merged", b)
	}
	return best
}

// ancestors returns sha and every commit it reaches.
func (r *Repo) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	for todo := []string{sha}; len(todo) > 0; {
		s := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if !seen[s] {
			seen[s] = true
			todo = append(todo, r.commit(s).parents...)
		}
	}
	return seen
}

// merge3 merges the changes from base to ours and from base to theirs,
// path by path; a path both changed differently is a conflict, which
// fails the test.
func (r *Repo) merge3(base, ours, theirs map[string]string) map[string]string {
	r.t.Helper()
	out := map[string]string{}
	paths := maps.Clone(ours)
	maps.Copy(paths, theirs)
	for p := range paths {
		o, inO := ours[p]
		t, inT := theirs[p]
		b, inB := base[p]
		switch {
		case inO == inT && o == t, inT == inB && t == b:
			if inO {
				out[p] = o
			}
		case inO == inB && o == b:
			if inT {
				out[p] = t
			}
		default:
			r.t.Fatalf("gittest: the merge conflicts on %s", p)
		}
	}
	return out
}

// writeCommit writes a commit of files on parents, moves the current
// branch (or a detached HEAD) to it and returns its hash.
func (r *Repo) writeCommit(author, msg string, parents []string, files map[string]string) string {
	r.t.Helper()
	msg = cleanMessage(msg)
	if msg == "" {
		r.t.Fatal("gittest: git refuses an empty commit message")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "tree %s\n", r.writeTree(files))
	gen := 0
	for _, p := range parents {
		fmt.Fprintf(&b, "parent %s\n", p)
		gen = max(gen, r.commit(p).gen)
	}
	fmt.Fprintf(&b, "author %s\ncommitter %s\n\n%s", r.ident(author), r.ident(""), msg)
	sha := r.writeObject("commit", b.String())
	r.objs.mu.Lock()
	r.objs.commits[sha] = &commit{parents: parents, files: files, message: msg, gen: gen + 1}
	r.objs.mu.Unlock()
	head := r.gitFile("HEAD")
	if ref, ok := strings.CutPrefix(head, "ref: "); ok {
		r.writeGitFile(ref, sha+"\n")
	} else {
		r.writeGitFile("HEAD", sha+"\n")
	}
	return sha
}

// ident is the identity line of who ("Name <email>", or "" for [AuthorName]
// and [AuthorEmail]) at the date of the r.n-th commit.
func (r *Repo) ident(who string) string {
	if who == "" {
		who = AuthorName + " <" + AuthorEmail + ">"
	}
	if r.rawDate != "" {
		return who + " " + r.rawDate
	}
	return fmt.Sprintf("%s %d +0000", who, r.date().Unix())
}

// cleanMessage tidies a message as "git commit -m" does (its "whitespace"
// clean-up): no trailing blanks on a line, no blank lines at the start or
// the end or two in a row, and a final newline. Blanks are what git takes
// for them, space, tab, CR and LF only: a form feed or a no-break space
// stays.
func cleanMessage(msg string) string { return stripSpace(msg, false) }

// cleanTagMessage tidies a message as "git tag -m" does (its "strip"
// clean-up): [cleanMessage], and lines that start with "#" are dropped.
func cleanTagMessage(msg string) string { return stripSpace(msg, true) }

// stripSpace is git's clean-up of a message, dropping the lines that start
// with "#" when comments is set; a dropped line is neither text nor blank.
func stripSpace(msg string, comments bool) string {
	var b strings.Builder
	blank := false
	for line := range strings.Lines(msg) {
		if comments && strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimRight(line, " \t\r\n")
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n")
			blank = false
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// writeTree writes the tree of files, with a tree for each directory, and
// returns its hash.
func (r *Repo) writeTree(files map[string]string) string {
	type entry struct{ mode, name, sha string }
	var entries []entry
	dirs := map[string]map[string]string{}
	for path, content := range files {
		if dir, rest, ok := strings.Cut(path, "/"); ok {
			if dirs[dir] == nil {
				dirs[dir] = map[string]string{}
			}
			dirs[dir][rest] = content
			continue
		}
		entries = append(entries, entry{"100644", path, r.writeObject("blob", content)})
	}
	for dir, sub := range dirs {
		entries = append(entries, entry{"40000", dir, r.writeTree(sub)})
	}
	// Git sorts a directory as if its name ended in a slash.
	key := func(e entry) string {
		if e.mode == "40000" {
			return e.name + "/"
		}
		return e.name
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(key(a), key(b)) })
	var b strings.Builder
	for _, e := range entries {
		raw, _ := hex.DecodeString(e.sha)
		fmt.Fprintf(&b, "%s %s\x00%s", e.mode, e.name, raw)
	}
	return r.writeObject("tree", b.String())
}

// writeObject stores an object as a loose object and returns its hash.
//
// It is what a test history costs, so it does no more than it must: an
// object written before (a file no commit changed) is not looked for
// again, the file is created only if absent (one system call, no Stat
// first), its directory made only when the create says it is missing,
// and the zlib writer (over a megabyte of state) is reused rather than
// made anew for each object.
func (r *Repo) writeObject(kind, body string) string {
	r.t.Helper()
	obj := fmt.Sprintf("%s %d\x00%s", kind, len(body), body)
	sum := sha1.Sum([]byte(obj))
	sha := hex.EncodeToString(sum[:])
	if r.have[sha] {
		return sha
	}
	r.have[sha] = true
	path := filepath.Join(r.Dir, ".git", "objects", sha[:2], sha[2:])
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			r.t.Fatal(err)
		}
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	}
	if errors.Is(err, fs.ErrExist) {
		return sha // the same content, written before
	}
	if err != nil {
		r.t.Fatal(err)
	}
	z := compressed(obj)
	_, err = f.Write(z.Bytes())
	z.done()
	if err := errors.Join(err, f.Close()); err != nil {
		r.t.Fatal(err)
	}
	return sha
}

// zlibState is a zlib writer and its output buffer, kept in [zlibPool].
type zlibState struct {
	buf bytes.Buffer
	zw  *zlib.Writer
}

// zlibPool holds the zlib writers of [compressed] between objects.
var zlibPool = sync.Pool{New: func() any {
	s := &zlibState{}
	s.zw, _ = zlib.NewWriterLevel(&s.buf, zlib.BestSpeed) // a valid level: no error
	return s
}}

// compressed returns obj compressed as a loose object is; the caller calls
// done once it has used the bytes.
func compressed(obj string) *zlibState {
	s := zlibPool.Get().(*zlibState)
	s.buf.Reset()
	s.zw.Reset(&s.buf)
	_, _ = io.WriteString(s.zw, obj) // writes to a bytes.Buffer do not fail
	_ = s.zw.Close()
	return s
}

// Bytes returns the compressed object.
func (s *zlibState) Bytes() []byte { return s.buf.Bytes() }

// done gives the writer back to the pool.
func (s *zlibState) done() { zlibPool.Put(s) }
