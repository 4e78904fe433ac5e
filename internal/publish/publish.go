// Package publish writes a release to Coda: rows upserted into a table,
// notes on a page and a webhook-invoked automation. Everything is checked
// before the first write (token, doc, table and columns, page), every write
// is idempotent, and a rerun after any failure completes the job without
// duplicating anything.
//
// Its messages name the pipe's variables (CODA_TABLE, CODA_COLUMNS, …): it
// is the pipe's publisher, not a general Coda library (that is package coda).
package publish

import (
	"context"
	"fmt"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
)

// RowMode says what one row of CODA_TABLE holds (ROW_PER).
type RowMode string

// The row modes.
const (
	PerCommit  RowMode = "commit"  // one row per entry
	PerRelease RowMode = "release" // one row for the release
)

// RowModes lists the values ROW_PER takes.
var RowModes = []RowMode{PerCommit, PerRelease}

// PageModes lists the values CODA_PAGE_MODE takes.
var PageModes = []coda.InsertionMode{coda.Prepend, coda.Append, coda.Replace}

// Config is where and how to publish.
type Config struct {
	DocID      string
	Table      string // CODA_TABLE: a name or a grid- id; "" for no rows
	Page       string // CODA_PAGE: a name or a canvas- id; "" for no notes
	RuleID     string // CODA_AUTOMATION_RULE_ID; "" for no automation
	Columns    []ColumnMapping
	KeyColumns []string
	Rows       RowMode
	PageMode   coda.InsertionMode
	// Wait makes every write wait until Coda has applied it, up to
	// WaitTimeout each.
	Wait        bool
	WaitTimeout time.Duration
	// ParseValues lets Coda parse cell values as if typed. Off by default:
	// commit text is stored exactly as written, never read as a formula.
	ParseValues bool
}

// ColumnMapping maps a field to a table column (a name or a c- id).
type ColumnMapping struct {
	Field  string
	Column string
}

// Logger prints the publisher's progress.
type Logger interface {
	Info(format string, args ...any)
	Warn(format string, args ...any)
}

// Publisher publishes releases with one Coda client.
type Publisher struct {
	client *coda.Client
	cfg    Config
	log    Logger
}

// New returns a publisher that writes with c as cfg says, logging to log.
func New(c *coda.Client, cfg Config, log Logger) *Publisher {
	return &Publisher{client: c, cfg: cfg, log: log}
}

// Publish writes rel to every destination configured and returns what it
// did, one phrase per destination. Everything is checked first, then
// written: rows, then the page, then the automation (last: it may read the
// rows and notes).
func (p *Publisher) Publish(ctx context.Context, rel changelog.Release) ([]string, error) {
	cfg := p.cfg
	if err := p.preflight(ctx); err != nil {
		return nil, err
	}
	var plan *tablePlan
	if cfg.Table != "" {
		var err error
		if plan, err = p.planTable(ctx, rel); err != nil {
			return nil, err
		}
	}
	var page *coda.Page
	if cfg.Page != "" {
		var err error
		if page, err = p.planPage(ctx, rel); err != nil {
			return nil, err
		}
	}

	var done []string
	var muts []coda.Mutation
	if plan != nil {
		m, what, err := p.writeRows(ctx, plan, rel)
		if err != nil {
			return nil, err
		}
		muts, done = append(muts, m...), append(done, what)
	}
	if page != nil {
		m, err := p.client.UpdatePageContent(ctx, cfg.DocID, page.ID, cfg.PageMode, rel.Markdown)
		if err != nil {
			return nil, fmt.Errorf("write the notes to page %q: %w", page.Name, err)
		}
		muts = append(muts, m)
		done = append(done, fmt.Sprintf("notes written to page %q (%s)%s", page.Name, cfg.PageMode, link(page.BrowserLink)))
	}
	if err := p.confirm(ctx, muts); err != nil {
		return nil, err
	}
	if cfg.RuleID != "" {
		m, err := p.client.TriggerAutomation(ctx, cfg.DocID, cfg.RuleID, rel)
		if err != nil {
			return nil, p.automationError(err)
		}
		if err := p.confirm(ctx, []coda.Mutation{m}); err != nil {
			return nil, err
		}
		done = append(done, fmt.Sprintf("automation %s triggered", cfg.RuleID))
	}
	if len(done) == 0 {
		done = append(done, "nothing new to write")
	}
	return done, nil
}

// link formats a Coda browser link for the summary, when Coda gave one.
func link(u string) string {
	if u == "" {
		return ""
	}
	return " <" + u + ">"
}

// Describe tells, in a dry run, what a real run would write.
func Describe(log Logger, cfg Config, rel changelog.Release) {
	if cfg.Table != "" {
		n := len(rel.Entries)
		if cfg.Rows == PerRelease {
			n = 1
		}
		mapping := "columns named after fields"
		if len(cfg.Columns) > 0 {
			var parts []string
			for _, m := range cfg.Columns {
				parts = append(parts, m.Field+"→"+m.Column)
			}
			mapping = strings.Join(parts, ", ")
		}
		log.Info("Would upsert %s (one per %s) into table %q: %s.", plural(n, "row", "rows"), cfg.Rows, cfg.Table, mapping)
	}
	if cfg.Page != "" {
		log.Info("Would %s the notes (%d bytes of markdown) on page %q.", cfg.PageMode, len(rel.Markdown), cfg.Page)
	}
	if cfg.RuleID != "" {
		log.Info("Would trigger automation %s with the release JSON.", cfg.RuleID)
	}
}

// plural writes a count with the right form of its noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
