package test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// handWrittenPage is the notes page of [newNotesDoc]: text written by
// hand above, between and below the pipe's sections.
const handWrittenPage = "This page is kept by the pipe.\n## Our own notes\nWritten by hand.\n"

// newNotesDoc seeds a fake Coda with a notes page holding text written by
// hand, and an automation.
func newNotesDoc(t *testing.T, opts ...codatest.Option) (*codatest.Server, codatest.Doc) {
	t.Helper()
	srv := codatest.NewServer(opts...)
	t.Cleanup(srv.Close)
	doc := srv.AddDoc(codatest.Doc{
		Name:        "Release Log",
		Tables:      []codatest.Table{{ID: "grid-changes", Name: "Changes", Columns: changelogColumns()}},
		Pages:       []codatest.Page{{ID: "canvas-notes", Name: "Release notes", Markdown: handWrittenPage}},
		Automations: []codatest.Automation{{ID: "rule-1"}},
	})
	return srv, doc
}

// TestOneSectionPerVersion is a month of builds in short: two branch
// builds of main (the computed v1.1.0, from two commits), then the tag
// build of v1.1.0, then a rerun of it. The page ends with one section for
// v1.1.0, the released one, where the first was put; the text written by
// hand is as it was; the rerun writes nothing.
func TestOneSectionPerVersion(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newNotesDoc(t)
	vars := map[string]string{"CODA_PAGE": "Release notes"}
	run := func(commit string, extra map[string]string) result {
		t.Helper()
		res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, commit, extra), codaVars(srv, doc, vars)))
		require.Equal(t, 0, res.code, res.output())
		return res
	}
	first := repo.Head()
	run(first, nil)
	second := repo.Commit("fix: one more fix")
	run(second, nil)
	page := srv.PageMarkdown(doc.ID, "Release notes")
	require.Equal(t, 1, strings.Count(page, "## v1.1.0"), page)
	require.Contains(t, page, "## v1.1.0 ("+second[:7], "the later branch build replaced the earlier one")

	repo.Tag("v1.1.0")
	tag := map[string]string{"BITBUCKET_TAG": "v1.1.0", "BITBUCKET_BRANCH": ""}
	run(second, tag)
	edits := srv.PageEdits()
	res := run(second, tag)
	require.Equal(t, edits, srv.PageEdits(), "a rerun of the same build writes nothing to the page")
	require.Contains(t, res.stderr, `notes of v1.1.0 already on page "Release notes"`)

	page = srv.PageMarkdown(doc.ID, "Release notes")
	require.Equal(t, 1, strings.Count(page, "## v1.1.0"), page)
	require.NotContains(t, page, "## v1.1.0 ("+second[:7], "the tag build's heading has no commit")
	require.Contains(t, page, "- one more fix")
	require.True(t, strings.HasPrefix(page, "This page is kept by the pipe.\n## v1.1.0 ("), page)
	require.True(t, strings.HasSuffix(page, handWrittenPage[len("This page is kept by the pipe.\n"):]), page)
}

// TestConcurrentBuildsLeaveOneSection: a branch build and a tag build of
// the same commit, and a rerun, at once, against a Coda that applies
// writes 150 ms after accepting them. Their page writes are taken
// together, so each run read the page before any of them wrote: each
// writes a section, and the runs then remove all but one.
func TestConcurrentBuildsLeaveOneSection(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	repo.Tag("v1.1.0")
	srv, doc := newNotesDoc(t, codatest.WithWriteDelay(150*time.Millisecond), codatest.WithPageWritesAtOnce(3))
	vars := codaVars(srv, doc, map[string]string{"CODA_PAGE": "Release notes", "CODA_TABLE": "Changes"})
	tag := map[string]string{"BITBUCKET_TAG": "v1.1.0", "BITBUCKET_BRANCH": ""}
	var wg sync.WaitGroup
	for _, extra := range []map[string]string{nil, tag, tag} {
		wg.Go(func() {
			res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), extra), vars))
			require.Equal(t, 0, res.code, res.output())
		})
	}
	wg.Wait()
	page := srv.PageMarkdown(doc.ID, "Release notes")
	require.Equal(t, 1, strings.Count(page, "## v1.1.0"), page)
	require.Contains(t, page, "## Our own notes\nWritten by hand.\n")
	require.Len(t, rowsBySHA(t, srv, doc), 4)
	puts := 0
	for _, r := range srv.Requests() {
		if r.Method == "PUT" {
			puts++
		}
	}
	require.Equal(t, 3, puts, "each run wrote its section: the race was run")
}

