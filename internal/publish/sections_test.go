package publish

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

func TestHeadingVersion(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"v2.0.1 (5cb9d8d, 2026-02-06)":       "v2.0.1",
		"v2.0.1 (2026-02-06)":                "v2.0.1",
		" Unreleased (5cb9d8d, 2026-02-06) ": "Unreleased",
		"v2.0.1":                             "v2.0.1",
		"v1_0*rc&<x> (2026-02-06)":           "v1_0*rc&<x>",
		"Notes (by hand) and more":           "Notes (by hand) and more",
	} {
		require.Equal(t, want, headingVersion(text), text)
	}
}

func TestSectionsOf(t *testing.T) {
	t.Parallel()
	items := []coda.PageContentItem{
		{ID: "0", Style: "paragraph", Content: "intro"},
		{ID: "1", Style: "h2", Content: "v2.0.1 (abc, 2026-02-06)"},
		{ID: "2", Style: "h3", Content: "Features"},
		{ID: "3", Style: "bulletedList", Content: "a"},
		{ID: "4", Style: "h2", Content: "v2.0.0 (2026-02-01)"},
		{ID: "5", Style: "paragraph", Content: "b"},
		{ID: "6", Style: "h1", Content: "Ours"},
		{ID: "7", Style: "h2", Content: "v2.0.1 (def, 2026-02-07)"},
	}
	require.Equal(t, []section{{1, 4}, {7, 8}}, sectionsOf(items, "v2.0.1"))
	require.Equal(t, []section{{4, 6}}, sectionsOf(items, "v2.0.0"), "ends before a heading of a higher level")
	require.Empty(t, sectionsOf(items, "Features"[:3]))
	require.Equal(t, []string{"1", "2", "3"}, section{1, 4}.ids(items))
}

func TestSplitNotesFitsEachPart(t *testing.T) {
	t.Parallel()
	md := "## v1 (x)\n" + strings.Repeat("- line of \"notes\"\n", 100) + strings.Repeat("y", 500) + "\n- end\n"
	const budget = 200
	parts := splitNotes(md, budget)
	require.Greater(t, len(parts), 5)
	for _, p := range parts {
		require.LessOrEqual(t, encodedLen(p), budget)
		require.True(t, strings.HasSuffix(p, "\n"), "parts end at line ends")
	}
	joined := strings.Join(parts, "")
	require.Contains(t, joined, clippedLine, "the line too long for one write is clipped, visibly")
	require.Equal(t, strings.Replace(md, strings.Repeat("y", 500)+"\n", "", 1), strings.Replace(joined, parts[len(parts)-2], "", 1), "the other lines, in order")
	require.Equal(t, []string{md}, splitNotes(md, 1<<20))
}

// sectionsPage is a page with text written by hand above, between and
// below a release's section.
const sectionsPage = "Intro by hand.\n## v2.0.0 (2026-02-01)\n- old entry\nUnder v2.0.0 by hand.\n## Our own notes\nKeep me.\n"

// notesOf is a release of version whose notes have the heading heading.
func notesOf(version, heading string, entries ...string) changelog.Release {
	md := "## " + changelog.EscapeMarkdown(heading) + "\n"
	for _, e := range entries {
		md += "- " + changelog.EscapeMarkdown(e) + "\n"
	}
	return changelog.Release{Version: version, Markdown: md}
}

// handWritten is the ids and text of the page's elements outside the
// release sections, to check that they stay as they were.
func handWritten(srv *codatest.Server, docID string) []codatest.PageElement {
	var out []codatest.PageElement
	in := false
	for _, e := range srv.PageElements(docID, "Release notes") {
		if e.Style == "h2" {
			in = strings.HasPrefix(e.Text, "v")
		}
		if !in || e.Text == "Under v2.0.0 by hand." {
			out = append(out, e)
		}
	}
	return out
}

