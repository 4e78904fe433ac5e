package publish

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// didYouMean is `: did you mean "Changes"?` (or `"A" or "B"`) for the names
// that name was probably meant to be ([words.Similar]), "" when there are
// none.
func didYouMean(name string, names []string) string {
	similar := words.Similar(name, names)
	if len(similar) == 0 {
		return ""
	}
	quoted := make([]string, len(similar))
	for i, s := range similar {
		quoted[i] = fmt.Sprintf("%q", words.Clip(s, maxLogged))
	}
	list := quoted[0]
	if n := len(quoted); n > 1 {
		list = strings.Join(quoted[:n-1], ", ") + " or " + quoted[n-1]
	}
	return ": did you mean " + list + "?"
}

// similarTable is [didYouMean] for a table the doc does not have, from the
// names of its tables and views; "" when they cannot be listed.
func (p *Publisher) similarTable(ctx context.Context, name string) string {
	return similarIn(name, p.client.Tables(ctx, p.cfg.DocID), func(t coda.TableRef) string { return t.Name })
}

// similarPage is [didYouMean] for a page the doc does not have, from the
// names of its pages; "" when they cannot be listed.
func (p *Publisher) similarPage(ctx context.Context, name string) string {
	return similarIn(name, p.client.Pages(ctx, p.cfg.DocID), func(pg coda.Page) string { return pg.Name })
}

// similarIn is [didYouMean] for name among the names of a listing; "" when
// the listing fails.
func similarIn[T any](name string, listing iter.Seq2[T, error], nameOf func(T) string) string {
	var names []string
	for item, err := range listing {
		if err != nil {
			return ""
		}
		names = append(names, nameOf(item))
	}
	return didYouMean(name, names)
}

// columnNames are the names of columns.
func columnNames(columns []coda.Column) []string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = c.Name
	}
	return names
}
