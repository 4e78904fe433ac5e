package publish

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// notesPlan is what goes onto the page: the page, and each release's notes
// cut into parts that fit one write each. Which writes are made is decided
// against the page as it is right before writing ([planEdit]).
type notesPlan struct {
	page  coda.Page
	mode  coda.InsertionMode // CODA_PAGE_MODE
	notes []releaseNotes     // oldest first, as the releases come
}

// releaseNotes is the notes of one release, in parts that each fit a
// page write.
type releaseNotes struct {
	version string
	parts   []string
}

// notesWrite is one write of notes onto the page: markdown put where mode
// says, relative to the element elementID, or to the whole page when it is
// "".
type notesWrite struct {
	mode      coda.InsertionMode
	elementID string
	markdown  string
}

// pageEdit is what a run changes on the page: the writes, in order, then
// one delete of the elements the writes replace or that repeat a section.
type pageEdit struct {
	writes  []notesWrite
	deletes []string
	// written and kept are the versions whose notes are written, and
	// those already on the page as they are.
	written, kept []string
}

// same reports whether e makes the same requests as o: planned again
// against a fresh read of the page, an edit Coda refused comes out the
// same when the page did not change under it.
func (e pageEdit) same(o pageEdit) bool {
	return slices.Equal(e.writes, o.writes) && slices.Equal(e.deletes, o.deletes)
}

// pageWriteBudget is the most markdown, encoded ([encodedLen]), that one
// page write carries: Coda's request limit less the rest of the body (an
// element-relative insert, the largest).
var pageWriteBudget = coda.MaxRequestBytes - coda.PageUpdateBytes(coda.Prepend, "cl-0123456789abcdef", "")

// notesParts cuts each release's notes into parts that fit one write.
func notesParts(rels []changelog.Release) []releaseNotes {
	out := make([]releaseNotes, len(rels))
	for i, rel := range rels {
		out[i] = releaseNotes{version: rel.Version, parts: splitNotes(rel.Markdown, pageWriteBudget)}
	}
	return out
}

// planNotes finds the page, reads it, and plans the notes: each release's
// notes cut into parts that fit a write. Reading the page here makes a
// page that cannot be read stop the run before anything is written.
func (p *Publisher) planNotes(ctx context.Context, rels []changelog.Release) (*notesPlan, error) {
	page, err := p.findPage(ctx)
	if err != nil {
		return nil, err
	}
	if p.cfg.PageMode != coda.Replace {
		if _, err := p.readPage(ctx, page); err != nil {
			return nil, err
		}
	}
	return &notesPlan{page: page, mode: p.cfg.PageMode, notes: notesParts(rels)}, nil
}

// planEdit decides the page's edit for plan against the page's items, and
// logs what it decided when log is not nil.
//
// With replace the whole page is the notes: every release's, newest first.
// Otherwise, for each release:
//   - a section of its version that says the same is kept as it is, and a
//     rerun writes nothing;
//   - a section that differs is replaced in place: the new notes go in
//     right before its heading, part after part, then its elements are
//     deleted;
//   - with no section, the notes are new: they go above the newest
//     section (prepend, see [newNotes]) or at the page's end (append),
//     unless they are older than a release whose section the page has, as
//     they would land out of order;
//   - a second section of the version, further down (two runs at once
//     both wrote one), is deleted.
//
// New notes are written before replacements, so that with prepend they
// land above the section they come before.
func planEdit(plan *notesPlan, items []coda.PageContentItem, log Logger) pageEdit {
	var e pageEdit
	if len(plan.notes) == 0 {
		return e
	}
	if plan.mode == coda.Replace {
		order := slices.Clone(plan.notes)
		slices.Reverse(order) // newest first
		for i, part := range joinParts(order) {
			m := coda.Append
			if i == 0 {
				m = coda.Replace
			}
			e.writes = append(e.writes, notesWrite{mode: m, markdown: part})
		}
		for _, n := range plan.notes {
			e.written = append(e.written, n.version)
		}
		return e
	}
	var replace []notesWrite
	var pending []releaseNotes
	newestThere := -1 // the newest release whose notes the page has
	for i, n := range plan.notes {
		if len(sectionsOf(items, n.version)) > 0 {
			newestThere = i
		}
	}
	for i, n := range plan.notes {
		secs := sectionsOf(items, n.version)
		for _, dup := range seconds(secs) {
			logf(log, "Page %q has a second section for %s (left by runs at once, or by a run stopped while it replaced the section); removing it.", plan.page.Name, n.version)
			e.deletes = append(e.deletes, dup.ids(items)...)
		}
		switch {
		case len(secs) > 0 && secs[0].says(items, strings.Join(n.parts, "")):
			logf(log, "Page %q already has the notes of %s; leaving them as they are.", plan.page.Name, n.version)
			e.kept = append(e.kept, n.version)
		case len(secs) > 0:
			logf(log, "Page %q has notes of %s that differ; replacing that section in place.", plan.page.Name, n.version)
			for _, part := range n.parts {
				replace = append(replace, notesWrite{mode: coda.Prepend, elementID: items[secs[0].start].ID, markdown: part})
			}
			e.deletes = append(e.deletes, secs[0].ids(items)...)
			e.written = append(e.written, n.version)
		case i < newestThere:
			if log != nil {
				log.Warn("The notes of %s are older than those of %s on page %q, so they would land out of order; "+
					"they are left out. To write the whole history in order, backfill with CODA_PAGE_MODE: 'replace', "+
					"which makes the page the notes alone: it removes everything else on the page, text written by hand included.",
					n.version, plan.notes[newestThere].version, plan.page.Name)
			}
		default:
			pending = append(pending, n)
			e.written = append(e.written, n.version)
		}
	}
	e.writes = append(newNotes(plan.mode, pending, items), replace...)
	return e
}

