// Package test runs the built pipe binary as Bitbucket Pipelines runs it: a
// real clone in a temporary directory, the Pipelines environment, root, and
// a fake Coda (coda/codatest) served on loopback.
package test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

// binary is the pipe, built once for all tests (see [buildPipe]); workDir
// holds the histories that tests copy.
var binary, workDir string

func TestMain(m *testing.M) {
	flag.Parse()
	waitInParallel()
	var err error
	workDir, err = os.MkdirTemp("", "coda-changelog-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if binary, err = buildPipe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(workDir)
	os.Exit(code)
}

// buildPipe builds the pipe as the Dockerfile does (static, no symbols,
// trimmed paths), with the black-box options and the version "test", and
// returns its path.
//
// The binary is kept in the user's cache directory, one per checkout, and
// not in a new temporary directory: go build then finds it up to date and
// links nothing when the code has not changed since the last run (0.5 s
// instead of 1.3 s, before any test can start). go build replaces the file
// by renaming a new one over it, so a run still using the old one is not
// disturbed.
func buildPipe() (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	dir := workDir
	if cache, err := os.UserCacheDir(); err == nil {
		sum := sha256.Sum256([]byte(root))
		dir = filepath.Join(cache, "coda-changelog-test", hex.EncodeToString(sum[:8]))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "coda-changelog")
	build := exec.Command("go", "build", "-tags", "blackbox", "-trimpath", "-ldflags", "-s -w -X main.version=test", "-o", bin, ".")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the pipe: %w\n%s", err, out)
	}
	return bin, nil
}

// waitInParallel lets more black-box tests run at once than the machine has
// cores, unless -parallel says otherwise: they spend their time waiting for
// the fake to apply writes, as Coda does, not computing.
func waitInParallel() {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", strconv.Itoa(max(8, runtime.GOMAXPROCS(0))))
	}
}

// token is the Coda token every test uses; no output may ever contain it.
const token = codatest.DefaultToken

// result is what one run of the pipe did.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) output() string { return r.stdout + r.stderr }

// runPipe runs the binary with exactly env (plus PATH and a HOME of its own),
// in dir, and checks that the token appears nowhere in what it printed.
func runPipe(t *testing.T, dir string, env map[string]string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GIT_CONFIG_NOSYSTEM=1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run the pipe: %v", err)
	}
	require.NotContains(t, r.output(), token, "the token must never be printed")
	t.Logf("exit code %d, stderr:\n%s", r.code, r.stderr)
	return r
}

// pipelinesEnv is the environment Bitbucket gives a pipe for a branch build
// of repo at commit, plus the pipe's variables.
func pipelinesEnv(repo *gittest.Repo, commit string, vars map[string]string) map[string]string {
	env := map[string]string{
		"CI":                        "true",
		"BITBUCKET_CLONE_DIR":       repo.Dir,
		"BITBUCKET_COMMIT":          commit,
		"BITBUCKET_BRANCH":          "main",
		"BITBUCKET_BUILD_NUMBER":    "17",
		"BITBUCKET_REPO_FULL_NAME":  "acme/shop",
		"BITBUCKET_GIT_HTTP_ORIGIN": "http://bitbucket.org/acme/shop",
		"BITBUCKET_WORKSPACE":       "acme",
		"BITBUCKET_REPO_SLUG":       "shop",
	}
	maps.Copy(env, vars)
	return env
}

// codaVars are the pipe's variables for publishing to srv's doc.
func codaVars(srv *codatest.Server, doc codatest.Doc, vars map[string]string) map[string]string {
	env := map[string]string{
		"CODA_API_TOKEN": token,
		"CODA_API_URL":   srv.URL,
		"CODA_DOC_ID":    "https://coda.io/d/Release-Log_d" + doc.ID,
		"WAIT_TIMEOUT":   "60s",
	}
	maps.Copy(env, vars)
	return env
}

// merge joins variable maps, later ones winning.
func merge(envs ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range envs {
		maps.Copy(out, m)
	}
	return out
}

// sample is the history of [sampleRepo], made once under workDir by the
// first test that asks for it.
var sample struct {
	once sync.Once
	repo *gittest.Repo
}

// sampleRepo returns a copy of a small history with a release tag, a pull
// request merge, a squash merge, a breaking change and an issue key.
func sampleRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	sample.once.Do(func() { sample.repo = newSampleRepo(gittest.NewAt(t, filepath.Join(workDir, "sample"))).Pack() })
	if sample.repo == nil {
		t.Fatal("the sample repository could not be made: see the first test that failed")
	}
	return sample.repo.Copy(t)
}

// newSampleRepo makes [sampleRepo]'s history in the empty repository r.
func newSampleRepo(r *gittest.Repo) *gittest.Repo {
	r.Commit("feat: first release")
	r.Tag("v1.0.0")
	r.PullRequest(42, "feature/SHOP-7-cart", "feat(cart): persistent cart",
		"feat(cart): keep the cart between visits", "fix(cart): round totals")
	r.Commit("perf: faster prices")
	r.Commit("Merged in fix/login (pull request #43)\n\nfix(auth): accept upper-case e-mails\n\nApproved-by: Jane Doe")
	return r
}

