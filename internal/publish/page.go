package publish

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// planPage finds the page and decides whether the notes must be written: a
// prepend or append is skipped when the page already shows the release's
// heading, so a rerun does not add the same notes twice. (A replace is
// always safe to repeat.) It returns nil when there is nothing to write.
func (p *Publisher) planPage(ctx context.Context, rel changelog.Release) (*coda.Page, error) {
	cfg := p.cfg
	page, err := p.findPage(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.PageMode == coda.Replace {
		return &page, nil
	}
	heading := rel.Heading()
	found, err := p.pageHasHeading(ctx, page.ID, heading)
	switch {
	case err != nil:
		return nil, fmt.Errorf("CODA_PAGE %q: %w", cfg.Page, p.accessError(err))
	case found:
		p.log.Info("Page %q already has the notes of %s; leaving it as it is.", page.Name, heading)
		return nil, nil
	}
	return &page, nil
}

// findPage finds CODA_PAGE.
func (p *Publisher) findPage(ctx context.Context) (coda.Page, error) {
	page, err := p.client.GetPage(ctx, p.cfg.DocID, p.cfg.Page)
	switch {
	case errors.Is(err, coda.ErrNotFound):
		return page, fmt.Errorf("CODA_PAGE %q: no such page in doc %s (use the page's name or its canvas- id)", p.cfg.Page, p.cfg.DocID)
	case err != nil:
		return page, fmt.Errorf("CODA_PAGE %q: %w", p.cfg.Page, p.accessError(err))
	}
	return page, nil
}

// latestReadRetry is how often the page's latest content is asked for again
// while the doc has writes not yet applied.
const latestReadRetry = 5 * time.Second

// pageHasHeading reports whether the page's latest content has a heading
// (H1–H3) whose text is heading. It reads the doc's latest version, not the
// copy Coda serves reads from, which lags writes by up to minutes: a rerun
// right after a run must see that run's notes. While the doc has writes not
// yet applied Coda refuses such reads; the check waits for them up to
// WAIT_TIMEOUT, then fails rather than risk writing the notes twice.
func (p *Publisher) pageHasHeading(ctx context.Context, pageID, heading string) (bool, error) {
	deadline := time.Now().Add(p.cfg.WaitTimeout)
	for {
		found, err := p.scanHeadings(ctx, pageID, heading)
		if !errors.Is(err, coda.ErrDocNotUpToDate) {
			return found, err
		}
		if time.Now().Add(latestReadRetry).After(deadline) {
			return false, fmt.Errorf("the doc still had writes not yet applied after WAIT_TIMEOUT (%s), so whether the page "+
				"already has the notes of %s is unknown and nothing was written; rerun later, or raise WAIT_TIMEOUT: %w",
				p.cfg.WaitTimeout, heading, err)
		}
		p.log.Info("The doc has writes not yet applied; waiting for them to read the page's latest content.")
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(latestReadRetry):
		}
	}
}

// scanHeadings reads the page's latest content, looking for the heading.
func (p *Publisher) scanHeadings(ctx context.Context, pageID, heading string) (bool, error) {
	for item, err := range p.client.PageContent(ctx, p.cfg.DocID, pageID, coda.LatestVersion()) {
		if err != nil {
			return false, err
		}
		if strings.HasPrefix(item.Style, "h") && strings.TrimSpace(item.Content) == heading {
			return true, nil
		}
	}
	return false, nil
}

// confirm waits, when WAIT is on, until Coda has applied the writes. A token
// that may not read /mutationStatus (a restricted token, where Coda does
// not document whether it may) does not fail a run whose writes Coda has
// accepted: the run ends with a warning instead, and nothing is written
// again.
func (p *Publisher) confirm(ctx context.Context, muts []coda.Mutation) error {
	if !p.cfg.Wait || len(muts) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.WaitTimeout)
	defer cancel()
	warnings, err := p.client.Wait(ctx, muts...)
	for _, w := range warnings {
		if w != "" {
			p.log.Warn("Coda: %s", w)
		}
	}
	switch {
	case errors.Is(err, coda.ErrUnauthorized), errors.Is(err, coda.ErrForbidden):
		p.log.Warn("Coda accepted the writes (202), but this token may not ask whether they were applied (%v). "+
			"They are not confirmed; check the doc, or set WAIT: 'false' to stop asking.", err)
		return nil
	case errors.Is(err, coda.ErrNotConfirmed) && errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w. Raise WAIT_TIMEOUT (now %s), or rerun the step: a rerun updates the same rows and skips notes already on the page", err, p.cfg.WaitTimeout)
	}
	return err
}