// newNotes are the writes of notes that have no section yet. With
// prepend they go newest first right before the page's first release
// heading of the notes' level (the newest release's section, whatever
// version it has: see [releaseHeading]), each part landing after the one
// before it, so that a heading a person wrote above the releases stays
// above them. A page with no release yet gets them right before its first
// heading of that level, or at its end when it has none, so that text a
// person wrote at the top (an introduction) stays above them and outside
// their sections. With append they go oldest first at the end of the
// page.
func newNotes(mode coda.InsertionMode, pending []releaseNotes, items []coda.PageContentItem) []notesWrite {
	if len(pending) == 0 {
		return nil
	}
	order, anchor := slices.Clone(pending), ""
	if mode == coda.Prepend {
		slices.Reverse(order)
		level := notesLevel(order[0].parts[0])
		i := slices.IndexFunc(items, func(it coda.PageContentItem) bool { return releaseHeading(it, level) })
		if i < 0 { // no release yet: above the first heading of the level, such as "## Our own notes"
			i = slices.IndexFunc(items, func(it coda.PageContentItem) bool { return headingLevel(it.Style) == level })
		}
		if i >= 0 {
			anchor = items[i].ID
		} else {
			mode = coda.Append
		}
	}
	var writes []notesWrite
	for _, part := range joinParts(order) {
		writes = append(writes, notesWrite{mode: mode, elementID: anchor, markdown: part})
	}
	return writes
}

// joinParts joins the releases' parts, in order, into as few writes as
// fit [pageWriteBudget].
func joinParts(notes []releaseNotes) []string {
	var parts []string
	var cur strings.Builder
	size := 0
	for _, n := range notes {
		for _, part := range n.parts {
			sep := ""
			if cur.Len() > 0 && !strings.HasSuffix(cur.String(), "\n\n") {
				sep = "\n"
			}
			if cur.Len() > 0 && size+len(sep)+encodedLen(part) > pageWriteBudget {
				parts = append(parts, cur.String())
				cur.Reset()
				size, sep = 0, ""
			}
			cur.WriteString(sep + part)
			size += len(sep) + encodedLen(part)
		}
	}
	if cur.Len() > 0 {
		parts = append(parts, cur.String())
	}
	return parts
}

// logf logs to log when it is not nil.
func logf(log Logger, format string, args ...any) {
	if log != nil {
		log.Info(format, args...)
	}
}

// maxPageEdits bounds the rounds of reading the page and editing it when
// an answer leaves a write's outcome unknown or the page changed under
// the run (an element it wrote relative to was deleted).
const maxPageEdits = 3

