package changelog

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// ReadOptions say how the commits of a range become entries.
type ReadOptions struct {
	// Paths, when set, keeps only commits that touch these pathspecs (monorepos).
	Paths []string
	// Issues finds issue keys; nil means the default Jira-style pattern.
	Issues *IssueMatcher
	// IncludeMerges makes merge commits entries of their own. By default a
	// merge is not an entry: its pull request number goes to the commits it
	// brought in.
	IncludeMerges bool
	// ExcludeTypes drops entries of these types (lower case). Breaking
	// changes are kept whatever their type.
	ExcludeTypes []string
	// ExcludeCommits, when set, drops the commits whose subject (the first
	// line of the message, as written: "chore(release): 1.2.0") or author
	// ("Name <email>", mailmap applied: "dependabot[bot] <…>") it matches;
	// an entry of a split squash merge is matched by its bullet's first
	// line. Breaking changes are kept whatever it matches.
	ExcludeCommits *regexp.Regexp
	// SquashMerges says how squash merges become entries; "" means
	// [SquashAuto].
	SquashMerges SquashMode
	// NewContributors, when set, makes [ReadRange] list the range's new
	// contributors in [History.NewContributors], at the cost of one more
	// git log pass over author identities only.
	NewContributors bool
	// WithoutBodies leaves every entry's Body and Footers empty, for a run
	// where nothing reads them: issue keys, breaking notes and pull
	// requests are still found in the whole message, but an entry then
	// keeps copies of its short fields instead of the message they are
	// pieces of, so a long history's message text is not held in memory.
	WithoutBodies bool
}

// History is what a range holds.
type History struct {
	Entries []Entry
	// Commits counts every commit in the range, merges included.
	Commits int
	// Reverted counts the commits dropped because they and their revert are
	// both in the range (each pair counts two).
	Reverted int
	// Date is the committer date of the range's last commit.
	Date time.Time
	// TypesSeen lists, sorted, the types of the range's entries before any
	// filter (reverted pairs, paths, types, commits) dropped some: the
	// lower-cased conventional types, "revert", and [TypeOther] when a
	// message is not conventional.
	TypesSeen []string
	// ExcludedTypes counts the entries dropped by [ReadOptions.ExcludeTypes].
	ExcludedTypes int
	// ExcludedCommits counts the entries dropped by
	// [ReadOptions.ExcludeCommits] and not already by ExcludeTypes.
	ExcludedCommits int
	// NewContributors are, with [ReadOptions.NewContributors], the authors
	// of the range's commits who have no commit reachable from the range's
	// From: their first commit reachable from To is in the range. Authors
	// are the mailmapped %aN and %aE, told apart by e-mail address (case
	// insensitively; by name when the address is empty), named as in their
	// newest commit, and listed in the order of their first commit in the
	// range (git log's order, oldest first). Commits that
	// [ReadOptions.ExcludeCommits] drops (bots) do not count, unless they
	// are breaking. A range without From (the whole history) has no new
	// contributors: everyone would be one. In a shallow clone only the
	// history the clone holds counts.
	NewContributors []Person
	// NotConventional are the entries whose message is not a Conventional
	// Commit ([Lint]), newest first: those the changelog reads whatever
	// their type, so EXCLUDE_TYPES plays no part, but not those dropped as
	// a revert pair, by Paths or by ExcludeCommits (bots). Merge commits
	// pass, and so do the bullets of a split squash merge: Bitbucket wrote
	// the squash's message, and its commits were linted, if at all, in the
	// pull request's builds.
	NotConventional []Unconventional
	// Warnings say, one line per commit of the range naming it, what of
	// the commit was read other than as written (see [Commit.Warnings]).
	Warnings []string
}

// node is what the pull-request attribution needs to know of a commit. It
// is kept small: a history holds one per commit.
type node struct {
	parents []string // hashes of the parents, the first parent first
	issues  []string // issue keys of a merge's branch name
	pr      int      // pull request of a merge commit, 0 otherwise
	entry   int32    // index in the entries, -1 for none
}

// firstParent returns the commit's first parent, or "" for a root commit.
func (n node) firstParent() string {
	if len(n.parents) == 0 {
		return ""
	}
	return n.parents[0]
}

// otherParents returns the parents after the first: the merged ones.
func (n node) otherParents() []string {
	if len(n.parents) < 2 {
		return nil
	}
	return n.parents[1:]
}