func TestOneSectionPerVersion(t *testing.T) {
	t.Parallel()
	for _, mode := range []coda.InsertionMode{coda.Prepend, coda.Append} {
		t.Run(string(mode), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted(codatest.WithWriteDelay(time.Second))
				doc := srv.AddDoc(codatest.Doc{Pages: []codatest.Page{{Name: "Release notes", Markdown: sectionsPage}}})
				before := handWritten(srv, doc.ID)
				cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: mode, WaitTimeout: time.Minute}
				publish := func(rel changelog.Release) []string {
					t.Helper()
					done, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), rel)
					require.NoError(t, err)
					time.Sleep(time.Second) // virtual time: the fake applies what it accepted
					return done
				}
				publish(notesOf("v2.0.1", "v2.0.1 (aaaaaaa, 2026-02-06)", "fix: one"))
				publish(notesOf("v2.0.1", "v2.0.1 (bbbbbbb, 2026-02-07)", "fix: one", "fix: two"))
				publish(notesOf("v2.0.1", "v2.0.1 (2026-02-08)", "fix: one", "fix: two"))
				writes := srv.PageEdits()
				done := publish(notesOf("v2.0.1", "v2.0.1 (2026-02-08)", "fix: one", "fix: two"))
				require.Equal(t, writes, srv.PageEdits(), "a rerun of the same build writes nothing")
				require.Equal(t, []string{`notes of v2.0.1 already on page "Release notes"`}, withoutLinks(done))

				released := "## v2.0.1 (2026-02-08)\n- fix: one\n- fix: two\n"
				want := "Intro by hand.\n" + released + "## v2.0.0 (2026-02-01)\n- old entry\nUnder v2.0.0 by hand.\n## Our own notes\nKeep me.\n"
				if mode == coda.Append {
					want = sectionsPage + released
				}
				require.Equal(t, want, srv.PageMarkdown(doc.ID, "Release notes"))
				if diff := cmp.Diff(before, handWritten(srv, doc.ID)); diff != "" {
					t.Errorf("text written by hand changed (-before +after):\n%s", diff)
				}
			})
		})
	}
}

func TestSectionKeepsItsPlaceAmongOthers(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		page := "## v3.0.0 (2026-03-01)\n- c\n## v2.0.0 (1d084e2, 2026-02-05)\n- b\nBy hand under v2.\n## v1.0.0 (2026-01-01)\n- a\n"
		doc := srv.AddDoc(codatest.Doc{Pages: []codatest.Page{{Name: "Release notes", Markdown: page}}})
		cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, WaitTimeout: time.Minute}
		_, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), notesOf("v2.0.0", "v2.0.0 (2026-02-06)", "b", "b2"))
		require.NoError(t, err)
		require.Equal(t, "## v3.0.0 (2026-03-01)\n- c\n## v2.0.0 (2026-02-06)\n- b\n- b2\n## v1.0.0 (2026-01-01)\n- a\n",
			srv.PageMarkdown(doc.ID, "Release notes"), "replaced in place, with what a person wrote under its heading")
	})
}

func TestEscapedVersionIsRecognised(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		doc := srv.AddDoc(codatest.Doc{Pages: []codatest.Page{{Name: "Release notes"}}})
		cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, WaitTimeout: time.Minute}
		const version = "v1.0.0_rc*1&<b>"
		rel := notesOf(version, version+" (2026-02-06)", "fix: *this* & <that>")
		require.Contains(t, rel.Markdown, `\_`, "the markdown escapes the version")
		for range 2 {
			_, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), rel)
			require.NoError(t, err)
		}
		require.Equal(t, 1, srv.PageEdits(), "the rerun found the notes")
		require.Len(t, sectionsOf(pageItems(srv, doc.ID), version), 1)
	})
}

