package test

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
	"bitbucket.org/coda-changelog/coda-changelog/internal/gittest"
)

// writes are the requests srv received that would change a doc.
func writes(srv *codatest.Server) []codatest.Request {
	var out []codatest.Request
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

// refused runs the pipe against a fresh doc with these variables and
// checks that it failed with a validation error before sending anything.
func refused(t *testing.T, vars map[string]string) result {
	t.Helper()
	repo := sampleRepo(t)
	srv, doc := newDoc(t)
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, vars)))
	require.Equal(t, 1, res.code, res.output())
	require.NotContains(t, res.output(), "goroutine", "no stack trace")
	require.NotContains(t, res.output(), "panic")
	require.Empty(t, srv.Requests(), "nothing is sent")
	return res
}

func TestHugeListCountIsAValidationError(t *testing.T) {
	t.Parallel()
	res := refused(t, map[string]string{"CODA_TABLE": "Changes", "CODA_COLUMNS_COUNT": "99999999999999", "CODA_COLUMNS_0": "sha=SHA"})
	require.Contains(t, res.stderr, "✖ Validation errors:\nCODA_COLUMNS_COUNT:\n- \"99999999999999\" is not a number of list items: "+
		"use a whole number from 0 to 1000")
}

func TestOneTableForCommitsAndReleasesIsRefused(t *testing.T) {
	t.Parallel()
	t.Run("by name", func(t *testing.T) {
		t.Parallel()
		res := refused(t, map[string]string{"CODA_TABLE": "Changes", "CODA_RELEASE_TABLE": "Changes"})
		require.Contains(t, res.stderr, "CODA_RELEASE_TABLE:\n- \"Changes\" is also CODA_TABLE")
	})
	// By name and id, whichever table it is: the columns of the releases
	// table do not fit commit rows, which must not hide the cause.
	for _, tables := range [][2]string{{"Changes", "grid-changes"}, {"grid-releases", "Releases"}} {
		t.Run("by name and id/"+tables[0], func(t *testing.T) {
			t.Parallel()
			repo := sampleRepo(t)
			srv, doc := newDoc(t)
			res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil),
				codaVars(srv, doc, map[string]string{"CODA_TABLE": tables[0], "CODA_RELEASE_TABLE": tables[1]})))
			require.Equal(t, 1, res.code, res.output())
			require.Contains(t, res.stderr, fmt.Sprintf(`✖ CODA_TABLE %q and CODA_RELEASE_TABLE %q are the same table`, tables[0], tables[1]))
			require.Empty(t, writes(srv), "nothing is written")
		})
	}
}

func TestTwoFieldsInOneColumnAreRefused(t *testing.T) {
	t.Parallel()
	res := refused(t, map[string]string{"CODA_TABLE": "Changes", "CODA_COLUMNS": "sha=SHA,subject=SHA"})
	require.Contains(t, res.stderr, "CODA_COLUMNS:\n- sha and subject both go to column \"SHA\"")
}

// userDoc seeds a fake Coda with the doc of a user who names some columns
// after fields and some not: a changelog table, a releases table and the
// automation.
func userDoc(t *testing.T) (*codatest.Server, codatest.Doc) {
	t.Helper()
	return fakeDoc(t, codatest.Doc{
		Name: "Release Log",
		Tables: []codatest.Table{
			{ID: "grid-changelog", Name: "Changelog", Columns: []codatest.Column{
				{ID: "c-commit", Name: "Commit"}, {ID: "c-summary", Name: "Summary"},
				{ID: "c-type", Name: "Type"}, {ID: "c-scope", Name: "Scope"}, {ID: "c-breaking", Name: "Breaking", Type: "checkbox"},
				{ID: "c-date", Name: "Date", Type: "date"}, {ID: "c-issues", Name: "Issues"},
				{ID: "c-age", Name: "Age", Type: "number", Calculated: true}, {ID: "c-notes", Name: "Notes"},
			}},
			{ID: "grid-releases", Name: "Releases", Columns: []codatest.Column{
				{ID: "c-release", Name: "Release"}, {ID: "c-count", Name: "Count", Type: "number"}, {ID: "c-md", Name: "Markdown"},
			}},
		},
	})
}

// fakeDoc starts a fake Coda with opts, closed when the test ends, and
// seeds it with d.
func fakeDoc(t *testing.T, d codatest.Doc, opts ...codatest.Option) (*codatest.Server, codatest.Doc) {
	t.Helper()
	srv := codatest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, srv.AddDoc(d)
}

