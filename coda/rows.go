package coda

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"
	"unicode/utf16"
)

// MaxRequestBytes is Coda's limit on a request's body: "The limit for
// requests is 2 MB" (Coda's help centre); a larger one is refused with a
// 400.
const MaxRequestBytes = 2_000_000

// MaxRowSize is Coda's limit on one row, by its measure ([RowSize]):
// "a limit of 85 KB for any given row" (Coda's help centre).
const MaxRowSize = 85_000

const (
	defaultBatchRows = 500
	// defaultBatchBytes leaves room below MaxRequestBytes.
	defaultBatchBytes = MaxRequestBytes * 3 / 4
)

// withBatchLimits sets how many rows, and how many bytes of JSON body, one
// upsert or insert request may carry; 500 rows and 1,500,000 bytes by
// default (Coda refuses bodies over 2,000,000 bytes). A single row larger
// than maxBytes is sent on its own.
func withBatchLimits(maxRows, maxBytes int) Option {
	return func(c *Client) error {
		if maxRows < 1 || maxBytes < 1 {
			return fmt.Errorf("coda: batch limits: %d rows and %d bytes per request; both must be positive", maxRows, maxBytes)
		}
		c.batchRows, c.batchBytes = maxRows, maxBytes
		return nil
	}
}

// RowEdit is the new content of one row.
type RowEdit struct {
	Cells []CellEdit `json:"cells"`
}

// CellEdit is the new value of one cell. Column is a column ID (preferred) or
// name. Value is a string, a number, a bool, or a slice of those (or of
// slices of those): dates as "2006-01-02", date-times as RFC 3339 with an
// offset, selects by option name, people by email.
type CellEdit struct {
	Column string `json:"column"`
	Value  any    `json:"value"`
}

// Mutation is a write Coda accepted (HTTP 202) and queued. Pass it to
// [Client.Wait] to learn when it is applied.
type Mutation struct {
	RequestID   string    `json:"requestId"`
	ID          string    `json:"id,omitempty"`          // the page created or updated
	AddedRowIDs []string  `json:"addedRowIds,omitempty"` // rows inserted, only without key columns
	At          time.Time `json:"-"`                     // when Coda accepted the write
}

// A WriteOption changes how a write is made.
type WriteOption func(*writeOptions)

type writeOptions struct {
	parsing bool
}

// WithValueParsing lets Coda parse row values as if typed into the doc
// ("$12.34" becomes a currency). By default rows are written with
// disableParsing=true, so values are stored as sent.
func WithValueParsing() WriteOption {
	return func(o *writeOptions) { o.parsing = true }
}

// UpsertRows writes rows to a base table: each row updates every existing
// row whose keyColumns (IDs or names, at least one) hold the same values, or
// is added when none does. Sending the same rows again changes nothing, so
// failed requests are retried. Rows are sent in batches of at most 500 rows
// and 1,500,000 bytes of JSON, one [Mutation] per batch.
//
// A row over Coda's 85,000 size limit fails the call with an error wrapping
// [ErrRowTooLarge] before anything is sent. On another error the mutations
// of the batches already accepted are returned with it.
//
// Coda API: upsertRows, https://coda.io/developers/apis/v1#tag/Rows/operation/upsertRows
func (c *Client) UpsertRows(ctx context.Context, docID, table string, rows []RowEdit, keyColumns []string, opts ...WriteOption) ([]Mutation, error) {
	if len(keyColumns) == 0 {
		return nil, errors.New("coda: upsert rows: no key columns; name the columns that identify a row, or use InsertRows")
	}
	return c.writeRows(ctx, docID, table, rows, keyColumns, opts)
}

// InsertRows adds rows to a base table, in batches like [Client.UpsertRows].
// An insert is not safe to resend: when a batch's outcome is unknown (a 5xx,
// or a connection lost after sending) InsertRows stops with an error wrapping
// [ErrUnknownOutcome] rather than risk duplicate rows.
//
// Coda API: upsertRows, https://coda.io/developers/apis/v1#tag/Rows/operation/upsertRows
func (c *Client) InsertRows(ctx context.Context, docID, table string, rows []RowEdit, opts ...WriteOption) ([]Mutation, error) {
	return c.writeRows(ctx, docID, table, rows, nil, opts)
}