// changelogColumns is a table with every column type the pipe converts to.
func changelogColumns() []codatest.Column {
	return []codatest.Column{
		{ID: "c-sha", Name: "SHA"},
		{ID: "c-subject", Name: "Subject"},
		{ID: "c-type", Name: "Type", Type: "select", Options: []string{"feat", "fix", "perf", "other"}},
		{ID: "c-breaking", Name: "Breaking", Type: "checkbox"},
		{ID: "c-pr", Name: "PR", Type: "number"},
		{ID: "c-prlink", Name: "PR link", Type: "link"},
		{ID: "c-date", Name: "Date", Type: "date"},
		{ID: "c-when", Name: "When", Type: "dateTime"},
		{ID: "c-issues", Name: "Issues", Type: "select", IsArray: true},
		{ID: "c-author", Name: "Author", Type: "person"},
		{ID: "c-version", Name: "Version"},
		{ID: "c-env", Name: "Environment"},
		{ID: "c-count", Name: "Count", Type: "number", Calculated: true},
		{ID: "c-url", Name: "URL", Type: "link"},
	}
}

const commitColumns = "sha=SHA,subject=Subject,type=Type,breaking=Breaking,pull_request=PR,pull_request=PR link," +
	"date=Date,date=When,issues=Issues,author=Author,version=Version,environment=Environment"

// newDoc seeds a fake Coda with a doc holding the changelog table, a view
// of it, a notes page and an automation; the commits' author is a member.
func newDoc(t *testing.T, opts ...codatest.Option) (*codatest.Server, codatest.Doc) {
	t.Helper()
	return newDocWith(t, []codatest.Person{{Name: gittest.AuthorName, Email: gittest.AuthorEmail}}, opts...)
}

// newDocWith is newDoc with these members.
func newDocWith(t *testing.T, people []codatest.Person, opts ...codatest.Option) (*codatest.Server, codatest.Doc) {
	t.Helper()
	srv := codatest.NewServer(opts...)
	t.Cleanup(srv.Close)
	doc := srv.AddDoc(codatest.Doc{
		Name:   "Release Log",
		People: people,
		Tables: []codatest.Table{
			{ID: "grid-changes", Name: "Changes", Columns: changelogColumns()},
			{ID: "table-recent", Name: "Recent changes", View: true, BaseTable: "grid-changes"},
			{ID: "grid-releases", Name: "Releases", Columns: []codatest.Column{
				{ID: "c-v", Name: "Version"}, {ID: "c-prev", Name: "Previous version"}, {ID: "c-notes", Name: "Notes", Type: "canvas"},
				{ID: "c-n", Name: "Count", Type: "number"}, {ID: "c-d", Name: "Date", Type: "date"},
			}},
		},
		Pages:       []codatest.Page{{ID: "canvas-notes", Name: "Release notes", Markdown: "Older notes.\n"}},
		Automations: []codatest.Automation{{ID: "rule-1"}, {ID: "rule-off", Off: true}},
	})
	return srv, doc
}

// rowsBySHA indexes a table's rows by their SHA cell.
func rowsBySHA(t *testing.T, srv *codatest.Server, doc codatest.Doc) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, r := range srv.Rows(doc.ID, "grid-changes") {
		sha, _ := r.Values["c-sha"].(string)
		require.NotContains(t, out, sha, "duplicate row for %s", sha)
		out[sha] = r.Values
	}
	return out
}

func TestDryRunSendsNothing(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDoc(t)
	out := filepath.Join(t.TempDir(), "release.json")
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil),
		codaVars(srv, doc, map[string]string{"DRY_RUN": "true", "CODA_TABLE": "Changes", "CODA_PAGE": "Release notes", "OUTPUT_JSON": out})))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stdout, "## v1.1.0 (")
	require.Contains(t, res.stdout, "- **cart:** keep the cart between visits")
	require.Contains(t, res.stderr, "✔ Dry run: v1.1.0, 4 entries from 5 commits")
	require.Contains(t, res.stderr, `Would upsert 4 rows (one per commit) into table "Changes"`)
	require.Empty(t, srv.Requests(), "a dry run sends nothing")

	var rel map[string]any
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rel))
	require.Equal(t, "v1.1.0", rel["version"])
	require.Equal(t, "v1.0.0", rel["previous_version"])
	require.Len(t, rel["entries"], 4)
}

func TestDryRunWithNothingSet(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	// A newcomer's first run: no Bitbucket variables, no Coda, just a clone.
	res := runPipe(t, repo.Dir, map[string]string{"DRY_RUN": "true"})
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stdout, "## v1.1.0")
}

