package coda

import (
	"context"
	"iter"
)

// pageList is one page of a doc's pages.
type pageList struct {
	Items         []Page `json:"items"`
	NextPageToken string `json:"nextPageToken,omitempty"` // "" on the last page
}

// Pages returns every page of a doc, subpages included, fetching pages of
// the listing as the loop goes. It stops at the first error, which it
// yields.
//
// Coda API: listPages, https://coda.io/developers/apis/v1#tag/Pages/operation/listPages
func (c *Client) Pages(ctx context.Context, docID string) iter.Seq2[Page, error] {
	return paginate(func(token string) ([]Page, string, error) {
		var l pageList
		err := c.get(ctx, &l, pageQuery(nil, 100, token), "docs", docID, "pages")
		return l.Items, l.NextPageToken, err
	})
}
