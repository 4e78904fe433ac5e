package coda

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGetPage(t *testing.T) {
	t.Parallel()
	rec := answer(http.StatusOK, `{"id":"canvas-1","type":"page","name":"Changelog","browserLink":"https://coda.io/d/_dd1/Changelog_su1","isHidden":false,"children":[]}`)
	c := newTestClient(t, rec)
	p, err := c.GetPage(t.Context(), "d1", "Changelog")
	require.NoError(t, err)
	require.Equal(t, Page{ID: "canvas-1", Name: "Changelog", BrowserLink: "https://coda.io/d/_dd1/Changelog_su1"}, p)
	require.Equal(t, "/docs/d1/pages/Changelog", rec.all()[0].Path)
}

func TestUpdatePageContent(t *testing.T) {
	t.Parallel()
	for _, mode := range []InsertionMode{Append, Prepend, Replace} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			rec := answer(http.StatusAccepted, `{"requestId":"r1","id":"canvas-1"}`)
			c := newTestClient(t, rec)
			m, err := c.UpdatePageContent(t.Context(), "d1", "Change log", mode, "## v1.4.2\n- fix: <b>")
			require.NoError(t, err)
			require.Equal(t, "canvas-1", m.ID)
			got := rec.all()[0]
			require.Equal(t, "PUT /docs/d1/pages/Change%20log", got.Method+" "+got.Path)
			require.JSONEq(t, fmt.Sprintf(`{"contentUpdate":{"insertionMode":%q,"canvasContent":{"format":"markdown","content":"## v1.4.2\n- fix: <b>"}}}`, mode), got.Body)
		})
	}
	rec := answer(http.StatusAccepted, `{"requestId":"r1"}`)
	c := newTestClient(t, rec)
	_, err := c.UpdatePageContent(t.Context(), "d1", "canvas-1", "insert", "x")
	require.EqualError(t, err, `coda: update page content: insertion mode "insert"; use Append, Prepend or Replace`)
	require.Empty(t, rec.all())
}

func TestPageContent(t *testing.T) {
	t.Parallel()
	rec := &recorder{responses: []response{
		{status: 200, body: `{"href":"x","items":[{"id":"cl-1","type":"line","itemContent":{"style":"h2","format":"plainText","content":"v1.4.2","lineLevel":0}},{"id":"cl-2","type":"line","itemContent":{"style":"bulletedList","format":"plainText","content":"fix: retry"}}],"nextPageToken":"t2"}`},
		{status: 200, body: `{"href":"x","items":[{"id":"cl-3","type":"line"}]}`},
	}}
	c := newTestClient(t, rec)
	var got []PageContentItem
	for item, err := range c.PageContent(t.Context(), "d1", "canvas-1") {
		require.NoError(t, err)
		got = append(got, item)
	}
	require.Equal(t, []PageContentItem{{ID: "cl-1", Style: "h2", Content: "v1.4.2"}, {ID: "cl-2", Style: "bulletedList", Content: "fix: retry"}, {ID: "cl-3"}}, got)
	require.Equal(t, []string{"contentFormat=plainText&limit=500", "pageToken=t2"}, queries(rec.all()))
	require.Equal(t, "/docs/d1/pages/canvas-1/content", rec.all()[0].Path)
}

func TestUpdatePageContentAt(t *testing.T) {
	t.Parallel()
	rec := answer(http.StatusAccepted, `{"requestId":"r1","id":"canvas-1"}`)
	c := newTestClient(t, rec)
	_, err := c.UpdatePageContentAt(t.Context(), "d1", "canvas-1", Prepend, "cl-7", "## v1 & <b>")
	require.NoError(t, err)
	got := rec.all()[0]
	require.JSONEq(t, `{"contentUpdate":{"insertionMode":"prepend","elementId":"cl-7","canvasContent":{"format":"markdown","content":"## v1 & <b>"}}}`, got.Body)
	require.Equal(t, len(got.Body), PageUpdateBytes(Prepend, "cl-7", "## v1 & <b>"), "the size measured is the size sent")
}

func TestDeletePageContent(t *testing.T) {
	t.Parallel()
	rec := answer(http.StatusAccepted, `{"requestId":"r1","id":"canvas-1"}`)
	c := newTestClient(t, rec)
	m, err := c.DeletePageContent(t.Context(), "d1", "canvas-1", []string{"cl-1", "cl-2"})
	require.NoError(t, err)
	require.Equal(t, "r1", m.RequestID)
	got := rec.all()[0]
	require.Equal(t, "DELETE /docs/d1/pages/canvas-1/content", got.Method+" "+got.Path)
	require.JSONEq(t, `{"elementIds":["cl-1","cl-2"]}`, got.Body)

	_, err = c.DeletePageContent(t.Context(), "d1", "canvas-1", nil)
	require.ErrorContains(t, err, "no element IDs")
	require.Len(t, rec.all(), 1, "an empty list, which would delete the whole page, is never sent")
}
