package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// publish writes the release to every destination configured. Everything is
// checked first (token, doc, table and columns, page), then written: rows,
// then the page, then the automation, each write idempotent, so a rerun
// after any failure completes the job without duplicating anything.
func publish(ctx context.Context, cfg Config, b built, con *console) error {
	cc := cfg.Coda
	opts := []coda.Option{
		coda.WithBaseURL(cc.APIURL),
		coda.WithUserAgent("coda-changelog/" + version),
		coda.WithLogger(con.Logger()),
	}
	if cc.httpClient != nil {
		opts = append(opts, coda.WithHTTPClient(cc.httpClient))
	}
	client, err := coda.NewClient(cc.Token, opts...)
	if err != nil {
		return err
	}
	rel := b.release
	if err := preflight(ctx, client, cc, con); err != nil {
		return err
	}
	var plan *tablePlan
	if cc.Table != "" {
		if plan, err = planTable(ctx, client, cc, rel); err != nil {
			return err
		}
	}
	var page *coda.Page
	if cc.Page != "" {
		if page, err = planPage(ctx, client, cc, rel, con); err != nil {
			return err
		}
	}

	var done []string
	var muts []coda.Mutation
	if plan != nil {
		m, what, err := writeRows(ctx, client, cc, plan, rel)
		if err != nil {
			return err
		}
		muts, done = append(muts, m...), append(done, what)
	}
	if page != nil {
		m, err := client.UpdatePageContent(ctx, cc.DocID, page.ID, coda.InsertionMode(cc.PageMode), rel.Markdown)
		if err != nil {
			return fmt.Errorf("write the notes to page %q: %w", page.Name, err)
		}
		muts = append(muts, m)
		done = append(done, fmt.Sprintf("notes written to page %q (%s)%s", page.Name, cc.PageMode, link(page.BrowserLink)))
	}
	if err := confirm(ctx, client, cc, muts, con); err != nil {
		return err
	}
	if cc.RuleID != "" {
		// Last, once the rows and notes are in: the automation may read them.
		m, err := client.TriggerAutomation(ctx, cc.DocID, cc.RuleID, rel)
		if err != nil {
			return automationError(cc, err)
		}
		if err := confirm(ctx, client, cc, []coda.Mutation{m}, con); err != nil {
			return err
		}
		done = append(done, fmt.Sprintf("automation %s triggered", cc.RuleID))
	}
	if len(done) == 0 {
		done = append(done, "nothing new to write")
	}
	con.Success("Published %s: %s.", b.summary(), strings.Join(done, "; "))
	return nil
}

// writeRows upserts the planned rows and says what it did.
func writeRows(ctx context.Context, c *coda.Client, cc CodaConfig, plan *tablePlan, rel changelog.Release) ([]coda.Mutation, string, error) {
	if len(plan.rows) == 0 {
		return nil, "no rows to upsert (every commit was filtered out)", nil
	}
	var opts []coda.WriteOption
	if cc.ParseValues {
		opts = append(opts, coda.WithValueParsing())
	}
	muts, err := c.UpsertRows(ctx, cc.DocID, plan.table.ID, plan.rows, plan.keys, opts...)
	var tooLarge *coda.RowTooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return nil, "", fmt.Errorf("the row of %s is too large for Coda (%d by Coda's measure, limit %d); nothing was written. "+
			"Map fewer long fields (body, markdown) in CODA_COLUMNS: %w", rowName(cc.RowPer, rel, tooLarge.Index), tooLarge.Size, tooLarge.Limit, err)
	case err != nil:
		return nil, "", fmt.Errorf("upsert %d rows into table %q: %w", len(plan.rows), plan.table.Name, err)
	}
	return muts, fmt.Sprintf("%s upserted into table %q%s", plural(len(plan.rows), "row", "rows"), plan.table.Name, link(plan.table.BrowserLink)), nil
}

// rowName names the entry (or the release) that row i of a table write holds.
func rowName(rowPer string, rel changelog.Release, i int) string {
	if rowPer == rowPerRelease || i >= len(rel.Entries) {
		return "release " + rel.Version
	}
	e := rel.Entries[i]
	return fmt.Sprintf("commit %s (%q)", e.ShortSHA, e.Subject)
}

// link formats a Coda browser link for the summary, when Coda gave one.
func link(u string) string {
	if u == "" {
		return ""
	}
	return " <" + u + ">"
}

// preflight checks the token and the doc before anything else.
func preflight(ctx context.Context, c *coda.Client, cc CodaConfig, con *console) error {
	user, err := c.WhoAmI(ctx)
	switch {
	case errors.Is(err, coda.ErrUnauthorized):
		return errors.New("CODA_API_TOKEN was refused by Coda (401): the token is invalid or has expired. " +
			"Create one at https://coda.io/account and store it as a secured repository variable")
	case err != nil:
		return fmt.Errorf("check CODA_API_TOKEN: %w", err)
	}
	con.Info("Coda token %q of %s%s.", user.TokenName, user.LoginID, map[bool]string{true: " (restricted)", false: ""}[user.Scoped])
	doc, err := c.GetDoc(ctx, cc.DocID)
	switch {
	case errors.Is(err, coda.ErrNotFound), errors.Is(err, coda.ErrForbidden):
		return fmt.Errorf("CODA_DOC_ID %q: no such doc, or the token cannot see it (use the id after _d in the doc's URL, and a token with access to the doc)", cc.DocID)
	case err != nil:
		return fmt.Errorf("CODA_DOC_ID %q: %w", cc.DocID, err)
	}
	con.Info("Doc %q%s.", doc.Name, link(doc.BrowserLink))
	return nil
}

