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

// This example writes a marked test row, reads back how Coda stored each cell
// and deletes the row, as a check of a table's column types would. Rows are
// written with disableParsing=true unless WithValueParsing is given; with it,
// the fake, like Coda, stores a doc member's e-mail address as a person and a
// lookup's display value as a row reference.
func ExampleClient_GetRow() {
	srv := codatest.NewServer()
	defer srv.Close()
	doc := srv.AddDoc(codatest.Doc{
		People: []codatest.Person{{Name: "Ada Lovelace", Email: "ada@example.com"}},
		Tables: []codatest.Table{
			{ID: "grid-components", Name: "Components", Columns: []codatest.Column{{ID: "c-name", Name: "Name"}},
				Rows: []codatest.Row{{ID: "i-api", Values: map[string]any{"c-name": "API"}}}},
			{ID: "grid-releases", Name: "Releases", Columns: []codatest.Column{
				{ID: "c-version", Name: "Version"},
				{ID: "c-author", Name: "Author", Type: "person"},
				{ID: "c-component", Name: "Component", Type: "lookup", Table: "grid-components"},
			}},
		},
	})
	c, err := coda.NewClient(codatest.DefaultToken, coda.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	row := coda.RowEdit{Cells: []coda.CellEdit{
		{Column: "c-version", Value: "TEST v0.0.0"},
		{Column: "c-author", Value: "ada@example.com"},
		{Column: "c-component", Value: "API"},
	}}
	// Against Coda, wait for the insert (Client.Wait) and allow for GetRow's ErrNotFound while
	// Coda's read copy catches up; the fake applies writes at once.
	for _, opts := range [][]coda.WriteOption{nil, {coda.WithValueParsing()}} {
		muts, err := c.InsertRows(ctx, doc.ID, "grid-releases", []coda.RowEdit{row}, opts...)
		if err != nil {
			log.Fatal(err)
		}
		id := muts[0].AddedRowIDs[0]
		got, err := c.GetRow(ctx, doc.ID, "grid-releases", id)
		if err != nil {
			log.Fatal(err)
		}
		for _, col := range []string{"c-version", "c-author", "c-component"} {
			fmt.Printf("%s: %s\n", col, coda.ParseRichValue(got.Values[col]))
		}
		if _, err := c.DeleteRow(ctx, doc.ID, "grid-releases", id); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("rows left:", len(srv.Rows(doc.ID, "grid-releases")))
	// Output:
	// c-version: text "TEST v0.0.0"
	// c-author: text "ada@example.com"
	// c-component: text "API"
	// c-version: text "TEST v0.0.0"
	// c-author: person "Ada Lovelace" <ada@example.com>
	// c-component: row "API" (i-api)
	// rows left: 0
}