// ReadRange reads the commits of r with one streamed git log call and turns
// them into entries, newest first: messages parsed, pull request numbers
// attached, revert pairs inside the range dropped, paths and types filtered.
// In a shallow clone a range that runs into the clone's cut is a
// [*ShallowError], never silently a shorter history.
func ReadRange(ctx context.Context, g *Git, r Range, opts ReadOptions) (History, error) {
	b := newBuilder(opts, opts.NewContributors && r.From != "")
	var date time.Time
	err := streamCommits(ctx, g, func(c Commit) error {
		if r.boundary[c.SHA] {
			return &ShallowError{Range: r, Detail: shallowDetail(r, c.SHA)}
		}
		if c.SHA == r.To {
			date = c.CommitDate
		}
		b.add(c)
		return nil
	}, r.revs()...)
	if err != nil {
		return History{}, err
	}
	if date.IsZero() { // an empty range: the date still describes To
		if date, err = commitDate(ctx, g, r.To); err != nil {
			return History{}, err
		}
	}
	var touched map[string]bool
	if len(opts.Paths) > 0 {
		if touched, err = touchingPaths(ctx, g, r, opts.Paths); err != nil {
			return History{}, err
		}
	}
	h := b.history(r.To, opts, touched)
	h.Date = date
	if len(b.authors) > 0 {
		if h.NewContributors, err = newContributors(ctx, g, r.From, b.authors); err != nil {
			return History{}, err
		}
	}
	return h, nil
}

// defaultIssues is the matcher of [DefaultIssuePattern], compiled once: a
// backfill makes a builder per release.
var defaultIssues = sync.OnceValue(func() *IssueMatcher {
	m, err := NewIssueMatcher("")
	if err != nil {
		panic(err) // DefaultIssuePattern is a constant that compiles
	}
	return m
})

// newBuilder prepares a builder for opts; it collects the authors when
// withAuthors is set.
func newBuilder(opts ReadOptions, withAuthors bool) *builder {
	issues := opts.Issues
	if issues == nil {
		issues = defaultIssues()
	}
	b := &builder{nodes: map[string]node{}, issues: issues, includeMerges: opts.IncludeMerges, exclude: opts.ExcludeCommits, squash: opts.SquashMerges, withoutBodies: opts.WithoutBodies}
	if withAuthors {
		b.authors = map[string]author{}
	}
	return b
}

// history finishes the entries of a range that ends at to: pull requests
// attached, revert pairs dropped, then the filters of opts applied, with
// touched holding the commits that touch opts.Paths. Date and
// NewContributors are left to the caller.
func (b *builder) history(to string, opts ReadOptions, touched map[string]bool) History {
	b.gather()
	b.attributePullRequests(to)
	h := History{Commits: len(b.nodes), TypesSeen: b.types(), Warnings: b.warnings}
	h.Reverted = b.dropRevertPairs()
	if len(opts.Paths) > 0 {
		b.keep(func(i int) bool { return touched[b.entries[i].SHA] })
	}
	h.NotConventional = b.unconventional()
	if len(opts.ExcludeTypes) > 0 {
		h.ExcludedTypes = b.keep(func(i int) bool {
			e := &b.entries[i]
			return e.Breaking || !slices.Contains(opts.ExcludeTypes, e.Type)
		})
	}
	if opts.ExcludeCommits != nil {
		h.ExcludedCommits = b.keep(func(i int) bool { return b.entries[i].Breaking || !b.excluded[i] })
	}
	h.Entries = b.result()
	return h
}

// authorKey tells authors apart: by e-mail address, or by name without one.
func authorKey(name, email string) string {
	if email == "" {
		return "name:" + name
	}
	return strings.ToLower(email)
}

// errAllKnown stops the walk of newContributors once every author is found.
var errAllKnown = errors.New("every author is known")

// newContributors returns the authors that have no commit reachable from
// from, in the order of their oldest commit in the range. It walks the history of from in one git log call
// that prints author identities only, and stops it as soon as every author
// has been found, which for authors with recent commits is soon.
func newContributors(ctx context.Context, g *Git, from string, authors map[string]author) ([]Person, error) {
	pending := maps.Clone(authors)
	err := g.Stream(ctx, func(out io.Reader) error {
		br, ok := out.(*bufio.Reader)
		if !ok {
			br = bufio.NewReader(out)
		}
		for {
			name, err := readField(br)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("git log of authors: %w", err)
			}
			email, err := readField(br)
			if err != nil {
				return fmt.Errorf("git log of authors: truncated record: %w", err)
			}
			delete(pending, authorKey(strings.TrimLeft(name, "\n"), email))
			if len(pending) == 0 {
				return errAllKnown
			}
		}
	}, "log", "-z", "--format=%aN%x00%aE", "--no-show-signature", "--end-of-options", from)
	if err != nil && !errors.Is(err, errAllKnown) {
		return nil, fmt.Errorf("list the authors before %s: %w", ShortSHA(from), err)
	}
	return byFirstCommit(pending), nil
}