// pageItems is the page's content as the client reads it.
func pageItems(srv *codatest.Server, docID string) []coda.PageContentItem {
	var items []coda.PageContentItem
	for _, e := range srv.PageElements(docID, "Release notes") {
		items = append(items, coda.PageContentItem{ID: e.ID, Style: e.Style, Content: e.Text})
	}
	return items
}

// publishAtOnce publishes each of rels with its own publisher from
// newPublisher, all at once: every run reads the page before any of them
// writes it.
func publishAtOnce(t *testing.T, rels []changelog.Release, newPublisher func(i int) *Publisher) {
	var wg, read sync.WaitGroup
	read.Add(len(rels))
	for i, rel := range rels {
		wg.Go(func() {
			p := newPublisher(i)
			p.beforePageWrite = func() { read.Done(); read.Wait() }
			_, err := p.Publish(t.Context(), rel)
			require.NoError(t, err)
		})
	}
	wg.Wait()
}

// TestConcurrentRunsLeaveOneSection: runs that read the page before any
// of them wrote all write a section; each then reads the page and removes
// the sections after the first, so one is left.
func TestConcurrentRunsLeaveOneSection(t *testing.T) {
	t.Parallel()
	for _, mode := range []coda.InsertionMode{coda.Prepend, coda.Append} {
		t.Run(string(mode), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted(codatest.WithWriteDelay(2 * time.Second))
				doc := srv.AddDoc(codatest.Doc{Pages: []codatest.Page{{Name: "Release notes", Markdown: sectionsPage}}})
				cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: mode, WaitTimeout: time.Minute}
				rel := notesOf("v2.0.1", "v2.0.1 (2026-02-08)", "fix: one")
				const runs = 4
				publishAtOnce(t, []changelog.Release{rel, rel, rel, rel}, func(int) *Publisher { return New(fakeClient(t, srv), cfg, discard{}) })
				time.Sleep(2 * time.Second)
				page := srv.PageMarkdown(doc.ID, "Release notes")
				require.Equal(t, 1, strings.Count(page, "## v2.0.1"), page)
				require.Contains(t, page, "Under v2.0.0 by hand.\n## Our own notes\nKeep me.\n")
				require.GreaterOrEqual(t, srv.PageEdits(), runs+1, "the runs wrote a section each, then removed the extra ones")
			})
		})
	}
}

