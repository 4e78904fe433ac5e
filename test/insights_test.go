package test

// Black-box tests of the Code Insights report (CODE_INSIGHTS) and the
// commit lint (COMMIT_LINT): the built pipe against a fake Pipelines proxy
// (internal/pipelines/insightstest), which checks every request against the
// reports API's OpenAPI document.

import (
	"encoding/json"
	"fmt"
	"maps"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines/insightstest"
)

// preview is a pull request's build: the sample history with a branch of
// four commits, a feature, a breaking feature, and two that are not
// conventional.
type preview struct {
	repo *gittest.Repo
	// head is the branch's tip; noType and emptyDescription are the short
	// hashes of the commits that are not conventional.
	head, noType, emptyDescription string
	// env is the build's environment, to which the proxy's DOCKER_HOST is
	// still to be added.
	env map[string]string
}

// previewRepo makes a [preview].
func previewRepo(t *testing.T) preview {
	t.Helper()
	repo := sampleRepo(t)
	dest := repo.Head()
	repo.Git("checkout", "-q", "-b", "feature/SHOP-9-search")
	repo.Commit("feat(search): search the catalogue")
	p := preview{repo: repo, noType: repo.Commit("Add the search box")[:7], emptyDescription: repo.Commit("fix:")[:7]}
	p.head = repo.Commit("feat!: drop the old search\n\nBREAKING CHANGE: /search is gone, use /catalogue/search")
	p.env = pipelinesEnv(repo, p.head, map[string]string{
		"BITBUCKET_BRANCH": "feature/SHOP-9-search", "BITBUCKET_PR_ID": "44",
		"BITBUCKET_PR_DESTINATION_BRANCH": "main", "BITBUCKET_PR_DESTINATION_COMMIT": dest[:12],
		"CODE_INSIGHTS": "true",
	})
	return p
}

// with adds vars to a copy of env.
func with(env map[string]string, vars map[string]string) map[string]string {
	out := maps.Clone(env)
	maps.Copy(out, vars)
	return out
}

// dataValues maps a report's data titles to their values, as JSON text.
func dataValues(t *testing.T, r insightstest.Report) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range r.Data {
		b, err := json.Marshal(d.Value)
		require.NoError(t, err)
		out[d.Title] = string(b)
	}
	return out
}

// summaries lists the annotations' summaries.
func summaries(as []insightstest.Annotation) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Summary)
	}
	return out
}

func TestPullRequestPreviewWithoutCoda(t *testing.T) {
	t.Parallel()
	p := previewRepo(t)
	repo, head := p.repo, p.head
	proxy := insightstest.NewServer(t)
	env := with(p.env, map[string]string{"DOCKER_HOST": proxy.DockerHost, "COMMIT_LINT": "warn"})

	res := runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "WARNING: Commit "+p.noType+" is not a Conventional Commit (no type): \"Add the search box\".")
	require.Contains(t, res.stderr, "WARNING: Commit "+p.emptyDescription+" is not a Conventional Commit (empty description): \"fix:\".")
	require.Contains(t, res.stderr, "✔ Changelog of v2.0.0, 4 entries from 4 commits")
	require.Contains(t, res.stderr, "Code Insights report on "+head[:7]+"; nothing written to Coda.")

	reports := proxy.Reports("acme/shop", head)
	require.Len(t, reports, 1)
	r := reports[0]
	require.Equal(t, "coda-changelog", r.ID)
	require.Equal(t, "Changelog", r.Title)
	require.Equal(t, "PASSED", r.Result)
	require.Equal(t, "TEST", r.ReportType)
	require.Empty(t, r.Link, "nothing was written to Coda")
	require.Equal(t, "4 changes: 2 features, 2 other changes; next version v2.0.0 (major); 1 breaking change; 2 commits not conventional", r.Details)
	require.Equal(t, map[string]string{
		"Entries": "4", "Next version": `"v2.0.0"`, "Bump": `"major"`, "Breaking changes": "1",
		"Commits not conventional": "2", "Previous version": `"v1.0.0"`,
	}, dataValues(t, r))
	want := []string{
		"Breaking change in " + head[:7] + ": drop the old search",
		p.emptyDescription + " is not a Conventional Commit (empty description): fix:",
		p.noType + " is not a Conventional Commit (no type): Add the search box",
	}
	require.Equal(t, want, summaries(proxy.Annotations("acme/shop", head, "coda-changelog")))

	// A rerun on the same commit leaves one report, no duplicate and no
	// stale annotation: here EXCLUDE_COMMITS now leaves a commit out.
	res = runPipe(t, repo.Dir, with(env, map[string]string{"EXCLUDE_COMMITS": "search box"}))
	require.Equal(t, 0, res.code, res.output())
	require.Len(t, proxy.Reports("acme/shop", head), 1)
	require.Equal(t, want[:2], summaries(proxy.Annotations("acme/shop", head, "coda-changelog")))
	var methods []string
	for _, req := range proxy.Requests() {
		methods = append(methods, req.Method)
	}
	require.Equal(t, strings.Repeat("DELETE PUT POST ", 2), strings.Join(methods, " ")+" ")
}

