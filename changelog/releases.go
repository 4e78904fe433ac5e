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
		h.index[c.SHA] = int32(len(h.commits))
		h.commits = append(h.commits, digest{})
		digester.digest(c, &h.commits[len(h.commits)-1])
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
		if r.From != "" {
			h.mark(1, r.From)
		}
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
// no pre-release, as [ResolveRange] chooses it. It marks tip's history as
// set 0.
func (h *history) previous(tip string, tags []Tag, withPre bool) *Tag {
	h.mark(0, tip)
	for _, t := range tags {
		if t.Commit != tip && (withPre || !t.Version.Prerelease() || !t.Semver) && h.marked(0, t.Commit) {
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
type history struct {
	commits []digest         // in git log order, newest first
	index   map[string]int32 // position in commits by hash
	parents [][]int32        // positions of each commit's parents in the history
	marks   [2][]uint32      // two sets of commits, members marked with gen
	gen     [2]uint32
	stack   []int32
	authors []string // authorKey of each commit, once new contributors are wanted
}

// link works out the parents of each commit.
func (h *history) link() {
	h.parents = make([][]int32, len(h.commits))
	for i, c := range h.commits {
		for _, p := range c.parents {
			if j, ok := h.index[p]; ok {
				h.parents[i] = append(h.parents[i], j)
			}
		}
	}
	for s := range h.marks {
		h.marks[s] = make([]uint32, len(h.commits))
	}
}

// mark makes set s the commits reachable from sha.
func (h *history) mark(s int, sha string) {
	h.gen[s]++
	gen, marks := h.gen[s], h.marks[s]
	h.stack = append(h.stack[:0], h.index[sha])
	for len(h.stack) > 0 {
		i := h.stack[len(h.stack)-1]
		h.stack = h.stack[:len(h.stack)-1]
		if marks[i] == gen {
			continue
		}
		marks[i] = gen
		h.stack = append(h.stack, h.parents[i]...)
	}
}

// marked reports whether sha is in set s.
func (h *history) marked(s int, sha string) bool {
	i, ok := h.index[sha]
	return ok && h.marks[s][i] == h.gen[s]
}

// read builds the History of r, whose To is marked in set 0 and whose From,
// when it has one, in set 1, as ReadRange would.
func (h *history) read(r Range, opts ReadOptions, touched map[string]bool) History {
	inFrom := func(i int) bool { return r.From != "" && h.marks[1][i] == h.gen[1] }
	b := newBuilder(opts, opts.NewContributors && r.From != "")
	for i := range h.commits {
		if h.marks[0][i] == h.gen[0] && !inFrom(i) {
			b.addDigest(&h.commits[i])
		}
	}
	rh := b.history(r.To, opts, touched)
	rh.Date = h.commits[h.index[r.To]].committed
	if len(b.authors) > 0 {
		if h.authors == nil {
			h.authors = make([]string, len(h.commits))
			for i, c := range h.commits {
				h.authors[i] = authorKey(c.author.Name, c.author.Email)
			}
		}
		pending := b.authors // the builder is done with them
		for i := 0; i < len(h.commits) && len(pending) > 0; i++ {
			if inFrom(i) {
				delete(pending, h.authors[i])
			}
		}
		rh.NewContributors = byFirstCommit(pending)
	}
	return rh
}
