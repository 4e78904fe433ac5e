package publish

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// notesPlan is what goes onto the page: the page, and the writes to make,
// in order.
type notesPlan struct {
	page   coda.Page
	writes []notesWrite
	count  int // releases whose notes are written
}

// notesWrite is one write of notes onto the page.
type notesWrite struct {
	mode     coda.InsertionMode
	markdown string
}

// maxNotesBytes is the most markdown one page write carries: Coda refuses
// requests over [coda.MaxRequestBytes], and the markdown travels inside
// JSON, where escaping can make it longer.
const maxNotesBytes = coda.MaxRequestBytes / 2

// planNotes finds the page and decides which releases' notes to write and
// how. With prepend or append, a release whose heading the page already
// shows is left out, so that a rerun does not add the same notes twice,
// and so is, with a warning, one older than a release whose notes the
// page has (it would land out of order); the others are joined, newest first for prepend and oldest first for
// append, into as few writes as the request limit allows, made so that the
// newest ends up on top (prepend) or at the bottom (append). A replace
// writes every release's notes, newest first. It returns nil when there is
// nothing to write.
func (p *Publisher) planNotes(ctx context.Context, rels []changelog.Release) (*notesPlan, error) {
	mode := p.cfg.PageMode
	page, err := p.findPage(ctx)
	if err != nil {
		return nil, err
	}
	pending := rels
	if mode != coda.Replace {
		headings, err := p.pageHeadings(ctx, page.ID)
		if err != nil {
			return nil, fmt.Errorf("CODA_PAGE %q: %w", p.cfg.Page, p.accessError(err))
		}
		pending = nil
		newestThere := -1 // the newest release whose notes the page has
		for i, rel := range rels {
			if headings[rel.Heading()] {
				p.log.Info("Page %q already has the notes of %s; leaving them as they are.", page.Name, rel.Heading())
				newestThere = i
			}
		}
		for i, rel := range rels {
			switch {
			case headings[rel.Heading()]:
			case i < newestThere:
				// Older than notes on the page: they cannot go in their place.
				p.log.Warn("The notes of %s are older than those of %s on page %q, so they would land out of order; "+
					"they are left out. Backfill with CODA_PAGE_MODE: 'replace' to write the whole history in order.",
					rel.Version, rels[newestThere].Version, page.Name)
			default:
				pending = append(pending, rel)
			}
		}
	}
	if len(pending) == 0 {
		return nil, nil
	}
	plan := &notesPlan{page: page, count: len(pending)}
	order := slices.Clone(pending) // oldest first
	if mode != coda.Append {
		slices.Reverse(order) // newest first
	}
	parts := joinNotes(order, maxNotesBytes)
	switch mode {
	case coda.Prepend: // the part holding the oldest notes goes first, so the newest ends on top
		for i := len(parts) - 1; i >= 0; i-- {
			plan.writes = append(plan.writes, notesWrite{mode: coda.Prepend, markdown: parts[i]})
		}
	default:
		for i, part := range parts {
			m := mode
			if i > 0 {
				m = coda.Append // a replace writes its first part, then adds the rest
			}
			plan.writes = append(plan.writes, notesWrite{mode: m, markdown: part})
		}
	}
	return plan, nil
}

// joinNotes joins the releases' notes, in order, into parts of at most
// limit bytes each (a single release's notes may exceed it: they are one
// part of their own).
func joinNotes(rels []changelog.Release, limit int) []string {
	var parts []string
	var b strings.Builder
	for _, rel := range rels {
		md := rel.Markdown
		if b.Len() > 0 && b.Len()+1+len(md) > limit {
			parts = append(parts, b.String())
			b.Reset()
		}
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n\n") {
			b.WriteString("\n")
		}
		b.WriteString(md)
	}
	if b.Len() > 0 {
		parts = append(parts, b.String())
	}
	return parts
}

// writeNotes makes the planned page writes and says what it did.
func (p *Publisher) writeNotes(ctx context.Context, plan *notesPlan) ([]coda.Mutation, string, error) {
	var muts []coda.Mutation
	for _, w := range plan.writes {
		m, err := p.client.UpdatePageContent(ctx, p.cfg.DocID, plan.page.ID, w.mode, w.markdown)
		if err != nil {
			return nil, "", fmt.Errorf("write the notes to page %q: %w", plan.page.Name, p.accessError(err))
		}
		muts = append(muts, m)
	}
	what := fmt.Sprintf("notes written to page %q (%s)%s", plan.page.Name, p.cfg.PageMode, link(plan.page.BrowserLink))
	if plan.count > 1 {
		what = fmt.Sprintf("notes of %d releases written to page %q (%s, %s)%s", plan.count, plan.page.Name, p.cfg.PageMode,
			words.Plural(len(plan.writes), "write", "writes"), link(plan.page.BrowserLink))
	}
	return muts, what, nil
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
	return page, nil
}

// latestReadRetry is how often the page's latest content is asked for again
// while the doc has writes not yet applied.
const latestReadRetry = 5 * time.Second

// pageHeadings returns the headings (H1–H3) of the page's latest content.
// It reads the doc's latest version, not the copy Coda serves reads from,
// which lags writes by up to minutes: a rerun right after a run must see
// that run's notes. While the doc has writes not yet applied Coda refuses
// such reads; the check waits for them up to WAIT_TIMEOUT, then fails
// rather than risk writing the notes twice.
func (p *Publisher) pageHeadings(ctx context.Context, pageID string) (headings map[string]bool, err error) {
	err = p.readLatest(ctx, "the page's latest content", func() error {
		headings, err = p.scanHeadings(ctx, pageID)
		return err
	})
	if errors.Is(err, coda.ErrDocNotUpToDate) {
		return nil, fmt.Errorf("%w; which notes the page already has is unknown, so nothing was written: rerun later, or raise WAIT_TIMEOUT", err)
	}
	return headings, err
}

// readLatest calls read, a read of the doc's latest version, again while
// Coda refuses it because the doc has writes not yet applied, up to
// WAIT_TIMEOUT. what says what is read, for the log and the error.
func (p *Publisher) readLatest(ctx context.Context, what string, read func() error) error {
	deadline := time.Now().Add(p.cfg.WaitTimeout)
	for {
		err := read()
		if !errors.Is(err, coda.ErrDocNotUpToDate) {
			return err
		}
		if time.Now().Add(latestReadRetry).After(deadline) {
			return fmt.Errorf("the doc still had writes not yet applied after WAIT_TIMEOUT (%s), so %s could not be read: %w", p.cfg.WaitTimeout, what, err)
		}
		p.log.Info("The doc has writes not yet applied; waiting for them to read %s.", what)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(latestReadRetry):
		}
	}
}

// scanHeadings reads the page's latest content and collects its headings.
func (p *Publisher) scanHeadings(ctx context.Context, pageID string) (map[string]bool, error) {
	headings := map[string]bool{}
	for item, err := range p.client.PageContent(ctx, p.cfg.DocID, pageID, coda.LatestVersion()) {
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(item.Style, "h") {
			headings[strings.TrimSpace(item.Content)] = true
		}
	}
	return headings, nil
}

// confirm waits, when WAIT is on, until Coda has applied the run's last
// writes: see [Publisher.wait].
func (p *Publisher) confirm(ctx context.Context, muts []coda.Mutation) error {
	if !p.cfg.Wait {
		return nil
	}
	return p.wait(ctx, muts, "the writes")
}