// writeNotes edits the page as planned and says what it did. It reads the
// page right before writing and decides the edit against it; when a
// write's outcome is unknown (Coda's answer was lost or was a 5xx) or an
// element it wrote relative to is gone, it reads the page again and sends
// only what is still missing. Afterwards it reads the page once the
// writes are applied and removes any second section of a version written
// (two runs at once), so that any number of runs leave one section per
// version.
func (p *Publisher) writeNotes(ctx context.Context, plan *notesPlan) ([]coda.Mutation, string, error) {
	var muts []coda.Mutation
	var edit pageEdit
	var refused *pageEdit // the edit Coda refused last round, if it did, and why
	var refusal error
	for round := 1; ; round++ {
		var items []coda.PageContentItem
		if plan.mode != coda.Replace {
			var err error
			if items, err = p.readPage(ctx, plan.page); err != nil {
				return nil, "", err
			}
		}
		e := planEdit(plan, items, p.log)
		if refused != nil && e.same(*refused) {
			// The page has what it had: the refusal was not about it.
			return nil, "", fmt.Errorf("write the notes to page %q: %w", plan.page.Name, p.accessError(refusal))
		}
		refused = nil
		if round == 1 {
			edit = e
			if p.beforePageWrite != nil {
				p.beforePageWrite()
			}
		}
		m, err := p.applyEdit(ctx, plan.page, e)
		muts = append(muts, m...)
		if err == nil {
			break
		}
		if round == maxPageEdits || !pageWriteRecoverable(err) {
			return nil, "", fmt.Errorf("write the notes to page %q: %w", plan.page.Name, p.accessError(err))
		}
		if !errors.Is(err, coda.ErrUnknownOutcome) {
			refused, refusal = &e, err
		}
		p.log.Info("Writing the notes to page %q: %v; reading the page to send only what is missing.", plan.page.Name, err)
	}
	if plan.mode != coda.Replace && len(edit.writes) > 0 {
		m, err := p.removeSecondSections(ctx, plan, edit.written)
		if err != nil {
			return nil, "", err
		}
		muts = append(muts, m...)
	}
	return muts, notesSummary(plan, edit, p.cfg.PageMode), nil
}

// pageWriteRecoverable reports whether a failed page write is one a fresh
// read of the page may sort out: its outcome is unknown, or Coda refused
// it (a 400), as it refuses an element that another run deleted meanwhile.
// Coda documents no wording for that refusal, so any 400 counts; one that
// a fresh read of the page does not explain is then reported (see
// [pageEdit.same]).
func pageWriteRecoverable(err error) bool {
	var apiErr *coda.Error
	return errors.Is(err, coda.ErrUnknownOutcome) ||
		errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest
}

// applyEdit makes e's writes, in order, then its delete.
func (p *Publisher) applyEdit(ctx context.Context, page coda.Page, e pageEdit) ([]coda.Mutation, error) {
	var muts []coda.Mutation
	for _, w := range e.writes {
		m, err := p.client.UpdatePageContentAt(ctx, p.cfg.DocID, page.ID, w.mode, w.elementID, w.markdown)
		if err != nil {
			return muts, err
		}
		muts = append(muts, m)
	}
	if len(e.deletes) > 0 {
		m, err := p.client.DeletePageContent(ctx, p.cfg.DocID, page.ID, e.deletes)
		if err != nil {
			return muts, err
		}
		muts = append(muts, m)
	}
	return muts, nil
}

// removeSecondSections reads the page once the run's writes are applied
// and deletes every section of a planned version but the first on the
// page: two runs that wrote the same version at once both see the same
// sections, and both keep the same one. When the page cannot be read in
// time, or the delete does not go through, it warns: a rerun removes them.
// It also warns when the section that stays of a version the run wrote is
// not the run's own (another run wrote different notes of it at once): the
// run's notes are then not on the page, and a rerun writes them.
func (p *Publisher) removeSecondSections(ctx context.Context, plan *notesPlan, written []string) ([]coda.Mutation, error) {
	var muts []coda.Mutation
	var last error
	for round := 1; round <= maxPageEdits; round++ {
		items, err := p.readPage(ctx, plan.page)
		if errors.Is(err, coda.ErrDocNotUpToDate) {
			p.log.Warn("Page %q could not be read back after the notes were written (%v), so whether another run wrote the same notes at once is not checked; a rerun removes any second section.", plan.page.Name, err)
			return muts, nil
		}
		if err != nil {
			return nil, err
		}
		if round == 1 {
			p.warnOthersNotes(plan, written, items)
		}
		var dups []string
		for _, n := range plan.notes {
			for _, dup := range seconds(sectionsOf(items, n.version)) {
				p.log.Info("Page %q has a second section for %s (another run wrote it at once); removing it.", plan.page.Name, n.version)
				dups = append(dups, dup.ids(items)...)
			}
		}
		if len(dups) == 0 {
			return muts, nil
		}
		m, err := p.client.DeletePageContent(ctx, p.cfg.DocID, plan.page.ID, dups)
		if err == nil {
			return append(muts, m), nil
		}
		if !pageWriteRecoverable(err) {
			return nil, fmt.Errorf("remove a second section from page %q: %w", plan.page.Name, p.accessError(err))
		}
		last = err
	}
	p.log.Warn("Page %q keeps a second section of a version another run wrote at once: removing it failed %s (last: %v); a rerun removes it.",
		plan.page.Name, words.Plural(maxPageEdits, "time", "times"), last)
	return muts, nil
}