func TestRowsPerCommitEveryColumnType(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDoc(t, codatest.WithWriteDelay(60*time.Millisecond), codatest.WithStatusNotFoundFor(20*time.Millisecond))
	env := merge(pipelinesEnv(repo, repo.Head(), map[string]string{"BITBUCKET_DEPLOYMENT_ENVIRONMENT": "staging"}),
		codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes", "CODA_COLUMNS": commitColumns, "TIMEZONE": "America/Los_Angeles"}))
	res := runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, `✔ Published v1.1.0`)
	require.Contains(t, res.stderr, `4 rows upserted into table "Changes"`)

	rows := rowsBySHA(t, srv, doc)
	require.Len(t, rows, 4)
	var cart map[string]any
	for _, r := range rows {
		if r["c-subject"] == "keep the cart between visits" {
			cart = r
		}
	}
	require.NotNil(t, cart)
	require.Equal(t, "feat", cart["c-type"])
	require.Equal(t, false, cart["c-breaking"])
	require.EqualValues(t, 42, cart["c-pr"])
	require.Equal(t, "https://bitbucket.org/acme/shop/pull-requests/42", cart["c-prlink"])
	// Dates and people are stored as their types (Coda shows a date as an
	// instant in the doc's zone, UTC here), not as the text sent.
	require.Equal(t, "2026-01-05T00:00:00.000+00:00", cart["c-date"], "dates are in TIMEZONE: 03:00 in Los Angeles")
	require.Equal(t, "2026-01-05T11:00:00.000+00:00", cart["c-when"], "the commit was made at 11:00 UTC")
	require.Equal(t, []any{"SHOP-7"}, cart["c-issues"])
	require.Equal(t, gittest.AuthorName, cart["c-author"], "the author resolved to the doc's member")
	require.Equal(t, "v1.1.0", cart["c-version"])
	require.Equal(t, "staging", cart["c-env"])

	// Running the same build again changes nothing.
	before := srv.Rows(doc.ID, "grid-changes")
	res = runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Equal(t, before, srv.Rows(doc.ID, "grid-changes"))
	require.Len(t, rowsBySHA(t, srv, doc), 4)
}

// TestRowPerReleaseAndNotesPage is the smoke test of a release row and
// prepended notes, run twice: the rerun adds nothing. The page modes and
// reruns in detail are internal/publish's tests.
func TestRowPerReleaseAndNotesPage(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDoc(t)
	env := merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{
		"CODA_TABLE": "Releases", "ROW_PER": "release",
		"CODA_COLUMNS": "version=Version,previous_version=Previous version,markdown=Notes,count=Count,date=Date",
		"CODA_PAGE":    "Release notes",
	}))
	for range 2 { // the second run is a rerun: nothing may be added twice
		res := runPipe(t, repo.Dir, env)
		require.Equal(t, 0, res.code, res.output())
	}
	rows := srv.Rows(doc.ID, "grid-releases")
	require.Len(t, rows, 1)
	require.Equal(t, "v1.1.0", rows[0].Values["c-v"])
	require.Equal(t, "v1.0.0", rows[0].Values["c-prev"])
	require.EqualValues(t, 4, rows[0].Values["c-n"])
	require.Contains(t, rows[0].Values["c-notes"], "### Features")

	page := srv.PageMarkdown(doc.ID, "Release notes")
	require.Equal(t, 1, strings.Count(page, "## v1.1.0"), page)
	// A page without sections gets the first below the text written by hand.
	require.True(t, strings.HasPrefix(page, "Older notes.\n## v1.1.0"), page)
}

func TestAutomationPayload(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDoc(t)
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{"CODA_AUTOMATION_RULE_ID": "rule-1"})))
	require.Equal(t, 0, res.code, res.output())
	payloads := srv.AutomationPayloads(doc.ID, "rule-1")
	require.Len(t, payloads, 1)
	var rel struct {
		Version string `json:"version"`
		To      string `json:"to"`
		Build   struct {
			Number int    `json:"number"`
			URL    string `json:"url"`
		} `json:"build"`
		Entries []struct {
			Subject     string `json:"subject"`
			PullRequest *int   `json:"pull_request"`
		} `json:"entries"`
		Markdown string `json:"markdown"`
	}
	require.NoError(t, json.Unmarshal(payloads[0], &rel))
	require.Equal(t, "v1.1.0", rel.Version)
	require.Equal(t, repo.Head(), rel.To)
	require.Equal(t, 17, rel.Build.Number)
	require.Equal(t, "https://bitbucket.org/acme/shop/pipelines/results/17", rel.Build.URL)
	require.Len(t, rel.Entries, 4)
	require.Contains(t, rel.Markdown, "## v1.1.0")

	res = runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{"CODA_AUTOMATION_RULE_ID": "rule-off"})))
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "the rule is off or is not triggered by a webhook")
}

