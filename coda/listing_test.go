package coda_test

import (
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// TestTablesAndPages lists every table and page of a doc, over several
// pages of the listing.
func TestTablesAndPages(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		seed := codatest.Doc{}
		var wantTables, wantPages []string
		for i := range 130 {
			name := fmt.Sprintf("Table %d", i)
			seed.Tables = append(seed.Tables, codatest.Table{Name: name, Columns: []codatest.Column{{Name: "A"}}})
			wantTables = append(wantTables, name)
		}
		for i := range 102 {
			name := fmt.Sprintf("Page %d", i)
			seed.Pages = append(seed.Pages, codatest.Page{Name: name})
			wantPages = append(wantPages, name)
		}
		doc := srv.AddDoc(seed)
		c := fakeClient(t, srv, codatest.DefaultToken)
		var tables, pages []string
		for tr, err := range c.Tables(t.Context(), doc.ID) {
			require.NoError(t, err)
			tables = append(tables, tr.Name)
		}
		for p, err := range c.Pages(t.Context(), doc.ID) {
			require.NoError(t, err)
			pages = append(pages, p.Name)
		}
		require.Equal(t, wantTables, tables)
		require.Equal(t, wantPages, pages)

		for _, err := range c.Tables(t.Context(), "nope") {
			require.ErrorIs(t, err, coda.ErrNotFound)
		}
	})
}
