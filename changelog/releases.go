package changelog

import (
	"context"
	"fmt"
	"slices"
)

// ReleaseHistory is one release found by [ReadReleases]: its range and what
// the range holds, as [ResolveRange] and [ReadRange] would give them.
type ReleaseHistory struct {
	Range   Range
	History History
}

// ReleasesOptions says which history [ReadReleases] splits into releases.
type ReleasesOptions struct {
	// To is the build's commit, as [RangeOptions.To]: the history is what
	// it reaches. Empty means HEAD.
	To string
	// Tags decides which tags are releases. Nil means the default pattern.
	Tags *TagMatcher
	// Version is the build's version when known, as [RangeOptions.Version]:
	// it chooses the previous release of To's own release.
	Version string
}

// ReadReleases splits the history reachable from build.To into its
// releases, to backfill a changelog. It reads the history with one git log
// call (and, with [ReadOptions.Paths], one more that prints hashes only)
// and works out every range in memory.
//
// Every commit with a release tag is a release; when several release tags
// point at one commit, the newest names it. The releases come oldest
// first, each ranging from the release before it as [ResolveRange] chooses
// that for a tag build: the newest release tag that is an ancestor,
// pre-releases counting only for a pre-release. The release of To comes
// last, with its previous release chosen as ResolveRange would choose it
// for a build of To with build.Version (so pre-release tags count when the
// build's version is a pre-release); when To has no release tag of its own,
// its release holds the commits after the newest tag and its AtTo is nil. A
// history without release tags is one such release of the whole history.
//
// Each History is what [ReadRange] would return for the Range, filters and
// new contributors included. In a shallow clone the whole history is
// needed, so the clone's cut is a [*ShallowError].
func ReadReleases(ctx context.Context, g *Git, build ReleasesOptions, opts ReadOptions) ([]ReleaseHistory, error) {
	b, err := startBuild(ctx, g, build.To, build.Tags, nil)
	if err != nil {
		return nil, err
	}
	toSHA := b.to

	h := history{index: map[string]int32{}}
	digester := newBuilder(opts, false)
	err = streamCommits(ctx, g, func(c Commit) error {
		if b.boundary[c.SHA] {
			return &ShallowError{Range: Range{To: toSHA, Shallow: true}, Detail: fmt.Sprintf(
				"the history of %s stops at commit %s, while a backfill needs all of it", ShortSHA(toSHA), ShortSHA(c.SHA))}
		}
		digester.digest(c, h.add(c.SHA))
		return nil
	}, toSHA)
	if err != nil {
		return nil, err
	}
	h.link()

	var touched map[string]bool
	if len(opts.Paths) > 0 {
		if touched, err = touchingPaths(ctx, g, Range{To: toSHA}, opts.Paths); err != nil {
			return nil, err
		}
	}

	var reachable []Tag // release tags in the history
	atTip := map[string][]Tag{}
	nonSemver := 0
	for _, t := range b.tags {
		if _, ok := h.index[t.Commit]; ok {
			reachable = append(reachable, t)
			atTip[t.Commit] = append(atTip[t.Commit], t)
			if !t.Semver {
				nonSemver++
			}
		}
	}
	// The candidates for a release's previous release are sorted once, in
	// both of sortNewestFirst's orders: by version when every candidate is
	// a semantic version, else by date.
	byVersion, byDate := slices.Clone(reachable), slices.Clone(reachable)
	sortTags(byVersion, true)
	sortTags(byDate, false)
	tips := releaseTips(reachable)
	// To's release comes last, even when an older commit has a higher
	// version: it is the build's.
	tips = append(slices.DeleteFunc(tips, func(tip string) bool { return tip == toSHA }), toSHA)

	h.findReachers(tips)

	out := make([]ReleaseHistory, 0, len(tips))
	for _, tip := range tips {
		r := Range{To: tip, Shallow: b.shallow}
		building := ""
		if tip == toSHA {
			building = build.Version
		}
		at := atTip[tip]
		r.AtTo = newest(at)
		r.Previous = h.previous(tip, candidatesOrder(byVersion, byDate, nonSemver, at), prereleaseBuild(b.matcher, building, r.AtTo))
		r.sincePrevious()
		out = append(out, ReleaseHistory{Range: r, History: h.read(r, opts, touched)})
	}
	return out, nil
}

