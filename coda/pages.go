package coda

import (
	"context"
	"errors"
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
	ElementID     string        `json:"elementId,omitempty"`
	CanvasContent canvasContent `json:"canvasContent"`
}

// UpdatePageContent writes markdown to a page, by ID (preferred) or name,
// where mode says, relative to the whole page. Coda keeps headings 1 to 3,
// lists, code, links and emphasis; it flattens deeper headings and drops
// rules.
//
// A Replace is retried like a read. An Append or Prepend is not safe to
// resend: when its outcome is unknown (a 5xx, even with Coda's error body, a
// timeout, a connection lost after sending) the error wraps
// [ErrUnknownOutcome]; read the page ([Client.PageContent]) to learn whether
// it was applied.
//
// Coda API: updatePage, https://coda.io/developers/apis/v1#tag/Pages/operation/updatePage
func (c *Client) UpdatePageContent(ctx context.Context, docID, page string, mode InsertionMode, markdownText string) (Mutation, error) {
	return c.UpdatePageContentAt(ctx, docID, page, mode, "", markdownText)
}

// UpdatePageContentAt is [Client.UpdatePageContent] relative to one element
// of the page, by its ID from [Client.PageContent]: Append puts markdown
// right after it, Prepend right before it, Replace instead of it. An empty
// elementID means the whole page. Coda refuses an element that is not on
// the page. Only a Replace of the whole page is resent on an unknown
// outcome.
//
// Coda API: updatePage (PageContentUpdate.elementId), https://coda.io/developers/apis/v1#tag/Pages/operation/updatePage
func (c *Client) UpdatePageContentAt(ctx context.Context, docID, page string, mode InsertionMode, elementID, markdownText string) (Mutation, error) {
	switch mode {
	case Append, Prepend, Replace:
	default:
		return Mutation{}, fmt.Errorf("coda: update page content: insertion mode %q; use Append, Prepend or Replace", mode)
	}
	r, err := newRequest(http.MethodPut, nil, pageUpdate(mode, elementID, markdownText), "docs", docID, "pages", page)
	if err != nil {
		return Mutation{}, err
	}
	r.docContent = true
	r.resendable = mode == Replace && elementID == ""
	return c.write(ctx, r, "update page content")
}

// pageUpdate is the body of a page content update.
func pageUpdate(mode InsertionMode, elementID, markdownText string) pageUpdateBody {
	return pageUpdateBody{ContentUpdate: contentUpdate{InsertionMode: mode, ElementID: elementID, CanvasContent: markdown(markdownText)}}
}

// PageUpdateBytes is the size of the body [Client.UpdatePageContentAt]
// sends for these arguments, as encoded, to check against
// [MaxRequestBytes] before writing.
func PageUpdateBytes(mode InsertionMode, elementID, markdownText string) int {
	b, err := marshalJSON(pageUpdate(mode, elementID, markdownText))
	if err != nil { // strings always encode
		panic("coda: encode a page update: " + err.Error())
	}
	return len(b)
}

// PayloadBytes is the size of payload as [Client.TriggerAutomation] encodes
// it, to check against [MaxRequestBytes] before writing.
func PayloadBytes(payload any) (int, error) {
	b, err := marshalJSON(payload)
	return len(b), err
}

// pageContentDelete is the PageContentDelete schema of Coda's API.
type pageContentDelete struct {
	ElementIDs []string `json:"elementIds"`
}

// DeletePageContent deletes elements of a page, by their IDs from
// [Client.PageContent]. At least one ID is required: Coda reads an empty
// list as "delete everything", which this method never asks for. A delete
// is not resent when its outcome is unknown (the error wraps
// [ErrUnknownOutcome]): read the page to learn what is left. Coda refuses
// an element that is not on the page.
//
// Coda API: deletePageContent, https://coda.io/developers/apis/v1#tag/Pages/operation/deletePageContent
func (c *Client) DeletePageContent(ctx context.Context, docID, page string, elementIDs []string) (Mutation, error) {
	if len(elementIDs) == 0 {
		return Mutation{}, errors.New("coda: delete page content: no element IDs (an empty list would delete the whole page)")
	}
	r, err := newRequest(http.MethodDelete, nil, pageContentDelete{ElementIDs: elementIDs}, "docs", docID, "pages", page, "content")
	if err != nil {
		return Mutation{}, err
	}
	r.docContent = true
	return c.write(ctx, r, "delete page content")
}

// write sends a single write and returns its mutation.
func (c *Client) write(ctx context.Context, r *request, what string) (Mutation, error) {
	var m Mutation
	if err := c.do(ctx, r, &m); err != nil {
		return Mutation{}, fmt.Errorf("%s: %w", what, err)
	}
	m.At = time.Now()
	return m, nil
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
