package coda_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// This example upserts two changelog rows into a fake Coda doc served on a
// loopback port, keyed on their version so that running it twice changes
// nothing, and shows the error a view gives.
func Example() {
	srv := codatest.NewServer()
	defer srv.Close()
	doc := srv.AddDoc(codatest.Doc{
		Name: "Changelog",
		Tables: []codatest.Table{
			{ID: "grid-releases", Name: "Releases", Columns: []codatest.Column{{ID: "c-version", Name: "Version"}, {ID: "c-notes", Name: "Notes"}}},
			{ID: "table-recent", Name: "Recent", View: true, BaseTable: "grid-releases"},
		},
	})

	c, err := coda.NewClient(codatest.DefaultToken, coda.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	user, err := c.WhoAmI(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token works:", user.LoginID != "")

	_, err = c.GetBaseTable(ctx, doc.ID, "table-recent")
	fmt.Println(errors.Is(err, coda.ErrNotBaseTable))
	fmt.Println(err)

	rows := []coda.RowEdit{
		{Cells: []coda.CellEdit{{Column: "c-version", Value: "v1.4.2"}, {Column: "c-notes", Value: "- fix: retry on 503"}}},
		{Cells: []coda.CellEdit{{Column: "c-version", Value: "v1.4.1"}, {Column: "c-notes", Value: "- feat: pages"}}},
	}
	for range 2 {
		muts, err := c.UpsertRows(ctx, doc.ID, "grid-releases", rows, []string{"c-version"})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("requests:", len(muts), "rows in the table:", len(srv.Rows(doc.ID, "grid-releases")))
	}
	// Output:
	// token works: true
	// true
	// coda: "Recent" (table-recent) is a view of table "Releases"; use the base table's ID grid-releases instead: not a base table
	// requests: 1 rows in the table: 2
	// requests: 1 rows in the table: 2
}
