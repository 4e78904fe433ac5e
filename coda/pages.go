package coda

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// Page is a page of a doc.
type Page struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	BrowserLink string `json:"browserLink"`
}

// GetPage returns a page, by ID (preferred) or name.
//
// Coda API: getPage, https://coda.io/developers/apis/v1#tag/Pages/operation/getPage
func (c *Client) GetPage(ctx context.Context, docID, pageIDOrName string) (Page, error) {
	var p Page
	if err := c.get(ctx, &p, nil, "docs", docID, "pages", pageIDOrName); err != nil {
		return Page{}, err
	}
	return p, nil
}

type canvasContent struct {
	Format  string `json:"format"`
	Content string `json:"content"`
}

// markdown returns canvas content in markdown.
func markdown(s string) canvasContent {
	return canvasContent{Format: "markdown", Content: s}
}

// InsertionMode says where [Client.UpdatePageContent] puts new content.
type InsertionMode string

// Insertion modes.
const (
	Append  InsertionMode = "append"  // after the page's content
	Prepend InsertionMode = "prepend" // before the page's content
	Replace InsertionMode = "replace" // instead of the page's content, native objects included
)

// pageUpdateBody is the PageUpdate schema of Coda's API, content only.
type pageUpdateBody struct {
	ContentUpdate contentUpdate `json:"contentUpdate"`
}

type contentUpdate struct {
	InsertionMode InsertionMode `json:"insertionMode"`
	CanvasContent canvasContent `json:"canvasContent"`
}

// UpdatePageContent writes markdown to a page, by ID (preferred) or name,
// where mode says. Coda keeps headings 1 to 3, lists, code, links and
// emphasis; it flattens deeper headings and drops rules.
//
// A Replace is retried like a read. An Append or Prepend is not safe to
// resend: when its outcome is unknown the error wraps [ErrUnknownOutcome].
//
// Coda API: updatePage, https://coda.io/developers/apis/v1#tag/Pages/operation/updatePage
func (c *Client) UpdatePageContent(ctx context.Context, docID, page string, mode InsertionMode, markdownText string, opts ...WriteOption) (Mutation, error) {
	switch mode {
	case Append, Prepend, Replace:
	default:
		return Mutation{}, fmt.Errorf("coda: update page content: insertion mode %q; use Append, Prepend or Replace", mode)
	}
	body := pageUpdateBody{ContentUpdate: contentUpdate{InsertionMode: mode, CanvasContent: markdown(markdownText)}}
	r, err := newRequest(http.MethodPut, nil, body, "docs", docID, "pages", page)
	if err != nil {
		return Mutation{}, err
	}
	r.docContent = true
	r.resendable = mode == Replace
	return c.write(ctx, r, "update page content", opts)
}

// write sends a single write and returns its mutation, waited for when opts
// ask so.
func (c *Client) write(ctx context.Context, r *request, what string, opts []WriteOption) (Mutation, error) {
	var o writeOptions
	for _, opt := range opts {
		opt(&o)
	}
	var m Mutation
	if err := c.do(ctx, r, &m); err != nil {
		return Mutation{}, fmt.Errorf("%s: %w", what, err)
	}
	m.At = time.Now()
	muts, err := c.finishWrite(ctx, o, []Mutation{m})
	return muts[0], err
}

// PageContentItem is one line or block of a page.
type PageContentItem struct {
	ID      string // "cl-…"
	Style   string // h1, h2, h3, paragraph, bulletedList, numberedList, code, blockQuote, …
	Content string // plain text
}

// pageContentList is the PageContentList schema of Coda's API.
type pageContentList struct {
	Items []struct {
		ID          string `json:"id"`
		ItemContent struct {
			Style   string `json:"style"`
			Content string `json:"content"`
		} `json:"itemContent"`
	} `json:"items"`
	NextPageToken string `json:"nextPageToken"`
}

// PageContent returns the lines of a page, by ID (preferred) or name, as
// plain text, fetching pages of 500 as the loop goes. It stops at the first
// error, which it yields.
//
// Coda API: listPageContent, https://coda.io/developers/apis/v1#tag/Pages/operation/listPageContent
func (c *Client) PageContent(ctx context.Context, docID, page string, opts ...ReadOption) iter.Seq2[PageContentItem, error] {
	return paginate(func(token string) ([]PageContentItem, string, error) {
		var l pageContentList
		q := pageQuery(url.Values{"contentFormat": {"plainText"}}, 500, token)
		if err := c.getWith(ctx, &l, q, opts, "docs", docID, "pages", page, "content"); err != nil {
			return nil, "", err
		}
		items := make([]PageContentItem, len(l.Items))
		for i, it := range l.Items {
			items[i] = PageContentItem{ID: it.ID, Style: it.ItemContent.Style, Content: it.ItemContent.Content}
		}
		return items, l.NextPageToken, nil
	})
}
