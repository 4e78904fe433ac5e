package pipelines

import (
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
)

func TestLinks(t *testing.T) {
	t.Parallel()
	n := 42
	tests := []struct {
		name, fullName, httpOrigin string
		number                     *int
		want                       changelog.Repository
		build, commit, pr          string
	}{
		{
			name: "full name", fullName: "acme/shop", number: &n,
			want:   changelog.Repository{FullName: "acme/shop", URL: "https://bitbucket.org/acme/shop"},
			build:  "https://bitbucket.org/acme/shop/pipelines/results/42",
			commit: "https://bitbucket.org/acme/shop/commits/abc123",
			pr:     "https://bitbucket.org/acme/shop/pull-requests/7",
		},
		{
			name: "full name wins over the origin", fullName: "acme/shop", httpOrigin: "http://bitbucket.org/other/repo",
			want:   changelog.Repository{FullName: "acme/shop", URL: "https://bitbucket.org/acme/shop"},
			commit: "https://bitbucket.org/acme/shop/commits/abc123",
			pr:     "https://bitbucket.org/acme/shop/pull-requests/7",
		},
		{
			name: "origin over http", httpOrigin: "http://bitbucket.org/acme/shop", number: &n,
			want:   changelog.Repository{FullName: "acme/shop", URL: "https://bitbucket.org/acme/shop"},
			build:  "https://bitbucket.org/acme/shop/pipelines/results/42",
			commit: "https://bitbucket.org/acme/shop/commits/abc123",
			pr:     "https://bitbucket.org/acme/shop/pull-requests/7",
		},
		{
			name: "origin with .git and a trailing slash", httpOrigin: "https://bitbucket.org/acme/shop.git/",
			want:   changelog.Repository{FullName: "acme/shop", URL: "https://bitbucket.org/acme/shop"},
			commit: "https://bitbucket.org/acme/shop/commits/abc123",
			pr:     "https://bitbucket.org/acme/shop/pull-requests/7",
		},
		{name: "origin without a path", httpOrigin: "http://bitbucket.org", number: &n},
		{name: "nothing", number: &n},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := Repository(tt.fullName, tt.httpOrigin)
			require.Equal(t, tt.want, repo)
			l := Links{Repository: repo}
			require.Equal(t, tt.build, l.Build(tt.number))
			require.Equal(t, tt.commit, l.Commit("abc123"))
			require.Equal(t, tt.pr, l.PullRequest(7))
		})
	}
}

func TestLinksInARelease(t *testing.T) {
	t.Parallel()
	rel := changelog.NewRelease(changelog.Range{To: "abc123"}, changelog.History{}, changelog.ReleaseOptions{
		Links: Links{Repository: Repository("acme/shop", "")},
	})
	require.Equal(t, "https://bitbucket.org/acme/shop/commits/abc123", rel.CommitURL("abc123"))
	require.Equal(t, "https://bitbucket.org/acme/shop/pull-requests/9", rel.PullRequestURL(9))
}