// commitMany adds n commits with messages msg(i) on top of the branch main
// in one git fast-import run, and returns the last one's hash.
func commitMany(t *testing.T, repo *gittest.Repo, n int, msg func(i int) string) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		m := msg(i)
		fmt.Fprintf(&b, "commit refs/heads/main\ncommitter %s <%s> %d +0000\ndata %d\n%s\n", gittest.AuthorName, gittest.AuthorEmail,
			gittest.Epoch.Add(time.Duration(100+i)*time.Hour).Unix(), len(m), m)
		if i == 0 {
			fmt.Fprintf(&b, "from %s\n", repo.Head())
		}
		b.WriteString("\n")
	}
	cmd := exec.Command("git", "-C", repo.Dir, "fast-import", "--quiet")
	cmd.Env = append(gittest.Environ(), "HOME="+repo.Home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	cmd.Stdin = strings.NewReader(b.String())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return strings.TrimSpace(repo.Git("rev-parse", "main"))
}

func TestInsightsBatchesAnnotations(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	head := commitMany(t, repo, 130, func(i int) string { return fmt.Sprintf("Change number %d", i) })
	proxy := insightstest.NewServer(t)
	res := runPipe(t, repo.Dir, pipelinesEnv(repo, head, map[string]string{"CODE_INSIGHTS": "true", "DOCKER_HOST": proxy.DockerHost}))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "Code Insights: report coda-changelog on "+head[:7]+": PASSED, 130 annotations.")

	var posts []int
	for _, req := range proxy.Requests() {
		if req.Method == "POST" {
			var batch []any
			require.NoError(t, json.Unmarshal(req.Body, &batch))
			posts = append(posts, len(batch))
		}
	}
	require.Equal(t, []int{100, 30}, posts)
	require.Len(t, proxy.Annotations("acme/shop", head, "coda-changelog"), 130)
	require.Equal(t, `130`, dataValues(t, proxy.Reports("acme/shop", head)[0])["Commits not conventional"])
}

func TestInsightsFailuresAreWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		dockerHost func(t *testing.T) string
		want       string
	}{
		{"refused", func(t *testing.T) string {
			return insightstest.NewServer(t, insightstest.WithRefusal(403, "Access denied")).DockerHost
		}, "403 Forbidden: Access denied. The proxy writes reports only to the build's own repository and commit."},
		{"no answer", func(t *testing.T) string { return insightstest.NewServer(t, insightstest.WithoutAnswer()).DockerHost },
			"no answer from the Pipelines proxy"},
		{"no proxy", func(*testing.T) string { return "tcp://127.254.253.252:2375" }, "cannot reach the Pipelines proxy 127.254.253.252:29418"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := previewRepo(t)
			start := time.Now()
			res := runPipe(t, p.repo.Dir, with(p.env, map[string]string{"DOCKER_HOST": tc.dockerHost(t)}))
			require.Equal(t, 0, res.code, res.output())
			require.Contains(t, res.stderr, "WARNING: Code Insights: the report could not be posted, so reviewers see no preview (the run goes on): DELETE http://api.bitbucket.org/2.0/repositories/acme/shop/commit/")
			require.Contains(t, res.stderr, tc.want)
			require.Contains(t, res.stderr, "✔ Changelog of v2.0.0")
			if tc.name == "no answer" {
				require.Contains(t, res.stderr, " within 2s", "the black-box build gives the report 2 s, not the shipped 5")
			}
			require.Less(t, time.Since(start), 20*time.Second, "the black-box build gives the report 2 s")
		})
	}
}

