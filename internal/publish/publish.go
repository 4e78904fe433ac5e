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
	"errors"
	"fmt"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
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
	DocID string
	// Table gets rows from each release; its Name is "" for none.
	Table Table
	// ReleaseTable, when named, gets one row per release, written and
	// applied before Table's rows (which are then one per commit), so
	// that a Lookup column of Table resolves to the release's row.
	ReleaseTable Table
	Page         string // CODA_PAGE: a name or a canvas- id; "" for no notes
	RuleID       string // CODA_AUTOMATION_RULE_ID; "" for no automation
	PageMode     coda.InsertionMode
	// Wait makes every write wait until Coda has applied it, up to
	// WaitTimeout each.
	Wait        bool
	WaitTimeout time.Duration
	// ParseValues lets Coda parse cell values as if typed. Off by default:
	// commit text is stored exactly as written, never read as a formula.
	ParseValues bool
}

// Table says which rows go to a table, and how.
type Table struct {
	Name       string          // a name or a grid- id
	Columns    []ColumnMapping // add to or override the columns matched by name; Column "" leaves a field out
	KeyColumns []string        // empty: the column of the mode's key field
	Rows       RowMode
	// Variables is the prefix of the variables that set the table, for
	// messages: "CODA" (CODA_TABLE, CODA_COLUMNS, CODA_KEY_COLUMNS, the
	// default) or "CODA_RELEASE".
	Variables string
}

// Variable names the variable of the table that ends in suffix: "TABLE",
// "COLUMNS" or "KEY_COLUMNS".
func (t Table) Variable(suffix string) string {
	prefix := t.Variables
	if prefix == "" {
		prefix = "CODA"
	}
	return prefix + "_" + suffix
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
	// tables are the configured tables by their IDs, once planned, and
	// by the names the configuration gives.
	tables map[string]Table
	// beforePageWrite, when set, runs between the read of the page and
	// the first write to it: tests make concurrent runs meet there.
	beforePageWrite func()
}

// New returns a publisher that writes with c as cfg says, logging to log.
func New(c *coda.Client, cfg Config, log Logger) *Publisher {
	p := &Publisher{client: c, cfg: cfg, log: log, tables: map[string]Table{}}
	for _, t := range []Table{cfg.Table, cfg.ReleaseTable} {
		if t.Name != "" {
			p.tables[t.Name] = t
		}
	}
	return p
}

// Publish writes rel to every destination configured and returns what it
// did, one phrase per destination. Everything is checked first, then
// written: rows, then the page, then the automation (last: it may read the
// rows and notes).
func (p *Publisher) Publish(ctx context.Context, rel changelog.Release) ([]string, error) {
	done, err := p.publish(ctx, []changelog.Release{rel})
	if err != nil || p.cfg.RuleID == "" {
		return done, err
	}
	m, err := p.client.TriggerAutomation(ctx, p.cfg.DocID, p.cfg.RuleID, rel)
	switch {
	case errors.Is(err, coda.ErrUnknownOutcome):
		// Coda cannot be asked whether a rule ran, so a trigger is never
		// sent twice: it would run the rule twice.
		p.log.Warn("Automation %s: the answer to its trigger was lost or was an error (%v), so the rule may or may not have run. "+
			"It is not triggered again, which could run it twice: check the rule's runs in the doc, and rerun the step only if it did not run.", p.cfg.RuleID, err)
		return append(done, fmt.Sprintf("automation %s triggered, outcome unknown (see the warning)", p.cfg.RuleID)), nil
	case err != nil:
		return nil, fmt.Errorf("%s; then the automation failed: %w. A rerun is safe: it updates the same rows, leaves the notes as they are, and triggers the rule again",
			strings.Join(done, ", "), p.automationError(err))
	}
	if err := p.confirm(ctx, []coda.Mutation{m}); err != nil {
		return nil, err
	}
	return append(done, fmt.Sprintf("automation %s triggered", p.cfg.RuleID)), nil
}

// Backfill writes every release of a history, oldest first, in one go:
// their rows (sharing requests), and their notes on the page in as few
// writes as Coda's request limit allows, newest on top with prepend. Like
// every run it is idempotent: rows are upserted and notes already on the
// page are not written again. The automation, which announces a release,
// is not triggered.
func (p *Publisher) Backfill(ctx context.Context, rels []changelog.Release) ([]string, error) {
	return p.publish(ctx, rels)
}

// publish writes rels' rows and notes: everything is checked first, then
// the release rows are written and applied, then the commit rows and the
// notes, and all of it confirmed when WAIT says so.
func (p *Publisher) publish(ctx context.Context, rels []changelog.Release) ([]string, error) {
	if err := p.preflight(ctx); err != nil {
		return nil, err
	}
	plans, err := p.planTables(ctx, rels)
	if err != nil {
		return nil, err
	}
	var notes *notesPlan
	if p.cfg.Page != "" {
		if notes, err = p.planNotes(ctx, rels); err != nil {
			return nil, err
		}
	}

	var done []string
	var muts []coda.Mutation
	for i, plan := range plans {
		m, what, err := p.writeRows(ctx, plan)
		if err != nil {
			return nil, err
		}
		if i < len(plans)-1 && len(m) > 0 { // the next table's lookups need these rows
			if err := p.wait(ctx, m, "the release rows"); err != nil {
				return nil, err
			}
		} else {
			muts = append(muts, m...)
		}
		done = append(done, what)
	}
	if notes != nil {
		m, what, err := p.writeNotes(ctx, notes)
		if err != nil {
			return nil, err
		}
		muts = append(muts, m...)
		if what != "" {
			done = append(done, what)
		}
	}
	if err := p.confirm(ctx, muts); err != nil {
		return nil, err
	}
	p.checkStored(ctx, plans)
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

// commits is the row keys ([changelog.Entry.Key]) of rels' entries, each
// once: releases overlap (a
// release's range can hold a pre-release's commits too), and a commit's row
// is written once, for the newest release it is in.
func commits(rels []changelog.Release) map[string]bool {
	shas := map[string]bool{}
	for _, rel := range rels {
		for _, e := range rel.Entries {
			shas[e.Key()] = true
		}
	}
	return shas
}

// Describe tells, in a dry run, what a real run would write for rels.
func Describe(log Logger, cfg Config, rels []changelog.Release) {
	for _, t := range []Table{cfg.ReleaseTable, cfg.Table} {
		if t.Name == "" {
			continue
		}
		n := len(rels)
		if t.Rows == PerCommit {
			n = len(commits(rels))
		}
		log.Info("Would upsert %s (one per %s) into table %q, %s.", words.Plural(n, "row", "rows"), t.Rows, t.Name, describeMapping(t))
	}
	if cfg.Page != "" {
		size := 0
		for _, rel := range rels {
			size += len(rel.Markdown)
		}
		log.Info("Would %s the notes (%d bytes of markdown) on page %q, leaving out releases whose notes are there already.", cfg.PageMode, size, cfg.Page)
	}
	if cfg.RuleID != "" && len(rels) == 1 {
		log.Info("Would trigger automation %s with the release JSON.", cfg.RuleID)
	}
}
