package publish

import (
	"fmt"
	"slices"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// Every request body a run sends is made to fit Coda's limits
// ([coda.MaxRequestBytes] a request, [coda.MaxRowSize] a row) when it is
// planned, by its encoded size, before the first write:
//
//   - a row whose text cells make it too large has its longest text cells
//     clipped, with [clippedCell] at the end, and a WARNING names it;
//   - notes too large for one page write go in several, one after the
//     other, as one section ([splitNotes]);
//   - the automation's payload keeps the release's entries that fit, and
//     says so ([automationPayload]).
//
// Row batches need no plan: the client packs rows that each fit into
// requests that fit.

// clippedCell ends a text cell clipped so that its row fits Coda's limit.
var clippedCell = fmt.Sprintf(" … [clipped: the row was over Coda's %d KB row limit]", coda.MaxRowSize/1000)

// fitRow returns row with its longest text cells (never those of the
// columns in keys) clipped until the row fits [coda.MaxRowSize], and
// whether it clipped any. A row that clipping cannot make fit is returned
// as it is, for [coda.CheckRows] to refuse.
func fitRow(row coda.RowEdit, keys []string) (coda.RowEdit, bool) {
	size, err := coda.RowSize(row)
	if err != nil || size <= coda.MaxRowSize {
		return row, false
	}
	orig := row
	row = coda.RowEdit{Cells: slices.Clone(row.Cells)}
	for size > coda.MaxRowSize {
		i := longestText(row, keys)
		if i < 0 {
			return orig, false
		}
		text := row.Cells[i].Value.(string)
		fits := func(n int) bool {
			row.Cells[i].Value = validPrefix(text, n) + clippedCell
			s, _ := coda.RowSize(row)
			return s <= coda.MaxRowSize
		}
		fits(max(mostThatFits(len(text), fits), 0))
		size, _ = coda.RowSize(row)
	}
	return row, true
}

// longestText is the index of row's longest string cell that is not a key
// and is longer than the clipping marker, or -1.
func longestText(row coda.RowEdit, keys []string) int {
	best, bestLen := -1, len(clippedCell)
	for i, c := range row.Cells {
		s, ok := c.Value.(string)
		if ok && len(s) > bestLen && !slices.Contains(keys, c.Column) && !strings.HasSuffix(s, clippedCell) {
			best, bestLen = i, len(s)
		}
	}
	return best
}

// automationPayload is what the automation receives: the release JSON,
// with, when the release is too large for one request, only the entries
// that fit and notes that say so.
type automationPayload struct {
	changelog.Release
	// Truncated is true when entries were left out, and EntriesTotal is
	// then the release's number of entries.
	Truncated    bool `json:"truncated,omitempty"`
	EntriesTotal int  `json:"entries_total,omitempty"`
}

// planPayload returns the automation's payload for rel, fitted to one
// request. When the whole release does not fit, its markdown keeps the
// lines that fit in half a request, and its entries as many as fit in the
// rest, each followed by a line that says what was left out; truncated is
// true and entries_total is the release's number of entries. It fails
// when not even the release without entries fits.
func planPayload(rel changelog.Release) (automationPayload, error) {
	full := automationPayload{Release: rel}
	if fitsRequest(full) {
		return full, nil
	}
	p := automationPayload{Release: rel, Truncated: true, EntriesTotal: len(rel.Entries)}
	p.Markdown = cutNotes(rel.Markdown, coda.MaxRequestBytes/2)
	withEntries := func(n int) bool {
		p.Entries = rel.Entries[:n]
		return fitsRequest(p)
	}
	n := mostThatFits(len(rel.Entries), withEntries)
	if n < 0 {
		return automationPayload{}, fmt.Errorf("the automation's payload for %s does not fit one request to Coda (%d bytes) even without its entries", rel.Version, coda.MaxRequestBytes)
	}
	withEntries(n)
	return p, nil
}

// cutNotes keeps the first lines of markdown that, encoded as a JSON
// string, take at most limit bytes, and adds a line that says the rest
// was left out.
func cutNotes(markdown string, limit int) string {
	const note = "\n_The rest of the notes did not fit Coda's request size limit: see the page or OUTPUT\\_JSON._\n"
	parts := splitNotes(markdown, limit-encodedLen(note)-1)
	return strings.TrimRight(parts[0], "\n") + "\n" + note
}

// fitsRequest reports whether payload, encoded, fits one request.
func fitsRequest(payload any) bool {
	n, err := coda.PayloadBytes(payload)
	return err == nil && n <= coda.MaxRequestBytes
}