// byFirstCommit lists authors in the order of their oldest commit in the
// range, or returns nil when there are none.
func byFirstCommit(authors map[string]author) []Person {
	var out []Person
	for _, a := range slices.SortedFunc(maps.Values(authors), func(a, b author) int { return cmp.Compare(b.oldest, a.oldest) }) {
		out = append(out, a.Person)
	}
	return out
}

// commitDate reads the committer date of one commit.
func commitDate(ctx context.Context, g *Git, sha string) (time.Time, error) {
	s, err := g.line(ctx, "log", "-1", "--format=%cI", "--end-of-options", sha)
	if err != nil {
		return time.Time{}, err
	}
	t, _, undated, err := parseDate(s)
	if undated {
		c := Commit{SHA: sha, undated: [2]bool{false, true}}
		err = readRawDates(ctx, g, &c)
		t = c.CommitDate
	}
	return t, err
}

// streamCommits streams the log of revs, in logFormat, to fn, with the dates
// git could not print read from the commits themselves.
func streamCommits(ctx context.Context, g *Git, fn func(Commit) error, revs ...string) error {
	return g.Stream(ctx, func(out io.Reader) error {
		return ReadLog(out, func(c Commit) error {
			if c.undated != [2]bool{} {
				if err := readRawDates(ctx, g, &c); err != nil {
					return err
				}
			}
			return fn(c)
		})
	}, logArgs(revs...)...)
}

// readRawDates reads the dates that git printed none for (see [parseDate])
// from the commit object, where each is written as seconds since 1970,
// negative before it, and adds a warning naming the commit. A date not
// even the object holds stays zero. It costs a git call per commit, which
// only such commits pay.
func readRawDates(ctx context.Context, g *Git, c *Commit) error {
	out, err := g.Run(ctx, "cat-file", "commit", c.SHA)
	if err != nil {
		return fmt.Errorf("read the dates of commit %s: %w", ShortSHA(c.SHA), err)
	}
	header, _, _ := strings.Cut(string(out), "\n\n")
	var warns [2]string
	for i, d := range []*time.Time{&c.AuthorDate, &c.CommitDate} {
		if !c.undated[i] {
			continue
		}
		c.undated[i] = false
		warns[i] = "not printable by git (a date before 1970?); left empty"
		for line := range strings.Lines(header) {
			if ident, ok := strings.CutPrefix(line, dateNames[i]+" "); ok {
				if t, ok := identTime(ident); ok {
					*d = t
					warns[i] = "not printable by git (a date before 1970?); read from the commit as " + t.Format(time.DateTime) + " UTC"
				}
			}
		}
	}
	c.warnDates(warns)
	return nil
}

// identTime reads the time of an author or committer line of a commit
// object, "Name <email> seconds offset", in UTC.
func identTime(ident string) (time.Time, bool) {
	_, after, ok := cutLast(ident, ">")
	if !ok {
		return time.Time{}, false
	}
	f := strings.Fields(after)
	if len(f) == 0 {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0).UTC(), true
}

// cutLast is [strings.Cut] at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// revs returns the revision arguments of the range.
func (r Range) revs() []string {
	if r.From == "" {
		return []string{r.To}
	}
	return []string{r.To, "^" + r.From}
}

// shallowDetail explains which part of the history a shallow clone lacks.
func shallowDetail(r Range, cut string) string {
	if r.From == "" {
		return fmt.Sprintf("no release tag was found in the history it holds, which stops at commit %s; "+
			"the previous release may be older than the clone", ShortSHA(cut))
	}
	return fmt.Sprintf("the range %s..%s reaches the clone's cut at commit %s before reaching %s",
		ShortSHA(r.From), ShortSHA(r.To), ShortSHA(cut), r.FromRef)
}

