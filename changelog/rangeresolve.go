package changelog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// RangeOptions say which commits make up the current build.
type RangeOptions struct {
	// To is the last commit of the build (a sha, possibly 12 characters, or
	// any revision). Empty means HEAD.
	To string
	// From, when set, is the exclusive start of the range and overrides the
	// default choice.
	From string
	// Tags decides which tags are releases. Nil means the default pattern.
	Tags *TagMatcher
	// Version is the version being released when already known (a tag
	// build's tag). When it is a pre-release, earlier pre-release tags count
	// as previous releases; otherwise they are skipped.
	Version string
	// PRDestinationBranch and PRDestinationCommit describe a pull-request
	// build; when either is set the range starts at the merge-base of To and
	// the destination.
	PRDestinationBranch string
	PRDestinationCommit string
}

// Range is the resolved range of a build: the commits reachable from To and
// not from From.
type Range struct {
	From string // full hash; "" when the range is the whole history
	To   string // full hash
	// FromRef names what From came from: a tag, a ref given by the user, or
	// [MergeBase].
	FromRef string
	// Reason says in words how From was chosen, for the summary line.
	Reason string
	// Previous is the previous release tag, when there is one. It sets the
	// previous version even when From was chosen otherwise.
	Previous *Tag
	// AtTo is a release tag that points at To (a tag build), when there is one.
	AtTo *Tag
	// FromNotAncestor reports that From was given ([RangeOptions.From]) and
	// is not an ancestor of To: the range then holds the commits of To's
	// side only, not the difference between two releases.
	FromNotAncestor bool
	// Shallow reports that the clone is shallow; [ReadRange] then checks that
	// the range does not run into the cut.
	Shallow bool
	// boundary holds the shallow clone's cut-off commits.
	boundary map[string]bool
}

// ErrNotRepository is returned when the directory is not in a git
// repository (or does not exist).
var ErrNotRepository = errors.New("not a git repository")

// ErrNoCommits is returned for a repository that has no commits yet.
var ErrNoCommits = errors.New("the repository has no commits")

// ErrShallow is wrapped by errors about a shallow clone that lacks the
// history a range needs.
var ErrShallow = errors.New("shallow clone")

// ShallowError says that a shallow clone does not reach the start of the
// range. It states the facts only; how to fetch more history depends on
// where the clone was made, so advice is the caller's to add.
type ShallowError struct {
	// Range is the range as far as it was resolved.
	Range Range
	// Detail says which part of the history the clone lacks.
	Detail string
}

// Error returns "the clone is shallow and <Detail>".
func (e *ShallowError) Error() string {
	return "the clone is shallow and " + e.Detail
}

// Unwrap makes errors.Is(err, ErrShallow) true.
func (e *ShallowError) Unwrap() error { return ErrShallow }

// MergeBase is the FromRef of a pull request's range: it starts at the
// merge-base of To and the destination, a commit no ref names.
const MergeBase = "merge-base"

// reasonWholeHistory is the Reason of a range that is the whole history.
const reasonWholeHistory = "whole history: no previous release tag"

// ResolveRange works out the range of the current build: To resolved to a
// full hash (Bitbucket may give 12-character shas); From as given, else the
// merge-base with the destination for pull-request builds, else the previous
// release tag reachable from To that does not point at To itself, else the
// whole history. Outside a repository the error is [ErrNotRepository], in
// a repository without commits [ErrNoCommits].
func ResolveRange(ctx context.Context, g *Git, opts RangeOptions) (Range, error) {
	previous := func(m *TagMatcher, tags []Tag, to string) string { // the candidate asked first
		if _, candidates := splitTags(m, tags, to, opts.Version); len(candidates) > 0 {
			return candidates[0].Commit
		}
		return ""
	}
	b, err := startBuild(ctx, g, opts.To, opts.Tags, previous)
	if err != nil {
		return Range{}, err
	}
	r := Range{To: b.to, Shallow: b.shallow, boundary: b.boundary}
	var candidates []Tag
	r.AtTo, candidates = splitTags(b.matcher, b.tags, r.To, opts.Version)
	if r.Previous, err = firstReachable(ctx, g, candidates, r.To, b.known); err != nil {
		return Range{}, err
	}

	switch {
	case opts.From != "":
		if r.From, err = resolveCommit(ctx, g, opts.From); err != nil {
			return Range{}, r.missing(fmt.Sprintf("FROM_REF %q cannot be found", opts.From), err)
		}
		r.FromRef, r.Reason = opts.From, "from "+opts.From
		ancestor, err := isAncestor(ctx, g, r.From, r.To)
		if err != nil {
			return Range{}, err
		}
		r.FromNotAncestor = !ancestor
	case opts.PRDestinationBranch != "" || opts.PRDestinationCommit != "":
		base, found, err := destinationBase(ctx, g, r.To, opts.PRDestinationBranch, opts.PRDestinationCommit)
		switch {
		case err != nil && !found:
			return Range{}, r.missing("the pull request's destination is not in the clone", err)
		case err != nil:
			return Range{}, r.missing("the merge-base with the pull request's destination is not in the clone", err)
		}
		name := opts.PRDestinationBranch
		if name == "" {
			name = opts.PRDestinationCommit
		}
		r.From, r.FromRef, r.Reason = base, MergeBase, "merge-base with "+name
	default:
		r.sincePrevious()
	}
	return r, nil
}

