package pipelines

import (
	"context"
	"net"
	"net/url"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
)

// proxyPort is where Bitbucket Pipelines' authenticating git proxy listens
// on the step's host. The clone's origin is configured to go through
// localhost:29418, which inside a pipe's container is the pipe itself, so a
// fetch from a pipe must name the step's host instead.
const proxyPort = "29418"

// FetchHistory deepens a shallow clone: the whole history and the tags,
// and, for a pull request build, prBranch, the destination branch. Inside
// Pipelines the fetch goes through the step's git proxy (given on the
// command line only: the clone's own configuration, which the rest of the
// step uses, is left as it is).
func (e Env) FetchHistory(ctx context.Context, g *changelog.Git, prBranch string) error {
	args := []string{}
	if proxy := proxyURL(e.DockerHost); proxy != "" && e.GitHTTPOrigin != "" {
		args = append(args, "-c", "http."+e.GitHTTPOrigin+".proxy="+proxy)
	}
	args = append(args, "fetch", "--unshallow", "--tags", "--no-write-fetch-head", "--quiet", "origin")
	if prBranch != "" {
		args = append(args, "+refs/heads/"+prBranch+":refs/remotes/origin/"+prBranch)
	}
	_, err := g.Run(ctx, args...)
	return err
}

// proxyURL returns the git proxy URL of the step's host, taken from
// DOCKER_HOST (tcp://host.docker.internal:2375 inside a pipe), or "" outside
// Pipelines.
func proxyURL(dockerHost string) string {
	if dockerHost == "" {
		return ""
	}
	u, err := url.Parse(dockerHost)
	if err != nil || u.Hostname() == "" || strings.HasPrefix(dockerHost, "unix:") {
		return ""
	}
	return "http://" + net.JoinHostPort(u.Hostname(), proxyPort) + "/" // an IPv6 host in brackets
}