func TestColumnsAddToTheMatchByName(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := userDoc(t)
	vars := map[string]string{
		"CODA_TABLE": "Changelog", "CODA_COLUMNS": "sha=Commit, subject=Summary, scope=",
		"CODA_RELEASE_TABLE": "Releases", "CODA_RELEASE_COLUMNS": "version=Release\nmarkdown=",
	}
	env := merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, vars))
	res := runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, `INFO: Table "Changelog": filling Commit (sha), Summary (subject), Type, Breaking, Date, Issues; `+
		"not filling Scope (left out by scope=), Age (calculated), Notes (no field)\n")
	require.Contains(t, res.stderr, `INFO: Table "Releases": filling Release, Count; not filling Markdown (left out by markdown=)`+"\n")

	rows := srv.Rows(doc.ID, "grid-changelog")
	require.Len(t, rows, 4)
	for _, r := range rows {
		for _, c := range []string{"c-commit", "c-summary", "c-type", "c-breaking", "c-date"} {
			require.Contains(t, r.Values, c, "the pairs and the columns named after fields are filled")
		}
		require.NotContains(t, r.Values, "c-scope", "scope= leaves Scope out")
		require.NotContains(t, r.Values, "c-notes")
	}
	releases := srv.Rows(doc.ID, "grid-releases")
	require.Len(t, releases, 1)
	require.Equal(t, "v1.1.0", releases[0].Values["c-release"])
	require.EqualValues(t, 4, releases[0].Values["c-count"], "Count is named after a field")
	require.NotContains(t, releases[0].Values, "c-md")

	dry := runPipe(t, repo.Dir, merge(env, map[string]string{"DRY_RUN": "true"}))
	require.Equal(t, 0, dry.code, dry.output())
	require.Contains(t, dry.stderr, `INFO: Would upsert 4 rows (one per commit) into table "Changelog", filling Commit (sha), Summary (subject) `+
		"and the columns named after the other fields, leaving out scope (a dry run does not read the table")
}

// TestVersionUnderFromRef: FROM_REF widens the rows and notes, not the
// version, which is the previous release tag bumped by the commits since.
func TestVersionUnderFromRef(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Commit("feat: first")
	repo.Tag("v1.0.0")
	repo.Commit("feat!: drop the old API")
	repo.Tag("v2.0.0")
	fix1 := repo.Commit("fix: one")
	fix2 := repo.Commit("fix: two")
	res := runPipe(t, repo.Dir, pipelinesEnv(repo, repo.Head(), map[string]string{"DRY_RUN": "true", "FROM_REF": "v1.0.0"}))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "(FROM_REF), version v2.0.1 (no feat or breaking change since v2.0.0: "+fix2[:7]+", "+fix1[:7]+")\n")
	require.Contains(t, res.stdout, "## v2.0.1 (")
	require.Contains(t, res.stdout, "drop the old API", "the notes hold the whole range")
}

// TestNearMissOfAVariableIsAnError: Bitbucket passes a pipe only the
// variables its step lists, so CODA_TABEL is a typo: with a page set, the
// run used to succeed without the table.
func TestNearMissOfAVariableIsAnError(t *testing.T) {
	t.Parallel()
	res := refused(t, map[string]string{"CODA_PAGE": "Release notes", "CODA_TABEL": "Changes", "CODA_SOMETHING_ELSE": "x"})
	require.Contains(t, res.stderr, "WARNING: CODA_SOMETHING_ELSE is not a variable of this pipe and is ignored")
	require.Contains(t, res.stderr, "✖ Validation errors:\nCODA_TABEL:\n- is not a variable of this pipe: did you mean CODA_TABLE?")
}

// TestTokenAdviceAgreesWithTheReadme: the 401 advice and the README say
// the same about restricting the token: to the doc, not to a table.
func TestTokenAdviceAgreesWithTheReadme(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDoc(t)
	res := runPipe(t, repo.Dir, codaVars(srv, doc, map[string]string{"CODA_API_TOKEN": "wrong", "CODA_TABLE": "Changes"}))
	require.Equal(t, 1, res.code, res.output())
	require.Contains(t, res.stderr, "restrict it to the doc, not to a table")
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	require.Contains(t, string(readme), "Restrict it to the doc, not to a table")
	require.NotContains(t, string(readme), "or to the table and the page")
}

// TestMessagesSayTheirCauseOnce: no message repeats its cause in
// parentheses.
func TestMessagesSayTheirCauseOnce(t *testing.T) {
	t.Parallel()
	empty := gittest.New(t)
	for name, dir := range map[string]string{"not a repository": t.TempDir(), "no commits": empty.Dir} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := runPipe(t, dir, map[string]string{"DRY_RUN": "true"})
			require.Equal(t, 1, res.code, res.output())
			require.NotContains(t, res.stderr, "(not a git repository)")
			require.NotContains(t, res.stderr, "(the repository has no commits)")
			require.Regexp(t, `✖ (\S+ is not a git repository: run the pipe in the clone|the repository at \S+ has no commits yet: there is no changelog to publish)`, res.stderr)
		})
	}
}

