package coda

import (
	"context"
	"fmt"
	"iter"
)

// tableTypeView is the [Table.TableType] of a view.
const tableTypeView = "view"

// Table is a table or a view.
type Table struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	TableType   string    `json:"tableType"` // "table" (ID "grid-…") or "view" (ID "table-…")
	BrowserLink string    `json:"browserLink"`
	ParentTable *TableRef `json:"parentTable,omitempty"` // for a view, its base table
	RowCount    int       `json:"rowCount"`
}

// TableRef refers to a table or a view.
type TableRef struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	TableType   string `json:"tableType"`
	BrowserLink string `json:"browserLink"`
}

// getTable returns a table or view, by ID (preferred) or name.
func (c *Client) getTable(ctx context.Context, docID, tableIDOrName string) (Table, error) {
	var t Table
	if err := c.get(ctx, &t, nil, "docs", docID, "tables", tableIDOrName); err != nil {
		return Table{}, err
	}
	return t, nil
}

// GetBaseTable returns a table that rows can be written to, by ID
// (preferred) or name. For a view it returns an error wrapping
// [ErrNotBaseTable] that names the view and its base table.
//
// Coda API: getTable, https://coda.io/developers/apis/v1#tag/Tables/operation/getTable
func (c *Client) GetBaseTable(ctx context.Context, docID, tableIDOrName string) (Table, error) {
	t, err := c.getTable(ctx, docID, tableIDOrName)
	if err != nil {
		return Table{}, err
	}
	if t.TableType != tableTypeView {
		return t, nil
	}
	if t.ParentTable == nil {
		return Table{}, fmt.Errorf("coda: %q (%s) is a view; rows can only be written to its base table: %w", t.Name, t.ID, ErrNotBaseTable)
	}
	return Table{}, fmt.Errorf("coda: %q (%s) is a view of table %q; use the base table's ID %s instead: %w",
		t.Name, t.ID, t.ParentTable.Name, t.ParentTable.ID, ErrNotBaseTable)
}

// Column is a column of a table.
type Column struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Display    bool         `json:"display"`    // the display column of its table
	Calculated bool         `json:"calculated"` // has a formula, so cannot be written
	Format     ColumnFormat `json:"format"`
}

// ColumnFormat is the type of a column's values.
type ColumnFormat struct {
	Type    ColumnType     `json:"type"`
	IsArray bool           `json:"isArray"`           // the column holds several values
	Options []SelectOption `json:"options,omitempty"` // for a select column with a fixed list
	// Table is the table a lookup column refers to; Coda gives one for
	// person columns too.
	Table *TableRef `json:"table,omitempty"`
}

// ColumnType is the type of a column's format, as Coda names it.
type ColumnType string

// Column types, the values of [ColumnFormat.Type] in Coda's API.
const (
	ColumnText           ColumnType = "text"
	ColumnPerson         ColumnType = "person" // people, written as e-mail addresses or names
	ColumnLookup         ColumnType = "lookup" // rows of another table, written as display values or row IDs
	ColumnNumber         ColumnType = "number"
	ColumnPercent        ColumnType = "percent"
	ColumnCurrency       ColumnType = "currency"
	ColumnDate           ColumnType = "date"
	ColumnDateTime       ColumnType = "dateTime"
	ColumnTime           ColumnType = "time"
	ColumnDuration       ColumnType = "duration"
	ColumnEmail          ColumnType = "email"
	ColumnLink           ColumnType = "link"
	ColumnSlider         ColumnType = "slider"
	ColumnScale          ColumnType = "scale"
	ColumnImage          ColumnType = "image"
	ColumnImageReference ColumnType = "imageReference"
	ColumnAttachments    ColumnType = "attachments"
	ColumnButton         ColumnType = "button"
	ColumnCheckbox       ColumnType = "checkbox"
	ColumnSelect         ColumnType = "select"
	ColumnPackObject     ColumnType = "packObject"
	ColumnReaction       ColumnType = "reaction"
	ColumnCanvas         ColumnType = "canvas"
	ColumnOther          ColumnType = "other"
)

// SelectOption is one choice of a select column.
type SelectOption struct {
	Name string `json:"name"`
}

// Columns returns every column of a table, fetching pages of 100 as the loop
// goes. It stops at the first error, which it yields.
//
// Coda API: listColumns, https://coda.io/developers/apis/v1#tag/Columns/operation/listColumns
func (c *Client) Columns(ctx context.Context, docID, table string) iter.Seq2[Column, error] {
	return listAll[Column](ctx, c, "docs", docID, "tables", table, "columns")
}

// Tables returns every table and view of a doc, fetching pages of the
// listing as the loop goes. It stops at the first error, which it yields.
//
// Coda API: listTables, https://coda.io/developers/apis/v1#tag/Tables/operation/listTables
func (c *Client) Tables(ctx context.Context, docID string) iter.Seq2[TableRef, error] {
	return listAll[TableRef](ctx, c, "docs", docID, "tables")
}
