package codatest

import (
	"net/url"
	"strings"
	"time"
)

// This file holds the JSON shapes of the API's resources, named after the
// schemas of Coda's OpenAPI spec.

// timeJSON formats t as Coda does.
func timeJSON(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// browserBase is the host of browser links.
const browserBase = "https://coda.io/d/_d"

// workspaceRef is the WorkspaceReference schema.
type workspaceRef struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	BrowserLink string `json:"browserLink"`
	Name        string `json:"name,omitempty"`
}

// folderRef is the FolderReference schema.
type folderRef struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	BrowserLink string `json:"browserLink"`
	Name        string `json:"name,omitempty"`
}

// testWorkspace is the workspace every doc lives in.
var testWorkspace = workspaceRef{ID: "ws-codatest", Type: "workspace",
	BrowserLink: "https://coda.io/docs?workspaceId=ws-codatest", Name: "codatest"}

// testFolder is the folder every doc lives in.
var testFolder = folderRef{ID: "fl-codatest", Type: "folder",
	BrowserLink: "https://coda.io/docs?folderId=fl-codatest", Name: "codatest"}

// userJSON is the User schema.
type userJSON struct {
	Name      string       `json:"name"`
	LoginID   string       `json:"loginId"`
	Type      string       `json:"type"`
	Scoped    bool         `json:"scoped"`
	TokenName string       `json:"tokenName"`
	Href      string       `json:"href"`
	Workspace workspaceRef `json:"workspace"`
}

// docJSON is the Doc schema.
type docJSON struct {
	ID          string       `json:"id"`
	Type        string       `json:"type"`
	Href        string       `json:"href"`
	BrowserLink string       `json:"browserLink"`
	Name        string       `json:"name"`
	Owner       string       `json:"owner"`
	OwnerName   string       `json:"ownerName"`
	CreatedAt   string       `json:"createdAt"`
	UpdatedAt   string       `json:"updatedAt"`
	Workspace   workspaceRef `json:"workspace"`
	Folder      folderRef    `json:"folder"`
	WorkspaceID string       `json:"workspaceId"`
	FolderID    string       `json:"folderId"`
}

// pageRef is the PageReference schema.
type pageRef struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	BrowserLink string `json:"browserLink"`
	Href        string `json:"href"`
	Name        string `json:"name"`
}

// tableRef is the TableReference schema.
type tableRef struct {
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	TableType   string   `json:"tableType"`
	BrowserLink string   `json:"browserLink"`
	Href        string   `json:"href"`
	Name        string   `json:"name"`
	Parent      *pageRef `json:"parent,omitempty"`
}

// columnRef is the ColumnReference schema.
type columnRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Href string `json:"href"`
}

// tableJSON is the Table schema.
type tableJSON struct {
	ID            string    `json:"id"`
	Type          string    `json:"type"`
	TableType     string    `json:"tableType"`
	Href          string    `json:"href"`
	BrowserLink   string    `json:"browserLink"`
	Name          string    `json:"name"`
	Parent        pageRef   `json:"parent"`
	ParentTable   *tableRef `json:"parentTable,omitempty"`
	DisplayColumn columnRef `json:"displayColumn"`
	RowCount      int       `json:"rowCount"`
	Sorts         []any     `json:"sorts"`
	Layout        string    `json:"layout"`
	CreatedAt     string    `json:"createdAt"`
	UpdatedAt     string    `json:"updatedAt"`
	ViewID        string    `json:"viewId"`
}

// columnJSON is the Column schema.
type columnJSON struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Href       string         `json:"href"`
	Name       string         `json:"name"`
	Display    bool           `json:"display"`
	Calculated bool           `json:"calculated"`
	Formula    string         `json:"formula,omitempty"`
	Format     map[string]any `json:"format"`
}

// rowJSON is the Row schema.
type rowJSON struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	Href        string         `json:"href"`
	Name        string         `json:"name"`
	Index       int            `json:"index"`
	BrowserLink string         `json:"browserLink"`
	CreatedAt   string         `json:"createdAt"`
	UpdatedAt   string         `json:"updatedAt"`
	Values      map[string]any `json:"values"`
	Parent      *tableRef      `json:"parent,omitempty"` // getRow only (RowDetail)
}

