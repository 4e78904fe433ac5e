package changelog

import (
	"fmt"
	"strings"
	"time"
)

// Unreleased is the version of a build with no release tag to count from.
const Unreleased = "Unreleased"

// Repository identifies the repository of the build. The caller fills it
// in; the package only passes it on.
type Repository struct {
	FullName string `json:"full_name"` // such as workspace/slug
	URL      string `json:"url"`       // the repository's web page
}

// Build describes the CI build. The caller fills it in; the package only
// passes it on. Absent text is "", absent numbers null.
type Build struct {
	Number                *int   `json:"number"`
	Branch                string `json:"branch"`
	Tag                   string `json:"tag"`
	PRID                  *int   `json:"pr_id"`
	DeploymentEnvironment string `json:"deployment_environment"`
	URL                   string `json:"url"`
}

// Release is what the pipe publishes: the release being built and its
// entries. Its JSON form (OUTPUT_JSON, the automation payload) uses the
// snake_case names below, which are part of the pipe's interface.
type Release struct {
	Version         string     `json:"version"`
	PreviousVersion string     `json:"previous_version"`
	Date            time.Time  `json:"date"`
	From            string     `json:"from"`
	To              string     `json:"to"`
	Repository      Repository `json:"repository"`
	Build           Build      `json:"build"`
	// Deployment describes the deployment of a deployment step, and is
	// nil (JSON null) outside one.
	Deployment *Deployment `json:"deployment"`
	Entries    []Entry     `json:"entries"`
	// NewContributors are the authors whose first commit is in the release
	// ([History.NewContributors]); empty, never nil, when there are none.
	NewContributors []Person `json:"new_contributors"`
	Markdown        string   `json:"markdown"`
	// Links makes the web links of commits and pull requests; nil makes none.
	Links Links `json:"-"`
	// VersionReason says in words why a computed version is what it is
	// ("feat since v1.4.0"); "" when the version was given.
	VersionReason string `json:"-"`

	issueURL  string         // ISSUE_URL with {key}
	sections  []SectionTitle // ReleaseOptions.Sections
	tentative bool           // the version was computed, not tagged or given
	bump      *Bump          // the bump that computed the version; nil when none did
	bodies    *bodyStore     // the entries' bodies kept aside (History's), read by WriteJSON
}

// Links makes the web links of commits and pull requests, for a code host
// the package knows nothing about. A nil Links makes none. A method may
// return "" for a link it cannot make.
type Links interface {
	// Commit links the commit with the full hash sha.
	Commit(sha string) string
	// PullRequest links the pull request with the number.
	PullRequest(number int) string
}

// ReleaseOptions carry what the release needs beyond the range and its history.
type ReleaseOptions struct {
	// Version is the version being released when known (VERSION or the
	// build's tag); otherwise it is computed.
	Version string
	// Location is the time zone of every date; nil means UTC.
	Location *time.Location
	// Repository and Build describe where the release is built; they are
	// plain data, copied into the release.
	Repository Repository
	Build      Build
	// Links makes the web links of commits and pull requests; nil makes none.
	Links Links
	// IssueURL turns issue keys into links: [IssueKeyPlaceholder] is
	// replaced by the key.
	IssueURL string
	// Sections orders and titles the sections of the notes: the types
	// listed come first, in this order, with these titles; the types not
	// listed keep their built-in titles and order after them. An empty
	// title hides the type's section from [Release.Sections] and the
	// built-in notes, but its entries stay in [Release.Entries] (and become
	// rows), and its breaking changes are still listed as such. When a type
	// is listed twice, the first counts. Types are matched in lower case.
	Sections []SectionTitle
	// SincePrevious is the history of [Range.VersionRange] when the range
	// starts elsewhere than at the previous release tag (FROM_REF, a pull
	// request's merge-base): a computed version is the previous release
	// bumped by its entries, not by the range's. Nil when the range starts
	// at the previous release tag.
	SincePrevious *History
}

