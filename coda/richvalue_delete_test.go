package coda_test

import (
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// typedFake seeds a doc with a member, a lookup target and a table of typed
// columns, and returns the fake.
func typedFake(opts ...codatest.Option) *codatest.Server {
	s := codatest.NewUnstarted(append([]codatest.Option{codatest.WithWriteDelay(3 * time.Second)}, opts...)...)
	s.AddDoc(codatest.Doc{
		ID:     "dTyped",
		People: []codatest.Person{{Name: "Ada Lovelace", Email: "ada@example.com"}},
		Tables: []codatest.Table{
			{ID: "grid-comp", Name: "Components", Columns: []codatest.Column{{ID: "c-name", Name: "Name"}},
				Rows: []codatest.Row{{ID: "i-api", Values: map[string]any{"c-name": "API"}}}},
			{ID: "grid-rel", Name: "Releases", Columns: []codatest.Column{
				{ID: "c-ver", Name: "Version"},
				{ID: "c-who", Name: "Author", Type: "person"},
				{ID: "c-comp", Name: "Component", Type: "lookup", Table: "grid-comp"},
				{ID: "c-n", Name: "Commits", Type: "number"},
			}},
		},
	})
	return s
}

// testRow is the marked test row TEST_PAYLOAD would write.
var testRow = []coda.RowEdit{{Cells: []coda.CellEdit{
	{Column: "c-ver", Value: "TEST v0.0.0"},
	{Column: "c-who", Value: "ada@example.com"},
	{Column: "c-comp", Value: "API"},
	{Column: "c-n", Value: 3},
}}}

// TestInsertReadBackDelete runs the TEST_PAYLOAD sequence: insert a row,
// read it back in the rich format, delete it.
func TestInsertReadBackDelete(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		opts    []coda.WriteOption
		want    map[string]string
		wantKey map[string]coda.RichKind
	}{
		{
			name: "raw text by default",
			want: map[string]string{"c-ver": `text "TEST v0.0.0"`, "c-who": `text "ada@example.com"`, "c-comp": `text "API"`, "c-n": "number 3"},
		},
		{
			name: "parsed",
			opts: []coda.WriteOption{coda.WithValueParsing()},
			want: map[string]string{"c-ver": `text "TEST v0.0.0"`, "c-who": `person "Ada Lovelace" <ada@example.com>`, "c-comp": `row "API" (i-api)`, "c-n": "number 3"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := typedFake()
				c := fakeClient(t, s, codatest.DefaultToken)
				ctx := t.Context()
				muts, err := applied(t, c)(c.InsertRows(ctx, "dTyped", "grid-rel", testRow, tc.opts...))
				require.NoError(t, err)
				require.Len(t, muts, 1)
				require.Len(t, muts[0].AddedRowIDs, 1)
				id := muts[0].AddedRowIDs[0]

				row, err := c.GetRow(ctx, "dTyped", "grid-rel", id)
				require.NoError(t, err)
				require.Equal(t, id, row.ID)
				got := map[string]string{}
				for col, v := range row.Values {
					got[col] = coda.ParseRichValue(v).String()
				}
				require.Empty(t, cmp.Diff(tc.want, got), "stored values (-want +got)")

				m, err := c.DeleteRow(ctx, "dTyped", "grid-rel", id)
				require.NoError(t, err)
				require.Equal(t, id, m.ID)
				_, err = c.Wait(ctx, m)
				require.NoError(t, err)
				require.Empty(t, s.Rows("dTyped", "grid-rel"))
				_, err = c.GetRow(ctx, "dTyped", "grid-rel", id)
				require.ErrorIs(t, err, coda.ErrNotFound)
				validateRequests(t, s)
			})
		})
	}
}

func TestDeleteRowRefused(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := typedFake(codatest.WithRowDeletesForbidden())
		c := fakeClient(t, s, codatest.DefaultToken)
		muts, err := applied(t, c)(c.InsertRows(t.Context(), "dTyped", "grid-rel", testRow))
		require.NoError(t, err)
		_, err = c.DeleteRow(t.Context(), "dTyped", "grid-rel", muts[0].AddedRowIDs[0])
		require.ErrorIs(t, err, coda.ErrForbidden)
		require.Len(t, s.Rows("dTyped", "grid-rel"), 1)
		require.Equal(t, 1, s.Stats().Write.Requests-1, "a refused delete is not resent")
	})
}

// TestRestrictedTokenErrorsNameTheAccess checks that a 401 from a restricted
// token says which method and path it was refused.
func TestRestrictedTokenErrorsNameTheAccess(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := typedFake(codatest.WithTokens(
			codatest.Token{Value: "reader", Name: "read only", Doc: "dTyped", Access: codatest.ReadOnly},
		))
		c := fakeClient(t, s, "reader")
		u, err := c.WhoAmI(t.Context())
		require.NoError(t, err)
		require.True(t, u.Scoped)
		require.Equal(t, "read only", u.TokenName)
		_, err = c.GetRow(t.Context(), "dTyped", "grid-comp", "i-api")
		require.NoError(t, err)

		_, err = c.DeleteRow(t.Context(), "dTyped", "grid-comp", "i-api")
		require.ErrorIs(t, err, coda.ErrUnauthorized)
		var apiErr *coda.Error
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, http.MethodDelete, apiErr.Method)
		require.Equal(t, "/docs/dTyped/tables/grid-comp/rows/i-api", apiErr.Path)
		require.ErrorContains(t, err, "DELETE /docs/dTyped/tables/grid-comp/rows/i-api: 401")
	})
}

func TestParseRichValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   any
		want coda.RichValue
		str  string
	}{
		{nil, coda.RichValue{Kind: coda.RichEmpty}, "empty"},
		{"", coda.RichValue{Kind: coda.RichEmpty}, "empty"},
		{"```v1.2.0```", coda.RichValue{Kind: coda.RichText, Text: "v1.2.0"}, `text "v1.2.0"`},
		{"**bold** text", coda.RichValue{Kind: coda.RichText, Text: "**bold** text"}, `text "**bold** text"`},
		{"```unclosed", coda.RichValue{Kind: coda.RichText, Text: "```unclosed"}, "text \"```unclosed\""},
		{"2025-06-01T00:00:00.000-07:00", coda.RichValue{Kind: coda.RichDate, Text: "2025-06-01T00:00:00.000-07:00"}, `date "2025-06-01T00:00:00.000-07:00"`},
		{"2026-02-11", coda.RichValue{Kind: coda.RichDate, Text: "2026-02-11"}, `date "2026-02-11"`},
		{"2026-02-11T09:30:00Z", coda.RichValue{Kind: coda.RichDate, Text: "2026-02-11T09:30:00Z"}, `date "2026-02-11T09:30:00Z"`},
		{"2026-02-11T09:30:00.000", coda.RichValue{Kind: coda.RichDate, Text: "2026-02-11T09:30:00.000"}, `date "2026-02-11T09:30:00.000"`},
		{"2026-02-11 09:30:00", coda.RichValue{Kind: coda.RichDate, Text: "2026-02-11 09:30:00"}, `date "2026-02-11 09:30:00"`},
		{"2026-02-30", coda.RichValue{Kind: coda.RichText, Text: "2026-02-30"}, `text "2026-02-30"`},
		{"Feb 11", coda.RichValue{Kind: coda.RichText, Text: "Feb 11"}, `text "Feb 11"`},
		{12.5, coda.RichValue{Kind: coda.RichNumber, Number: 12.5, Text: "12.5"}, "number 12.5"},
		{true, coda.RichValue{Kind: coda.RichBool, Bool: true, Text: "true"}, "bool true"},
		{
			map[string]any{"@context": "http://schema.org/", "@type": "Person", "name": "Art Vandalay", "email": "art@example.com"},
			coda.RichValue{Kind: coda.RichPerson, Text: "Art Vandalay", Email: "art@example.com"},
			`person "Art Vandalay" <art@example.com>`,
		},
		{
			map[string]any{"@type": "StructuredValue", "additionalType": "row", "name": "Row Name", "rowId": "i-1", "tableId": "grid-1", "url": "https://coda.io/d/_d1#_r1"},
			coda.RichValue{Kind: coda.RichRow, Text: "Row Name", RowID: "i-1", TableID: "grid-1", URL: "https://coda.io/d/_d1#_r1"},
			`row "Row Name" (i-1)`,
		},
		{
			map[string]any{"@type": "MonetaryAmount", "currency": "USD", "amount": 42.42},
			coda.RichValue{Kind: coda.RichCurrency, Number: 42.42, Currency: "USD", Text: "USD 42.42"},
			"currency USD 42.42",
		},
		{
			map[string]any{"@type": "WebPage", "name": "Coda", "url": "https://coda.io"},
			coda.RichValue{Kind: coda.RichLink, Text: "Coda", URL: "https://coda.io"},
			`link "Coda"`,
		},
		{
			map[string]any{"@type": "ImageObject", "name": "logo", "url": "https://coda.io/logo.jpg"},
			coda.RichValue{Kind: coda.RichImage, Text: "logo", URL: "https://coda.io/logo.jpg"},
			`image "logo"`,
		},
		{map[string]any{"@type": "Thing", "name": "x"}, coda.RichValue{Kind: coda.RichOther, Text: "x"}, `other "x"`},
		{
			[]any{"```a```", map[string]any{"@type": "Person", "name": "B"}},
			coda.RichValue{Kind: coda.RichList, Text: "a, B", Items: []coda.RichValue{{Kind: coda.RichText, Text: "a"}, {Kind: coda.RichPerson, Text: "B"}}},
			`list [text "a", person "B"]`,
		},
	} {
		got := coda.ParseRichValue(tc.in)
		require.Empty(t, cmp.Diff(tc.want, got), "ParseRichValue(%v) (-want +got)", tc.in)
		require.Equal(t, tc.str, got.String())
	}
}

func TestLookupColumnNamesItsTable(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := fakeClient(t, typedFake(), codatest.DefaultToken)
		types := map[string]coda.ColumnType{}
		var lookup coda.Column
		for col, err := range c.Columns(t.Context(), "dTyped", "grid-rel") {
			require.NoError(t, err)
			types[col.ID] = col.Format.Type
			if col.ID == "c-comp" {
				lookup = col
			}
		}
		require.Equal(t, map[string]coda.ColumnType{"c-ver": coda.ColumnText, "c-who": coda.ColumnPerson, "c-comp": coda.ColumnLookup, "c-n": coda.ColumnNumber}, types)
		require.NotNil(t, lookup.Format.Table)
		require.Equal(t, "grid-comp", lookup.Format.Table.ID)
		require.Equal(t, "Components", lookup.Format.Table.Name)
	})
}

// TestRichValueStringIsShort: a value read back is described for a report
// or a warning, quoted short whatever the cell (or an answer that is not
// Coda's) held; Text keeps it whole.
func TestRichValueStringIsShort(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 100_000)
	for _, v := range []any{"```" + long + "```", map[string]any{"@type": "Person", "name": long, "email": long}, []any{long, long}} {
		got := coda.ParseRichValue(v)
		require.Less(t, len(got.String()), 1000, "%.40s", got.String())
		require.Contains(t, got.Text, long)
	}
}