// ShortSHA abbreviates a commit hash to its first 7 characters, as
// [Entry.ShortSHA] and messages show it.
func ShortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// builder collects entries and the commit graph while git log streams.
type builder struct {
	names         map[string]string // one copy of each author name and e-mail
	nodes         map[string]node
	entries       []Entry   // all of them once gathered; during add, the last block
	blocks        [][]Entry // during add, the full blocks before entries
	dropped       []bool
	issues        *IssueMatcher
	includeMerges bool
	exclude       *regexp.Regexp    // ReadOptions.ExcludeCommits
	squash        SquashMode        // ReadOptions.SquashMerges
	partBuf       []part            // reused by parts
	excluded      []bool            // by entry: exclude matches; nil without exclude
	lint          []lintMark        // the entries that are not conventional
	authors       map[string]author // by authorKey, when new contributors are wanted
	warnings      []string          // the commits' Warnings
	withoutBodies bool              // ReadOptions.WithoutBodies
}

// author is an author of the range and the position in the log of their
// oldest commit in it.
type author struct {
	Person
	oldest int
}

// add records one commit: always in the graph, and as an entry unless it is a
// merge commit and merges are not entries.
func (b *builder) add(c Commit) {
	b.warnings = append(b.warnings, c.Warnings...)
	msg := ParseMessage(c.Message)
	n := node{parents: c.Parents, entry: -1}
	merge := len(c.Parents) > 1
	var branchIssues []string
	if msg.Merge != nil {
		branchIssues = b.issues.Find(msg.Merge.Branch)
		if merge {
			n.pr, n.issues = msg.Merge.PullRequest, branchIssues
		}
	}
	excluded := b.exclude != nil && (b.exclude.MatchString(firstLine(c.Message)) ||
		b.exclude.MatchString(c.AuthorName+" <"+c.AuthorEmail+">"))
	parts := b.parts(c, msg, excluded)
	if !merge || b.includeMerges {
		n.entry = int32(len(b.dropped))
		for _, p := range parts {
			b.addEntry(c, p, branchIssues)
		}
	}
	b.nodes[c.SHA] = n
	if b.authors != nil && slices.ContainsFunc(parts, part.counts) {
		k := authorKey(c.AuthorName, c.AuthorEmail)
		a, ok := b.authors[k]
		if !ok { // the newest commit names the author
			a.Person = Person{Name: c.AuthorName, Email: c.AuthorEmail}
		}
		a.oldest = len(b.nodes) // the log is newest first
		b.authors[k] = a
	}
}

// addEntry makes an entry of a commit: the commit's, or one of a split
// squash merge's.
func (b *builder) addEntry(c Commit, p part, branchIssues []string) {
	c.AuthorName, c.AuthorEmail = b.intern(c.AuthorName), b.intern(c.AuthorEmail)
	e := newEntry(c, p.msg)
	e.Issues = b.issues.Find(append([]string{e.Subject, e.Body, footerText(p.msg.Footers), p.also}, branchIssues...)...)
	if p.pr > 0 {
		// A merge commit entry, or a squash merge's: its PR.
		e.PullRequest = intPtr(p.pr)
	}
	if p.bullet > 0 {
		e.Bullet = intPtr(p.bullet)
	}
	if problem := Lint(p.msg); problem != NoProblem && !e.Merge && p.bullet == 0 {
		b.lint = append(b.lint, lintMark{entry: len(b.dropped), problem: problem})
	}
	if b.withoutBodies {
		e.dropBody()
	}
	if len(b.entries) == entryBlock {
		b.blocks = append(b.blocks, b.entries)
		b.entries = make([]Entry, 0, entryBlock)
	}
	b.entries = append(b.entries, e)
	b.dropped = append(b.dropped, false)
	if b.exclude != nil {
		b.excluded = append(b.excluded, p.excluded)
	}
}

// entryBlock is how many entries the builder holds in one block while it
// reads; [builder.gather] copies them once into one array of the right
// size when they are all read. An array grown by append instead holds the
// old and the new array at once at each step: at 100,000 commits the live
// heap peaked at ~79 MB with it, ~54 MB with blocks. The CPU is the same
// (the profile moves the copying from growslice to gather, as fresh pages
// cost the same to touch), so memory is the reason.
const entryBlock = 4096

// gather puts the entries of every block into one array of the right size.
func (b *builder) gather() {
	if len(b.blocks) == 0 {
		return
	}
	all := make([]Entry, 0, len(b.dropped))
	for i, block := range b.blocks {
		all = append(all, block...)
		b.blocks[i] = nil
	}
	b.entries, b.blocks = append(all, b.entries...), nil
}

