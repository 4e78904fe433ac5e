package publish

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// testPayloadConfig checks every destination of typedDoc.
func testPayloadConfig() Config {
	return Config{
		DocID: typedDocID, Table: changesTable,
		Page: "Release notes", PageMode: "prepend", RuleID: "rule-1", Wait: true, WaitTimeout: time.Minute,
	}
}

// testPayloadRelease is a release whose newest entry is by author.
func testPayloadRelease(author changelog.Person) changelog.Release {
	rel := bigRelease(3)
	rel.Version = "v2.0.0"
	rel.Entries[0].Author = author
	rel.Entries[0].Subject = "=1+1 is two"
	return rel
}

func TestTestPayload(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// Reads lag writes by a minute: the test row is read from the latest
		// version, which has it and its typed cells.
		srv := codatest.NewUnstarted(codatest.WithWriteDelay(time.Second), codatest.WithStatusNotFoundFor(time.Second), codatest.WithReadLag(time.Minute))
		doc := typedDoc(srv)
		rel := testPayloadRelease(changelog.Person{Name: "Jane Doe", Email: "jane@example.com"})
		// A real row of the same commit, written by an earlier run.
		cfg := testPayloadConfig()
		_, err := New(fakeClient(t, srv), Config{DocID: doc.ID, Table: changesTable, Wait: true, WaitTimeout: time.Minute},
			discard{}).Publish(t.Context(), testPayloadRelease(changelog.Person{Name: "Jane Doe", Email: "jane@example.com"}))
		require.NoError(t, err)
		before := srv.Rows(doc.ID, "grid-changes")
		page := srv.PageMarkdown(doc.ID, "Release notes")

		var log recorder
		done, err := New(fakeClient(t, srv), cfg, &log).TestPayload(t.Context(), rel)
		require.NoError(t, err, log.String())
		require.Equal(t, []string{
			"token and doc",
			`page "Release notes" readable (not written)`,
			`table "Changes": a test row written, read back (0 warnings) and deleted`,
			`automation rule-1 triggered with "test": true`,
		}, done)
		require.Equal(t, before, srv.Rows(doc.ID, "grid-changes"), "the table is as it was")
		require.Equal(t, page, srv.PageMarkdown(doc.ID, "Release notes"), "the page is not written")
		out := log.String()
		for _, want := range []string{
			`Test payload: ✔ SHA (text, sha): sent "[coda-changelog test] 0000000000000000000000000000000000000001"`,
			`Test payload: ✔ Subject (text, subject): sent "[coda-changelog test] =1+1 is two", stored text "[coda-changelog test] =1+1 is two"`,
			`Test payload: ✔ Author (person, author): sent "jane@example.com", stored person "Jane Doe" <jane@example.com>`,
			`Test payload: ✔ Release (lookup, version): sent "v2.0.0", stored row "v2.0.0"`,
			`Test payload: ✔ When (date, date): sent "2026-01-01", stored date`,
			`Test payload: ✔ Breaking (checkbox, breaking): sent false, stored`,
		} {
			require.Contains(t, out, want)
		}
		payloads := srv.AutomationPayloads(doc.ID, "rule-1")
		require.Len(t, payloads, 1)
		var got struct {
			Test    bool   `json:"test"`
			Version string `json:"version"`
		}
		require.NoError(t, json.Unmarshal(payloads[0], &got))
		require.True(t, got.Test)
		require.Equal(t, "v2.0.0", got.Version)
	})
}

// TestTestPayloadReportsTextKept: a person who is not a member of the doc
// stays text, and the report says so, with the likely cause.
func TestTestPayloadReportsTextKept(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		doc := typedDoc(srv)
		var log recorder
		done, err := New(fakeClient(t, srv), testPayloadConfig(), &log).TestPayload(t.Context(),
			testPayloadRelease(changelog.Person{Name: "Guest", Email: "guest@example.com"}))
		require.NoError(t, err)
		require.Contains(t, strings.Join(done, "; "), "(2 warnings)")
		require.Contains(t, log.String(), `WARNING: Test payload: Author (person, author): sent "guest@example.com", stored text "guest@example.com": `+
			`Coda kept text "guest@example.com" instead of a person: that person is not a member of the doc, or values were sent unparsed`)
		require.Empty(t, srv.Rows(doc.ID, "grid-changes"))
	})
}

// TestTestPayloadDeleteRefused fails, naming the row to delete by hand.
func TestTestPayloadDeleteRefused(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithRowDeletesForbidden())
		doc := typedDoc(srv)
		_, err := New(fakeClient(t, srv), testPayloadConfig(), discard{}).TestPayload(t.Context(),
			testPayloadRelease(changelog.Person{Name: "Jane Doe", Email: "jane@example.com"}))
		rows := srv.Rows(doc.ID, "grid-changes")
		require.Len(t, rows, 1)
		require.ErrorContains(t, err, "the test row "+rows[0].ID+` could not be deleted from table "Changes": delete the row starting "[coda-changelog test] " by hand`)
		require.Empty(t, srv.AutomationPayloads(doc.ID, "rule-1"), "nothing is triggered after a failure")
	})
}

// TestTestRowInsertNotResent: an insert answered with a 5xx although
// Coda applied it is not sent again (it would add a second test row), and
// the error says where to look.
func TestTestRowInsertNotResent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithFaults(codatest.Faults{AppliedServerErrorRate: 1}))
		doc := srv.AddDoc(codatest.Doc{Tables: []codatest.Table{{ID: "grid-1", Name: "Changes", Columns: []codatest.Column{
			{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"}}}}})
		cfg := Config{DocID: doc.ID, Table: Table{Name: "Changes", Rows: PerCommit}, WaitTimeout: time.Minute}
		_, err := New(fakeClient(t, srv), cfg, discard{}).TestPayload(t.Context(), bigRelease(2))
		require.ErrorContains(t, err, "the row may have been added; look for a row starting \"[coda-changelog test] \" and delete it")
		require.Len(t, srv.Rows(doc.ID, "grid-1"), 1, "inserted once")
	})
}