// candidatesOrder is the order of the candidates for the previous release
// of a commit with the tags at: by version when every other tag is a
// semantic version, by date otherwise, as sortNewestFirst chooses.
func candidatesOrder(byVersion, byDate []Tag, nonSemver int, at []Tag) []Tag {
	for _, t := range at {
		if !t.Semver {
			nonSemver--
		}
	}
	if nonSemver == 0 {
		return byVersion
	}
	return byDate
}

// previous returns the previous release of tip: the first of tags (newest
// first) that is not at tip, is an ancestor of it and, unless withPre, is
// no pre-release, as [ResolveRange] chooses it.
func (h *history) previous(tip string, tags []Tag, withPre bool) *Tag {
	for _, t := range tags {
		if t.Commit != tip && (withPre || !t.Version.Prerelease() || !t.Semver) && h.reaches(tip, t.Commit) {
			return &t
		}
	}
	return nil
}

// releaseTips returns the commits of the release tags, one per commit,
// oldest release first.
func releaseTips(tags []Tag) []string {
	newest := map[string]Tag{} // by commit
	for _, t := range tags {
		if cur, ok := newest[t.Commit]; ok {
			pair := []Tag{cur, t}
			sortNewestFirst(pair)
			t = pair[0]
		}
		newest[t.Commit] = t
	}
	releases := make([]Tag, 0, len(newest))
	for _, t := range newest {
		releases = append(releases, t)
	}
	sortNewestFirst(releases)
	tips := make([]string, len(releases))
	for i, t := range releases {
		tips[len(releases)-1-i] = t.Commit
	}
	return tips
}

// history is a whole history held in memory, with its commit graph, for
// working out many ranges of it. Its commits are digested as they are
// read ([builder.digest]): parsed once, whatever the number of releases,
// and without their messages unless the entries keep bodies. Holding whole
// commits instead, a backfill of 100,000 commits held ~150 MB, and 19% of
// its CPU was the garbage collector marking them (bench/README.md).
//
// Which release tips reach each commit ([history.findReachers]) is worked
// out once, in one pass over the graph: a release's range is then walked
// from its tip to the edge of its previous release's history, and no
// more. Walking every release's history whole, twice (its tip's and its
// previous release's), and then looking at every commit of the history
// for each release took 16% of the CPU of a backfill of 100,000 commits
// and 330 releases.
type history struct {
	blocks   [][]digest       // the commits in git log order (newest first), historyBlock to a block
	n        int              // how many commits
	index    map[string]int32 // position in the log by hash
	parents  []int32          // the positions of each commit's parents in the history, commit after commit
	ends     []int32          // by commit: where its parents end in parents
	reachers tipSets          // which release tips reach each commit
	seen     []uint32         // by commit: the number of the last walk that reached it
	walks    uint32           // how many walks there have been
	stack    []int32
	inRange  []int32          // the commits of the range being read, reused
	authors  *bitsets         // by author, the union of the reachers of their commits, once new contributors are wanted
	authorOf map[string]int32 // the number of each author's set in authors, by authorKey
}

// historyBlock is how many commits the history holds in one block. The
// digests are ~200 bytes each: in one slice grown by append, copying them
// at every growth (into fresh pages, under the garbage collector's write
// barrier) was 17% of the CPU profile of a backfill of 100,000 commits;
// in blocks, reading its releases takes ~8% less CPU (7 interleaved runs).
const historyBlock = 4096

// add makes room for the next commit of the log, sha, and returns where to
// digest it.
func (h *history) add(sha string) *digest {
	if h.n%historyBlock == 0 {
		h.blocks = append(h.blocks, make([]digest, historyBlock))
	}
	h.index[sha] = int32(h.n)
	h.n++
	return h.commit(int32(h.n - 1))
}