// sincePrevious starts the range at its previous release, or makes it the
// whole history when there is none.
func (r *Range) sincePrevious() {
	if r.Previous == nil {
		r.Reason = reasonWholeHistory
		return
	}
	r.From, r.FromRef, r.Reason = r.Previous.Commit, r.Previous.Name, "since "+r.Previous.Name
}

// buildStart is what a build's range and a backfill both start from.
type buildStart struct {
	to       string // the build's commit, a full hash
	shallow  bool
	boundary map[string]bool // the shallow clone's cut-off commits
	matcher  *TagMatcher
	tags     []Tag    // the release tags
	known    ancestry // whether one commit is an ancestor of to, asked with to
}

// startBuild resolves the build's commit to (a revision; "" means HEAD),
// looks at the clone's cut and lists the release tags (matcher nil means
// the default pattern). Outside a repository the error is
// [ErrNotRepository], in a repository without commits [ErrNoCommits].
//
// probe, when set, names the commit of the tag whose ancestry the caller
// will ask first, given the release tags and the build's commit. When to
// is a full hash, as Bitbucket gives it, the tags are listed first, and the
// one git call that resolves to also asks whether that commit is an
// ancestor (see [inspectAndProbe]): a build since its previous release
// starts git one time fewer (a git process costs 10-20 ms on a 2-core
// runner), and the black-box tests start 569 git processes instead of 650.
func startBuild(ctx context.Context, g *Git, to string, matcher *TagMatcher, probe func(m *TagMatcher, tags []Tag, to string) string) (buildStart, error) {
	if to == "" {
		to = "HEAD"
	}
	b := buildStart{matcher: matcher}
	var err error
	if b.matcher == nil {
		if b.matcher, err = NewTagMatcher(""); err != nil {
			return buildStart{}, err
		}
	}
	listed, done := false, false // whether b.tags holds the release tags, b all of it
	if probe != nil && isFullHash(to) {
		if b, listed, done = b.probing(ctx, g, to, probe); done {
			return b, nil
		}
	}
	if b.to, b.shallow, b.boundary, err = inspectBuild(ctx, g, to); err != nil {
		if err := repositoryError(ctx, g, err); err != nil {
			return buildStart{}, err
		}
		return buildStart{}, fmt.Errorf("resolve the build's commit %q: %w", to, err)
	}
	if !listed {
		b.tags, err = releaseTags(ctx, g, b.matcher)
	}
	return b, err
}

// probing is startBuild for a commit given as a full hash: it lists the
// release tags first, then resolves to and asks about the commit probe
// names in one call ([inspectAndProbe]). listed reports whether b.tags is
// set, done whether the rest of b is. A failure is left to startBuild's
// usual calls, which tell it in their words: outside a repository, a
// commit the clone lacks, a hash that names a tag (its commit is another).
func (b buildStart) probing(ctx context.Context, g *Git, to string, probe func(*TagMatcher, []Tag, string) string) (_ buildStart, listed, done bool) {
	tags, err := releaseTags(ctx, g, b.matcher)
	if err != nil {
		return b, false, false
	}
	b.tags = tags
	p := probe(b.matcher, tags, to)
	if p == "" {
		return b, true, false
	}
	sha, shallow, boundary, reaches, err := inspectAndProbe(ctx, g, to, p)
	if err != nil || sha != to {
		return b, true, false
	}
	b.to, b.shallow, b.boundary = sha, shallow, boundary
	b.known = ancestry{commit: p, ancestor: reaches}
	return b, true, true
}