// dropBody empties e's Body and Footers and copies the strings it keeps
// that are pieces of its commit's message (all in one allocation), so
// that the message can be freed.
func (e *Entry) dropBody() {
	e.Body, e.Footers = "", nil
	kept := [...]*string{&e.Type, &e.Scope, &e.Subject, &e.BreakingNote, &e.revertOf}
	n := 0
	for _, s := range kept {
		n += len(*s)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, s := range kept {
		sb.WriteString(*s)
	}
	all := sb.String()
	for _, s := range kept {
		*s, all = all[:len(*s)], all[len(*s):]
	}
}

// firstLine returns the first non-blank line of a message, trimmed.
func firstLine(msg string) string {
	msg = strings.TrimLeftFunc(msg, unicode.IsSpace)
	line, _, _ := strings.Cut(msg, "\n")
	return strings.TrimSpace(line)
}

// newEntry makes the entry of a commit from its parsed message.
func newEntry(c Commit, msg Message) Entry {
	e := Entry{
		SHA:          c.SHA,
		ShortSHA:     ShortSHA(c.SHA),
		Type:         msg.Type,
		Scope:        msg.Scope,
		Subject:      msg.Subject,
		Body:         msg.Body,
		Breaking:     msg.Breaking,
		BreakingNote: msg.BreakingNote,
		Footers:      msg.Footers,
		Author:       Person{Name: c.AuthorName, Email: c.AuthorEmail},
		Date:         c.AuthorDate,
		committed:    c.CommitDate,
		Merge:        len(c.Parents) > 1,
		Revert:       msg.Revert != nil,
	}
	if e.Type == "" {
		e.Type = TypeOther
	}
	if msg.Revert != nil {
		e.revertOf = msg.Revert.SHA
	}
	return e
}

// footerText joins footer values so issue keys in them are found.
func footerText(fs []Footer) string {
	var sb strings.Builder
	for _, f := range fs {
		sb.WriteString(f.Value)
		sb.WriteByte('\n')
	}
	return sb.String()
}

func intPtr(n int) *int { return &n }

// intern returns one shared copy of s: a history has far fewer authors than
// commits.
func (b *builder) intern(s string) string {
	if v, ok := b.names[s]; ok {
		return v
	}
	if b.names == nil {
		b.names = map[string]string{}
	}
	b.names[s] = s
	return s
}

// attributePullRequests gives every commit brought in by a merge that
// merge's pull request number, when it has one, and the issue keys of its
// branch name. A merge brings in the
// commits reachable from its second parent and not from its first. Walking
// the first-parent line of to from the oldest commit up, everything reachable
// from older commits is already marked, so each merge's walk stops there. A
// pull request merged into another branch before that branch was merged
// keeps its own number.
func (b *builder) attributePullRequests(to string) {
	var line []string
	for sha := to; sha != ""; {
		n, ok := b.nodes[sha]
		if !ok {
			break
		}
		line = append(line, sha)
		sha = n.firstParent()
	}
	type visit struct {
		sha    string
		pr     int
		issues []string
	}
	seen := make(map[string]bool, len(b.nodes))
	var stack []visit
	for i := len(line) - 1; i >= 0; i-- {
		m := b.nodes[line[i]]
		seen[line[i]] = true
		for _, p := range slices.Backward(m.otherParents()) {
			stack = append(stack, visit{p, m.pr, m.issues})
		}
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n, ok := b.nodes[v.sha]
			if !ok || seen[v.sha] {
				continue
			}
			seen[v.sha] = true
			if n.entry >= 0 && (v.pr > 0 || len(v.issues) > 0) {
				for i := range b.commitEntries(n.entry) {
					b.entries[i].attach(v.pr, v.issues)
				}
			}
			if len(n.parents) == 0 {
				continue
			}
			stack = append(stack, visit{n.firstParent(), v.pr, v.issues})
			inner := v
			if n.pr > 0 || len(n.issues) > 0 {
				inner = visit{pr: n.pr, issues: n.issues}
			}
			for _, p := range n.otherParents() {
				stack = append(stack, visit{p, inner.pr, inner.issues})
			}
		}
	}
}

// attach gives an entry the pull request that brought it in (0: a merge
// without one), unless it has one, and the issue keys of the merged branch.
func (e *Entry) attach(pr int, issues []string) {
	if e.PullRequest == nil && pr > 0 {
		e.PullRequest = intPtr(pr)
	}
	for _, k := range issues {
		if !slices.Contains(e.Issues, k) {
			e.Issues = append(e.Issues, k)
		}
	}
}

