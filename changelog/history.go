package changelog

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"iter"
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
	// requests are still found in the whole message. An entry keeps
	// copies of its short fields either way, but its Body and Footers are
	// pieces of the message, so without them a long history's message
	// text is not held in memory.
	WithoutBodies bool
	// BodiesForJSON keeps every entry's body and footers for [WriteJSON]
	// only, for a run where nothing else reads them (no template prints
	// them, no other output carries them): [ReadRange] writes them to an
	// unlinked temporary file as it reads, the entries' Body and Footers
	// stay empty, and WriteJSON, given a release of the history, reads
	// each back as it writes the entry, so that a long history's bodies
	// are never in memory at once. The file, unlinked from the start, is
	// closed once neither the history nor its releases are referred to.
	// Where no temporary file can be made or written, they are kept in
	// the entries as without it. WithoutBodies overrides it.
	// [ReadReleases] keeps bodies in the entries.
	BodiesForJSON bool
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

	bodies *bodyStore // the entries' bodies, with ReadOptions.BodiesForJSON
}

// ReadRange reads the commits of r with one streamed git log call and turns
// them into entries, newest first: messages parsed, pull request numbers
// attached, revert pairs inside the range dropped, paths and types filtered.
// In a shallow clone a range that runs into the clone's cut is a
// [*ShallowError], never silently a shorter history.
func ReadRange(ctx context.Context, g *Git, r Range, opts ReadOptions) (History, error) {
	b := newBuilder(opts, opts.NewContributors && r.From != "")
	if opts.BodiesForJSON && !opts.WithoutBodies {
		b.bodies, _ = newBodyStore() // without one, bodies are kept in memory
	}
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
	if b.bodies != nil {
		b.bodies.finish()
		h.bodies = b.bodies
	}
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
	b := &builder{issues: issues, includeMerges: opts.IncludeMerges, exclude: opts.ExcludeCommits, squash: opts.SquashMerges, withoutBodies: opts.WithoutBodies}
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
	b.attributePullRequests(to)
	h := History{Commits: b.graph.commits(), TypesSeen: b.types(), Warnings: b.warnings}
	h.Reverted = b.dropRevertPairs()
	b.graph = graph{} // let go of it before the entries are made
	if len(opts.Paths) > 0 {
		b.keep(func(r *record) bool { return touched[r.sha()] })
	}
	h.NotConventional = b.unconventional()
	if len(opts.ExcludeTypes) > 0 {
		h.ExcludedTypes = b.keep(func(r *record) bool {
			return r.flag(flagBreaking) || !slices.Contains(opts.ExcludeTypes, r.typ())
		})
	}
	if opts.ExcludeCommits != nil {
		h.ExcludedCommits = b.keep(func(r *record) bool { return r.flag(flagBreaking) || !r.flag(flagExcluded) })
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

// builder collects entries and the commit graph while git log streams. It
// holds, per commit, what the graph needs (see [graph]), and per entry a
// compact [record], and makes the []Entry only once the revert pairs and
// the filters have dropped what they drop. At 100,000 commits (whole
// history, no bodies; GODEBUG=gctrace=1) the live heap grew to ~55 MB
// while reading with whole entries and a map of nodes, and peaked at
// ~82 MB copying the entries into one array; with records and [graph] it
// grows to ~33 MB while reading and peaks at ~50 MB, the entries made.
type builder struct {
	graph         graph
	blocks        [][]record // the records, in log order, entryBlock to a block
	n             int        // how many records
	people        []Person   // the authors, each once
	personIndex   map[Person]int32
	issues        *IssueMatcher
	includeMerges bool
	exclude       *regexp.Regexp    // ReadOptions.ExcludeCommits
	squash        SquashMode        // ReadOptions.SquashMerges
	partBuf       []part            // reused by parts
	lint          []lintMark        // the entries that are not conventional
	authors       map[string]author // by authorKey, when new contributors are wanted
	warnings      []string          // the commits' Warnings
	withoutBodies bool              // ReadOptions.WithoutBodies
	bodies        *bodyStore        // where bodies go with ReadOptions.BodiesForJSON; nil: in the records
	scratch       digest            // add's, reused commit after commit
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
	b.digest(c, &b.scratch)
	b.addDigest(&b.scratch)
}

// digest is what the builder makes of one commit before it adds it: its
// message parsed and the records of its entries made, but not yet
// numbered in a builder's graph and people. A backfill digests each commit
// of the history once, as git log streams it, and adds it to the builder
// of each release it is part of: it then keeps the records, not the whole
// commits with their messages.
type digest struct {
	sha          string
	parents      []string
	warnings     []string
	author       Person
	committed    time.Time // the committer date
	pr           int       // a merge commit's pull request
	branchIssues []string  // a merge commit's branch's issue keys
	entries      bool      // whether the commit makes entries: not a merge, or merges are entries
	counts       bool      // whether its author counts as a contributor (see part.counts)
	records      []record  // commit and author left for the builder to set
	problems     []Problem // by record: why its message is not conventional, if it counts
}

// digest makes d of c (reusing d's records), as the builder's options say.
func (b *builder) digest(c Commit, d *digest) {
	msg := ParseMessage(c.Message)
	merge := len(c.Parents) > 1
	*d = digest{sha: c.SHA, parents: c.Parents, warnings: c.Warnings, committed: c.CommitDate,
		author:  Person{Name: c.AuthorName, Email: c.AuthorEmail},
		entries: !merge || b.includeMerges, records: d.records[:0], problems: d.problems[:0]}
	var branchIssues []string
	if msg.Merge != nil {
		branchIssues = b.issues.Find(msg.Merge.Branch)
		if merge {
			d.pr, d.branchIssues = msg.Merge.PullRequest, branchIssues
		}
	}
	excluded := b.exclude != nil && (b.exclude.MatchString(firstLine(c.Message)) ||
		b.exclude.MatchString(c.AuthorName+" <"+c.AuthorEmail+">"))
	parts := b.parts(c, msg, excluded)
	d.counts = slices.ContainsFunc(parts, part.counts)
	if d.entries {
		for _, p := range parts {
			r, problem := b.record(c, p, branchIssues)
			d.records, d.problems = append(d.records, r), append(d.problems, problem)
		}
	}
}

// addDigest adds a digested commit: always to the graph, and its records
// as entries.
func (b *builder) addDigest(d *digest) {
	b.warnings = append(b.warnings, d.warnings...)
	entry := int32(-1)
	if d.entries {
		entry = int32(b.n)
		author := b.person(d.author)
		for i, r := range d.records {
			r.commit, r.author = int32(b.graph.len()), author
			r.issues = slices.Clip(r.issues) // attach appends to a copy, never into another release's
			if d.problems[i] != NoProblem {
				b.lint = append(b.lint, lintMark{entry: b.n, problem: d.problems[i]})
			}
			b.append(r)
		}
	}
	number := b.graph.add(d.sha, d.parents, entry, d.pr, d.branchIssues)
	if b.authors != nil && d.counts {
		k := authorKey(d.author.Name, d.author.Email)
		a, ok := b.authors[k]
		if !ok { // the newest commit names the author
			a.Person = d.author
		}
		a.oldest = int(number) + 1 // the log is newest first
		b.authors[k] = a
	}
}

// record makes the record of an entry of a commit: the commit's, or one
// of a split squash merge's; and says why its message is not conventional
// when that counts (a merge's and a squash bullet's do not).
func (b *builder) record(c Commit, p part, branchIssues []string) (record, Problem) {
	m := p.msg
	typ := m.Type
	if typ == "" {
		typ = TypeOther
	}
	var revertOf string
	if m.Revert != nil {
		revertOf = m.Revert.SHA
	}
	r := record{
		pr:        p.pr,
		bullet:    int32(p.bullet),
		date:      stampOf(c.AuthorDate),
		committed: stampOf(c.CommitDate),
	}
	r.pack(c.SHA, typ, m.Scope, m.Subject, m.BreakingNote, revertOf)
	r.setFlag(flagBreaking, m.Breaking)
	r.setFlag(flagMerge, len(c.Parents) > 1)
	r.setFlag(flagRevert, m.Revert != nil)
	r.setFlag(flagExcluded, p.excluded)
	r.issues = b.issues.Find(append([]string{m.Subject, m.Body, footerText(m.Footers), p.also}, branchIssues...)...)
	if !b.withoutBodies && (m.Body != "" || m.Footers != nil) {
		var ok bool
		if r.bodyAt, ok = b.bodies.put(m.Body, m.Footers); !ok {
			r.body = &bodyText{body: m.Body, footers: m.Footers}
		}
	}
	problem := NoProblem
	if !r.flag(flagMerge) && p.bullet == 0 {
		problem = Lint(m)
	}
	return r, problem
}

// append adds a record as the builder's next entry.
func (b *builder) append(r record) {
	if b.n%entryBlock == 0 {
		size := entryBlock
		if b.n == 0 {
			// The first block grows as append grows it: most ranges, and
			// most releases of a backfill, are a few hundred entries, and a
			// whole block is 0.5 MB to clear (a backfill of 330 releases
			// cleared 175 MB).
			size = 0
		}
		b.blocks = append(b.blocks, make([]record, 0, size))
	}
	last := len(b.blocks) - 1
	b.blocks[last] = append(b.blocks[last], r)
	b.n++
}

// entryBlock is how many records the builder holds in one block. An array
// grown by append holds the old and the new array at once at each step,
// and blocks can be let go of one by one while [builder.result] makes the
// entries of theirs.
const entryBlock = 4096

// rec returns the record of entry i.
func (b *builder) rec(i int) *record {
	return &b.blocks[i/entryBlock][i%entryBlock]
}

// records yields the index and record of every entry, in log order.
func (b *builder) records() iter.Seq2[int, *record] {
	return func(yield func(int, *record) bool) {
		for i := range b.n {
			if !yield(i, b.rec(i)) {
				return
			}
		}
	}
}

// record is what the builder keeps of an entry while it reads: the fields
// a release needs, its text in one string, the author and time zones as
// indexes into the builder's tables, the body behind a pointer (nil
// without bodies). [builder.entry] makes the [Entry] of it.
type record struct {
	text      string    // the hash, type, scope, subject, breaking note and reverted hash, in one string
	ends      [5]uint32 // where each piece of text but the last ends
	commit    int32     // the commit's number in the graph
	author    int32     // index in builder.people
	bullet    int32     // Entry.Bullet, 0 for none
	flags     uint8
	bodyAt    bodyPlace // Entry.bodyAt; beside flags, where the record has room
	pr        int       // the pull request, 0 for none (numbers may pass 2³¹)
	issues    []string
	body      *bodyText // nil without a body and footers, without bodies, or with them in the store
	date      stamp     // the author date
	committed stamp     // the committer date
}

// bodyText is the body and footers of an entry.
type bodyText struct {
	body    string
	footers []Footer
}

// The flags of a record.
const (
	flagBreaking uint8 = 1 << iota
	flagMerge
	flagRevert
	flagExcluded // ReadOptions.ExcludeCommits matches it
	flagDropped  // a revert pair or a filter dropped it
)

func (r *record) flag(f uint8) bool { return r.flags&f != 0 }

func (r *record) setFlag(f uint8, on bool) {
	if on {
		r.flags |= f
	} else {
		r.flags &^= f
	}
}

// pack stores the pieces of text in one allocation: the message they are
// pieces of can then be freed, which is most of a long history's memory.
func (r *record) pack(pieces ...string) {
	n := 0
	for _, s := range pieces {
		n += len(s)
	}
	var sb strings.Builder
	sb.Grow(n)
	for i, s := range pieces {
		sb.WriteString(s)
		if i < len(r.ends) {
			r.ends[i] = uint32(sb.Len())
		}
	}
	r.text = sb.String()
}

// piece returns the i-th piece of the record's text.
func (r *record) piece(i int) string {
	start, end := uint32(0), uint32(len(r.text))
	if i > 0 {
		start = r.ends[i-1]
	}
	if i < len(r.ends) {
		end = r.ends[i]
	}
	return r.text[start:end]
}

func (r *record) sha() string          { return r.piece(0) }
func (r *record) typ() string          { return r.piece(1) }
func (r *record) scope() string        { return r.piece(2) }
func (r *record) subject() string      { return r.piece(3) }
func (r *record) breakingNote() string { return r.piece(4) }
func (r *record) revertOf() string     { return r.piece(5) }

// stamp is a time as the builder keeps it: seconds since the zero time
// (January 1, year 1, UTC), nanoseconds and a zone of [zones], from which
// the same time.Time is made again. The zero stamp is the zero time.
type stamp struct {
	sec  int64
	nsec int32
	zone int32
}

// unixOfZero is the zero time in seconds since 1970.
const unixOfZero = -62135596800

// stampOf keeps t.
func stampOf(t time.Time) stamp {
	return stamp{sec: t.Unix() - unixOfZero, nsec: int32(t.Nanosecond()), zone: zoneOf(t)}
}

// time returns the time that s keeps.
func (s stamp) time() time.Time {
	zones.Lock()
	loc := zones.list[s.zone]
	zones.Unlock()
	return time.Unix(s.sec+unixOfZero, int64(s.nsec)).In(loc)
}

// zones are the time zones of the dates kept as a [stamp] (the builder's
// records, [Entry.CommitDate]), each once, numbered; UTC is 0. Commit dates
// have few zones: the offsets people commit from.
var zones = struct {
	sync.Mutex
	list  []*time.Location
	index map[zoneKey]int32
}{list: []*time.Location{time.UTC}, index: map[zoneKey]int32{{loc: time.UTC}: 0}}

// zoneKey tells time zones apart: time.Parse makes a new fixed zone for
// most dates with an offset, and fixed zones of the same name and offset
// are the same zone.
type zoneKey struct {
	loc    *time.Location // other zones, by identity
	name   string
	offset int
}

// zoneOf returns the number in [zones] of t's zone.
func zoneOf(t time.Time) int32 {
	loc := t.Location()
	k := zoneKey{loc: loc}
	if name, offset := t.Zone(); loc != time.Local && loc != time.UTC && loc.String() == name {
		k = zoneKey{name: name, offset: offset}
	}
	zones.Lock()
	defer zones.Unlock()
	z, ok := zones.index[k]
	if !ok {
		z = int32(len(zones.list))
		zones.list = append(zones.list, loc)
		zones.index[k] = z
	}
	return z
}

// person returns the index of p in the builder's people: a history has far
// fewer authors than commits.
func (b *builder) person(p Person) int32 {
	if i, ok := b.personIndex[p]; ok {
		return i
	}
	if b.personIndex == nil {
		b.personIndex = map[Person]int32{}
	}
	i := int32(len(b.people))
	b.people = append(b.people, p)
	b.personIndex[p] = i
	return i
}

// entry makes the entry of a record.
func (b *builder) entry(r *record) Entry {
	sha := r.sha()
	e := Entry{
		SHA:          sha,
		ShortSHA:     ShortSHA(sha),
		Type:         r.typ(),
		Scope:        r.scope(),
		Subject:      r.subject(),
		Breaking:     r.flag(flagBreaking),
		BreakingNote: r.breakingNote(),
		Issues:       r.issues,
		Author:       b.people[r.author],
		Date:         r.date.time(),
		Merge:        r.flag(flagMerge),
		Revert:       r.flag(flagRevert),
		commitSec:    r.committed.sec,
		commitNsec:   r.committed.nsec,
		commitZone:   r.committed.zone,
	}
	if r.body != nil {
		e.Body, e.Footers = r.body.body, r.body.footers
	}
	e.bodyAt = r.bodyAt
	if r.pr > 0 {
		e.PullRequest = intPtr(r.pr)
	}
	if r.bullet > 0 {
		e.Bullet = intPtr(int(r.bullet))
	}
	return e
}

// firstLine returns the first non-blank line of a message, trimmed.
func firstLine(msg string) string {
	msg = strings.TrimLeftFunc(msg, unicode.IsSpace)
	line, _, _ := strings.Cut(msg, "\n")
	return strings.TrimSpace(line)
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

// attributePullRequests gives every commit brought in by a merge that
// merge's pull request number, when it has one, and the issue keys of its
// branch name. A merge brings in the
// commits reachable from its second parent and not from its first. Walking
// the first-parent line of to from the oldest commit up, everything reachable
// from older commits is already marked, so each merge's walk stops there. A
// pull request merged into another branch before that branch was merged
// keeps its own number.
func (b *builder) attributePullRequests(to string) {
	g := &b.graph
	var line []int32
	for n, ok := g.number(hashKeyOf(to)); ok; n, ok = g.firstParent(n) {
		line = append(line, n)
	}
	type visit struct {
		commit int32
		merge  mergeInfo
	}
	seen := make([]bool, g.len())
	var stack []visit
	for _, m := range slices.Backward(line) {
		seen[m] = true
		for _, p := range slices.Backward(g.otherParents(m)) {
			if n, ok := g.number(p); ok {
				stack = append(stack, visit{n, g.merges[m]})
			}
		}
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[v.commit] {
				continue
			}
			seen[v.commit] = true
			if first := g.entry[v.commit]; first >= 0 && (v.merge.pr > 0 || len(v.merge.issues) > 0) {
				for i := range b.commitEntries(first) {
					b.rec(i).attach(v.merge)
				}
			}
			parents := g.parentsOf(v.commit)
			if len(parents) == 0 {
				continue
			}
			if n, ok := g.number(parents[0]); ok {
				stack = append(stack, visit{n, v.merge})
			}
			inner := v.merge
			if m, ok := g.merges[v.commit]; ok {
				inner = m
			}
			for _, p := range parents[1:] {
				if n, ok := g.number(p); ok {
					stack = append(stack, visit{n, inner})
				}
			}
		}
	}
}

// attach gives an entry the pull request that brought it in (0: a merge
// without one), unless it has one, and the issue keys of the merged branch.
// An entry without keys of its own shares the merge's slice, clipped so
// that appending to it copies: a long branch's commits would otherwise
// each hold a copy (3.6 MB of the live heap at 100,000 commits whose merges
// name a Jira key, before the entries are made).
func (r *record) attach(m mergeInfo) {
	if r.pr == 0 && m.pr > 0 {
		r.pr = m.pr
	}
	if len(r.issues) == 0 {
		r.issues = slices.Clip(m.issues)
		return
	}
	for _, k := range m.issues {
		if !slices.Contains(r.issues, k) {
			r.issues = append(r.issues, k)
		}
	}
}

// dropRevertPairs drops each revert whose reverted commit is in the range,
// together with that commit, newest first, so that reverting a revert brings
// the original back. It returns how many entries it dropped.
func (b *builder) dropRevertPairs() int {
	n := 0
	for _, r := range b.records() {
		revertOf := r.revertOf()
		if r.flag(flagDropped) || revertOf == "" || len(revertOf) != len(r.sha()) {
			continue
		}
		c, ok := b.graph.number(hashKeyOf(revertOf))
		if !ok {
			continue
		}
		t := b.graph.entry[c]
		if t < 0 || b.rec(int(t)).flag(flagDropped) {
			continue
		}
		r.setFlag(flagDropped, true)
		n++
		for j := range b.commitEntries(t) { // a split squash merge's, all
			b.rec(j).setFlag(flagDropped, true)
			n++
		}
	}
	return n
}

// keep drops the entries for whose record ok is false and returns how many
// it dropped.
func (b *builder) keep(ok func(r *record) bool) int {
	n := 0
	for _, r := range b.records() {
		if !r.flag(flagDropped) && !ok(r) {
			r.setFlag(flagDropped, true)
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
		r := b.rec(m.entry)
		if r.flag(flagDropped) || r.flag(flagExcluded) && !r.flag(flagBreaking) {
			continue
		}
		out = append(out, Unconventional{SHA: r.sha(), Subject: r.subject(), Problem: m.problem})
	}
	return out
}

// types returns the sorted types of all entries.
func (b *builder) types() []string {
	var types []string
	for _, r := range b.records() {
		if t := r.typ(); !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	slices.Sort(types)
	return types
}

// result returns the entries not dropped, in log order, in an array of
// their number, letting go of each block of records once its entries are
// made: the builder is done with.
//
// Two goroutines make the entries, each of half the blocks: this runs
// once git has finished, when the second core is free, and most of its
// time is the kernel giving the fresh array its pages (a 100,000-commit
// history's entries are 23 MB), which both cores can do at once, in huge
// pages where Linux has them ([adviseHugePages]).
func (b *builder) result() []Entry {
	if b.n == 0 {
		return nil
	}
	starts := make([]int, len(b.blocks)+1) // by block: the index in out of its first entry
	for i, block := range b.blocks {
		starts[i+1] = starts[i]
		for j := range block {
			if !block[j].flag(flagDropped) {
				starts[i+1]++
			}
		}
	}
	out := make([]Entry, starts[len(b.blocks)])
	adviseHugePages(out)
	fill := func(lo, hi int) { // the entries of blocks lo to hi-1
		for i := lo; i < hi; i++ {
			k := starts[i]
			for j := range b.blocks[i] {
				if r := &b.blocks[i][j]; !r.flag(flagDropped) {
					out[k] = b.entry(r)
					k++
				}
			}
			b.blocks[i] = nil
		}
	}
	half := len(b.blocks) / 2
	var wg sync.WaitGroup
	wg.Go(func() { fill(half, len(b.blocks)) })
	fill(0, half)
	wg.Wait()
	b.blocks, b.n = nil, 0
	return out
}

// graph is the commit graph of a range, as the pull-request attribution
// and the revert pairs need it, kept small: a history holds one commit of
// it per commit. Commits are numbered in log order; a commit's parents are
// kept as hashes (a parent may come later in the log, or be outside the
// range), all in one slice.
type graph struct {
	index   map[hashKey]int32   // the number of each commit
	parents []hashKey           // every commit's parents, first parent first, commit after commit
	ends    []int32             // by commit: where its parents end in parents
	entry   []int32             // by commit: its first entry, -1 for none
	merges  map[int32]mergeInfo // the merge commits with a pull request or branch issue keys
}

// mergeInfo is what a merge commit gives the commits it brings in.
type mergeInfo struct {
	pr     int      // its pull request, 0 for none
	issues []string // the issue keys of its branch name
}

// hashKey is a commit hash as a map key, in 20 bytes: the whole of a
// SHA-1, or a SHA-256 whose last 12 bytes are folded into its first ones
// (exclusive or), so that every bit counts. Two commits of one SHA-256
// repository with the same key would take about 2⁸⁰ tries to make, as long
// as finding a SHA-1 collision by brute force. A 32-byte key made the graph
// 13 MB of the ~40 MB live heap at 100,000 commits (heap profile).
type hashKey [20]byte

// hashKeyOf returns the key of a full hash as git prints it (lower-case
// hexadecimal); any other name, which only made-up commits have, is keyed
// by its SHA-256 sum.
func hashKeyOf(sha string) hashKey {
	var sum [32]byte
	if isFullHash(sha) {
		for i := range len(sha) / 2 {
			sum[i] = unhex(sha[2*i])<<4 | unhex(sha[2*i+1])
		}
	} else {
		sum = sha256.Sum256([]byte(sha))
	}
	var k hashKey
	copy(k[:], sum[:])
	for i, b := range sum[len(k):] {
		k[i] ^= b
	}
	return k
}

// unhex is the value of a lower-case hexadecimal digit.
func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

// add numbers a commit, with its parents, its first entry (-1 for none)
// and, for a merge, its pull request and branch issue keys, and returns
// its number.
func (g *graph) add(sha string, parents []string, entry int32, pr int, issues []string) int32 {
	if g.index == nil {
		g.index = map[hashKey]int32{}
	}
	n := int32(len(g.entry))
	g.index[hashKeyOf(sha)] = n
	for _, p := range parents {
		g.parents = append(g.parents, hashKeyOf(p))
	}
	g.ends = append(g.ends, int32(len(g.parents)))
	g.entry = append(g.entry, entry)
	if pr > 0 || len(issues) > 0 {
		if g.merges == nil {
			g.merges = map[int32]mergeInfo{}
		}
		g.merges[n] = mergeInfo{pr: pr, issues: issues}
	}
	return n
}

// len returns how many commits were added.
func (g *graph) len() int { return len(g.entry) }

// commits returns how many distinct commits the graph holds.
func (g *graph) commits() int { return len(g.index) }

// number returns the number of the commit with hash key k, if the range
// has it.
func (g *graph) number(k hashKey) (int32, bool) {
	n, ok := g.index[k]
	return n, ok
}

// parentsOf returns the parents of commit n, the first parent first.
func (g *graph) parentsOf(n int32) []hashKey {
	start := int32(0)
	if n > 0 {
		start = g.ends[n-1]
	}
	return g.parents[start:g.ends[n]]
}

// firstParent returns the number of commit n's first parent, if it has one
// and the range has it.
func (g *graph) firstParent(n int32) (int32, bool) {
	if ps := g.parentsOf(n); len(ps) > 0 {
		return g.number(ps[0])
	}
	return 0, false
}

// otherParents returns the parents of commit n after the first: the merged ones.
func (g *graph) otherParents(n int32) []hashKey {
	if ps := g.parentsOf(n); len(ps) > 1 {
		return ps[1:]
	}
	return nil
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
	SHA      string `json:"sha"`
	ShortSHA string `json:"short_sha"`
	Type     string `json:"type"`
	Scope    string `json:"scope"`
	Subject  string `json:"subject"`
	Body     string `json:"body"`
	Breaking bool   `json:"breaking"`
	// commitZone, commitNsec and commitSec are the committer date (see
	// [Entry.CommitDate]) as a [stamp] keeps it: a time.Time would take 24
	// bytes, and the zone and nanoseconds fit where the struct has room
	// after a bool; the zero Entry's is the zero time. An
	// Entry is 280 bytes, against 312 with a time.Time and the reverted
	// hash (which only the builder needs): 2.8 MB of the ~50 MB live heap
	// of a 100,000-commit history, whose entries are all in memory at once.
	commitZone   int32
	BreakingNote string    `json:"breaking_note"`
	Footers      []Footer  `json:"footers"`
	Issues       []string  `json:"issues"`
	PullRequest  *int      `json:"pull_request"`
	Author       Person    `json:"author"`
	Date         time.Time `json:"date"`
	URL          string    `json:"url"`
	Merge        bool      `json:"merge"`
	Revert       bool      `json:"revert"`
	commitNsec   int32
	// Bullet is, for an entry made of one bullet of a squash merge
	// ([SquashSplit]), that bullet's number in the message, counting from 1;
	// nil for an entry of a whole commit. SHA and the other fields of the
	// commit are then the squash commit's. See [Entry.Key].
	Bullet    *int `json:"bullet"`
	commitSec int64
	// bodyAt is, when the body and footers are kept aside for the JSON
	// ([ReadOptions.BodiesForJSON]), where they are in the store of the
	// entry's history and release; 0 when they are in Body and Footers.
	// 8 bytes an entry with the padding after it (0.7 MB at 100,000
	// commits), where a pointer to them would be as much and an
	// allocation more.
	bodyAt bodyPlace
}

// CommitDate is the entry's committer date: when the change was committed
// (or rebased, or squash-merged), which a deployment's lead time counts
// from. Date is the author date.
func (e Entry) CommitDate() time.Time { return stamp{e.commitSec, e.commitNsec, e.commitZone}.time() }
