package publish

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// typedDocID is the ID of the doc typedDoc seeds.
const typedDocID = "AbCdEfGh"

// typedDoc seeds a doc with a member, a releases table and a changes table
// whose columns are of the types Coda stores only from parsed values.
func typedDoc(srv *codatest.Server) codatest.Doc {
	return srv.AddDoc(codatest.Doc{
		ID:     typedDocID,
		People: []codatest.Person{{Name: "Jane Doe", Email: "jane@example.com"}},
		Tables: []codatest.Table{
			{ID: "grid-releases", Name: "Releases", Columns: []codatest.Column{{ID: "c-version", Name: "Version"}},
				Rows: []codatest.Row{{Values: map[string]any{"c-version": "v2.0.0"}}}},
			{ID: "grid-changes", Name: "Changes", Columns: []codatest.Column{
				{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"},
				{ID: "c-author", Name: "Author", Type: "person"}, {ID: "c-email", Name: "Email", Type: "person"},
				{ID: "c-when", Name: "When", Type: "date"}, {ID: "c-release", Name: "Release", Type: "lookup", Table: "Releases"},
				{ID: "c-breaking", Name: "Breaking", Type: "checkbox"},
			}},
		},
		Pages:       []codatest.Page{{ID: "canvas-notes", Name: "Release notes", Markdown: "Older notes.\n"}},
		Automations: []codatest.Automation{{ID: "rule-1"}},
	})
}

// changesTable is typedDoc's changes table, every column mapped.
var changesTable = Table{Name: "Changes", Rows: PerCommit, Columns: typedColumns}

var typedColumns = []ColumnMapping{
	{Field: "sha", Column: "SHA"}, {Field: "subject", Column: "Subject"}, {Field: "author", Column: "Author"},
	{Field: "author_email", Column: "Email"}, {Field: "date", Column: "When"}, {Field: "version", Column: "Release"},
	{Field: "breaking", Column: "Breaking"},
}

// richRow reads a row back as Coda stores it.
func richRow(t *testing.T, c *coda.Client, docID, table, rowID string) map[string]coda.RichValue {
	t.Helper()
	row, err := c.GetRow(t.Context(), docID, table, rowID)
	require.NoError(t, err)
	out := map[string]coda.RichValue{}
	for col, v := range row.Values {
		out[col] = coda.ParseRichValue(v)
	}
	return out
}

// TestTypedCellsByDefault: with the default settings a Person column holds
// a person, a Lookup column a row and a Date column a date, while commit
// text that Coda would read as a formula stays the text written.
func TestTypedCellsByDefault(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithWriteDelay(time.Second))
		doc := typedDoc(srv)
		rel := bigRelease(2)
		rel.Entries[0].Subject = "=1+1"
		rel.Entries[0].Author = changelog.Person{Name: "Jane Doe", Email: "jane@example.com"}
		rel.Entries[0].Breaking = true
		cfg := Config{DocID: doc.ID, Table: changesTable, Wait: true, WaitTimeout: time.Minute}
		client := fakeClient(t, srv)
		for range 2 { // a rerun updates the same rows
			_, err := New(client, cfg, discard{}).Publish(t.Context(), rel)
			require.NoError(t, err)
		}
		rows := srv.Rows(doc.ID, "grid-changes")
		require.Len(t, rows, 2)
		first := richRow(t, client, doc.ID, "grid-changes", rows[0].ID)
		require.Equal(t, coda.RichPerson, first["c-author"].Kind, "%+v", first["c-author"])
		require.Equal(t, "jane@example.com", first["c-author"].Email)
		require.Equal(t, coda.RichPerson, first["c-email"].Kind)
		require.Equal(t, coda.RichRow, first["c-release"].Kind, "%+v", first["c-release"])
		require.Equal(t, coda.RichDate, first["c-when"].Kind, "%+v", first["c-when"])
		require.Equal(t, coda.RichBool, first["c-breaking"].Kind)
		require.Equal(t, coda.RichText, first["c-subject"].Kind)
		require.Equal(t, "=1+1", first["c-subject"].Text, "commit text is never read as a formula")

	})
}