func TestErrorsUsersCanActOn(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDoc(t)
	base := merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, nil))
	tests := []struct {
		name string
		vars map[string]string
		want []string
	}{
		{"bad token", map[string]string{"CODA_API_TOKEN": "wrong", "CODA_TABLE": "Changes"},
			[]string{"✖ CODA_API_TOKEN was refused by Coda (401)"}},
		{"unknown doc", map[string]string{"CODA_DOC_ID": "nope", "CODA_TABLE": "Changes"},
			[]string{`✖ CODA_DOC_ID "nope": no such doc`}},
		{"unknown table", map[string]string{"CODA_TABLE": "Chnages"},
			[]string{`✖ CODA_TABLE "Chnages": no such table`}},
		{"unknown column", map[string]string{"CODA_TABLE": "Changes", "CODA_COLUMNS": "sha=SHA,subject=Sumary"},
			[]string{`column "Sumary" (for subject) does not exist`, `The table's columns are: "SHA" (text, c-sha)`}},
		{"view", map[string]string{"CODA_TABLE": "Recent changes"},
			[]string{`CODA_TABLE "Recent changes"`, `is a view of table "Changes"`, "grid-changes"}},
		{"release field in a row per commit", map[string]string{"CODA_TABLE": "Changes", "CODA_COLUMNS": "sha=SHA,count=Count"},
			[]string{`"count" is not a field of ROW_PER=commit`}},
		{"formula column", map[string]string{"CODA_TABLE": "Changes", "CODA_COLUMNS": "sha=SHA,pull_request=Count"},
			[]string{`column "Count" (for pull_request) is calculated by a formula and cannot be written`}},
		{"missing key", map[string]string{"CODA_TABLE": "Changes", "CODA_COLUMNS": "subject=Subject,sha="},
			[]string{"no key column: map the sha field"}},
		{"unknown page", map[string]string{"CODA_PAGE": "Nowhere"},
			[]string{`✖ CODA_PAGE "Nowhere": no such page`}},
		{"unknown rule", map[string]string{"CODA_AUTOMATION_RULE_ID": "rule-404"},
			[]string{`CODA_AUTOMATION_RULE_ID "rule-404": no such rule`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runPipe(t, repo.Dir, merge(base, tt.vars))
			require.Equal(t, 1, res.code, res.output())
			for _, w := range tt.want {
				require.Contains(t, res.stderr, w)
			}
		})
	}
	require.Empty(t, srv.Rows(doc.ID, "grid-changes"), "nothing is half-written")
}

func TestMissingVariablesAllListed(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	res := runPipe(t, repo.Dir, pipelinesEnv(repo, repo.Head(), map[string]string{"ROW_PER": "sprint", "WAIT": "perhaps", "CODA_TABEL": "Changes"}))
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "✖ Validation errors:\n")
	for _, v := range []string{"CODA_API_TOKEN:\n- required field", "CODA_DOC_ID:\n- required field", "CODA_TABLE:\n- set at least one", "ROW_PER:\n-", "WAIT:\n-"} {
		require.Contains(t, res.stderr, v)
	}
	// The typo that left CODA_TABLE unset is named first.
	require.Contains(t, res.stderr, "✖ Validation errors:\nCODA_TABEL:\n- is not a variable of this pipe: did you mean CODA_TABLE?")
}

func TestCloneOwnedByAnotherUser(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("needs root to give the clone to another uid, as Bitbucket's clone container does")
	}
	repo := sampleRepo(t)
	head := repo.Head()
	require.NoError(t, filepath.Walk(repo.Dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 4242, 4242)
	}))
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, head, nil), map[string]string{"DRY_RUN": "true"}))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stdout, "## v1.1.0")
}

func TestShallowClone(t *testing.T) {
	t.Parallel()
	origin := sampleRepo(t)
	for i := range 10 {
		origin.Commit(fmt.Sprintf("fix: later change %d", i))
	}
	shallow := func() *gittest.Repo { return origin.Clone("--depth", "3", "--no-single-branch") }

	clone := shallow()
	res := runPipe(t, clone.Dir, merge(pipelinesEnv(clone, clone.Head(), nil), map[string]string{"DRY_RUN": "true", "FETCH_HISTORY": "false"}))
	require.Equal(t, 1, res.code, res.output())
	require.Contains(t, res.stderr, "the clone is shallow")
	require.Contains(t, res.stderr, "clone: depth: full")

	clone = shallow()
	res = runPipe(t, clone.Dir, merge(pipelinesEnv(clone, clone.Head(), map[string]string{"BITBUCKET_GIT_HTTP_ORIGIN": ""}), map[string]string{"DRY_RUN": "true"}))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "fetching the full history")
	require.Contains(t, res.stderr, "since v1.0.0")
	require.Contains(t, res.stderr, "14 entries from 15 commits")
}

func TestTagBuildWithShortSHA(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	repo.Tag("v1.1.0")
	head := repo.Head()
	env := pipelinesEnv(repo, head[:12], map[string]string{"DRY_RUN": "true", "BITBUCKET_TAG": "v1.1.0", "BITBUCKET_BRANCH": ""})
	res := runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "✔ Dry run: v1.1.0, 4 entries from 5 commits in ")
	require.Contains(t, res.stderr, ".."+head[:7]+", since v1.0.0")
}

// TestStartLine: the log starts with the pipe's version, the repository,
// the range and the version, each with why, so that a support request has
// what it needs; warnings follow it.
func TestStartLine(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	head := repo.Head()
	res := runPipe(t, repo.Dir, pipelinesEnv(repo, head, map[string]string{"DRY_RUN": "true", "CODA_SOMETHING_ELSE": "x"}))
	require.Equal(t, 0, res.code, res.output())
	lines := strings.Split(res.stderr, "\n")
	feat := repo.Git("rev-parse", "--short=7", ":/keep the cart")
	require.Equal(t, "INFO: coda-changelog test: acme/shop v1.0.0.."+head[:7]+" (previous release tag), version v1.1.0 (feat since v1.0.0: "+feat+")", lines[0])
	require.Equal(t, "WARNING: CODA_SOMETHING_ELSE is not a variable of this pipe and is ignored (see the README's Variables)", lines[1])
}

