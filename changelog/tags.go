package changelog

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// DefaultTagPattern accepts release tags such as v1.2.3, 1.2.3 and
// v1.2.3-rc.1; tags that are not semantic versions never match it.
const DefaultTagPattern = `^v?[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`

// TagMatcher decides which tags are releases. A tag is a release when it
// matches the pattern; its version is the pattern's first capture group when
// there is one, else the whole tag. With the default pattern only semantic
// versions match. A custom pattern may accept tags that are not semantic
// versions (deploy-42): they count as releases and are ordered by date.
type TagMatcher struct {
	re *regexp.Regexp
}

// NewTagMatcher compiles pattern ("" means [DefaultTagPattern]). A bad
// pattern is an error that names it.
func NewTagMatcher(pattern string) (*TagMatcher, error) {
	if pattern == "" {
		pattern = DefaultTagPattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("tag pattern %q is not a valid regular expression: %w", pattern, err)
	}
	return &TagMatcher{re: re}, nil
}

// MatchesEveryTag reports whether the pattern matches the empty name, and
// so every tag ("v*" is such a pattern: the star makes the v optional).
func (m *TagMatcher) MatchesEveryTag() bool { return m.re.MatchString("") }

// Tag is a release tag.
type Tag struct {
	Name    string
	Commit  string  // full hash of the tagged commit
	Date    int64   // creation date (Unix seconds): tagger date, or commit date for a lightweight tag
	Version Version // valid when Semver is true
	Semver  bool
}

// match returns the release tag for name, or false when name is not a release.
// When the version comes from a capture group, the text before the group
// becomes part of the version's prefix (release-1.2.3 → next release-1.3.0).
func (m *TagMatcher) match(name string) (Tag, bool) {
	loc := m.re.FindStringSubmatchIndex(name)
	if loc == nil {
		return Tag{}, false
	}
	text, before := name, ""
	if len(loc) >= 4 && loc[2] >= 0 && loc[3] > loc[2] {
		text, before = name[loc[2]:loc[3]], name[:loc[2]]
	}
	t := Tag{Name: name}
	t.Version, t.Semver = ParseVersion(text)
	t.Version.Prefix = before + t.Version.Prefix
	return t, true
}

// releaseTags lists every release tag, in one git call. Reachability is
// left to [firstReachable]: asking git for the tags merged into a commit
// walks the whole history, while checking a few candidates walks only back
// to them.
func releaseTags(ctx context.Context, g *Git, m *TagMatcher) ([]Tag, error) {
	out, err := g.Run(ctx, "for-each-ref",
		"--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(creatordate:unix)",
		"refs/tags")
	if err != nil {
		return nil, err
	}
	var tags []Tag
	for _, line := range bytes.Split(out, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		f := strings.Split(string(line), "\x00")
		if len(f) != 6 {
			return nil, fmt.Errorf("git for-each-ref: unexpected line %q", words.Clip(string(line), 120))
		}
		t, ok := m.match(f[0])
		if !ok {
			continue
		}
		switch {
		case f[1] == "commit": // a lightweight tag
			t.Commit = f[2]
		case f[3] == "commit": // an annotated tag
			t.Commit = f[4]
		case f[3] == "tag": // a tag of a tag: peel it all the way
			if t.Commit, err = resolveCommit(ctx, g, "refs/tags/"+f[0]); err != nil {
				continue
			}
		default: // a tag of a tree or a blob is no release
			continue
		}
		t.Date, _ = strconv.ParseInt(f[5], 10, 64)
		tags = append(tags, t)
	}
	return tags, nil
}

// sortNewestFirst orders tags from newest to oldest: by semantic version
// when all are semantic versions, otherwise by creation date (then by name).
func sortNewestFirst(tags []Tag) {
	sortTags(tags, !slices.ContainsFunc(tags, func(t Tag) bool { return !t.Semver }))
}

// sortTags sorts tags newest first: by version when byVersion (every tag
// is a semantic version), else by creation date; then by name.
func sortTags(tags []Tag, byVersion bool) {
	slices.SortFunc(tags, func(a, b Tag) int {
		if byVersion {
			if c := a.Version.Compare(b.Version); c != 0 {
				return -c
			}
		} else if a.Date != b.Date {
			return cmp.Compare(b.Date, a.Date)
		}
		return strings.Compare(b.Name, a.Name)
	})
}

// withoutPrereleases drops pre-release tags unless withPre is true.
func withoutPrereleases(tags []Tag, withPre bool) []Tag {
	if withPre {
		return tags
	}
	var out []Tag
	for _, t := range tags {
		if !(t.Semver && t.Version.Prerelease()) {
			out = append(out, t)
		}
	}
	return out
}

// firstReachable returns the first of tags (newest first) whose commit is an
// ancestor of to, checking one at a time with git merge-base --is-ancestor,
// but for the commit whose answer is known.
func firstReachable(ctx context.Context, g *Git, tags []Tag, to string, known ancestry) (*Tag, error) {
	for _, t := range tags {
		ok := known.ancestor
		if known.commit == "" || t.Commit != known.commit {
			var err error
			if ok, err = isAncestor(ctx, g, t.Commit, to); err != nil {
				return nil, err
			}
		}
		if ok {
			return &t, nil
		}
	}
	return nil, nil
}

// ancestry is what is known of one commit: whether it is an ancestor of
// the build's commit. The zero ancestry knows nothing.
type ancestry struct {
	commit   string
	ancestor bool
}

// isAncestor reports whether commit a is an ancestor of commit b (or b
// itself).
func isAncestor(ctx context.Context, g *Git, a, b string) (bool, error) {
	_, err := g.Run(ctx, "merge-base", "--is-ancestor", "--end-of-options", a, b)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return false, nil
	}
	return false, err
}