// TestParseValuesSendsOnePass: CODA_PARSE_VALUES lets Coda parse every
// value, in one pass, text included.
func TestParseValuesSendsOnePass(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		doc := typedDoc(srv)
		rel := bigRelease(1)
		rel.Entries[0].Subject = "=1+1"
		cfg := Config{DocID: doc.ID, Table: changesTable, Wait: true, WaitTimeout: time.Minute, ParseValues: true}
		_, err := New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), rel)
		require.NoError(t, err)
		require.Equal(t, 1, srv.Stats().Writes)
		require.EqualValues(t, 2, srv.Rows(doc.ID, "grid-changes")[0].Values["c-subject"], "the subject became a formula")
	})
}

// TestSecondPassLeavesFormulasOut: the parsed pass carries the key cells
// and the typed ones, but no value Coda would read as a formula: such a
// cell goes with the first pass, as text.
func TestSecondPassLeavesFormulasOut(t *testing.T) {
	t.Parallel()
	col := func(id string, typ coda.ColumnType) coda.Column {
		return coda.Column{ID: id, Format: coda.ColumnFormat{Type: typ}}
	}
	plan := &tablePlan{
		columns: []mappedColumn{
			{field: mustField(t, "sha"), column: col("c-sha", "text")},
			{field: mustField(t, "subject"), column: col("c-subject", "text")},
			{field: mustField(t, "author"), column: col("c-author", "person")},
			{field: mustField(t, "type"), column: col("c-type", "select")},
		},
		keys: []string{"c-sha"},
	}
	row := coda.RowEdit{Cells: []coda.CellEdit{
		{Column: "c-sha", Value: "abc"}, {Column: "c-subject", Value: "=1+1"},
		{Column: "c-author", Value: " =HYPERLINK(1)"}, {Column: "c-type", Value: "feat"},
	}}
	require.True(t, plan.hasTypedColumns())
	first, typed := plan.passes(row)
	require.Equal(t, coda.RowEdit{Cells: []coda.CellEdit{
		{Column: "c-sha", Value: "abc"}, {Column: "c-subject", Value: "=1+1"}, {Column: "c-author", Value: " =HYPERLINK(1)"},
	}}, first, "the text, and a typed value that looks like a formula, as text")
	require.Equal(t, coda.RowEdit{Cells: []coda.CellEdit{{Column: "c-sha", Value: "abc"}, {Column: "c-type", Value: "feat"}}}, typed,
		"the key and the typed cells, each typed cell in one pass only")
	require.True(t, formulaLike([]string{"a", "=b"}))
	require.False(t, formulaLike("a=b"))
	require.False(t, formulaLike(12.0))
}

// Coda's warnings about applied writes are logged for every write waited
// for: the first pass, the typed cells and the page.
func TestCodaWarningsAreLogged(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithApplyWarning("Some values could not be kept."))
		doc := typedDoc(srv)
		cfg := Config{DocID: doc.ID, Table: changesTable, Page: "Release notes", PageMode: coda.Prepend, Wait: true, WaitTimeout: time.Minute}
		var log recorder
		_, err := New(fakeClient(t, srv), cfg, &log).Publish(t.Context(), bigRelease(2))
		require.NoError(t, err)
		for _, what := range []string{"the rows' text", "the writes"} {
			require.Contains(t, log.String(), "WARNING: Coda, about "+what+": Some values could not be kept.")
		}
	})
}

// A warning in Coda's answer is clipped in the log: the answer may be
// anything, of any size.
func TestHugeCodaWarningIsClipped(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted(codatest.WithApplyWarning(strings.Repeat("W", 1<<20)))
		doc := srv.AddDoc(codatest.Doc{Pages: []codatest.Page{{Name: "Release notes"}}})
		cfg := Config{DocID: doc.ID, Page: "Release notes", PageMode: coda.Prepend, Wait: true, WaitTimeout: time.Minute}
		var log recorder
		_, err := New(fakeClient(t, srv), cfg, &log).Publish(t.Context(), notesOf("v1.0.0", "v1.0.0 (2026-02-06)", "fix"))
		require.NoError(t, err)
		require.Contains(t, log.String(), "WARNING: Coda, about the writes: WWW")
		require.Less(t, len(log.String()), 2000, "the warning is clipped")
	})
}

