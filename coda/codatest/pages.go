package codatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// pageInPath returns the doc and page named in the path, or a 404.
func (c *call) pageInPath() (*doc, *page, *result) {
	return inDoc(c, (*doc).page, "Page")
}

// getPage serves GET /docs/{docId}/pages/{pageIdOrName}.
func (c *call) getPage() result {
	d, p, res := c.pageInPath()
	if res != nil {
		return *res
	}
	return jsonResult(http.StatusOK, c.s.pageJSON(d, p))
}

// canvasContent is the PageContent schema.
type canvasContent struct {
	Format  string  `json:"format"`
	Content *string `json:"content"`
}

// check returns what is wrong with cc, or "".
func (cc *canvasContent) check(field string) string {
	switch {
	case cc == nil:
		return fmt.Sprintf("Missing required field: %s.", field)
	case cc.Format != "markdown" && cc.Format != "html":
		return fmt.Sprintf("Invalid %s.format %q: want markdown or html.", field, cc.Format)
	case cc.Content == nil:
		return fmt.Sprintf("Missing required field: %s.content.", field)
	}
	return ""
}

// pageUpdate is the PageUpdate schema.
type pageUpdate struct {
	Name          *string        `json:"name"`
	Subtitle      *string        `json:"subtitle"`
	IconName      string         `json:"iconName"`
	ImageURL      string         `json:"imageUrl"`
	IsHidden      *bool          `json:"isHidden"`
	ContentUpdate *contentUpdate `json:"contentUpdate"`
}

// contentUpdate is the PageContentUpdate schema.
type contentUpdate struct {
	InsertionMode string         `json:"insertionMode"`
	ElementID     string         `json:"elementId"`
	CanvasContent *canvasContent `json:"canvasContent"`
}

// check returns what is wrong with cu given the page's elements, or "".
func (cu *contentUpdate) check(p *page) string {
	switch cu.InsertionMode {
	case "append", "prepend", "replace":
	default:
		return fmt.Sprintf("Invalid contentUpdate.insertionMode %q: want append, prepend or replace.", cu.InsertionMode)
	}
	if cu.ElementID != "" && elementIndex(p.elems, cu.ElementID) < 0 {
		return fmt.Sprintf("Element %q not found on page %q.", cu.ElementID, p.name)
	}
	return cu.CanvasContent.check("contentUpdate.canvasContent")
}

// updatePage serves PUT /docs/{docId}/pages/{pageIdOrName}.
func (c *call) updatePage() result {
	d, p, res := c.pageInPath()
	if res != nil {
		return *res
	}
	var body pageUpdate
	if msg := decodeStrict(c.body, &body); msg != "" {
		return badRequest(msg)
	}
	if cu := body.ContentUpdate; cu != nil {
		if msg := cu.check(p); msg != "" {
			return badRequest(msg)
		}
	}
	reqID := c.s.enqueue(d, c.now, func(at time.Time) {
		if body.Name != nil {
			p.name = *body.Name
		}
		if body.Subtitle != nil {
			p.subtitle = *body.Subtitle
		}
		if body.IsHidden != nil {
			p.hidden = *body.IsHidden
		}
		if cu := body.ContentUpdate; cu != nil && (cu.ElementID == "" || elementIndex(p.elems, cu.ElementID) >= 0) {
			// An element deleted since the update was accepted fails the edit.
			add := c.s.parseContent(cu.CanvasContent.Format, *cu.CanvasContent.Content)
			p.elems = insertElements(p.elems, add, cu.InsertionMode, cu.ElementID)
		}
		p.updated = at
	})
	return jsonResult(http.StatusAccepted, mutateJSON{RequestID: reqID, ID: p.id})
}

