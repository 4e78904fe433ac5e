package changelog

import (
	"strconv"
	"strings"
	"time"
)

// Unreleased is the version of a build with no release tag to count from.
const Unreleased = "Unreleased"

// Repository identifies the Bitbucket repository of the build.
type Repository struct {
	FullName string `json:"full_name"` // workspace/slug
	URL      string `json:"url"`       // https://bitbucket.org/workspace/slug
}

// Build describes the Pipelines build. Absent text is "", absent numbers null.
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
	Entries         []Entry    `json:"entries"`
	Markdown        string     `json:"markdown"`

	issueURL  string // ISSUE_URL with {key}
	tentative bool   // the version was computed, not tagged or given
}

// ReleaseOptions carry what the release needs beyond the range and its history.
type ReleaseOptions struct {
	// Version is the version being released when known (VERSION or the
	// build's tag); otherwise it is computed.
	Version string
	// Location is the time zone of every date; nil means UTC.
	Location *time.Location
	// Repository and Build come from the Pipelines environment.
	Repository Repository
	Build      Build
	// IssueURL turns issue keys into links: "{key}" is replaced by the key.
	IssueURL string
}

// NewRelease assembles the release of range r. The version is, in order:
// opts.Version, a release tag at r.To, the next semantic version after the
// previous release tag (breaking → major, or minor below 1.0.0; feat →
// minor; otherwise patch, in the previous tag's style), else [Unreleased].
// The date is the committer date of r.To, so that a rerun of the same build
// describes the same release; links are Bitbucket Cloud's. The release takes
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
		Entries:    h.Entries,
		issueURL:   opts.IssueURL,
	}
	if r.Previous != nil {
		rel.PreviousVersion = r.Previous.Name
	}
	if rel.Entries == nil {
		rel.Entries = []Entry{}
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
		rel.Version = nextVersion(r, rel.Entries)
		rel.tentative = r.AtTo == nil
	}
	return rel
}

// nextVersion computes the version of a build that no one named.
func nextVersion(r Range, entries []Entry) string {
	switch {
	case r.AtTo != nil:
		return r.AtTo.Name
	case r.Previous != nil && r.Previous.Semver:
		return r.Previous.Version.Next(bumpOf(entries)).String()
	}
	return Unreleased
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

// CommitURL links a commit on Bitbucket Cloud, or "" without a repository.
func (r Release) CommitURL(sha string) string {
	return r.repoLink("commits", sha)
}

// PullRequestURL links a pull request on Bitbucket Cloud, or "".
func (r Release) PullRequestURL(n int) string {
	return r.repoLink("pull-requests", strconv.Itoa(n))
}

// IssueURL links an issue key through ISSUE_URL, or "" when it is not set.
func (r Release) IssueURL(key string) string {
	if r.issueURL == "" {
		return ""
	}
	return strings.ReplaceAll(r.issueURL, "{key}", key)
}

func (r Release) repoLink(kind, id string) string {
	if r.Repository.URL == "" {
		return ""
	}
	return r.Repository.URL + "/" + kind + "/" + id
}

// BitbucketRepository derives the repository from BITBUCKET_REPO_FULL_NAME,
// or from BITBUCKET_GIT_HTTP_ORIGIN (http://bitbucket.org/ws/repo) when the
// name is not given. Links always use https://bitbucket.org.
func BitbucketRepository(fullName, httpOrigin string) Repository {
	if fullName == "" && httpOrigin != "" {
		s := httpOrigin
		if i := strings.Index(s, "://"); i >= 0 {
			s = s[i+3:]
		}
		if _, path, ok := strings.Cut(s, "/"); ok {
			fullName = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
		}
	}
	if fullName == "" {
		return Repository{}
	}
	return Repository{FullName: fullName, URL: "https://bitbucket.org/" + fullName}
}

// BuildURL links a Pipelines build of repo, or "" without a number.
func BuildURL(repo Repository, number *int) string {
	if repo.URL == "" || number == nil {
		return ""
	}
	return repo.URL + "/pipelines/results/" + strconv.Itoa(*number)
}