// pageJSON is the Page schema.
type pageJSON struct {
	ID                  string    `json:"id"`
	Type                string    `json:"type"`
	Href                string    `json:"href"`
	BrowserLink         string    `json:"browserLink"`
	Name                string    `json:"name"`
	Subtitle            string    `json:"subtitle,omitempty"`
	ContentType         string    `json:"contentType"`
	IsHidden            bool      `json:"isHidden"`
	IsEffectivelyHidden bool      `json:"isEffectivelyHidden"`
	Children            []pageRef `json:"children"`
	CreatedAt           string    `json:"createdAt"`
	UpdatedAt           string    `json:"updatedAt"`
}

// contentItemJSON is the PageContentItem schema.
type contentItemJSON struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	ItemContent itemContentJSON `json:"itemContent"`
}

// itemContentJSON is the PageContentItemContent schema.
type itemContentJSON struct {
	Style     string `json:"style"`
	Format    string `json:"format"`
	Content   string `json:"content"`
	LineLevel *int   `json:"lineLevel,omitempty"`
}

// listJSON is the envelope of list endpoints.
type listJSON[T any] struct {
	Items         []T    `json:"items"`
	Href          string `json:"href"`
	NextPageToken string `json:"nextPageToken,omitempty"`
	NextPageLink  string `json:"nextPageLink,omitempty"`
}

// mutateJSON covers DocumentMutateResponse and its extensions (RowsUpsertResult,
// PageCreateResult, PageUpdateResult...): requestId plus id or addedRowIds.
type mutateJSON struct {
	RequestID   string   `json:"requestId"`
	ID          string   `json:"id,omitempty"`
	AddedRowIDs []string `json:"addedRowIds,omitempty"`
}

// mutationStatusJSON is the MutationStatus schema.
type mutationStatusJSON struct {
	Completed bool   `json:"completed"`
	Warning   string `json:"warning,omitempty"`
}

// apiPath joins escaped path segments under the base URL.
func (s *Server) apiPath(segs ...string) string {
	var b strings.Builder
	b.WriteString(s.URL)
	for _, seg := range segs {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(seg))
	}
	return b.String()
}

// slug turns a name into the readable part of a browser link.
func slug(name string) string {
	f := strings.FieldsFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	return strings.Join(f, "-")
}

// suffix returns id without its type prefix ("grid-", "canvas-"...).
func suffix(id string) string {
	if _, after, ok := strings.Cut(id, "-"); ok {
		return after
	}
	return id
}

// docJSON returns d as a Doc.
func (s *Server) docJSON(d *doc) docJSON {
	return docJSON{
		ID: d.id, Type: "doc", Href: s.apiPath("docs", d.id), BrowserLink: browserBase + d.id,
		Name: d.name, Owner: "owner@example.com", OwnerName: "Doc Owner",
		CreatedAt: timeJSON(d.created), UpdatedAt: timeJSON(d.created),
		Workspace: testWorkspace, Folder: testFolder,
		WorkspaceID: testWorkspace.ID, FolderID: testFolder.ID,
	}
}

// pageRef returns a reference to p.
func (s *Server) pageRef(d *doc, p *page) pageRef {
	return pageRef{ID: p.id, Type: "page", Href: s.apiPath("docs", d.id, "pages", p.id),
		BrowserLink: browserBase + d.id + "/" + slug(p.name) + "_su" + suffix(p.id), Name: p.name}
}

// tableParent returns the page a table sits on: the doc's first page, or a
// page that only exists as this reference when the doc has none.
func (s *Server) tableParent(d *doc, t *table) pageRef {
	if len(d.pages) > 0 {
		return s.pageRef(d, d.pages[0])
	}
	return s.pageRef(d, &page{id: "canvas-" + suffix(t.rowStore().id), name: t.rowStore().name})
}

// tableType returns the tableType of t: "table" or "view".
func tableType(t *table) string {
	if t.base != nil {
		return "view"
	}
	return "table"
}

// tableBrowserLink returns the browser link of t.
func (s *Server) tableBrowserLink(d *doc, t *table) string {
	return browserBase + d.id + "#" + slug(t.name) + "_tu" + suffix(t.id)
}