func TestPullRequestBuild(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	repo.Git("checkout", "-q", "-b", "feature/SHOP-9-search")
	src := repo.Commit("feat(search): search the catalogue")
	repo.Git("checkout", "-q", "main")
	dest := repo.Commit("docs: main moved on")
	// Pipelines builds a merge of the destination into the source.
	repo.Git("checkout", "-q", "feature/SHOP-9-search")
	repo.Merge("main", "Merge branch 'main' into feature/SHOP-9-search")
	env := pipelinesEnv(repo, src[:12], map[string]string{
		"DRY_RUN": "true", "BITBUCKET_BRANCH": "feature/SHOP-9-search", "BITBUCKET_PR_ID": "44",
		"BITBUCKET_PR_DESTINATION_BRANCH": "main", "BITBUCKET_PR_DESTINATION_COMMIT": dest[:12],
	})
	res := runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "1 entry from 1 commit")
	require.Contains(t, res.stderr, "merge-base with main")
	require.Contains(t, res.stdout, "search the catalogue")
	require.NotContains(t, res.stdout, "main moved on")
}

func TestDebugNeverShowsTheToken(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDoc(t)
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{
		"CODA_TABLE": "Changes", "CODA_PAGE": "Release notes", "CODA_AUTOMATION_RULE_ID": "rule-1", "DEBUG": "true",
	})))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "DEBUG: git args=log -z")
	require.Regexp(t, `DEBUG: coda request method=GET path=/whoami status=200 duration=\S+ attempt=1`, res.stderr)
	require.Regexp(t, `DEBUG: coda request method=POST path=/docs/\S+/tables/grid-changes/rows\S* status=202 duration=\S+ attempt=1`, res.stderr)
	// runPipe has already checked that the token appears nowhere.
	for _, r := range srv.Requests() {
		require.Equal(t, "Bearer "+token, r.Header.Get("Authorization"), "but it was sent to Coda")
	}
}

func TestUserGitConfigDoesNotChangeTheNotes(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	env := merge(pipelinesEnv(repo, repo.Head(), nil), map[string]string{"DRY_RUN": "true"})
	plain := runPipe(t, repo.Dir, env)
	require.Equal(t, 0, plain.code, plain.output())

	home := t.TempDir()
	cfg := "[log]\n\tshowSignature = true\n\tdecorate = full\n\tabbrevCommit = true\n[color]\n\tui = always\n" +
		"[format]\n\tpretty = oneline\n[i18n]\n\tlogOutputEncoding = ISO-8859-1\n[core]\n\tquotePath = true\n"
	require.NoError(t, os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(cfg), 0o644))
	cmd := exec.Command(binary)
	cmd.Dir = repo.Dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.Output()
	require.NoError(t, err)
	require.Equal(t, plain.stdout, string(out))
}

func TestEmptyRangeIsASuccess(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDoc(t)
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), map[string]string{"FROM_REF": repo.Head()}),
		codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes", "CODA_AUTOMATION_RULE_ID": "rule-1"})))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "✔ Nothing to publish: v1.1.0, 0 entries from 0 commits", "the version is the build's, whatever the range")
	require.Empty(t, srv.Requests())
}

func TestSignalStopsTheRun(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	// Writes that Coda never confirms keep the pipe waiting until the signal.
	srv, doc := newDoc(t, codatest.WithWriteDelay(time.Hour))
	cmd := exec.Command(binary)
	cmd.Dir = repo.Dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes", "WAIT_TIMEOUT": "10m"})) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	// Signal once the rows were sent.
	deadline := time.Now().Add(30 * time.Second)
	for srv.Stats().Writes < 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err := cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 1, exit.ExitCode())
	require.Contains(t, stderr.String(), "✖ stopped by a signal")
	require.NotContains(t, stderr.String(), token)
}

func TestDefaultColumnMapping(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDoc(t)
	// Outside Pipelines: no repository, so nothing can fill the URL link column.
	res := runPipe(t, repo.Dir, codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes"}))
	require.Equal(t, 0, res.code, res.output())
	rows := rowsBySHA(t, srv, doc)
	require.Len(t, rows, 4)
	for sha, r := range rows {
		require.Len(t, sha, 40)
		require.NotEmpty(t, r["c-subject"], "Subject is named after a field")
		require.Contains(t, []any{"feat", "fix", "perf"}, r["c-type"])
		require.IsType(t, false, r["c-breaking"])
		require.Equal(t, gittest.AuthorName, r["c-author"], "the author resolved to the doc's member")
		require.NotContains(t, r, "c-url", "a link column with no link to give is left alone")
		require.NotContains(t, r, "c-pr", "no field is named PR")
	}
}

func TestRowTooLargeNamesTheCommit(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	huge := repo.Commit("fix: paste a whole log\n\n" + strings.Repeat("stack frame\n", 4000))
	srv, doc := newDoc(t)
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil),
		codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes", "CODA_COLUMNS": "sha=SHA,subject=Subject,body=Type"})))
	// The row is clipped to fit, with a warning naming the commit (issue 18).
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, fmt.Sprintf(`WARNING: CODA_TABLE "Changes": the row of commit %s ("paste a whole log") is over Coda's 85 KB row limit`, huge[:7]))
	require.Len(t, rowsBySHA(t, srv, doc), 5)
}