func TestCommitLintFails(t *testing.T) {
	t.Parallel()
	p := previewRepo(t)
	repo, head, env := p.repo, p.head, p.env
	proxy := insightstest.NewServer(t)
	res := runPipe(t, repo.Dir, with(env, map[string]string{"DOCKER_HOST": proxy.DockerHost, "COMMIT_LINT": "fail"}))
	require.Equal(t, 1, res.code, res.output())
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	last := lines[len(lines)-1]
	require.True(t, strings.HasPrefix(last, "✖ COMMIT_LINT is 'fail' and 2 commits are not Conventional Commits: "), last)
	require.Contains(t, last, p.emptyDescription+` "fix:" (empty description)`)
	require.Contains(t, last, p.noType+` "Add the search box" (no type)`)
	r := proxy.Reports("acme/shop", head)
	require.Len(t, r, 1)
	require.Equal(t, "FAILED", r[0].Result, "the report says so too")

	// Without the lint's failures, the same settings pass.
	res = runPipe(t, repo.Dir, with(env, map[string]string{"DOCKER_HOST": proxy.DockerHost, "COMMIT_LINT": "fail",
		"BITBUCKET_COMMIT": strings.TrimSpace(repo.Git("rev-parse", "HEAD~3"))}))
	require.Equal(t, 0, res.code, res.output())
}

func TestInsightsWithCodaLinksAndKeepsTheToken(t *testing.T) {
	t.Parallel()
	p := previewRepo(t)
	repo, head, env := p.repo, p.head, p.env
	proxy := insightstest.NewServer(t)
	srv, doc := newDoc(t)
	res := runPipe(t, repo.Dir, merge(with(env, map[string]string{"DOCKER_HOST": proxy.DockerHost, "DEBUG": "true"}),
		codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes", "CODA_PAGE": "Release notes"})))
	require.Equal(t, 0, res.code, res.output())
	require.Regexp(t, `DEBUG: code insights request method=PUT url=http://api.bitbucket.org/2.0/repositories/acme/shop/commit/`+head+`/reports/coda-changelog status=200`, res.stderr)
	require.Contains(t, res.stderr, "; Code Insights report on "+head[:7]+".")

	r := proxy.Reports("acme/shop", head)
	require.Len(t, r, 1)
	require.Contains(t, r[0].Link, "https://coda.io/d/", "the report links to the notes' page")
	require.Contains(t, dataValues(t, r[0])["Notes in Coda"], `"text":"Release notes"`)
	require.NotEmpty(t, srv.Requests())
	for _, req := range proxy.Requests() {
		require.NotContains(t, fmt.Sprint(req.Header), token, "the Coda token never reaches the proxy")
		require.NotContains(t, string(req.Body), token)
		require.NotContains(t, req.URL, token)
		require.Empty(t, req.Header.Get("Authorization"))
	}
}

func TestInsightsDryRunPostsNothing(t *testing.T) {
	t.Parallel()
	p := previewRepo(t)
	repo, head, env := p.repo, p.head, p.env
	proxy := insightstest.NewServer(t)
	res := runPipe(t, repo.Dir, with(env, map[string]string{"DOCKER_HOST": proxy.DockerHost, "DRY_RUN": "true"}))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "Would post the Code Insights report coda-changelog on "+head[:7]+" through the Pipelines proxy "+
		strings.TrimPrefix(proxy.URL, "http://")+": PASSED, \"4 changes:")
	require.Empty(t, proxy.Requests())
}
