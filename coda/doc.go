// Package coda is a small client for Coda's REST API v1
// (https://coda.io/developers/apis/v1): the calls needed to upsert changelog
// rows into a table, write release notes onto a page and trigger a
// webhook-invoked automation.
//
// A [Client] paces its requests to Coda's documented rate limits
// ([DefaultLimits]), so that a normal run meets no 429; when one comes
// anyway it slows down for good and retries. It retries 429s, 5xx and lost
// connections with capped, jittered exponential backoff ([RetryPolicy]),
// but never resends a write whose outcome is unknown and that would apply
// twice (an insert, a row delete, an append, an automation trigger): that
// error wraps [ErrUnknownOutcome]. The token never appears in errors or in
// the debug log ([WithLogger]).
//
// Coda queues writes (HTTP 202) and applies them a few seconds later.
// Writes return a [Mutation] per request; [Client.Wait] polls until they are
// applied, and ends with an error wrapping [ErrNotConfirmed] when its context
// ends first.
//
// A full call, upserting release rows keyed on their version:
//
//	c, err := coda.NewClient(os.Getenv("CODA_API_TOKEN"))
//	if err != nil {
//		return err
//	}
//	table, err := c.GetBaseTable(ctx, "AbCDeFGH", "grid-pqRst-U")
//	if err != nil {
//		return err // a view gives an error wrapping coda.ErrNotBaseTable
//	}
//	rows := []coda.RowEdit{{Cells: []coda.CellEdit{
//		{Column: "c-version", Value: "v1.4.2"},
//		{Column: "c-date", Value: "2025-06-01"},
//		{Column: "c-notes", Value: "- fix: retry on 503"},
//	}}}
//	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
//	defer cancel()
//	muts, err := c.UpsertRows(ctx, "AbCDeFGH", table.ID, rows, []string{"c-version"})
//	if err != nil {
//		return err
//	}
//	warnings, err := c.Wait(ctx, muts...)
//	for _, w := range warnings {
//		log.Printf("coda: %s", w)
//	}
//	if err != nil {
//		return err // with coda.ErrNotConfirmed: queued, and maybe applied later
//	}
//
// To see how Coda stores values (rows are written with disableParsing=true
// unless [WithValueParsing]: a person or lookup cell then keeps the text
// sent), insert a test row, read it back and delete it:
//
//	muts, err := c.InsertRows(ctx, docID, tableID, rows)
//	// ...
//	_, err = c.Wait(ctx, muts...)
//	// ...
//	id := muts[0].AddedRowIDs[0]
//	row, err := c.GetRow(ctx, docID, tableID, id)
//	// ...
//	for col, v := range row.Values {
//		fmt.Printf("%s: %s\n", col, coda.ParseRichValue(v)) // person "Ada" <ada@example.com>, text "…", row "API" (i-…)
//	}
//	m, err := c.DeleteRow(ctx, docID, tableID, id)
//	// ...
//	_, err = c.Wait(ctx, m)
//
// A host that cannot be reached gives an [*UnreachableError], a redirect to
// another host a [*RedirectError]: the token is only sent to the base URL's
// host. A restricted token used outside its scope gets a 401 ([ErrUnauthorized])
// whose [*Error] names the method and path refused. [Client.Stats] counts
// requests, 429s and the time spent waiting for rate limits.
package coda