func TestTokenNotShownInValidationErrors(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	// The token pasted into the wrong variable by mistake.
	res := runPipe(t, repo.Dir, map[string]string{"CODA_API_TOKEN": token, "TIMEZONE": token, "CODA_DOC_ID": "AbC"})
	require.Equal(t, 1, res.code)
	require.Contains(t, res.stderr, "TIMEZONE:\n- \"[redacted]\" is not a time zone")
}

func TestFilteredReleaseIsStillPublished(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	repo.Tag("v1.1.0")
	repo.Commit("chore: bump dependencies")
	repo.Tag("v1.1.1")
	srv, doc := newDoc(t)
	env := merge(pipelinesEnv(repo, repo.Head(), map[string]string{"BITBUCKET_TAG": "v1.1.1", "BITBUCKET_BRANCH": ""}),
		codaVars(srv, doc, map[string]string{
			"EXCLUDE_TYPES": "chore", "CODA_TABLE": "Releases", "ROW_PER": "release",
			"CODA_COLUMNS": "version=Version,count=Count,markdown=Notes", "CODA_PAGE": "Release notes",
		}))
	res := runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "✔ Published v1.1.1, 0 entries from 1 commit")
	rows := srv.Rows(doc.ID, "grid-releases")
	require.Len(t, rows, 1)
	require.EqualValues(t, 0, rows[0].Values["c-n"])
	require.Contains(t, rows[0].Values["c-notes"], "No changes.")
	require.Contains(t, srv.PageMarkdown(doc.ID, "Release notes"), "## v1.1.1 (")
}

func TestShallowCloneFetchesThroughThePipelinesProxy(t *testing.T) {
	t.Parallel()
	// Pipelines' git proxy listens on the step's host at 29418; DOCKER_HOST
	// names that host inside a pipe. A stand-in proxy on loopback records
	// what git asks it, and refuses.
	ln, err := net.Listen("tcp", "127.0.0.1:29418")
	if err != nil {
		t.Skipf("port 29418 is taken, so the stand-in proxy cannot listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	asked := make(chan string, 8)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(conn).ReadString('\n')
			asked <- line
			fmt.Fprint(conn, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			conn.Close()
		}
	}()

	origin := sampleRepo(t)
	for i := range 10 {
		origin.Commit(fmt.Sprintf("fix: later change %d", i))
	}
	clone := origin.Clone("--depth", "3")
	const originURL = "http://bitbucket.invalid/acme/shop" // as Pipelines sets it; never resolved
	clone.Git("remote", "set-url", "origin", originURL)
	res := runPipe(t, clone.Dir, merge(pipelinesEnv(clone, clone.Head(), map[string]string{
		"BITBUCKET_GIT_HTTP_ORIGIN": originURL, "DOCKER_HOST": "tcp://127.0.0.1:2375",
	}), map[string]string{"DRY_RUN": "true", "DEBUG": "true"}))
	require.Equal(t, 1, res.code, res.output())
	require.Contains(t, res.stderr, "-c http."+originURL+".proxy=http://127.0.0.1:29418/ fetch --unshallow --tags")
	require.Contains(t, res.stderr, "Fetching more history failed: git fetch: exit status 128")
	require.Contains(t, res.stderr, "clone: depth: full")
	select {
	case line := <-asked:
		require.Contains(t, line, "bitbucket.invalid/acme/shop", "git asked the proxy for the origin")
	default:
		t.Fatal("git never reached the proxy")
	}
}

func TestPullRequestBuildInAShallowSingleBranchClone(t *testing.T) {
	t.Parallel()
	origin := sampleRepo(t)
	for i := range 5 {
		origin.Commit(fmt.Sprintf("fix: main change %d", i))
	}
	origin.Git("checkout", "-q", "-b", "feature/SHOP-9-search")
	src := origin.Commit("feat(search): search the catalogue")
	origin.Git("checkout", "-q", "main")
	dest := origin.Commit("docs: main moved on")
	// Pipelines clones the source branch only, 50 (here 1) commits deep.
	clone := origin.Clone("--depth", "1", "--single-branch", "--branch", "feature/SHOP-9-search")
	res := runPipe(t, clone.Dir, merge(pipelinesEnv(clone, src[:12], map[string]string{
		"BITBUCKET_BRANCH": "feature/SHOP-9-search", "BITBUCKET_PR_ID": "44", "BITBUCKET_GIT_HTTP_ORIGIN": "",
		"BITBUCKET_PR_DESTINATION_BRANCH": "main", "BITBUCKET_PR_DESTINATION_COMMIT": dest[:12],
	}), map[string]string{"DRY_RUN": "true"}))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "fetching the full history")
	require.Contains(t, res.stderr, "1 entry from 1 commit")
	require.Contains(t, res.stderr, "merge-base with main")
	require.Contains(t, res.stdout, "search the catalogue")
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--help", "--version"} {
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(binary, arg)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		out := stdout.String() + stderr.String()
		require.NoError(t, err, "%s exits 0: %s", arg, out)
		require.Contains(t, out, "coda-changelog test", "%s names the version", arg)
		if arg == "--help" {
			require.Contains(t, stdout.String(), "README.md", "the help is written to stdout")
			require.Contains(t, stdout.String(), "DRY_RUN=true")
		}
	}
	out, err := exec.Command(binary, "--publish").CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), `✖ unknown argument "--publish"`)
}

