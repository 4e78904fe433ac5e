package publish

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// changelogTable is the columns of a user's Changelog table: two that
// CODA_COLUMNS maps, several named after fields, a formula and one that
// no field fills.
func changelogTable() []coda.Column {
	col := func(id, name string, typ coda.ColumnType) coda.Column {
		return coda.Column{ID: id, Name: name, Format: coda.ColumnFormat{Type: typ}}
	}
	age := col("c-age", "Age", coda.ColumnNumber)
	age.Calculated = true
	return []coda.Column{
		col("c-commit", "Commit", coda.ColumnText), col("c-summary", "Summary", coda.ColumnText),
		col("c-type", "Type", coda.ColumnSelect), col("c-scope", "Scope", coda.ColumnText),
		col("c-breaking", "Breaking", coda.ColumnCheckbox), col("c-date", "Date", coda.ColumnDate),
		col("c-issues", "Issues", coda.ColumnText), age, col("c-notes", "Notes", coda.ColumnText),
		col("c-sha", "SHA", coda.ColumnText), col("c-pr", "Pull request", coda.ColumnText),
	}
}

func TestColumnsAddToTheMatchByName(t *testing.T) {
	t.Parallel()
	rel := release("v1.1.0", 1)
	tests := []struct {
		name     string
		rows     RowMode
		all      []coda.Column
		columns  []ColumnMapping
		mapped   map[string]string // column name → field
		fill     string
		problems []string
	}{{
		name:    "pairs add to the columns named after fields",
		rows:    PerCommit,
		all:     changelogTable(),
		columns: []ColumnMapping{{Field: "sha", Column: "Commit"}, {Field: "subject", Column: "Summary"}},
		mapped: map[string]string{"Commit": "sha", "Summary": "subject", "Type": "type", "Scope": "scope", "Breaking": "breaking",
			"Date": "date", "Issues": "issues", "Pull request": "pull_request"},
		fill: `Table "Changelog": filling Commit (sha), Summary (subject), Type, Scope, Breaking, Date, Issues, Pull request; ` +
			`not filling Age (calculated), Notes (no field), SHA (sha goes to Commit)`,
	}, {
		name:    "a field left out",
		rows:    PerCommit,
		all:     changelogTable(),
		columns: []ColumnMapping{{Field: "sha", Column: "Commit"}, {Field: "date"}, {Field: "pull_request", Column: ""}},
		mapped:  map[string]string{"Commit": "sha", "Type": "type", "Scope": "scope", "Breaking": "breaking", "Issues": "issues"},
		fill: `Table "Changelog": filling Commit (sha), Type, Scope, Breaking, Issues; not filling Summary (no field), ` +
			`Date (left out by date=), Age (calculated), Notes (no field), SHA (sha goes to Commit), Pull request (left out by pull_request=)`,
	}, {
		name:    "a pair takes a column named after another field",
		rows:    PerCommit,
		all:     changelogTable(),
		columns: []ColumnMapping{{Field: "body", Column: "Type"}},
		mapped: map[string]string{"Type": "body", "Scope": "scope", "Breaking": "breaking", "Date": "date", "Issues": "issues",
			"SHA": "sha", "Pull request": "pull_request"},
		fill: `Table "Changelog": filling Type (body), Scope, Breaking, Date, Issues, SHA, Pull request; ` +
			`not filling Commit (no field), Summary (no field), Age (calculated), Notes (no field)`,
	}, {
		name:     "two fields in one column, by name and by id",
		rows:     PerCommit,
		all:      changelogTable(),
		columns:  []ColumnMapping{{Field: "sha", Column: "Commit"}, {Field: "subject", Column: "c-commit"}},
		problems: []string{`CODA_COLUMNS: sha and subject both go to column "Commit": a column holds one field, so map one of them to another column`},
	}, {
		name:     "nothing to fill",
		rows:     PerCommit,
		all:      changelogTable()[:2],
		problems: []string{"no column of the table is named after a field (" + strings.Join(FieldNames(PerCommit), ", ") + "), and CODA_COLUMNS maps none"},
	}, {
		name: "the release table too",
		rows: PerRelease,
		all: []coda.Column{{ID: "c-release", Name: "Release", Format: coda.ColumnFormat{Type: coda.ColumnText}},
			{ID: "c-n", Name: "Count", Format: coda.ColumnFormat{Type: coda.ColumnNumber}}, {ID: "c-v", Name: "Version", Format: coda.ColumnFormat{Type: coda.ColumnText}}},
		columns: []ColumnMapping{{Field: "version", Column: "Version"}},
		mapped:  map[string]string{"Version": "version", "Count": "count"},
		fill:    `Table "Changelog": filling Count, Version; not filling Release (version goes to Version)`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plan := &tablePlan{spec: Table{Name: "Changelog", Rows: tt.rows, Columns: tt.columns}, table: coda.Table{Name: "Changelog"}, all: tt.all}
			if tt.rows == PerRelease {
				plan.spec.Variables = "CODA_RELEASE"
				for i := range tt.problems {
					tt.problems[i] = "CODA_RELEASE_" + tt.problems[i][len("CODA_"):]
				}
			}
			require.Equal(t, tt.problems, plan.mapColumns(&rel, ""))
			if tt.problems != nil {
				return
			}
			got := map[string]string{}
			for _, m := range plan.columns {
				got[m.column.Name] = m.field.name
			}
			require.Equal(t, tt.mapped, got)
			require.Equal(t, tt.fill, plan.fillLine(&rel))
		})
	}
}

func TestDescribeMappingInADryRun(t *testing.T) {
	t.Parallel()
	require.Equal(t, "filling the columns named after fields (a dry run does not read the table: "+
		"a real run names every column it fills and leaves empty)", describeMapping(Table{}))
	require.Equal(t, "filling Commit (sha), Summary (subject) and the columns named after the other fields, leaving out date "+
		"(a dry run does not read the table: a real run names every column it fills and leaves empty)",
		describeMapping(Table{Columns: []ColumnMapping{{Field: "sha", Column: "Commit"}, {Field: "subject", Column: "Summary"}, {Field: "date"}}}))
}

func TestTooLargeAdviceNamesWhatToLeaveOut(t *testing.T) {
	t.Parallel()
	rel := release("v1.1.0", 1, 2)
	rel.Entries[0].Subject = "paste (a whole log) " + strings.Repeat("x", 100_000)
	rel.Entries[1].Body = strings.Repeat("stack frame\n", 9000)
	plan := &tablePlan{spec: Table{Name: "Changes", Rows: PerCommit, Columns: []ColumnMapping{{Field: "body", Column: "Body"}}},
		all: []coda.Column{{ID: "c-sha", Name: "SHA"}, {ID: "c-subject", Name: "Subject"}, {ID: "c-body", Name: "Body"}}}
	for i := range plan.all {
		plan.all[i].Format.Type = coda.ColumnText
	}
	require.Empty(t, plan.mapColumns(&rel, ""))
	require.Empty(t, plan.keyColumns())
	plan.buildRows([]changelog.Release{rel}, true)
	require.Equal(t, `Its subject alone is 100022 bytes: leave the commit out with EXCLUDE_COMMITS, a Go regular expression of subjects `+
		`and authors (such as 'paste \(a whole log\) xxxx')`, plan.tooLargeAdvice(0))
	require.Equal(t, "Its body cell is the largest (117002 bytes): leave body out (CODA_COLUMNS: 'body=')",
		plan.tooLargeAdvice(1))
}
