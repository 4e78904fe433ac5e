package pipelines_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines/insightstest"
)

func TestInsightsProxy(t *testing.T) {
	t.Parallel()
	tests := []struct{ dockerHost, want string }{
		{"tcp://host.docker.internal:2375", "http://host.docker.internal:29418/"},
		{"tcp://10.0.0.7:2376", "http://10.0.0.7:29418/"},
		{"", "http://localhost:29418/"},
		{"unix:///var/run/docker.sock", "http://localhost:29418/"},
		{"tcp://[fd00::5]:2375", "http://[fd00::5]:29418/"},
	}
	for _, tc := range tests {
		got := pipelines.Env{DockerHost: tc.dockerHost}.InsightsProxy()
		require.Equal(t, tc.want, got.String(), "DOCKER_HOST=%q", tc.dockerHost)
	}
}

// proxyOf returns the proxy a pipe would use with srv's DOCKER_HOST.
func proxyOf(srv *insightstest.Server) *url.URL {
	return pipelines.Env{DockerHost: srv.DockerHost}.InsightsProxy()
}

const (
	repo   = "acme/shop"
	commit = "0123456789abcdef0123456789abcdef01234567"
)

// annotations makes n annotations with distinct ids, from prefix.
func annotations(prefix string, n int) []pipelines.Annotation {
	out := make([]pipelines.Annotation, n)
	for i := range out {
		out[i] = pipelines.Annotation{ExternalID: fmt.Sprintf("%s-%d", prefix, i), AnnotationType: "CODE_SMELL", Summary: "s"}
	}
	return out
}

var report = pipelines.Report{Title: "Changelog", ReportType: "TEST", Result: "PASSED",
	Data: []pipelines.ReportData{{Title: "Entries", Type: "NUMBER", Value: 3}}}

func TestReportsPublishBatchesAndReplaces(t *testing.T) {
	t.Parallel()
	srv := insightstest.NewServer(t)
	c := pipelines.NewReports(proxyOf(srv))

	leftOut, err := c.Publish(t.Context(), repo, commit, "coda-changelog", report, annotations("first", 250))
	require.NoError(t, err)
	require.Zero(t, leftOut)
	var lines []string
	for _, r := range srv.Requests() {
		lines = append(lines, r.Method+" "+strings.TrimPrefix(r.URL, "http://api.bitbucket.org/2.0/repositories/acme/shop/commit/"+commit+"/reports/"))
	}
	require.Equal(t, []string{"DELETE coda-changelog", "PUT coda-changelog",
		"POST coda-changelog/annotations", "POST coda-changelog/annotations", "POST coda-changelog/annotations"}, lines)
	require.Len(t, srv.Annotations(repo, commit, "coda-changelog"), 250)

	// A rerun with other findings leaves only its own.
	_, err = c.Publish(t.Context(), repo, commit, "coda-changelog", report, annotations("second", 3))
	require.NoError(t, err)
	reports := srv.Reports(repo, commit)
	require.Len(t, reports, 1)
	require.Equal(t, "Changelog", reports[0].Title)
	got := srv.Annotations(repo, commit, "coda-changelog")
	require.Len(t, got, 3)
	require.Equal(t, "second-0", got[0].ExternalID)
}

func TestReportsPublishCapsAnnotations(t *testing.T) {
	t.Parallel()
	srv := insightstest.NewServer(t)
	leftOut, err := pipelines.NewReports(proxyOf(srv)).Publish(t.Context(), repo, commit, "r", report, annotations("a", 1042))
	require.NoError(t, err)
	require.Equal(t, 42, leftOut)
	require.Len(t, srv.Annotations(repo, commit, "r"), pipelines.MaxAnnotations)
}