// TestTestPayload checks a setup end to end and leaves the doc as it was:
// the table unchanged, the page unwritten, the automation triggered once
// with "test": true, and the author, who is not a member of the doc, kept
// as text: a WARNING.
func TestTestPayload(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDocWith(t, nil)
	env := merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{
		"CODA_TABLE": "Changes", "CODA_COLUMNS": commitColumns, "CODA_PAGE": "Release notes",
		"CODA_AUTOMATION_RULE_ID": "rule-1", "TEST_PAYLOAD": "true",
	}))
	page := srv.PageMarkdown(doc.ID, "Release notes")
	res := runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Empty(t, srv.Rows(doc.ID, "grid-changes"), "the test row was deleted")
	require.Equal(t, page, srv.PageMarkdown(doc.ID, "Release notes"))
	payloads := srv.AutomationPayloads(doc.ID, "rule-1")
	require.Len(t, payloads, 1)
	require.Contains(t, string(payloads[0]), `"test":true`)
	require.Contains(t, res.stderr, `INFO: Test payload: ✔ Subject (text, subject): sent "[coda-changelog test] `)
	require.Contains(t, res.stderr, `WARNING: Test payload: Author (person, author): sent "`+gittest.AuthorEmail+`", stored text "`+gittest.AuthorEmail+
		`": Coda kept text "`+gittest.AuthorEmail+`" instead of a person: that person is not a member of the doc`)
	require.Regexp(t, `INFO: Coda: \d+ requests, 0 rate-limited, [0-9.]+ s waiting for the limits, [0-9.]+ s in all\.\n✔ Test payload: v1\.1\.0`, res.stderr)
	require.True(t, strings.HasSuffix(res.stderr, "Nothing was left in the doc.\n"), res.stderr)
}

// TestTestPayloadDeleteRefused: a delete the token may not make fails the
// run and names the row to delete by hand.
func TestTestPayloadDeleteRefused(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDoc(t, codatest.WithRowDeletesForbidden())
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{
		"CODA_TABLE": "Changes", "CODA_COLUMNS": commitColumns, "CODA_AUTOMATION_RULE_ID": "rule-1", "TEST_PAYLOAD": "true",
	})))
	require.Equal(t, 1, res.code, res.output())
	rows := srv.Rows(doc.ID, "grid-changes")
	require.Len(t, rows, 1)
	require.Contains(t, res.stderr, "✖ test payload: the test row "+rows[0].ID+` could not be deleted from table "Changes": delete the row starting "[coda-changelog test] " by hand`)
	require.Empty(t, srv.AutomationPayloads(doc.ID, "rule-1"))
}

// releaseLinks returns, for every row of the doc's Changes table, the
// version of the release row its Release cell points at, read back as Coda
// stores it: a cell that kept text fails the test.
func releaseLinks(t *testing.T, srv *codatest.Server, doc codatest.Doc) map[string]string {
	t.Helper()
	c, err := coda.NewClient(token, coda.WithBaseURL(srv.URL), coda.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	versions := map[string]string{}
	for _, r := range srv.Rows(doc.ID, "grid-releases") {
		versions[r.ID] = fmt.Sprint(r.Values["c-v"])
	}
	out := map[string]string{}
	for _, r := range srv.Rows(doc.ID, "grid-changes") {
		row, err := c.GetRow(t.Context(), doc.ID, "grid-changes", r.ID)
		require.NoError(t, err)
		ref := coda.ParseRichValue(row.Values["c-release"])
		require.Equal(t, coda.RichRow, ref.Kind, "the Release cell of %q is a row: %v", r.Values["c-subject"], ref)
		out[fmt.Sprint(r.Values["c-subject"])] = versions[ref.RowID]
	}
	return out
}

// taggedRepo is a history of three release tags and a commit after them.
func taggedRepo(t *testing.T) *gittest.Repo {
	repo := gittest.New(t)
	repo.Commit("feat: first")
	repo.Tag("v1.0.0")
	repo.Commit("chore: tidy up")
	repo.Tag("v1.0.1") // every commit filtered out by EXCLUDE_TYPES: chore
	repo.Commit("fix: second")
	repo.Tag("v1.0.2")
	repo.Commit("feat: third")
	return repo
}

// twoTablesDoc seeds a doc with a releases table, a changes table whose
// Release column looks releases up, and a notes page; env runs the pipe on
// repo with both tables.
func twoTablesDoc(t *testing.T, repo *gittest.Repo) (srv *codatest.Server, doc codatest.Doc, env map[string]string) {
	srv = codatest.NewServer()
	t.Cleanup(srv.Close)
	doc = srv.AddDoc(codatest.Doc{
		Tables: []codatest.Table{
			{ID: "grid-releases", Name: "Releases", Columns: []codatest.Column{{ID: "c-v", Name: "Version"}, {ID: "c-n", Name: "Count", Type: "number"}}},
			{ID: "grid-changes", Name: "Changes", Columns: []codatest.Column{
				{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"},
				{ID: "c-release", Name: "Release", Type: "lookup", Table: "Releases"},
			}},
		},
		Pages: []codatest.Page{{ID: "canvas-notes", Name: "Release notes"}},
	})
	env = merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{
		"CODA_TABLE": "Changes", "CODA_RELEASE_TABLE": "Releases", "EXCLUDE_TYPES": "chore",
		// The commit rows still wait for the release rows, and the typed
		// pass for the text: the links need them, whatever WAIT says.
		"WAIT": "false",
	}))
	return srv, doc, env
}