// writeRows sends rows in batches, as upserts when keyColumns is non-empty.
func (c *Client) writeRows(ctx context.Context, docID, table string, rows []RowEdit, keyColumns []string, opts []WriteOption) ([]Mutation, error) {
	var o writeOptions
	for _, opt := range opts {
		opt(&o)
	}
	encoded, err := encodeRows(rows)
	if err != nil {
		return nil, err
	}
	var keys []byte
	if len(keyColumns) > 0 {
		if keys, err = marshalJSON(keyColumns); err != nil {
			return nil, fmt.Errorf("coda: encode key columns: %w", err)
		}
	}
	query := url.Values{}
	if !o.parsing {
		query.Set("disableParsing", "true")
	}

	var muts []Mutation
	for _, batch := range splitRows(encoded, c.batchRows, c.batchBytes-upsertOverhead(keys)) {
		r, err := newRequest(http.MethodPost, query, nil, "docs", docID, "tables", table, "rows")
		if err != nil {
			return nil, err
		}
		r.body = upsertBody(batch, keys)
		r.docContent = true
		r.resendable = len(keys) > 0
		var m Mutation
		if err := c.do(ctx, r, &m); err != nil {
			return muts, &BatchError{First: batch.first, Last: batch.first + len(batch.rows) - 1, Total: len(rows), Err: err}
		}
		m.At = time.Now()
		muts = append(muts, m)
	}
	return muts, nil
}

// BatchError is the failure of one request of a row write sent in several:
// the rows it carried, counting from 0 among the Total rows given. The
// mutations of the requests before it are returned with it.
type BatchError struct {
	First, Last, Total int
	Err                error
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("write rows %d-%d (counting from 0) of %d: %v", e.First, e.Last, e.Total, e.Err)
}

// Unwrap returns the request's error.
func (e *BatchError) Unwrap() error { return e.Err }

// RowTooLargeError reports a row over Coda's row size limit, found before
// anything was sent. errors.Is(err, [ErrRowTooLarge]) is true for it.
type RowTooLargeError struct {
	Index int // the row's index in the rows given, counting from 0
	Size  int // its size by Coda's measure: 2 × UTF-16 code units of its JSON
	Limit int // Coda's limit, 85,000
}

func (e *RowTooLargeError) Error() string {
	return fmt.Sprintf("coda: row %d (counting from 0) has size %d by Coda's measure (2 × UTF-16 code units of its JSON), over the %d limit; shorten its longest cells: %v",
		e.Index, e.Size, e.Limit, ErrRowTooLarge)
}

// Is makes errors.Is(err, ErrRowTooLarge) true.
func (e *RowTooLargeError) Is(target error) bool { return target == ErrRowTooLarge }

// CheckRows reports the first of rows that is over Coda's row size limit,
// as a [*RowTooLargeError], so that a caller that writes rows in several
// calls can refuse them all before writing any.
func CheckRows(rows []RowEdit) error {
	_, err := encodeRows(rows)
	return err
}

// encodeRows encodes each row as JSON and checks it against Coda's row size
// limit.
func encodeRows(rows []RowEdit) ([][]byte, error) {
	encoded := make([][]byte, len(rows))
	for i, row := range rows {
		b, err := marshalJSON(row)
		if err != nil {
			return nil, fmt.Errorf("coda: encode row %d: %w", i, err)
		}
		if size := rowSize(b); size > MaxRowSize {
			return nil, &RowTooLargeError{Index: i, Size: size, Limit: MaxRowSize}
		}
		encoded[i] = b
	}
	return encoded, nil
}

// RowSize returns a row's size as Coda counts it against [MaxRowSize]: 2 ×
// the UTF-16 code units of its JSON, as sent.
func RowSize(row RowEdit) (int, error) {
	b, err := marshalJSON(row)
	if err != nil {
		return 0, fmt.Errorf("coda: encode row: %w", err)
	}
	return rowSize(b), nil
}

// rowSize returns a row's size as Coda counts it: 2 × the UTF-16 code units
// of its JSON.
func rowSize(js []byte) int {
	units := 0
	for _, r := range string(js) {
		units += utf16.RuneLen(r)
	}
	return 2 * units
}

// rowBatch is a run of encoded rows; first is the index of its first row.
type rowBatch struct {
	first int
	rows  [][]byte
}