// NewRelease assembles the release of range r. The version is, in order:
// opts.Version, a release tag at r.To, the next semantic version after the
// previous release tag (breaking → major, or minor below 1.0.0; feat →
// minor; otherwise patch, in the previous tag's style), else [Unreleased].
// An empty range (no commits) makes no bump: its computed version is the
// previous release tag's name as it is, or [Unreleased] without one; like
// every computed version, its heading names the build's commit.
// The date is the committer date of r.To, so that a rerun of the same build
// describes the same release; links come from opts.Links. The release takes
// over h.Entries (dates in the time zone, links set) rather than copy them.
func NewRelease(r Range, h History, opts ReleaseOptions) Release {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	rel := Release{
		Version:    opts.Version,
		Date:       h.Date.In(loc),
		From:       r.From,
		To:         r.To,
		Repository: opts.Repository,
		Build:      opts.Build,
		Links:      opts.Links,
		Entries:    h.Entries,
		issueURL:   opts.IssueURL,
		bodies:     h.bodies,
	}
	for _, s := range opts.Sections {
		rel.sections = append(rel.sections, SectionTitle{Type: strings.ToLower(strings.TrimSpace(s.Type)), Title: s.Title})
	}
	if r.Previous != nil {
		rel.PreviousVersion = r.Previous.Name
	}
	if rel.Entries == nil {
		rel.Entries = []Entry{}
	}
	rel.NewContributors = h.NewContributors
	if rel.NewContributors == nil {
		rel.NewContributors = []Person{}
	}
	for i, e := range rel.Entries {
		e.Date = e.Date.In(loc)
		e.URL = rel.CommitURL(e.SHA)
		if e.Footers == nil {
			e.Footers = []Footer{}
		}
		if e.Issues == nil {
			e.Issues = []string{}
		}
		rel.Entries[i] = e
	}
	if rel.Version == "" {
		bumpBy := &h
		if opts.SincePrevious != nil {
			bumpBy = opts.SincePrevious
		}
		rel.Version, rel.VersionReason, rel.bump = nextVersion(r, bumpBy.Entries, bumpBy.Commits == 0)
		rel.tentative = r.AtTo == nil
	}
	return rel
}

// nextVersion computes the version of a build that no one named, says why
// in words, and returns the bump that computed it, if one did; an empty
// range bumps nothing.
func nextVersion(r Range, entries []Entry, empty bool) (version, reason string, bumped *Bump) {
	switch {
	case r.AtTo != nil:
		return r.AtTo.Name, "tag at the build's commit", nil
	case r.Previous != nil && empty:
		return r.Previous.Name, "nothing since " + r.Previous.Name, nil
	case r.Previous != nil && r.Previous.Semver:
		bump := bumpOf(entries)
		reason = bumpReasons[bump] + " since " + r.Previous.Name
		if by := bumpedBy(entries, bump); by != "" {
			reason += ": " + by
		}
		return r.Previous.Version.Next(bump).String(), reason, &bump
	case r.Previous != nil:
		return Unreleased, "the previous tag " + r.Previous.Name + " is not a semantic version", nil
	}
	return Unreleased, "no previous release tag", nil
}

// bumpReasons say why a version was bumped so.
var bumpReasons = map[Bump]string{
	BumpMajor: "breaking change",
	BumpMinor: "feat",
	BumpPatch: "no feat or breaking change",
}

// Bump returns the size of change that computed the version from the
// previous release tag: that of the commits since the tag, which are the
// release's entries unless the range starts elsewhere
// ([ReleaseOptions.SincePrevious]). ok is false when no bump computed the
// version: it was tagged or given, nothing came since the tag, or there is
// no semantic previous tag.
func (r Release) Bump() (bump Bump, ok bool) {
	if r.bump == nil {
		return BumpPatch, false
	}
	return *r.bump, true
}

// bumpOf is the size of change that entries make.
func bumpOf(entries []Entry) Bump {
	b := BumpPatch
	for _, e := range entries {
		switch {
		case e.Breaking:
			return BumpMajor
		case e.Type == "feat":
			b = BumpMinor
		}
	}
	return b
}

// maxNamedCommits is how many commits a version's reason names.
const maxNamedCommits = 3

// bumpedBy names the commits that make a bump of that size: the breaking
// changes for a major one, the features for a minor one, every commit for
// a patch; the first few by short hash, then how many more. The entries of
// a split squash merge, which follow each other, are their commit, once.
func bumpedBy(entries []Entry, bump Bump) string {
	var shas []string
	n, last := 0, ""
	for _, e := range entries {
		if bump == BumpMajor && !e.Breaking || bump == BumpMinor && e.Type != "feat" || e.ShortSHA == last {
			continue
		}
		last = e.ShortSHA
		if n++; n <= maxNamedCommits {
			shas = append(shas, e.ShortSHA)
		}
	}
	if n > maxNamedCommits {
		return fmt.Sprintf("%s and %d more", strings.Join(shas, ", "), n-maxNamedCommits)
	}
	return strings.Join(shas, ", ")
}

// CommitURL links a commit through [Release.Links], or is "" without them.
func (r Release) CommitURL(sha string) string {
	if r.Links == nil {
		return ""
	}
	return r.Links.Commit(sha)
}

// PullRequestURL links a pull request through [Release.Links], or is ""
// without them.
func (r Release) PullRequestURL(n int) string {
	if r.Links == nil {
		return ""
	}
	return r.Links.PullRequest(n)
}

// IssueKeyPlaceholder is what an issue URL pattern (ISSUE_URL) has where
// the key goes.
const IssueKeyPlaceholder = "{key}"

// IssueURL links an issue key through ISSUE_URL, or is "" when it is not
// set. The characters that would end a markdown link early (space,
// parentheses, angle brackets) are percent-encoded, as in the built-in
// notes: keys come from commit messages.
func (r Release) IssueURL(key string) string {
	if r.issueURL == "" {
		return ""
	}
	var b strings.Builder
	writeIssueURL(&b, r.issueURL, key)
	return b.String()
}
