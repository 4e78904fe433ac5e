package coda

import (
	"context"
	"iter"
)

// Pages returns every page of a doc, subpages included, fetching pages of
// the listing as the loop goes. It stops at the first error, which it
// yields.
//
// Coda API: listPages, https://coda.io/developers/apis/v1#tag/Pages/operation/listPages
func (c *Client) Pages(ctx context.Context, docID string) iter.Seq2[Page, error] {
	return listAll[Page](ctx, c, "docs", docID, "pages")
}
