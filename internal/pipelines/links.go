// Package pipelines holds what the pipe knows about Bitbucket Pipelines and
// Bitbucket Cloud: the variables a step gives a pipe, which repository a
// build runs in, the web links of its builds, commits and pull requests
// (package changelog takes them as plain data and through
// [changelog.Links]), the authenticating proxy (for git, and for the Code
// Insights reports a step may write with no token: [Reports],
// [ChangelogReport]), and the advice a user of Pipelines needs.
package pipelines

import (
	"strconv"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
)

// webOrigin is where Bitbucket Cloud shows repositories.
const webOrigin = "https://bitbucket.org/"

// Repository derives the build's repository from BITBUCKET_REPO_FULL_NAME,
// or from BITBUCKET_GIT_HTTP_ORIGIN (http://bitbucket.org/ws/repo) when the
// name is not given. Its URL is always on https://bitbucket.org. Without
// either it is the zero Repository.
func Repository(fullName, httpOrigin string) changelog.Repository {
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
		return changelog.Repository{}
	}
	return changelog.Repository{FullName: fullName, URL: webOrigin + fullName}
}

// Links links the commits, pull requests and builds of a repository on
// Bitbucket Cloud. Links of a repository without a URL are "".
type Links struct {
	Repository changelog.Repository
}

var _ changelog.Links = Links{}

// Commit links the commit with the full hash sha.
func (l Links) Commit(sha string) string { return l.link("commits", sha) }

// PullRequest links the pull request with the number.
func (l Links) PullRequest(number int) string {
	return l.link("pull-requests", strconv.Itoa(number))
}

// Build links the build with the number on Bitbucket Pipelines, or is ""
// without a number.
func (l Links) Build(number *int) string {
	if number == nil {
		return ""
	}
	return l.link("pipelines/results", strconv.Itoa(*number))
}

func (l Links) link(kind, id string) string {
	if l.Repository.URL == "" {
		return ""
	}
	return l.Repository.URL + "/" + kind + "/" + id
}