// insertElements returns elems with add inserted as mode says, relative to
// the element with id ref or, when ref is empty, to the whole page.
func insertElements(elems, add []element, mode, ref string) []element {
	i := elementIndex(elems, ref)
	switch {
	case mode == "append" && i < 0:
		return append(elems, add...)
	case mode == "append":
		return slices.Insert(elems, i+1, add...)
	case mode == "prepend" && i < 0:
		return append(add, elems...)
	case mode == "prepend":
		return slices.Insert(elems, i, add...)
	case i < 0: // replace the whole page
		return add
	default: // replace one element
		return slices.Insert(slices.Delete(elems, i, i+1), i, add...)
	}
}

// elementIndex returns the index of the element with id, or -1.
func elementIndex(elems []element, id string) int {
	if id == "" {
		return -1
	}
	return slices.IndexFunc(elems, func(e element) bool { return e.id == id })
}

// listPageContent serves GET /docs/{docId}/pages/{pageIdOrName}/content.
func (c *call) listPageContent() result {
	_, p, res := c.pageInPath()
	if res != nil {
		return *res
	}
	pg, res := c.pager(50, 500)
	if res != nil {
		return *res
	}
	if f := c.query.Get("contentFormat"); f != "" && f != "plainText" {
		return badRequest(fmt.Sprintf("Invalid contentFormat %q: want plainText.", f))
	}
	items := make([]contentItemJSON, len(p.elems))
	for i, e := range p.elems {
		items[i] = contentItemJSON{ID: e.id, Type: "line",
			ItemContent: itemContentJSON{Style: e.style, Format: "plainText", Content: e.text}}
		if e.indentable() {
			items[i].ItemContent.LineLevel = &p.elems[i].level
		}
	}
	return jsonResult(http.StatusOK, paginate(c, pg, items))
}

// pageContentDelete is the PageContentDelete schema.
type pageContentDelete struct {
	ElementIDs []string `json:"elementIds"`
}

// deletePageContent serves DELETE /docs/{docId}/pages/{pageIdOrName}/content:
// the elements named, or every element when none is. An element that is not
// on the page when the delete is accepted is a 400, as an unknown elementId
// in a page update is; one deleted between acceptance and application is
// skipped.
func (c *call) deletePageContent() result {
	d, p, res := c.pageInPath()
	if res != nil {
		return *res
	}
	var body pageContentDelete
	if len(c.body) > 0 {
		if msg := decodeStrict(c.body, &body); msg != "" {
			return badRequest(msg)
		}
	}
	for _, id := range body.ElementIDs {
		if elementIndex(p.elems, id) < 0 {
			return badRequest(fmt.Sprintf("Element %q not found on page %q.", id, p.name))
		}
	}
	reqID := c.s.enqueue(d, c.now, func(at time.Time) {
		if len(body.ElementIDs) == 0 {
			p.elems = nil
		} else {
			p.elems = slices.DeleteFunc(p.elems, func(e element) bool { return slices.Contains(body.ElementIDs, e.id) })
		}
		p.updated = at
	})
	return jsonResult(http.StatusAccepted, mutateJSON{RequestID: reqID, ID: p.id})
}

// triggerAutomation serves POST /docs/{docId}/hooks/automation/{ruleId}. The
// payload must be a JSON object.
func (c *call) triggerAutomation() result {
	d, res := c.doc()
	if res != nil {
		return *res
	}
	a := d.automation(c.segs[4])
	switch {
	case a == nil:
		return notFound(fmt.Sprintf("Automation rule %q not found.", c.segs[4]))
	case a.off:
		return errorResult(http.StatusUnprocessableEntity, fmt.Sprintf("Automation rule %q is not enabled.", a.id))
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(c.body, &obj); err != nil || obj == nil {
		return badRequest("The webhook payload must be a JSON object.")
	}
	payload := append(json.RawMessage(nil), c.body...)
	reqID := c.s.enqueue(d, c.now, func(time.Time) { a.payloads = append(a.payloads, payload) })
	return jsonResult(http.StatusAccepted, mutateJSON{RequestID: reqID})
}