// commit returns the digest of the commit at position i.
func (h *history) commit(i int32) *digest {
	return &h.blocks[i/historyBlock][i%historyBlock]
}

// link works out the parents of each commit.
func (h *history) link() {
	h.ends = make([]int32, h.n)
	for i := range int32(h.n) {
		for _, p := range h.commit(i).parents {
			if j, ok := h.index[p]; ok {
				h.parents = append(h.parents, j)
			}
		}
		h.ends[i] = int32(len(h.parents))
	}
	h.seen = make([]uint32, h.n)
}

// parentsOf returns the positions of commit i's parents.
func (h *history) parentsOf(i int32) []int32 {
	start := int32(0)
	if i > 0 {
		start = h.ends[i-1]
	}
	return h.parents[start:h.ends[i]]
}

// findReachers works out which of tips (commits of the history, each
// once) reach each commit, numbering each tip by its position in tips.
func (h *history) findReachers(tips []string) {
	at := make([]int32, len(tips))
	for k, tip := range tips {
		at[k] = h.index[tip]
	}
	h.reachers = newTipSets(h.n, h.parentsOf, at)
}

// reaches reports whether the release tip from reaches the release tip to:
// whether to is an ancestor of from, or from itself.
func (h *history) reaches(from, to string) bool {
	return h.reachers.reaches(h.reachers.tip[h.index[from]], h.index[to])
}

// rangeOf returns the positions of the commits reachable from the release
// tip to and not from the release tip from ("" for none), in log order.
// It walks from to and stops at from's history, which it knows from the
// reachers without walking it.
func (h *history) rangeOf(to, from string) []int32 {
	fromTip := int32(-1)
	if from != "" {
		fromTip = h.reachers.tip[h.index[from]]
	}
	outside := func(i int32) bool { return fromTip >= 0 && h.reachers.reaches(fromTip, i) }
	h.walks++
	h.inRange = h.inRange[:0]
	h.stack = append(h.stack[:0], h.index[to])
	for len(h.stack) > 0 {
		i := h.stack[len(h.stack)-1]
		h.stack = h.stack[:len(h.stack)-1]
		if h.seen[i] == h.walks || outside(i) {
			continue
		}
		h.seen[i] = h.walks
		h.inRange = append(h.inRange, i)
		h.stack = append(h.stack, h.parentsOf(i)...)
	}
	slices.Sort(h.inRange)
	return h.inRange
}

// read builds the History of r, whose To and From are release tips, as
// ReadRange would.
func (h *history) read(r Range, opts ReadOptions, touched map[string]bool) History {
	b := newBuilder(opts, opts.NewContributors && r.From != "")
	for _, i := range h.rangeOf(r.To, r.From) {
		b.addDigest(h.commit(i))
	}
	rh := b.history(r.To, opts, touched)
	rh.Date = h.commit(h.index[r.To]).committed
	if len(b.authors) > 0 {
		pending := b.authors // the builder is done with them
		fromTip := h.reachers.tip[h.index[r.From]]
		for k := range pending {
			if h.knownAt(k, fromTip) {
				delete(pending, k)
			}
		}
		rh.NewContributors = byFirstCommit(pending)
	}
	return rh
}

// knownAt reports whether the author with authorKey k has a commit that
// release tip number tip reaches.
func (h *history) knownAt(k string, tip int32) bool {
	if h.authors == nil {
		h.authors = &bitsets{words: h.reachers.words}
		h.authorOf = map[string]int32{}
		for i := range int32(h.n) {
			d := h.commit(i)
			key := authorKey(d.author.Name, d.author.Email)
			a, ok := h.authorOf[key]
			if !ok {
				a = h.authors.add()
				h.authorOf[key] = a
			}
			h.authors.or(a, h.reachers.set(h.reachers.of[i]))
		}
	}
	a, ok := h.authorOf[k]
	return ok && h.authors.has(a, tip)
}