// warnOthersNotes warns for each version in written whose first section
// on the page, the one that stays, does not say the run's notes.
func (p *Publisher) warnOthersNotes(plan *notesPlan, written []string, items []coda.PageContentItem) {
	for _, n := range plan.notes {
		if !slices.Contains(written, n.version) {
			continue
		}
		if secs := sectionsOf(items, n.version); len(secs) > 0 && !secs[0].says(items, strings.Join(n.parts, "")) {
			p.log.Warn("Page %q: the section of %s that stays is not this run's: another run wrote other notes of %s at the same time. "+
				"This run's notes are not on the page; rerun it to write them.", plan.page.Name, n.version, n.version)
		}
	}
}

// notesSummary says what the edit did to the page.
func notesSummary(plan *notesPlan, e pageEdit, mode coda.InsertionMode) string {
	switch n := len(e.written); {
	case n == 0 && len(e.kept) > 0:
		return fmt.Sprintf("notes of %s already on page %q", strings.Join(e.kept, ", "), plan.page.Name)
	case n == 0:
		return ""
	case n == 1:
		return fmt.Sprintf("notes written to page %q (%s)%s", plan.page.Name, mode, link(plan.page.BrowserLink))
	default:
		return fmt.Sprintf("notes of %d releases written to page %q (%s, %s)%s", n, plan.page.Name, mode,
			words.Plural(len(e.writes), "write", "writes"), link(plan.page.BrowserLink))
	}
}

// findPage finds CODA_PAGE.
func (p *Publisher) findPage(ctx context.Context) (coda.Page, error) {
	page, err := p.client.GetPage(ctx, p.cfg.DocID, p.cfg.Page)
	switch {
	case errors.Is(err, coda.ErrNotFound):
		return page, fmt.Errorf("CODA_PAGE %q: no such page in doc %s (use the page's name or its canvas- id)%s", p.cfg.Page, p.cfg.DocID, p.similarPage(ctx, p.cfg.Page))
	case err != nil:
		return page, fmt.Errorf("CODA_PAGE %q: %w", p.cfg.Page, p.accessError(err))
	}
	page.Name, page.BrowserLink = words.Clip(page.Name, maxLogged), words.Clip(page.BrowserLink, maxLink)
	return page, nil
}

// readPage returns the elements of the page's latest content. It reads
// the doc's latest version, not the copy Coda serves reads from, which lags
// writes by up to minutes: a rerun right after a run must see that run's
// notes. While the doc has writes not yet applied Coda refuses such reads;
// the read waits for them up to WAIT_TIMEOUT, then fails rather than risk
// writing the notes twice.
func (p *Publisher) readPage(ctx context.Context, page coda.Page) ([]coda.PageContentItem, error) {
	var items []coda.PageContentItem
	err := p.readLatest(ctx, "the page's latest content", func() error {
		items = nil
		for item, err := range p.client.PageContent(ctx, p.cfg.DocID, page.ID, coda.LatestVersion()) {
			if err != nil {
				return err
			}
			items = append(items, item)
		}
		return nil
	})
	switch {
	case errors.Is(err, coda.ErrDocNotUpToDate):
		return nil, fmt.Errorf("CODA_PAGE %q: %w; which notes the page already has is unknown, so nothing was written to it: rerun later, or raise WAIT_TIMEOUT", p.cfg.Page, err)
	case err != nil:
		return nil, fmt.Errorf("CODA_PAGE %q: %w", p.cfg.Page, p.accessError(err))
	}
	return items, nil
}

// readLatest calls read, a read of the doc's latest version, again while
// Coda refuses it because the doc has writes not yet applied, up to
// WAIT_TIMEOUT. what says what is read, for the log and the error.
func (p *Publisher) readLatest(ctx context.Context, what string, read func() error) error {
	start := time.Now()
	deadline := start.Add(p.cfg.WaitTimeout)
	retry := p.client.Polling().Interval // as often as the client asks about its writes
	for {
		err := read()
		if !errors.Is(err, coda.ErrDocNotUpToDate) {
			return err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("the doc still had writes not yet applied after %s of waiting (WAIT_TIMEOUT %s), so %s could not be read: %w",
				time.Since(start).Round(time.Second), p.cfg.WaitTimeout, what, err)
		}
		p.log.Info("The doc has writes not yet applied; waiting for them to read %s.", what)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(retry, left)): // the last try at the deadline
		}
	}
}

// confirm waits, when WAIT is on, until Coda has applied the run's last
// writes: see [Publisher.wait].
func (p *Publisher) confirm(ctx context.Context, muts []coda.Mutation) error {
	if !p.cfg.Wait {
		return nil
	}
	return p.wait(ctx, muts, "the writes")
}