// TestAppliedServerErrorsWriteOnce: answers that are 5xx in Coda's error
// JSON although the write was applied leave one section, one row per
// commit and one trigger, with a warning for the trigger.
func TestAppliedServerErrorsWriteOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithFaults(codatest.Faults{AppliedServerErrorRate: 1, Seed: 3}))
		doc := srv.AddDoc(codatest.Doc{
			Tables:      []codatest.Table{{ID: "grid-1", Name: "Changes", Columns: []codatest.Column{{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"}}}},
			Pages:       []codatest.Page{{Name: "Release notes", Markdown: sectionsPage}},
			Automations: []codatest.Automation{{ID: "rule-1"}},
		})
		rel := bigRelease(3)
		rel.Version, rel.Markdown = "v2.0.1", notesOf("v2.0.1", "v2.0.1 (2026-02-08)", "fix: one").Markdown
		cfg := Config{DocID: doc.ID, Table: Table{Name: "Changes", Rows: PerCommit}, Page: "Release notes", PageMode: coda.Prepend,
			RuleID: "rule-1", Wait: true, WaitTimeout: time.Minute}
		var log recorder
		done, err := New(fakeClient(t, srv), cfg, &log).Publish(t.Context(), rel)
		require.NoError(t, err, log.String())
		require.Contains(t, log.String(), "WARNING: Automation rule-1: the answer to its trigger was lost or was an error")
		require.Contains(t, log.String(), "may or may not have run")
		require.Contains(t, done[len(done)-1], "outcome unknown")
		require.NotContains(t, log.String(), "second section", "the page was checked before writing again, not repaired after")

		require.Equal(t, 1, strings.Count(srv.PageMarkdown(doc.ID, "Release notes"), "## v2.0.1"))
		require.Len(t, srv.Rows(doc.ID, "grid-1"), 3)
		require.Len(t, srv.AutomationPayloads(doc.ID, "rule-1"), 1, "triggered once")
		var payload struct{ Version string }
		require.NoError(t, json.Unmarshal(srv.AutomationPayloads(doc.ID, "rule-1")[0], &payload))
		require.Equal(t, "v2.0.1", payload.Version)
	})
}

// TestAutomationFailureSaysWhatWasWritten: the rule is off; the rows and
// notes were written before, and the error says so, that a rerun is safe,
// and names the trigger once.
func TestAutomationFailureSaysWhatWasWritten(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		doc := srv.AddDoc(codatest.Doc{
			Tables:      []codatest.Table{{ID: "grid-1", Name: "Changes", Columns: []codatest.Column{{ID: "c-sha", Name: "SHA"}}}},
			Pages:       []codatest.Page{{Name: "Release notes"}},
			Automations: []codatest.Automation{{ID: "rule-1", Off: true}},
		})
		rel := bigRelease(2)
		rel.Version, rel.Markdown = "v2.0.1", "## v2.0.1 (2026-02-08)\n- fix\n"
		cfg := Config{DocID: doc.ID, Table: Table{Name: "Changes", Rows: PerCommit}, Page: "Release notes", PageMode: coda.Prepend,
			RuleID: "rule-1", WaitTimeout: time.Minute}
		_, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), rel)
		require.Error(t, err)
		msg := err.Error()
		require.True(t, strings.HasPrefix(msg, `2 rows upserted into table "Changes"`), msg)
		require.Contains(t, msg, `notes written to page "Release notes" (prepend)`)
		require.Contains(t, msg, "then the automation failed: CODA_AUTOMATION_RULE_ID \"rule-1\": the rule is off")
		require.Contains(t, msg, "A rerun is safe")
		require.Equal(t, 1, strings.Count(msg, "trigger automation rule-1"), msg)
	})
}

func TestAutomationErrorNamesTheTriggerOnce(t *testing.T) {
	t.Parallel()
	p := New(nil, Config{DocID: "d1", RuleID: "rule-1"}, discard{})
	cause := fmt.Errorf("trigger automation rule-1: %w", &coda.Error{StatusCode: 429, Message: "Too Many Requests", Method: "POST", Path: "/docs/d1/hooks/automation/rule-1"})
	msg := p.automationError(cause).Error()
	require.Equal(t, 1, strings.Count(msg, "trigger automation rule-1"), msg)
}

// TestRerunSaysWhatHappened: a rerun whose notes are on the page says so,
// and what it triggered, rather than "nothing new to write".
func TestRerunSaysWhatHappened(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		doc := srv.AddDoc(codatest.Doc{
			Pages:       []codatest.Page{{Name: "Release notes", Markdown: "## v2.0.1 (2026-02-08)\n- fix\n"}},
			Automations: []codatest.Automation{{ID: "a-rule1"}},
		})
		cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, RuleID: "a-rule1", WaitTimeout: time.Minute}
		done, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), notesOf("v2.0.1", "v2.0.1 (2026-02-08)", "fix"))
		require.NoError(t, err)
		require.Equal(t, []string{`notes of v2.0.1 already on page "Release notes"`, "automation a-rule1 triggered"}, withoutLinks(done))
	})
}

// genericRefusals passes requests to next and gives every write Coda
// refuses with a 400 Coda's bare "Bad Request" message: Coda documents no
// wording for refusing an element the page no longer has.
type genericRefusals struct{ next http.RoundTripper }

func (g genericRefusals) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := g.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusBadRequest && r.Method != http.MethodGet {
		resp.Body.Close()
		resp.Body = io.NopCloser(strings.NewReader(`{"statusCode":400,"statusMessage":"Bad Request","message":"Bad Request"}`))
		resp.ContentLength = -1
		resp.Header.Del("Content-Length")
	}
	return resp, err
}

