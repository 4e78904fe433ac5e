package coda

import "context"

// Doc is a Coda doc.
type Doc struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	BrowserLink string `json:"browserLink"`
}

// GetDoc returns the doc with the given ID, the part after "_d" in a doc's
// URL.
//
// Coda API: getDoc, https://coda.io/developers/apis/v1#tag/Docs/operation/getDoc
func (c *Client) GetDoc(ctx context.Context, docID string) (Doc, error) {
	var d Doc
	if err := c.get(ctx, &d, nil, "docs", docID); err != nil {
		return Doc{}, err
	}
	return d, nil
}
