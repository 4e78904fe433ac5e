package publish

import (
	"context"
	"fmt"

	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// Link says where a reader finds what [Publisher.Publish] wrote, for a
// link from elsewhere (the Code Insights report): the browser link Coda
// gives CODA_PAGE when the notes go there, else that of the release table,
// else that of CODA_TABLE, and the name it shows. An upsert does not say
// which rows it updated, so a table is linked rather than a row. Both are
// "" when the run writes neither (an automation only). It asks Coda once
// more, a read, rather than keep what the writes saw.
func (p *Publisher) Link(ctx context.Context) (name, url string, err error) {
	switch {
	case p.cfg.Page != "":
		page, err := p.findPage(ctx)
		return page.Name, page.BrowserLink, err
	case p.cfg.ReleaseTable.Name != "":
		return p.tableLink(ctx, p.cfg.ReleaseTable)
	case p.cfg.Table.Name != "":
		return p.tableLink(ctx, p.cfg.Table)
	}
	return "", "", nil
}

// maxLink bounds the bytes of a browser link from Coda's answers, clipped
// as it is read, as names are to [maxLogged]: far more than Coda's links,
// whose names make them long, and far less than an answer that is not
// Coda's.
const maxLink = 2000

// tableLink returns the name and browser link of table t.
func (p *Publisher) tableLink(ctx context.Context, t Table) (name, url string, err error) {
	table, err := p.client.GetBaseTable(ctx, p.cfg.DocID, t.Name)
	if err != nil {
		return "", "", fmt.Errorf("%s %q: %w", t.Variable("TABLE"), t.Name, p.accessError(err))
	}
	return words.Clip(table.Name, maxLogged), words.Clip(table.BrowserLink, maxLink), nil
}