// TestRunsReplacingASectionAtOnce: two runs read the page, then both
// replace the same section; Coda applies writes at once, so one of them
// is refused an element the other deleted, in words of Coda's own. That
// run reads the page again and finds the notes there.
func TestRunsReplacingASectionAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		doc := srv.AddDoc(codatest.Doc{Pages: []codatest.Page{{Name: "Release notes", Markdown: sectionsPage}}})
		cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, WaitTimeout: time.Minute}
		rel := notesOf("v2.0.0", "v2.0.0 (2026-02-06)", "new entry")
		publishAtOnce(t, []changelog.Release{rel, rel}, func(int) *Publisher {
			c, err := coda.NewClient(codatest.DefaultToken, coda.WithBaseURL(srv.URL),
				coda.WithHTTPClient(&http.Client{Transport: genericRefusals{srv.Client().Transport}}))
			require.NoError(t, err)
			return New(c, cfg, discard{})
		})
		require.Equal(t, "Intro by hand.\n## v2.0.0 (2026-02-06)\n- new entry\n## Our own notes\nKeep me.\n", srv.PageMarkdown(doc.ID, "Release notes"))
		refused := 0
		for _, r := range srv.Requests() {
			if r.Status == http.StatusBadRequest {
				refused++
			}
		}
		require.Positive(t, refused, "a run was refused an element")
	})
}

// TestRefusedPageWriteIsReported: a page write Coda refuses for a reason
// that a fresh read of the page does not change is reported, after that
// one read, and not sent again.
func TestRefusedPageWriteIsReported(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithMaxBodyBytes(100))
		doc := srv.AddDoc(codatest.Doc{Pages: []codatest.Page{{Name: "Release notes", Markdown: sectionsPage}}})
		cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, WaitTimeout: time.Minute}
		_, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), notesOf("v2.0.1", "v2.0.1 (2026-02-08)", strings.Repeat("long entry ", 20)))
		require.ErrorContains(t, err, `write the notes to page "Release notes": update page content: coda: PUT`)
		require.ErrorContains(t, err, "400")
		require.Equal(t, 1, srv.PageEdits(), "refused once, not sent again")
		require.Equal(t, sectionsPage, srv.PageMarkdown(doc.ID, "Release notes"))
	})
}

// TestSectionWithMoreIsReplaced: a section that holds the notes and more
// (the entry of a commit excluded since, a line added under the notes)
// does not say the same: a rerun replaces it.
func TestSectionWithMoreIsReplaced(t *testing.T) {
	t.Parallel()
	for name, extra := range map[string]string{"excluded entry": "- b\n", "line by hand": "Added by hand.\n"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted()
				page := "## v2.0.0 (2026-02-06)\n- a\n" + extra + "## v1.0.0 (2026-01-01)\n- z\n"
				doc := srv.AddDoc(codatest.Doc{Pages: []codatest.Page{{Name: "Release notes", Markdown: page}}})
				cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, WaitTimeout: time.Minute}
				_, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), notesOf("v2.0.0", "v2.0.0 (2026-02-06)", "a"))
				require.NoError(t, err)
				require.Equal(t, "## v2.0.0 (2026-02-06)\n- a\n## v1.0.0 (2026-01-01)\n- z\n", srv.PageMarkdown(doc.ID, "Release notes"))
			})
		})
	}
}

