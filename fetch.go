package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
)

// pipelinesProxyPort is where Bitbucket Pipelines' authenticating git proxy
// listens on the step's host. The clone's origin is configured to go through
// localhost:29418, which inside a pipe's container is the pipe itself, so a
// fetch from a pipe must name the step's host instead.
const pipelinesProxyPort = "29418"

// fetchHistory deepens a shallow clone: the whole history and the tags, and
// for a pull request build the destination branch. Inside Pipelines the
// fetch goes through the step's git proxy (given on the command line only:
// the clone's own configuration, which the rest of the step uses, is left
// as it is).
func fetchHistory(ctx context.Context, g *changelog.Git, cfg Config) error {
	args := []string{}
	if proxy := pipelinesProxy(cfg.DockerHost); proxy != "" && cfg.Origin != "" {
		args = append(args, "-c", "http."+cfg.Origin+".proxy="+proxy)
	}
	args = append(args, "fetch", "--unshallow", "--tags", "--no-write-fetch-head", "--quiet", "origin")
	if b := cfg.Range.PRDestinationBranch; b != "" {
		args = append(args, "+refs/heads/"+b+":refs/remotes/origin/"+b)
	}
	_, err := g.Run(ctx, args...)
	return err
}

// pipelinesProxy returns the git proxy URL of the step's host, taken from
// DOCKER_HOST (tcp://host.docker.internal:2375 inside a pipe), or "" outside
// Pipelines.
func pipelinesProxy(dockerHost string) string {
	if dockerHost == "" {
		return ""
	}
	u, err := url.Parse(dockerHost)
	if err != nil || u.Hostname() == "" || strings.HasPrefix(dockerHost, "unix:") {
		return ""
	}
	return fmt.Sprintf("http://%s:%s/", u.Hostname(), pipelinesProxyPort)
}