// tableRef returns a reference to t.
func (s *Server) tableRef(d *doc, t *table) tableRef {
	parent := s.tableParent(d, t)
	return tableRef{ID: t.id, Type: "table", TableType: tableType(t), Href: s.apiPath("docs", d.id, "tables", t.id),
		BrowserLink: s.tableBrowserLink(d, t), Name: t.name, Parent: &parent}
}

// tableJSON returns t as a Table.
func (s *Server) tableJSON(d *doc, t *table) tableJSON {
	tj := tableJSON{
		ID: t.id, Type: "table", TableType: tableType(t), Href: s.apiPath("docs", d.id, "tables", t.id),
		BrowserLink: s.tableBrowserLink(d, t), Name: t.name, Parent: s.tableParent(d, t),
		RowCount: len(t.rowStore().rows), Sorts: []any{}, Layout: "default",
		CreatedAt: timeJSON(t.created), UpdatedAt: timeJSON(t.updated), ViewID: t.id,
	}
	if c := t.displayColumn(); c != nil {
		tj.DisplayColumn = s.columnRef(d, t, c)
	} else {
		tj.DisplayColumn = columnRef{Type: "column"}
	}
	if t.base != nil {
		ref := s.tableRef(d, t.base)
		tj.ParentTable = &ref
	}
	return tj
}

// columnRef returns a reference to column c of t.
func (s *Server) columnRef(d *doc, t *table, c *column) columnRef {
	return columnRef{ID: c.id, Type: "column", Href: s.apiPath("docs", d.id, "tables", t.id, "columns", c.id)}
}

// columnJSON returns column c of t as a Column.
func (s *Server) columnJSON(d *doc, t *table, c *column) columnJSON {
	cj := columnJSON{ID: c.id, Type: "column", Href: s.apiPath("docs", d.id, "tables", t.id, "columns", c.id),
		Name: c.name, Display: c.display, Calculated: c.calculated, Format: s.columnFormat(d, t, c)}
	if c.calculated {
		cj.Formula = "thisRow.Name()"
	}
	return cj
}

// columnFormat returns the format of c, with the extra fields the spec
// requires for its type.
func (s *Server) columnFormat(d *doc, t *table, c *column) map[string]any {
	f := map[string]any{"type": c.typ, "isArray": c.isArray}
	switch c.typ {
	case "checkbox":
		f["displayType"] = "check"
	case "select":
		opts := make([]map[string]string, len(c.options))
		for i, o := range c.options {
			opts[i] = map[string]string{"name": o}
		}
		f["options"] = opts
	case "person", "lookup":
		// The spec requires the referenced table: a lookup's target table. The
		// fake has no people table, so a person column names its own table.
		target := t.rowStore()
		if lt := d.table(c.target); c.typ == "lookup" && lt != nil {
			target = lt
		}
		ref := s.tableRef(d, target)
		ref.Parent = nil
		f["table"] = ref
	case "scale":
		f["maximum"] = 5
		f["icon"] = "star"
	}
	return f
}

// rowJSON returns r as a Row of t: index is its position in the table, values
// are keyed by column name when useNames is set and rendered as vf says.
func (s *Server) rowJSON(d *doc, t *table, r *row, index int, useNames bool, vf valueFormat) rowJSON {
	rj := rowJSON{
		ID: r.id, Type: "row", Href: s.apiPath("docs", d.id, "tables", t.id, "rows", r.id),
		Index: index, BrowserLink: s.tableBrowserLink(d, t) + "/_ru" + r.id,
		CreatedAt: timeJSON(r.created), UpdatedAt: timeJSON(r.updated), Values: map[string]any{},
	}
	rj.Name = rowName(t, r)
	for _, c := range t.columns {
		key := c.id
		if useNames {
			key = c.name
		}
		rj.Values[key] = s.render(vf, r.values[c.id])
	}
	return rj
}

// pageJSON returns p as a Page. Seeded pages are top-level, without
// children.
func (s *Server) pageJSON(d *doc, p *page) pageJSON {
	return pageJSON{
		ID: p.id, Type: "page", Href: s.apiPath("docs", d.id, "pages", p.id),
		BrowserLink: s.pageRef(d, p).BrowserLink, Name: p.name, Subtitle: p.subtitle,
		ContentType: "canvas", IsHidden: p.hidden, IsEffectivelyHidden: p.hidden,
		Children: []pageRef{}, CreatedAt: timeJSON(p.created), UpdatedAt: timeJSON(p.updated),
	}
}