// TestRerunAfterAStopMidReplace: a run stopped after it wrote the new
// section before the old one, and before it deleted the old one. The
// rerun writes nothing, deletes the old section and says why.
func TestRerunAfterAStopMidReplace(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		page := "## v2.0.0 (2026-02-06)\n- new\n## v2.0.0 (2026-02-01)\n- old\n## v1.0.0 (2026-01-01)\n- z\n"
		doc := srv.AddDoc(codatest.Doc{Pages: []codatest.Page{{Name: "Release notes", Markdown: page}}})
		cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, WaitTimeout: time.Minute}
		var log recorder
		_, err := New(fakeClient(t, srv), cfg, &log).Publish(t.Context(), notesOf("v2.0.0", "v2.0.0 (2026-02-06)", "new"))
		require.NoError(t, err)
		require.Equal(t, "## v2.0.0 (2026-02-06)\n- new\n## v1.0.0 (2026-01-01)\n- z\n", srv.PageMarkdown(doc.ID, "Release notes"))
		require.Equal(t, 1, srv.PageEdits(), "one delete, no write")
		require.Contains(t, log.String(), `INFO: Page "Release notes" has a second section for v2.0.0 (left by runs at once, or by a run stopped while it replaced the section); removing it.`)
	})
}

// TestOtherRunsNotesAreNotClaimed: two runs of the same version with
// different notes (a branch build and a tag build) write at once; one
// section stays, and the run whose notes it is not says so.
func TestOtherRunsNotesAreNotClaimed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithWriteDelay(2 * time.Second))
		doc := srv.AddDoc(codatest.Doc{Pages: []codatest.Page{{Name: "Release notes", Markdown: sectionsPage}}})
		cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, WaitTimeout: time.Minute}
		rels := []changelog.Release{
			notesOf("v2.0.1", "v2.0.1 (5cb9d8d, 2026-02-08)", "fix: one"),
			notesOf("v2.0.1", "v2.0.1 (2026-02-08)", "fix: one"),
		}
		logs := make([]recorder, len(rels))
		publishAtOnce(t, rels, func(i int) *Publisher { return New(fakeClient(t, srv), cfg, &logs[i]) })
		time.Sleep(2 * time.Second)
		page := srv.PageMarkdown(doc.ID, "Release notes")
		require.Equal(t, 1, strings.Count(page, "## v2.0.1"), page)
		warned := 0
		for i, rel := range rels {
			mine := strings.Contains(page, strings.SplitN(rel.Markdown, "\n", 2)[0]+"\n")
			claims := !strings.Contains(logs[i].String(), "the section of v2.0.1 that stays is not this run's")
			require.Equal(t, mine, claims, "run %d; page:\n%s\nlog:\n%s", i, page, logs[i].String())
			if !claims {
				warned++
			}
		}
		require.Equal(t, 1, warned)
	})
}

// TestNewNotesGoBelowAHeadingByHand: with prepend, a new version's notes
// go above the newest release's section, not above a heading a person
// wrote at the top of the page; on a page with no release yet, above its
// first heading, or at its end.
func TestNewNotesGoBelowAHeadingByHand(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ page, want string }{
		"above the newest section": {
			page: "## About this page\nRead me.\n## v1.0.0 (2026-01-01)\n- a\n",
			want: "## About this page\nRead me.\n## v1.1.0 (2026-02-06)\n- b\n## v1.0.0 (2026-01-01)\n- a\n",
		},
		"no section yet": {
			page: "Read me.\n## Our own notes\nMine.\n",
			want: "Read me.\n## v1.1.0 (2026-02-06)\n- b\n## Our own notes\nMine.\n",
		},
		"no heading": {
			page: "Read me.\n",
			want: "Read me.\n## v1.1.0 (2026-02-06)\n- b\n",
		},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := codatest.NewUnstarted()
				doc := srv.AddDoc(codatest.Doc{Pages: []codatest.Page{{Name: "Release notes", Markdown: tc.page}}})
				cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, WaitTimeout: time.Minute}
				_, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), notesOf("v1.1.0", "v1.1.0 (2026-02-06)", "b"))
				require.NoError(t, err)
				require.Equal(t, tc.want, srv.PageMarkdown(doc.ID, "Release notes"))
			})
		})
	}
}