// dropRevertPairs drops each revert whose reverted commit is in the range,
// together with that commit, newest first, so that reverting a revert brings
// the original back. It returns how many entries it dropped.
func (b *builder) dropRevertPairs() int {
	n := 0
	for i := range b.entries {
		e := &b.entries[i]
		if b.dropped[i] || e.revertOf == "" {
			continue
		}
		t, ok := b.nodes[e.revertOf]
		if !ok || t.entry < 0 || b.dropped[t.entry] {
			continue
		}
		b.dropped[i] = true
		n++
		for j := range b.commitEntries(t.entry) { // a split squash merge's, all
			b.dropped[j] = true
			n++
		}
	}
	return n
}

// keep drops the entries for whose index ok is false and returns how many
// it dropped.
func (b *builder) keep(ok func(i int) bool) int {
	n := 0
	for i := range b.entries {
		if !b.dropped[i] && !ok(i) {
			b.dropped[i] = true
			n++
		}
	}
	return n
}

// lintMark is an entry whose message is not conventional, and why.
type lintMark struct {
	entry   int
	problem Problem
}

// unconventional lists the entries not conventional that are still kept,
// not counting the type filter, which runs after it, and counting
// ExcludeCommits, which has not run yet: it keeps breaking changes.
func (b *builder) unconventional() []Unconventional {
	var out []Unconventional
	for _, m := range b.lint {
		e := &b.entries[m.entry]
		if b.dropped[m.entry] || b.excluded != nil && b.excluded[m.entry] && !e.Breaking {
			continue
		}
		out = append(out, Unconventional{SHA: e.SHA, Subject: e.Subject, Problem: m.problem})
	}
	return out
}

// types returns the sorted types of all entries.
func (b *builder) types() []string {
	var types []string
	for i := range b.entries {
		if t := b.entries[i].Type; !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	slices.Sort(types)
	return types
}

// result returns the entries not dropped, in log order, reusing the
// builder's own array (the builder is done with).
func (b *builder) result() []Entry {
	out := b.entries[:0]
	for i := range b.entries {
		if !b.dropped[i] {
			out = append(out, b.entries[i])
		}
	}
	clear(b.entries[len(out):]) // let go of the dropped entries' text
	return slices.Clip(out)
}

// touchingPaths lists the commits of r that touch paths, with one more git
// log call that prints hashes only.
func touchingPaths(ctx context.Context, g *Git, r Range, paths []string) (map[string]bool, error) {
	args := []string{"log", "--format=%H", "--full-history", "--no-decorate", "--end-of-options"}
	args = append(append(append(args, r.revs()...), "--"), paths...)
	out, err := g.Run(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("list the commits touching %s: %w", strings.Join(paths, ", "), err)
	}
	set := map[string]bool{}
	for _, sha := range strings.Fields(string(out)) {
		set[sha] = true
	}
	return set, nil
}

// Person is a commit author.
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// TypeOther is the type of entries whose message is not a Conventional Commit.
const TypeOther = "other"

// Entry is one changelog entry: a commit (a squash merge read as one
// entry included) or one bullet of a split squash merge, as the notes,
// the JSON document and the pipe's rows show it. The JSON names are part of the
// pipe's interface (OUTPUT_JSON): do not rename them.
type Entry struct {
	SHA          string    `json:"sha"`
	ShortSHA     string    `json:"short_sha"`
	Type         string    `json:"type"`
	Scope        string    `json:"scope"`
	Subject      string    `json:"subject"`
	Body         string    `json:"body"`
	Breaking     bool      `json:"breaking"`
	BreakingNote string    `json:"breaking_note"`
	Footers      []Footer  `json:"footers"`
	Issues       []string  `json:"issues"`
	PullRequest  *int      `json:"pull_request"`
	Author       Person    `json:"author"`
	Date         time.Time `json:"date"`
	URL          string    `json:"url"`
	Merge        bool      `json:"merge"`
	Revert       bool      `json:"revert"`
	// Bullet is, for an entry made of one bullet of a squash merge
	// ([SquashSplit]), that bullet's number in the message, counting from 1;
	// nil for an entry of a whole commit. SHA and the other fields of the
	// commit are then the squash commit's. See [Entry.Key].
	Bullet *int `json:"bullet"`

	revertOf  string    // full hash of the commit this one reverts
	committed time.Time // committer date, for a deployment's lead time
}

// CommitDate is the entry's committer date: when the change was committed
// (or rebased, or squash-merged), which a deployment's lead time counts
// from. Date is the author date.
func (e Entry) CommitDate() time.Time { return e.committed }
