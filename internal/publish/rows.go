package publish

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// How cells become typed. Coda reads a value sent to a row "as when you
// type" it unless the request says disableParsing; then a string stays the
// text sent. Coda's users report that with parsing disabled a Person cell
// keeps the e-mail address and a Lookup cell the display value, as text,
// with a 202 and a completed mutation all the same; dates and options are
// strings too. With parsing on, commit text would be read as typed: a
// subject "=1+1" would become a formula. Parsing is per request, not per
// cell, so rows are written in two passes keyed on the same key columns:
//
//  1. the key cells and every cell but those of parsed types (see
//     [columnTypes]), parsing
//     disabled: text is stored exactly as written;
//  2. the key cells and the cells of parsed types, parsing on, so that
//     people, rows, dates and options resolve. A value that Coda would read
//     as a formula (it starts with "=") goes with the first pass instead,
//     as text. A row whose key Coda would read as a formula goes whole
//     with the first pass, since parsed, its key would not match the row.
//
// Key columns of parsed types are refused: the passes could not match. The
// second pass is sent once the first is applied, so its keys match the
// rows the first wrote. CODA_PARSE_VALUES: 'true' sends one pass, parsed.

// hasTypedColumns reports whether a mapped column needs the second pass.
func (plan *tablePlan) hasTypedColumns() bool {
	return slices.ContainsFunc(plan.columns, func(m mappedColumn) bool {
		return columnTypes[m.column.Format.Type].parsed
	})
}

// passes splits row r into its two passes: first, the cells Coda stores
// as sent, and the typed cells that Coda would read as formulas (they keep
// their text); then, the key cells and the other typed cells, parsed. A
// typed cell is sent in one pass only, so that a run that fails between
// the passes never leaves a resolved person, row or date as text.
func (plan *tablePlan) passes(r coda.RowEdit) (first, typed coda.RowEdit) {
	if slices.ContainsFunc(r.Cells, func(c coda.CellEdit) bool { return slices.Contains(plan.keys, c.Column) && formulaLike(c.Value) }) {
		return r, coda.RowEdit{} // one pass: parsed, the key would not match
	}
	for i, m := range plan.columns {
		c := r.Cells[i]
		key := slices.Contains(plan.keys, m.column.ID)
		parsed := columnTypes[m.column.Format.Type].parsed && !formulaLike(c.Value)
		if key || !parsed {
			first.Cells = append(first.Cells, c)
		}
		if key || parsed {
			typed.Cells = append(typed.Cells, c)
		}
	}
	return first, typed
}

// formulaLike reports whether Coda would read a value, typed in, as a
// formula.
func formulaLike(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.HasPrefix(strings.TrimSpace(v), "=")
	case []string:
		return slices.ContainsFunc(v, func(s string) bool { return formulaLike(s) })
	}
	return false
}

// rowsPerProgress is how many rows are handed to the client at a time,
// so that a long backfill reports its progress; the client still packs
// them into as few requests as Coda's limits allow.
const rowsPerProgress = 2000

// progressEvery is how often a long write reports its progress.
const progressEvery = 10 * time.Second

// writeRows upserts the planned rows, in two passes when the table has
// typed columns, and says what it did. The mutations returned are the last
// pass's.
func (p *Publisher) writeRows(ctx context.Context, plan *tablePlan) ([]coda.Mutation, string, error) {
	if len(plan.rows) == 0 {
		return nil, fmt.Sprintf("no entries to write to table %q (every commit was filtered out)", plan.table.Name), nil
	}
	var opts []coda.WriteOption
	if p.cfg.ParseValues {
		opts = append(opts, coda.WithValueParsing())
	}
	first := plan.rows
	if plan.first != nil {
		first = plan.first
	}
	muts, err := p.upsertInParts(ctx, plan, first, opts)
	if err != nil {
		return nil, "", p.rowsError(plan, err)
	}
	if plan.typed != nil {
		if err := p.wait(ctx, muts, "the rows' text"); err != nil {
			return nil, "", err
		}
		if muts, err = p.upsertInParts(ctx, plan, plan.typed, []coda.WriteOption{coda.WithValueParsing()}); err != nil {
			return nil, "", p.rowsError(plan, err)
		}
	}
	return muts, fmt.Sprintf("%s upserted into table %q%s", words.Plural(len(plan.rows), "row", "rows"), plan.table.Name, link(plan.table.BrowserLink)), nil
}