func TestReportsPublishClipsUntrustedText(t *testing.T) {
	t.Parallel()
	srv := insightstest.NewServer(t)
	evil := "\"}]} {{.Token}} <script>\x00\xff" + strings.Repeat("é", 3000)
	a := pipelines.Annotation{ExternalID: "x", AnnotationType: "CODE_SMELL", Summary: evil, Details: evil}
	r := report
	r.Details = evil
	r.Data = make([]pipelines.ReportData, 12)
	for i := range r.Data {
		r.Data[i] = pipelines.ReportData{Title: fmt.Sprint(i), Type: "TEXT", Value: evil}
	}
	_, err := pipelines.NewReports(proxyOf(srv)).Publish(t.Context(), repo, commit, "r", r, []pipelines.Annotation{a})
	require.NoError(t, err)
	got := srv.Annotations(repo, commit, "r")[0]
	require.True(t, strings.HasPrefix(got.Summary, "\"}]} {{.Token}} <script>\x00\uFFFD"), "the text arrives as data: %q", got.Summary[:30])
	require.Equal(t, 450, utf8.RuneCountInString(got.Summary))
	require.Equal(t, 2000, utf8.RuneCountInString(got.Details))
	require.Len(t, srv.Reports(repo, commit)[0].Data, pipelines.MaxReportData)
}

func TestReportsPublishFailures(t *testing.T) {
	t.Parallel()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	nowhere := &url.URL{Scheme: "http", Host: closed.Addr().String()}
	closed.Close()

	tests := []struct {
		name  string
		proxy func(t *testing.T) *url.URL
		want  string
	}{
		{"refused", func(t *testing.T) *url.URL {
			return proxyOf(insightstest.NewServer(t, insightstest.WithRefusal(http.StatusForbidden, "Forbidden by the proxy")))
		}, "DELETE http://api.bitbucket.org/2.0/repositories/acme/shop/commit/" + commit + "/reports/r: 403 Forbidden: Forbidden by the proxy"},
		{"no answer", func(t *testing.T) *url.URL {
			return proxyOf(insightstest.NewServer(t, insightstest.WithoutAnswer()))
		}, "no answer from the Pipelines proxy"},
		{"no proxy", func(*testing.T) *url.URL { return nowhere }, "cannot reach the Pipelines proxy " + nowhere.Host},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := pipelines.NewReports(tc.proxy(t), pipelines.WithReportsTimeout(200*time.Millisecond))
			start := time.Now()
			_, err := c.Publish(t.Context(), repo, commit, "r", report, nil)
			require.ErrorContains(t, err, tc.want)
			require.Less(t, time.Since(start), 5*time.Second, "the timeout bounds the whole report")
			var re *pipelines.ReportError
			require.Equal(t, tc.name == "refused", errors.As(err, &re))
		})
	}
}

// TestAnswerTimeoutBoundsEachRequest: a proxy that never answers is given
// up on after one request's time, not the whole report's.
func TestAnswerTimeoutBoundsEachRequest(t *testing.T) {
	t.Parallel()
	silent := proxyOf(insightstest.NewServer(t, insightstest.WithoutAnswer()))
	c := pipelines.NewReports(silent, pipelines.WithReportsTimeout(time.Minute), pipelines.WithAnswerTimeout(100*time.Millisecond))
	start := time.Now()
	_, err := c.Publish(t.Context(), repo, commit, "r", report, nil)
	require.ErrorContains(t, err, "no answer from the Pipelines proxy "+silent.Host+" within 100ms")
	require.Less(t, time.Since(start), 30*time.Second, "one request's time, not the report's minute")
}

func TestReportsPublishChecksItsInput(t *testing.T) {
	t.Parallel()
	c := pipelines.NewReports(&url.URL{Scheme: "http", Host: "127.0.0.1:1"})
	_, err := c.Publish(t.Context(), "shop", commit, "r", report, nil)
	require.ErrorContains(t, err, "BITBUCKET_REPO_FULL_NAME")
	_, err = c.Publish(t.Context(), repo, "", "r", report, nil)
	require.ErrorContains(t, err, "BITBUCKET_COMMIT")
}