// splitRows cuts rows into batches of at most maxRows rows whose JSON, with
// the commas between rows, takes at most maxBytes. A row larger than maxBytes
// makes a batch of its own.
func splitRows(rows [][]byte, maxRows, maxBytes int) []rowBatch {
	var batches []rowBatch
	cur, size := rowBatch{}, 0
	for i, row := range rows {
		if n := len(cur.rows); n > 0 && (n == maxRows || size+1+len(row) > maxBytes) {
			batches = append(batches, cur)
			cur, size = rowBatch{}, 0
		}
		if len(cur.rows) == 0 {
			cur.first = i
		} else {
			size++ // the comma
		}
		cur.rows = append(cur.rows, row)
		size += len(row)
	}
	if len(cur.rows) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

// upsertOverhead is the size of an upsert body without its rows.
func upsertOverhead(keys []byte) int {
	return len(upsertBody(rowBatch{}, keys))
}

// upsertBody returns the RowsUpsert JSON for a batch of encoded rows, with
// the encoded key columns when there are any.
func upsertBody(b rowBatch, keys []byte) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"rows":[`)
	buf.Write(bytes.Join(b.rows, []byte(",")))
	buf.WriteString(`]`)
	if len(keys) > 0 {
		buf.WriteString(`,"keyColumns":`)
		buf.Write(keys)
	}
	buf.WriteString(`}`)
	return buf.Bytes()
}

// valueFormatRich asks for cell values as Markdown text and JSON-LD objects.
const valueFormatRich = "rich"

// ListRowsOptions selects a page of rows.
type ListRowsOptions struct {
	// Query keeps the rows where one column equals a JSON value:
	// `c-AbC123:"v1.4.2"`, or `"Column name":123`.
	Query string
	// UseColumnNames keys [Row.Values] by column name instead of ID.
	UseColumnNames bool
	// ValueFormat is "simple" (Coda's default when empty: several values
	// as one comma-separated string), "simpleWithArrays" (several values as
	// JSON arrays) or "rich" (Markdown text and JSON-LD objects; see
	// [ParseRichValue]).
	ValueFormat string
	// Limit is the page size; 0 means Coda's default. Coda may cap it.
	Limit int
	// PageToken, from a previous listing, selects a later page; the other
	// fields are then ignored.
	PageToken string
}

// rowList is one page of rows.
type rowList struct {
	Items         []Row  `json:"items"`
	NextPageToken string `json:"nextPageToken,omitempty"` // "" on the last page
}

// Row is a row of a table.
type Row struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"` // the value of the display column
	Index       int            `json:"index"`
	Values      map[string]any `json:"values"` // by column ID, or name with UseColumnNames
	BrowserLink string         `json:"browserLink"`
}

// listRows returns one page of a table's rows.
func (c *Client) listRows(ctx context.Context, docID, table string, opts ListRowsOptions, read ...ReadOption) (rowList, error) {
	q := url.Values{}
	if opts.Query != "" {
		q.Set("query", opts.Query)
	}
	if opts.UseColumnNames {
		q.Set("useColumnNames", "true")
	}
	if opts.ValueFormat != "" {
		q.Set("valueFormat", opts.ValueFormat)
	}
	var l rowList
	if err := c.getWith(ctx, &l, pageQuery(q, opts.Limit, opts.PageToken), read, "docs", docID, "tables", table, "rows"); err != nil {
		return rowList{}, err
	}
	return l, nil
}

// Rows returns every row of a table that opts select, fetching pages as the
// loop goes (opts.PageToken sets the first). It stops at the first error,
// which it yields. Rows written moments ago may be missing: Coda serves reads
// from a copy of the doc refreshed every few seconds to minutes, unless the
// read asks for the [LatestVersion].
//
// Coda API: listRows, https://coda.io/developers/apis/v1#tag/Rows/operation/listRows
func (c *Client) Rows(ctx context.Context, docID, table string, opts ListRowsOptions, read ...ReadOption) iter.Seq2[Row, error] {
	first := opts.PageToken
	return paginate(func(token string) ([]Row, string, error) {
		o := opts
		o.PageToken = cmp.Or(token, first)
		l, err := c.listRows(ctx, docID, table, o, read...)
		return l.Items, l.NextPageToken, err
	})
}

// GetRow returns one row of a table, by ID (preferred) or name (the display
// column's value; when several rows match, Coda picks one), with values in
// Coda's rich format, keyed by column ID. Read a value with [ParseRichValue]
// to see how Coda stored it: as a person or a row reference, or as the text
// sent. Coda serves reads from a copy that lags writes: a row written moments
// ago may not be found yet (an error wrapping [ErrNotFound]) or show its
// values from before, unless the read asks for the [LatestVersion].
//
// Coda API: getRow, https://coda.io/developers/apis/v1#tag/Rows/operation/getRow
func (c *Client) GetRow(ctx context.Context, docID, table, rowIDOrName string, opts ...ReadOption) (Row, error) {
	var row Row
	q := url.Values{"valueFormat": {valueFormatRich}}
	if err := c.getWith(ctx, &row, q, opts, "docs", docID, "tables", table, "rows", rowIDOrName); err != nil {
		return Row{}, err
	}
	return row, nil
}

// DeleteRow deletes one row of a table, by ID. Coda queues the delete and
// answers with a [Mutation] whose ID is the row's; pass it to [Client.Wait]
// to wait until the row is gone. Like other
// writes it is paced, and retried only when it surely was not applied (a
// 429, or a connection that could not be made); when its outcome is
// unknown the error wraps
// [ErrUnknownOutcome]. A restricted token without write access to the table
// gets an error wrapping [ErrUnauthorized]; a token Coda otherwise refuses,
// [ErrForbidden].
//
// Coda API: deleteRow, https://coda.io/developers/apis/v1#tag/Rows/operation/deleteRow
func (c *Client) DeleteRow(ctx context.Context, docID, table, rowID string) (Mutation, error) {
	r, err := newRequest(http.MethodDelete, nil, nil, "docs", docID, "tables", table, "rows", rowID)
	if err != nil {
		return Mutation{}, err
	}
	r.docContent = true
	return c.write(ctx, r, "delete row")
}