// TestTwoTables: a releases table linked to the commit rows, by a run and
// its rerun.
func TestTwoTables(t *testing.T) {
	t.Parallel()
	repo := taggedRepo(t)
	srv, doc, env := twoTablesDoc(t, repo)
	for range 2 { // a run and its rerun: v1.1.0, computed
		res := runPipe(t, repo.Dir, env)
		require.Equal(t, 0, res.code, res.output())
		require.Contains(t, res.stderr, `1 row upserted into table "Releases"`)
	}
	require.Equal(t, map[string]string{"third": "v1.1.0"}, releaseLinks(t, srv, doc))
	require.Len(t, srv.Rows(doc.ID, "grid-releases"), 1)
}

// TestBackfillAfterARun: a run, then a backfill over a history with several
// tags (one of them with every commit filtered out): every commit row links
// to its release, every release has one row and its notes, newest on top.
func TestBackfillAfterARun(t *testing.T) {
	t.Parallel()
	repo := taggedRepo(t)
	srv, doc, env := twoTablesDoc(t, repo)
	res := runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())

	res = runPipe(t, repo.Dir, merge(env, map[string]string{"BACKFILL": "true", "CODA_PAGE": "Release notes"}))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "✔ Backfilled 4 releases with 3 entries up to ")
	require.Equal(t, map[string]string{"first": "v1.0.0", "second": "v1.0.2", "third": "v1.1.0"}, releaseLinks(t, srv, doc))
	require.Len(t, srv.Rows(doc.ID, "grid-releases"), 4, "v1.0.0, v1.0.1 (no entries), v1.0.2 and v1.1.0, once each")
	page := srv.PageMarkdown(doc.ID, "Release notes")
	var order []int
	for _, v := range []string{"v1.1.0", "v1.0.2", "v1.0.1", "v1.0.0"} {
		require.Equal(t, 1, strings.Count(page, "## "+v+" "), page)
		order = append(order, strings.Index(page, "## "+v+" "))
	}
	require.IsIncreasing(t, order, "newest on top: %s", page)
}

// A backfill's newest release is the build's: with a pre-release VERSION it
// runs from the latest pre-release tag, as a run of the build would.
func TestBackfillPrereleaseVersion(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("feat: first")
	repo.Tag("v1.0.0")
	repo.Commit("feat: second")
	repo.Tag("v1.1.0-rc.1")
	repo.Commit("fix: third")
	out := filepath.Join(t.TempDir(), "releases.json")
	res := runPipe(t, repo.Dir, pipelinesEnv(repo, repo.Head(), map[string]string{
		"BACKFILL": "true", "DRY_RUN": "true", "VERSION": "v1.1.0-rc.2", "OUTPUT_JSON": out,
	}))
	require.Equal(t, 0, res.code, res.output())
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var rels []struct {
		Version  string `json:"version"`
		Previous string `json:"previous_version"`
		Entries  []any  `json:"entries"`
	}
	require.NoError(t, json.Unmarshal(data, &rels))
	require.Len(t, rels, 3)
	require.Equal(t, "v1.1.0-rc.2", rels[2].Version)
	require.Equal(t, "v1.1.0-rc.1", rels[2].Previous)
	require.Len(t, rels[2].Entries, 1, "only the fix since v1.1.0-rc.1")
}

// TestBackfillDryRun prints every release and sends nothing; OUTPUT_JSON
// gets the releases as an array, oldest first.
func TestBackfillDryRun(t *testing.T) {
	t.Parallel()
	repo := taggedRepo(t)
	srv, doc := newDoc(t)
	env := merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{"EXCLUDE_TYPES": "chore"}))
	out := filepath.Join(t.TempDir(), "releases.json")
	res := runPipe(t, repo.Dir, merge(env, map[string]string{"BACKFILL": "true", "DRY_RUN": "true", "OUTPUT_JSON": out}))
	require.Equal(t, 0, res.code, res.output())
	require.Empty(t, srv.Requests(), "a dry run sends nothing")
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var rels []struct {
		Version string `json:"version"`
	}
	require.NoError(t, json.Unmarshal(data, &rels), "OUTPUT_JSON is an array of releases")
	require.Equal(t, []string{"v1.0.0", "v1.0.1", "v1.0.2", "v1.1.0"}, []string{rels[0].Version, rels[1].Version, rels[2].Version, rels[3].Version})
	require.Contains(t, res.stdout, "## v1.0.1 ")
	require.Contains(t, res.stderr, "✔ Dry run of a backfill: 4 releases with 3 entries")
	require.Contains(t, res.stderr, "INFO: Filters left out 1 commit: 1 by EXCLUDE_TYPES, 0 by EXCLUDE_COMMITS.")
}