// repositoryError tells why the build's commit could not be resolved when
// the reason is the repository itself: [ErrNotRepository] or [ErrNoCommits].
// It returns nil otherwise.
func repositoryError(ctx context.Context, g *Git, err error) error {
	var ge *GitError
	if errors.As(err, &ge) && (strings.Contains(ge.Stderr, "not a git repository") ||
		strings.Contains(ge.Stderr, "cannot change to")) {
		return ErrNotRepository
	}
	out, lerr := g.Run(ctx, "rev-list", "-n", "1", "--all")
	if lerr == nil && len(bytes.TrimSpace(out)) == 0 {
		return ErrNoCommits
	}
	return nil
}

// missing builds the error for a commit the clone lacks: a [ShallowError]
// in a shallow clone, the plain error otherwise.
func (r Range) missing(detail string, err error) error {
	if r.Shallow {
		return &ShallowError{Range: r, Detail: detail}
	}
	return fmt.Errorf("%s: %w", detail, err)
}

// splitTags finds the release tag at to, and the candidates for the
// previous release, newest first. Pre-release tags are candidates only when
// the release being built (building, else the tag at to) is itself a
// pre-release.
func splitTags(m *TagMatcher, tags []Tag, to, building string) (atTo *Tag, candidates []Tag) {
	var at []Tag
	for _, t := range tags {
		if t.Commit == to {
			at = append(at, t)
		} else {
			candidates = append(candidates, t)
		}
	}
	atTo = newest(at)
	candidates = withoutPrereleases(candidates, prereleaseBuild(m, building, atTo))
	sortNewestFirst(candidates)
	return atTo, candidates
}

// newest returns the newest of tags, or nil when there are none.
func newest(tags []Tag) *Tag {
	if len(tags) == 0 {
		return nil
	}
	sortNewestFirst(tags)
	return &tags[0]
}

// prereleaseBuild reports whether the release being built is a
// pre-release: its version (building), else the release tag at its commit.
func prereleaseBuild(m *TagMatcher, building string, atTo *Tag) bool {
	if building == "" && atTo != nil {
		building = atTo.Name
	}
	if v, ok := ParseVersion(building); ok {
		return v.Prerelease()
	}
	if t, ok := m.match(building); ok && t.Semver {
		return t.Version.Prerelease()
	}
	return false
}