// TestAppliedServerErrorsWriteNothingTwice: Coda answers each write first
// with a 5xx in its own error format although it applied the write. The
// run checks the page before writing again, upserts rows by key, and does
// not trigger the automation again: one section, one row per commit, one
// run of the rule, and a warning that says the rule may or may not have run.
func TestAppliedServerErrorsWriteNothingTwice(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newNotesDoc(t, codatest.WithFaults(codatest.Faults{AppliedServerErrorRate: 1, Seed: 5}))
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{
		"CODA_PAGE": "Release notes", "CODA_TABLE": "Changes", "CODA_AUTOMATION_RULE_ID": "rule-1",
	})))
	require.Equal(t, 0, res.code, res.output())
	require.Contains(t, res.stderr, "WARNING: Automation rule-1: the answer to its trigger was lost or was an error")
	require.Contains(t, res.stderr, "may or may not have run")
	require.Equal(t, 1, strings.Count(srv.PageMarkdown(doc.ID, "Release notes"), "## v1.1.0"))
	require.Len(t, rowsBySHA(t, srv, doc), 4)
	require.Len(t, srv.AutomationPayloads(doc.ID, "rule-1"), 1)
}

// TestReleaseOverCodasLimits: a release whose notes (2.2 MB) and payload
// are over Coda's 2 MB request limit, and whose commit subjects (100 KB)
// are over its 85 KB row limit. The dry run says how it will fit; the run
// writes the notes in several writes as one section, clips the rows with
// a warning per commit, cuts the payload with "truncated": true, and a
// rerun writes no notes.
func TestReleaseOverCodasLimits(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	const commits = 22 // 2.2 MB of notes
	for i := range commits {
		repo.Commit(fmt.Sprintf("fix: huge %02d %s", i, strings.Repeat("word ", 20_000))) // 100 KB each (an argument to git is at most 128 KiB)
	}
	srv, doc := newNotesDoc(t)
	vars := map[string]string{"CODA_PAGE": "Release notes", "CODA_TABLE": "Changes", "CODA_COLUMNS": "sha=SHA,subject=Subject",
		"CODA_AUTOMATION_RULE_ID": "rule-1"}
	dry := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, merge(vars, map[string]string{"DRY_RUN": "true"}))))
	require.Equal(t, 0, dry.code, dry.output())
	require.Contains(t, dry.stderr, "in 2 writes, as Coda takes at most 2000000 bytes a request")
	require.Regexp(t, `Would trigger automation rule-1 with the release JSON cut to \d+ of its 26 entries \("truncated": true\)`, dry.stderr)

	env := merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, vars))
	res := runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Equal(t, commits, strings.Count(res.stderr, "over Coda's 85 KB row limit, so its longest text cells were clipped"))
	require.Contains(t, res.stderr, `WARNING: CODA_TABLE "Changes": the row of commit `)

	page := srv.PageMarkdown(doc.ID, "Release notes")
	require.Equal(t, 1, strings.Count(page, "## v1.1.0"))
	for i := range commits {
		require.Contains(t, page, fmt.Sprintf("huge %02d word", i))
	}
	rows := rowsBySHA(t, srv, doc)
	require.Len(t, rows, commits+4)
	payloads := srv.AutomationPayloads(doc.ID, "rule-1")
	require.Len(t, payloads, 1)
	var payload struct {
		Truncated    bool
		EntriesTotal int `json:"entries_total"`
		Entries      []any
	}
	require.NoError(t, json.Unmarshal(payloads[0], &payload))
	require.True(t, payload.Truncated)
	require.Equal(t, commits+4, payload.EntriesTotal)
	require.Less(t, len(payload.Entries), commits+4)

	edits := srv.PageEdits()
	res = runPipe(t, repo.Dir, env)
	require.Equal(t, 0, res.code, res.output())
	require.Equal(t, edits, srv.PageEdits(), "the rerun finds the section written in several writes")
}

// TestAutomationFailureAfterWritesSaysRerunIsSafe: the rule is off; the
// rows and notes were written, and the last line says so, that a rerun is
// safe, and names the trigger once.
func TestAutomationFailureAfterWritesSaysRerunIsSafe(t *testing.T) {
	t.Parallel()
	repo := sampleRepo(t)
	srv, doc := newDoc(t)
	res := runPipe(t, repo.Dir, merge(pipelinesEnv(repo, repo.Head(), nil), codaVars(srv, doc, map[string]string{
		"CODA_TABLE": "Changes", "CODA_PAGE": "Release notes", "CODA_AUTOMATION_RULE_ID": "rule-off",
	})))
	require.Equal(t, 1, res.code, res.output())
	require.Regexp(t, `✖ 4 rows upserted into table "Changes" <[^>]+>; notes written to page "Release notes" \(prepend\) <[^>]+>; then the automation failed: `+
		`CODA_AUTOMATION_RULE_ID "rule-off": the rule is off`, res.stderr)
	require.Contains(t, res.stderr, "A rerun is safe")
	require.Equal(t, 1, strings.Count(res.stderr, "trigger automation rule-off"), res.stderr)
	require.Len(t, rowsBySHA(t, srv, doc), 4)
}