// upsertInParts upserts rows a part at a time, reporting progress on a
// long write: releases done, rows written, and what it cost.
func (p *Publisher) upsertInParts(ctx context.Context, plan *tablePlan, rows []coda.RowEdit, opts []coda.WriteOption) ([]coda.Mutation, error) {
	var muts []coda.Mutation
	start, last, before := time.Now(), time.Now(), p.client.Stats()
	for from := 0; from < len(rows); from += rowsPerProgress {
		to := min(from+rowsPerProgress, len(rows))
		m, err := p.client.UpsertRows(ctx, p.cfg.DocID, plan.table.ID, rows[from:to], plan.keys, opts...)
		if err != nil {
			return nil, renumber(err, from, len(rows))
		}
		muts = append(muts, m...)
		if to < len(rows) && time.Since(last) >= progressEvery {
			last = time.Now()
			p.log.Info("Table %q: %s.", plan.table.Name, progress(to, len(rows), plan, before, p.client.Stats(), time.Since(start)))
		}
	}
	return muts, nil
}

// renumber numbers the rows of a failed request among the table's total
// rows, for a part of them that starts at row from.
func renumber(err error, from, total int) error {
	var batch *coda.BatchError
	if !errors.As(err, &batch) {
		return err
	}
	return fmt.Errorf("write rows %d-%d (counting from 0) of %d: %w", from+batch.First, from+batch.Last, total, batch.Err)
}

// progress says how far a row write is: rows and releases written, and the
// requests and the waiting for Coda's limits since it started (from the
// client's stats before and now), within the time it has taken.
func progress(done, total int, plan *tablePlan, before, now coda.Stats, took time.Duration) string {
	waited := min(now.RateLimitWait-before.RateLimitWait, took)
	return fmt.Sprintf("%d of %d rows written (%d of %d releases), %s, %.0f s of %.0f s so far waiting for the limits",
		done, total, plan.releasesDone(done), plan.releases(),
		words.Plural(now.Requests-before.Requests, "request", "requests"), waited.Seconds(), took.Seconds())
}

// releases counts the releases whose rows the plan writes.
func (plan *tablePlan) releases() int {
	return plan.releasesDone(len(plan.sources))
}

// releasesDone counts the releases whose rows are all among the first n.
func (plan *tablePlan) releasesDone(n int) int {
	done := 0
	for i := 0; i < n; i++ {
		if i == len(plan.sources)-1 || plan.sources[i+1].rel != plan.sources[i].rel {
			done++
		}
	}
	return done
}

// wait waits, up to WAIT_TIMEOUT, until Coda has applied muts (what says
// what they wrote), and logs the warnings Coda gave about them. A token that
// may not ask (a restricted token, where Coda does not document whether it
// may) gets a warning that they are not confirmed, and the run goes on
// trusting that Coda applies a doc's writes in order; nothing is written
// twice.
func (p *Publisher) wait(ctx context.Context, muts []coda.Mutation, what string) error {
	if len(muts) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.WaitTimeout)
	defer cancel()
	warnings, err := p.client.Wait(ctx, muts...)
	for _, w := range warnings {
		p.log.Warn("Coda, about %s: %s", what, words.Clip(w, maxLogged))
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, coda.ErrUnauthorized), errors.Is(err, coda.ErrForbidden):
		p.log.Warn("This token may not ask Coda whether %s was applied (%v), so it is not confirmed; "+
			"going on, trusting Coda to apply the doc's writes in order.", what, err)
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s was not yet applied by Coda after WAIT_TIMEOUT (%s): %w. Raise WAIT_TIMEOUT, or rerun the step: "+
			"a rerun updates the same rows and skips notes already on the page", what, p.cfg.WaitTimeout, err)
	}
	return err
}

// rowsError explains a failed row write.
func (p *Publisher) rowsError(plan *tablePlan, err error) error {
	var tooLarge *coda.RowTooLargeError
	if errors.As(err, &tooLarge) {
		return fmt.Errorf("the row of %s is too large for Coda (%d by Coda's measure, limit %d); nothing was written. %s: %w",
			plan.rowName(tooLarge.Index), tooLarge.Size, tooLarge.Limit, plan.tooLargeAdvice(tooLarge.Index), err)
	}
	return fmt.Errorf("upsert %d rows into table %q: %w", len(plan.rows), plan.table.Name, p.accessError(err))
}