// A key column whose cells Coda stores as their type only when it parses
// them could not match the rows of the first pass, which is not parsed.
func TestTypedKeyColumnIsRefused(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		doc := typedDoc(srv)
		table := changesTable
		table.KeyColumns = []string{"SHA", "When"}
		_, err := New(fakeClient(t, srv), Config{DocID: doc.ID, Table: table, WaitTimeout: time.Minute}, discard{}).Publish(t.Context(), bigRelease(2))
		require.ErrorContains(t, err, `CODA_KEY_COLUMNS: column "When" is a date column`)
		require.Empty(t, srv.Rows(doc.ID, "grid-changes"), "nothing is written")

		// Parsed in one pass, the key matches: a rerun adds nothing.
		cfg := Config{DocID: doc.ID, Table: table, ParseValues: true, WaitTimeout: time.Minute}
		for range 2 {
			_, err = New(fakeClient(t, srv), cfg, discard{}).Publish(t.Context(), bigRelease(2))
			require.NoError(t, err)
		}
		require.Len(t, srv.Rows(doc.ID, "grid-changes"), 2)
	})
}

// A row whose key Coda would read as a formula goes whole into the first
// pass, its typed cells as text: parsed, the key would not match the row.
func TestFormulaLikeKeyIsOnePass(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		doc := typedDoc(srv)
		table := changesTable
		table.KeyColumns = []string{"Subject"}
		rel := bigRelease(2)
		rel.Entries[0].Subject = "=1+1"
		rel.Entries[0].Author = changelog.Person{Name: "Jane Doe", Email: "jane@example.com"}
		rel.Entries[1].Author = rel.Entries[0].Author
		client := fakeClient(t, srv)
		for range 2 { // a rerun updates the same rows
			_, err := New(client, Config{DocID: doc.ID, Table: table, WaitTimeout: time.Minute}, discard{}).Publish(t.Context(), rel)
			require.NoError(t, err)
		}
		rows := srv.Rows(doc.ID, "grid-changes")
		require.Len(t, rows, 2)
		bySubject := map[string]map[string]coda.RichValue{}
		for _, r := range rows {
			v := richRow(t, client, doc.ID, "grid-changes", r.ID)
			bySubject[v["c-subject"].Text] = v
		}
		require.Equal(t, coda.RichText, bySubject["=1+1"]["c-author"].Kind, "the formula-keyed row's person stays text")
		require.Equal(t, coda.RichPerson, bySubject[rel.Entries[1].Subject]["c-author"].Kind, "the other row's person resolves")
	})
}

func TestRenumber(t *testing.T) {
	t.Parallel()
	cause := errors.New("coda: POST …: 500")
	err := renumber(&coda.BatchError{First: 500, Last: 999, Total: 1000, Err: cause}, 2000, 3000)
	require.EqualError(t, err, "write rows 2500-2999 (counting from 0) of 3000: coda: POST …: 500", "the table's rows, not the part's")
	require.ErrorIs(t, err, cause)
	require.Equal(t, cause, renumber(cause, 2000, 3000))
}

func TestProgress(t *testing.T) {
	t.Parallel()
	plan := &tablePlan{sources: []rowSource{{rel: &changelog.Release{}}, {rel: &changelog.Release{}}}}
	before := coda.Stats{Requests: 10, RateLimitWait: 30 * time.Second} // an earlier table's
	now := coda.Stats{Requests: 14, RateLimitWait: 46 * time.Second}
	require.Equal(t, "1 of 2 rows written (1 of 2 releases), 4 requests, 16 s of 19 s so far waiting for the limits",
		progress(1, 2, plan, before, now, 19*time.Second))
	require.Contains(t, progress(1, 2, plan, coda.Stats{}, now, 19*time.Second), "19 s of 19 s so far", "never more waiting than time")
}