// resolveCommit expands a revision (a short sha, a branch, a tag) to the full
// hash of the commit it names.
func resolveCommit(ctx context.Context, g *Git, rev string) (string, error) {
	sha, err := g.line(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	var ge *GitError
	if errors.As(err, &ge) && ge.Stderr == "" {
		return "", fmt.Errorf("%q does not name a commit in this clone", rev)
	}
	return sha, err
}

// destinationBase finds a pull request's destination in the clone (the
// remote-tracking branch, a local branch, or the destination commit,
// whichever it has first) and returns its merge-base with to. One git
// merge-base per candidate does both: it fails with status 128 for a
// revision the clone lacks, and with status 1 when there is no merge-base.
// found reports whether the destination was found.
func destinationBase(ctx context.Context, g *Git, to, branch, commit string) (base string, found bool, err error) {
	var candidates []string
	if branch != "" {
		candidates = append(candidates, "refs/remotes/origin/"+branch, "refs/heads/"+branch)
	}
	if commit != "" {
		candidates = append(candidates, commit)
	}
	var last error
	for _, c := range candidates {
		base, err := g.line(ctx, "merge-base", "--end-of-options", to, c+"^{commit}")
		var exit *exec.ExitError
		switch {
		case err == nil:
			return base, true, nil
		case errors.As(err, &exit) && exit.ExitCode() == 128:
			last = fmt.Errorf("%q does not name a commit in this clone: %w", c, err)
		default:
			return "", true, err
		}
	}
	return "", false, fmt.Errorf("none of %s resolves to a commit: %w", strings.Join(candidates, ", "), last)
}

// inspectBuild resolves the build's commit (rev) to its full hash and
// reports whether the clone is shallow and, if so, which commits it was
// cut at (their parents are missing). One git rev-parse answers all three,
// in the order of its arguments: whether git sees a shallow repository,
// where git keeps the shallow file (the common directory's, for a linked
// worktree), and the commit. Starting git costs far more than what it is
// asked, and a run starts it a handful of times in all.
func inspectBuild(ctx context.Context, g *Git, rev string) (sha string, shallow bool, boundary map[string]bool, err error) {
	out, err := g.Run(ctx, "rev-parse", "--is-shallow-repository", "--path-format=absolute", "--git-path", "shallow",
		"--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	var ge *GitError
	if errors.As(err, &ge) && ge.Stderr == "" {
		return "", false, nil, fmt.Errorf("%q does not name a commit in this clone", rev)
	}
	if err != nil {
		return "", false, nil, err
	}
	return readInspection(string(out))
}

// readInspection reads what git rev-parse printed for
// --is-shallow-repository, --git-path shallow and the build's commit:
// "true" or "false", the path (which may hold a newline), the hash, each
// on its line; in a shallow clone it reads the commits it was cut at.
func readInspection(out string) (sha string, shallow bool, boundary map[string]bool, err error) {
	answer, rest, ok1 := strings.Cut(strings.TrimSuffix(out, "\n"), "\n")
	path, sha, ok2 := cutLast(rest, "\n")
	if !ok1 || !ok2 || !isFullHash(sha) || (answer != "true" && answer != "false") {
		return "", false, nil, fmt.Errorf("git rev-parse: unexpected output %q", words.Clip(out, 200))
	}
	if answer != "true" {
		return sha, false, nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return sha, true, nil, fmt.Errorf("read the shallow clone's boundary %s: %w", path, err)
	}
	boundary = map[string]bool{}
	for _, line := range strings.Fields(string(data)) {
		boundary[line] = true
	}
	return sha, true, boundary, nil
}

// inspectAndProbe does what [inspectBuild] does for a build's commit given
// as a full hash, and reports whether commit probe (a full hash too) is
// its ancestor, in the same git rev-parse: "probe...to" prints both
// commits and then their merge-bases, each after a caret, and probe is an
// ancestor of to exactly when it is their merge-base. Both are hashes,
// so neither can be taken for an option.
func inspectAndProbe(ctx context.Context, g *Git, to, probe string) (sha string, shallow bool, boundary map[string]bool, reaches bool, err error) {
	out, err := g.Run(ctx, "rev-parse", probe+"..."+to,
		"--is-shallow-repository", "--path-format=absolute", "--git-path", "shallow", to+"^{commit}")
	if err != nil {
		return "", false, nil, false, err
	}
	// Both commits, their merge-bases, then what inspectBuild reads.
	lines := strings.SplitAfter(string(out), "\n")
	if len(lines) < 2 {
		return "", false, nil, false, fmt.Errorf("git rev-parse: unexpected output %q", words.Clip(string(out), 200))
	}
	rest := lines[2:]
	for len(rest) > 0 && strings.HasPrefix(rest[0], "^") {
		reaches = reaches || strings.TrimSuffix(rest[0][1:], "\n") == probe
		rest = rest[1:]
	}
	sha, shallow, boundary, err = readInspection(strings.Join(rest, ""))
	return sha, shallow, boundary, reaches, err
}

// isShallow reports whether the clone is shallow.
func isShallow(ctx context.Context, g *Git) (bool, error) {
	out, err := g.line(ctx, "rev-parse", "--is-shallow-repository")
	return out == "true", err
}

// VersionRange is the range a computed version is bumped by: from the
// previous release tag to To. ok is false when r starts there already, or
// there is no previous release tag (nothing to bump). A range that starts
// elsewhere (FROM_REF, a pull request's merge-base) selects the entries,
// not the version: the version of a build is the same whatever its range.
func (r Range) VersionRange() (since Range, ok bool) {
	if r.Previous == nil || r.From == r.Previous.Commit {
		return Range{}, false
	}
	since = r
	since.FromNotAncestor = false
	since.sincePrevious()
	return since, true
}