// TestDebugRedactsCredentialsInURLs: the deepening fetch passes
// BITBUCKET_GIT_HTTP_ORIGIN to git, and DEBUG prints git's arguments;
// credentials embedded in the URL are not shown.
func TestDebugRedactsCredentialsInURLs(t *testing.T) {
	t.Parallel()
	origin := sampleRepo(t)
	for i := range 5 {
		origin.Commit(fmt.Sprintf("fix: later change %d", i))
	}
	clone := origin.Clone("--depth", "3")
	const originURL = "http://x-token-auth:s3cret-pass@bitbucket.invalid/acme/shop"
	clone.Git("remote", "set-url", "origin", originURL)
	res := runPipe(t, clone.Dir, merge(pipelinesEnv(clone, clone.Head(), map[string]string{
		// a host where no proxy listens: the fetch fails, as it may
		"BITBUCKET_GIT_HTTP_ORIGIN": originURL, "DOCKER_HOST": "tcp://127.0.0.2:2375",
	}), map[string]string{"DRY_RUN": "true", "DEBUG": "true"}))
	require.Equal(t, 1, res.code, res.output())
	require.Contains(t, res.stderr, "-c http.http://[redacted]@bitbucket.invalid/acme/shop.proxy=http://127.0.0.2:29418/ fetch --unshallow")
	require.NotContains(t, res.output(), "s3cret-pass")
	require.NotContains(t, res.output(), "x-token-auth")
}

// TestControlCharactersInSubjectsAreEscapedOnTheTerminal: a commit
// subject cannot clear the screen, ring or reorder the text of the dry
// run's notes or of the log; the cells keep the text as written.
func TestControlCharactersInSubjectsAreEscapedOnTheTerminal(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	const subject = "\x1b[2J\x1b]0;pwned\x07evil \u202eexe.txt"
	repo.Commit("fix: " + subject + "\n\n" + strings.Repeat("stack frame\n", 9000)) // a body too long for a cell
	const escaped = `\x07evil \u202eexe.txt`                                        // the notes escape [ and ] as markdown
	raw := []string{"\x1b", "\x07", "\u202e"}

	dry := runPipe(t, repo.Dir, pipelinesEnv(repo, repo.Head(), map[string]string{"DRY_RUN": "true"}))
	require.Equal(t, 0, dry.code, dry.output())
	require.Contains(t, dry.stdout, escaped)
	for _, r := range raw {
		require.NotContains(t, dry.output(), r)
	}

	srv, doc := newDoc(t)
	env := merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes"}))
	res := runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	subjects := map[any]bool{}
	for _, r := range rowsBySHA(t, srv, doc) {
		subjects[r["c-subject"]] = true
	}
	require.True(t, subjects[subject], "the cell keeps the subject as written: %q", subjects)

	// The log names the commit whose row is too large, escaped too.
	bad := runPipe(t, repo.Dir, merge(env, map[string]string{"CODA_COLUMNS": "body=Type"}))
	require.Contains(t, bad.stderr, `evil \u202eexe.txt`)
	for _, r := range raw {
		require.NotContains(t, bad.output(), r)
	}
}

// TestHugeSubjectAdviceNamesExcludeCommits: a row too large because of
// its subject cannot be fixed by mapping fewer fields; the advice is to
// leave the commit out.
func TestHugeSubjectAdviceNamesExcludeCommits(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	repo.Commit("fix: generated " + strings.Repeat("x", 100_000))
	srv, doc := newDoc(t)
	env := merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{"CODA_TABLE": "Changes"}))
	res := runPipe(t, repo.Dir, env)
	// The row is clipped to fit (issue 18), and the warning gives the advice.
	require.Equal(t, 0, res.code, res.output())
	advice := regexp.MustCompile(`leave the commit out with EXCLUDE_COMMITS, a Go regular expression of subjects and authors \(such as '([^']+)'\)`).
		FindStringSubmatch(res.stderr)
	require.NotNil(t, advice, res.output())
	require.NotContains(t, res.stderr, "Map fewer long fields")

	// The advice works: EXCLUDE_COMMITS matches the first line as written,
	// "fix: generated …", not the subject the row shows.
	res = runPipe(t, repo.Dir, merge(env, map[string]string{"EXCLUDE_COMMITS": advice[1]}))
	require.Equal(t, 0, res.code, res.output())
}