// planPage finds the page and decides whether the notes must be written: a
// prepend or append is skipped when the page already shows the release's
// heading, so a rerun does not add the same notes twice. (A replace is
// always safe to repeat.)
func planPage(ctx context.Context, c *coda.Client, cc CodaConfig, rel changelog.Release, con *console) (*coda.Page, error) {
	page, err := c.GetPage(ctx, cc.DocID, cc.Page)
	switch {
	case errors.Is(err, coda.ErrNotFound):
		return nil, fmt.Errorf("CODA_PAGE %q: no such page in doc %s (use the page's name or its canvas- id)", cc.Page, cc.DocID)
	case err != nil:
		return nil, fmt.Errorf("CODA_PAGE %q: %w", cc.Page, err)
	}
	if cc.PageMode == "replace" {
		return &page, nil
	}
	heading := rel.Heading()
	found, err := pageHasHeading(ctx, c, cc, page.ID, heading, con)
	switch {
	case err != nil:
		return nil, fmt.Errorf("CODA_PAGE %q: %w", cc.Page, err)
	case found:
		con.Info("Page %q already has the notes of %s; leaving it as it is.", page.Name, heading)
		return nil, nil
	}
	return &page, nil
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
func pageHasHeading(ctx context.Context, c *coda.Client, cc CodaConfig, pageID, heading string, con *console) (bool, error) {
	deadline := time.Now().Add(cc.WaitTimeout)
	for {
		found, err := scanHeadings(ctx, c, cc.DocID, pageID, heading)
		if !errors.Is(err, coda.ErrDocNotUpToDate) {
			return found, err
		}
		if time.Now().Add(latestReadRetry).After(deadline) {
			return false, fmt.Errorf("the doc still had writes not yet applied after WAIT_TIMEOUT (%s), so whether the page "+
				"already has the notes of %s is unknown and nothing was written; rerun later, or raise WAIT_TIMEOUT: %w",
				cc.WaitTimeout, heading, err)
		}
		con.Info("The doc has writes not yet applied; waiting for them to read the page's latest content.")
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(latestReadRetry):
		}
	}
}

// scanHeadings reads the page's latest content, looking for the heading.
func scanHeadings(ctx context.Context, c *coda.Client, docID, pageID, heading string) (bool, error) {
	for item, err := range c.PageContent(ctx, docID, pageID, coda.LatestVersion()) {
		if err != nil {
			return false, err
		}
		if strings.HasPrefix(item.Style, "h") && strings.TrimSpace(item.Content) == heading {
			return true, nil
		}
	}
	return false, nil
}

// confirm waits, when WAIT is on, until Coda has applied the writes.
func confirm(ctx context.Context, c *coda.Client, cc CodaConfig, muts []coda.Mutation, con *console) error {
	if !cc.Wait || len(muts) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, cc.WaitTimeout)
	defer cancel()
	warnings, err := c.Wait(ctx, muts...)
	for _, w := range warnings {
		if w != "" {
			con.Warn("Coda: %s", w)
		}
	}
	if errors.Is(err, coda.ErrNotConfirmed) && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w. Raise WAIT_TIMEOUT (now %s), or rerun the step: a rerun updates the same rows and skips notes already on the page", err, cc.WaitTimeout)
	}
	return err
}

// automationError explains a refused automation trigger.
func automationError(cc CodaConfig, err error) error {
	var ce *coda.Error
	if errors.As(err, &ce) {
		switch ce.StatusCode {
		case 404:
			return fmt.Errorf("CODA_AUTOMATION_RULE_ID %q: no such rule in doc %s (turn on Developer Mode in Coda to see rule ids): %w", cc.RuleID, cc.DocID, err)
		case 422:
			return fmt.Errorf("CODA_AUTOMATION_RULE_ID %q: the rule is off or is not triggered by a webhook: %w", cc.RuleID, err)
		}
	}
	return fmt.Errorf("trigger automation %s: %w", cc.RuleID, err)
}

// describeDestinations tells, in a dry run, what a real run would write.
func describeDestinations(con *console, cc CodaConfig, rel changelog.Release) {
	if cc.Table != "" {
		n := len(rel.Entries)
		if cc.RowPer == rowPerRelease {
			n = 1
		}
		mapping := "columns named after fields"
		if len(cc.Columns) > 0 {
			var parts []string
			for _, m := range cc.Columns {
				parts = append(parts, m.Field+"→"+m.Column)
			}
			mapping = strings.Join(parts, ", ")
		}
		con.Info("Would upsert %s (one per %s) into table %q: %s.", plural(n, "row", "rows"), cc.RowPer, cc.Table, mapping)
	}
	if cc.Page != "" {
		con.Info("Would %s the notes (%d bytes of markdown) on page %q.", cc.PageMode, len(rel.Markdown), cc.Page)
	}
	if cc.RuleID != "" {
		con.Info("Would trigger automation %s with the release JSON.", cc.RuleID)
	}
}
