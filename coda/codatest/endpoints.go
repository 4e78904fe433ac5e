package codatest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// This file holds the read endpoints for docs, tables and columns, and the
// pagination they share.

// whoami serves GET /whoami.
func (c *call) whoami() result {
	u := userJSON{
		Name: "Test User", LoginID: "test@example.com", Type: "user", Scoped: false,
		TokenName: "codatest", Href: c.s.apiPath("whoami"), Workspace: testWorkspace,
	}
	if c.token != nil {
		u.Scoped, u.TokenName = true, c.token.Name
	}
	return jsonResult(http.StatusOK, u)
}

// mutationStatus serves GET /mutationStatus/{requestId}.
func (c *call) mutationStatus() result {
	m := c.s.mutations[c.segs[1]]
	if m == nil || c.now.Sub(m.accepted) < c.s.cfg.statusNotFoundFor {
		return notFound("Request not found.")
	}
	st := mutationStatusJSON{Completed: m.applied}
	if m.applied {
		st.Warning = c.s.cfg.applyWarning
	}
	return jsonResult(http.StatusOK, st)
}

// docVersionHeader makes a read fail while the doc has pending writes when set
// to "latest".
const docVersionHeader = "X-Coda-Doc-Version"

// doc returns the doc named in the path, or a 404. A read asking for the
// latest doc version gets a 400 while writes to the doc are pending.
func (c *call) doc() (*doc, *result) {
	d := c.s.doc(c.segs[1])
	if d == nil {
		res := notFound("Doc not found.")
		return nil, &res
	}
	if c.r.Method == http.MethodGet && c.r.Header.Get(docVersionHeader) == "latest" && c.s.pending(d) {
		// Coda does not document this refusal's message: the fake's own
		// wording, so that clients must not rely on one.
		res := badRequest("The latest version of this doc is not available yet.")
		return nil, &res
	}
	return d, nil
}

// table returns the doc and table named in the path, or a 404.
func (c *call) table() (*doc, *table, *result) {
	return inDoc(c, (*doc).table, "Table")
}

// inDoc returns the doc named in the path and the object of the given kind
// that find finds in it by the path's next segment, or a 404.
func inDoc[T any](c *call, find func(*doc, string) *T, kind string) (*doc, *T, *result) {
	d, res := c.doc()
	if res != nil {
		return nil, nil, res
	}
	obj := find(d, c.segs[3])
	if obj == nil {
		res := notFound(fmt.Sprintf("%s %q not found.", kind, c.segs[3]))
		return nil, nil, &res
	}
	return d, obj, nil
}

// getDoc serves GET /docs/{docId}.
func (c *call) getDoc() result {
	d, res := c.doc()
	if res != nil {
		return *res
	}
	return jsonResult(http.StatusOK, c.s.docJSON(d))
}

// listTables serves GET /docs/{docId}/tables: the doc's tables and views,
// in the order they were added. sortBy and tableTypes are not modelled.
func (c *call) listTables() result {
	return listInDoc(c, func(d *doc) []*table { return d.tables }, c.s.tableRef)
}

// listPages serves GET /docs/{docId}/pages: the doc's pages, in the order
// they were added.
func (c *call) listPages() result {
	return listInDoc(c, func(d *doc) []*page { return d.pages }, c.s.pageJSON)
}

// listInDoc serves a page of the objects of the doc named in the path, as
// encode writes each.
func listInDoc[T, J any](c *call, objects func(*doc) []T, encode func(*doc, T) J) result {
	d, res := c.doc()
	if res != nil {
		return *res
	}
	p, res := c.pager(25, 100)
	if res != nil {
		return *res
	}
	all := objects(d)
	out := make([]J, len(all))
	for i, o := range all {
		out[i] = encode(d, o)
	}
	return jsonResult(http.StatusOK, paginate(c, p, out))
}

// getTable serves GET /docs/{docId}/tables/{tableIdOrName}.
func (c *call) getTable() result {
	d, t, res := c.table()
	if res != nil {
		return *res
	}
	return jsonResult(http.StatusOK, c.s.tableJSON(d, t))
}

// listColumns serves GET /docs/{docId}/tables/{tableIdOrName}/columns.
// visibleOnly is accepted; every column is visible.
func (c *call) listColumns() result {
	d, t, res := c.table()
	if res != nil {
		return *res
	}
	p, res := c.pager(25, 100)
	if res != nil {
		return *res
	}
	cols := make([]columnJSON, len(t.columns))
	for i, col := range t.columns {
		cols[i] = c.s.columnJSON(d, t, col)
	}
	return jsonResult(http.StatusOK, paginate(c, p, cols))
}

// pager is a page of a list request.
type pager struct {
	offset, limit int
}

// pageToken is what a page token encodes: with a token every other parameter
// is ignored, so it carries the first request's query.
type pageToken struct {
	Offset int    `json:"o"`
	Query  string `json:"q"`
}

// pager reads limit and pageToken. With a page token, c.query becomes the query
// of the request that started the listing.
func (c *call) pager(defaultLimit, maxLimit int) (pager, *result) {
	p := pager{limit: defaultLimit}
	if tok := c.query.Get("pageToken"); tok != "" {
		pt, err := decodePageToken(tok)
		if err != nil {
			res := badRequest("Invalid page token.")
			return p, &res
		}
		q, _ := url.ParseQuery(pt.Query)
		c.query = q
		p.offset = pt.Offset
	}
	if l := c.query.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			res := badRequest(fmt.Sprintf("Invalid limit %q.", l))
			return p, &res
		}
		p.limit = min(n, maxLimit)
	}
	return p, nil
}

// decodePageToken parses a token made by [encodePageToken].
func decodePageToken(tok string) (pageToken, error) {
	var pt pageToken
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil {
		err = json.Unmarshal(b, &pt)
	}
	if err == nil && pt.Offset < 0 {
		err = fmt.Errorf("negative offset")
	}
	return pt, err
}

// encodePageToken returns an opaque token for pt.
func encodePageToken(pt pageToken) string {
	b, _ := json.Marshal(pt)
	return base64.RawURLEncoding.EncodeToString(b)
}

// paginate cuts the page p out of items and wraps it in the list envelope with its
// links.
func paginate[T any](c *call, p pager, items []T) listJSON[T] {
	start := min(p.offset, len(items))
	end := min(start+p.limit, len(items))
	self := c.s.URL + strings.TrimPrefix(c.r.URL.EscapedPath(), BasePath)
	out := listJSON[T]{Items: items[start:end], Href: self}
	if out.Items == nil {
		out.Items = []T{}
	}
	if c.r.URL.RawQuery != "" {
		out.Href += "?" + c.r.URL.RawQuery
	}
	if end < len(items) {
		q := c.query
		q.Del("pageToken")
		out.NextPageToken = encodePageToken(pageToken{Offset: end, Query: q.Encode()})
		out.NextPageLink = self + "?pageToken=" + url.QueryEscape(out.NextPageToken)
	}
	return out
}
