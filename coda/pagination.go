package coda

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// paginate walks a list endpoint. fetch returns the items of the page with
// the given token ("" for the first) and the token of the next page, "" after
// the last. Per Coda's docs, the walk goes on while a token comes back, never
// stopping on a short page, and stops with an error at a token that comes
// round again, which would make it walk for ever.
func paginate[T any](fetch func(pageToken string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		token, seen := "", map[string]bool{}
		for {
			seen[token] = true
			items, next, err := fetch(token)
			if err == nil && next != "" && seen[next] {
				err = fmt.Errorf("coda: the server returned page token %q twice", next)
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			token = next
		}
	}
}

// pageQuery returns the query of a list request: only the page token when
// there is one (Coda ignores the rest then), else the given parameters with
// limit added when positive.
func pageQuery(q url.Values, limit int, pageToken string) url.Values {
	if pageToken != "" {
		return url.Values{"pageToken": {pageToken}}
	}
	if q == nil {
		q = url.Values{}
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}

// listPage is one page of a list endpoint's items.
type listPage[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"nextPageToken,omitempty"` // "" on the last page
}

// listAll walks the list endpoint at the path made of segments, 100 items
// a page, as [paginate] does.
func listAll[T any](ctx context.Context, c *Client, segments ...string) iter.Seq2[T, error] {
	return paginate(func(token string) ([]T, string, error) {
		var l listPage[T]
		err := c.get(ctx, &l, pageQuery(nil, 100, token), segments...)
		return l.Items, l.NextPageToken, err
	})
}