// tipSets say which release tips reach each commit of a history: the
// tips it is an ancestor of, or is. A commit's set is the union of its
// children's, itself added when it is a tip. Most commits have their one
// child's set, or children whose sets are one within another (a branch
// forked from main and merged back into it), so commits share sets: each
// holds the number of its set, and a new set is made only for a tip and
// for a commit whose children's sets are not one within another. At
// 100,000 commits and 330 tips that is ~330 sets of 48 bytes.
type tipSets struct {
	bitsets
	of    []int32         // by commit: its set
	tip   map[int32]int32 // by commit: its number as a tip, when it is one
	owner []int32         // by set: the commit it was made for, while that commit's set is still growing; -1 for set 0
}

// newTipSets works out the tip sets of the n commits of a history, with
// their parents' positions, for the commits at tips (numbered by their
// place in tips). It goes through the commits once, each after all its
// children (Kahn's topological order: git log's order is by date, and a
// clock that was wrong can put a commit after its parent).
func newTipSets(n int, parentsOf func(int32) []int32, tips []int32) tipSets {
	t := tipSets{bitsets: bitsets{words: (len(tips) + 63) / 64}, of: make([]int32, n), tip: make(map[int32]int32, len(tips))}
	for k, c := range tips {
		t.tip[c] = int32(k)
	}
	t.add() // set 0, the empty set, every commit's until a child gives it its own
	t.owner = append(t.owner, -1)
	children := make([]int32, n) // by commit: how many of its children are still to be seen
	for i := range int32(n) {
		for _, p := range parentsOf(i) {
			children[p]++
		}
	}
	var ready []int32 // commits whose children have all been seen
	for i := range int32(n) {
		if children[i] == 0 {
			ready = append(ready, i)
		}
	}
	for len(ready) > 0 {
		c := ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		if k, ok := t.tip[c]; ok {
			t.set(t.own(c))[k/64] |= 1 << (k % 64)
		}
		for _, p := range parentsOf(c) {
			t.give(p, t.of[c])
			if children[p]--; children[p] == 0 {
				ready = append(ready, p)
			}
		}
	}
	return t
}

// give adds set s, a child's, to commit c's set.
func (t *tipSets) give(c, s int32) {
	cur := t.of[c]
	switch {
	case cur == s || t.subset(s, cur):
	case t.subset(cur, s):
		t.of[c] = s
	default:
		own := t.own(c)
		t.or(own, t.set(s))
	}
}

// own returns the number of a set of commit c's own, which it can grow
// without changing another commit's: its set, or a new copy of it.
func (t *tipSets) own(c int32) int32 {
	if s := t.of[c]; t.owner[s] == c {
		return s
	}
	s := t.add()
	copy(t.set(s), t.set(t.of[c]))
	t.owner = append(t.owner, c)
	t.of[c] = s
	return s
}

// reaches reports whether tip number k reaches commit c.
func (t *tipSets) reaches(k, c int32) bool { return t.has(t.of[c], k) }

// bitsets are sets of small numbers, all of one size, in one slice.
type bitsets struct {
	words int      // how many words a set takes
	bits  []uint64 // set s is bits[s*words : (s+1)*words]
}

// add adds an empty set and returns its number.
func (b *bitsets) add() int32 {
	b.bits = append(b.bits, make([]uint64, b.words)...)
	return int32(len(b.bits)/b.words - 1)
}

// set returns the words of set s.
func (b *bitsets) set(s int32) []uint64 {
	return b.bits[int(s)*b.words : int(s+1)*b.words]
}

// has reports whether set s holds n.
func (b *bitsets) has(s, n int32) bool {
	return b.set(s)[n/64]&(1<<(n%64)) != 0
}

// or adds the members of words, a set of the same size, to set s.
func (b *bitsets) or(s int32, words []uint64) {
	dst := b.set(s)
	for w, x := range words {
		dst[w] |= x
	}
}

// subset reports whether set s is a subset of set o.
func (b *bitsets) subset(s, o int32) bool {
	x := b.set(o)
	for w, y := range b.set(s) {
		if y&^x[w] != 0 {
			return false
		}
	}
	return true
}
