// Package publish writes a release to Coda: rows upserted into a table,
// notes on a page (one section per version) and a webhook-invoked
// automation. A run plans, then writes: everything is checked and every
// request body built and fitted to Coda's limits before the first write
// (token, doc, table and columns, page, rows, notes, payload); writes are
// idempotent or checked before they are sent again, and a rerun after any
// failure completes the job without duplicating anything (the automation,
// whose runs cannot be read back, excepted: see [Publisher.write]).
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
	// PerDeployment is the one row of a deployment, in
	// CODA_DEPLOYMENT_TABLE; ROW_PER does not offer it.
	PerDeployment RowMode = "deployment"
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
	// DeploymentTable, when named, gets one row per deployment (a release
	// with a [changelog.Release.Deployment]), written after the commit
	// rows. Its Rows are PerDeployment.
	DeploymentTable Table
	Page            string // CODA_PAGE: a name or a canvas- id; "" for no notes
	RuleID          string // CODA_AUTOMATION_RULE_ID; "" for no automation
	PageMode        coda.InsertionMode
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
	// checked is set once the token and the doc are checked.
	checked bool
}

// New returns a publisher that writes with c as cfg says, logging to log.
func New(c *coda.Client, cfg Config, log Logger) *Publisher {
	p := &Publisher{client: c, cfg: cfg, log: log, tables: map[string]Table{}}
	for _, t := range []Table{cfg.Table, cfg.ReleaseTable, cfg.DeploymentTable} {
		if t.Name != "" {
			p.tables[t.Name] = t
		}
	}
	return p
}

// Publish writes rel to every destination configured and returns what it
// did, one phrase per destination: see [Publisher.plan] and
// [Publisher.write].
func (p *Publisher) Publish(ctx context.Context, rel changelog.Release) ([]string, error) {
	pl, err := p.plan(ctx, []changelog.Release{rel}, true)
	if err != nil {
		return nil, err
	}
	return p.write(ctx, pl)
}

// Backfill writes every release of a history, oldest first, in one go:
// their rows (sharing requests), and their notes on the page in as few
// writes as Coda's request limit allows, newest on top with prepend. Like
// every run it is idempotent: rows are upserted and notes already on the
// page are not written again. The automation, which announces a release,
// is not triggered.
func (p *Publisher) Backfill(ctx context.Context, rels []changelog.Release) ([]string, error) {
	pl, err := p.plan(ctx, rels, false)
	if err != nil {
		return nil, err
	}
	return p.write(ctx, pl)
}

// plan is everything a run will send, built and measured against Coda's
// limits before the first write: the rows of each table (each row fitted
// to Coda's row limit), the notes (in parts that each fit a request) and
// the automation's payload (fitted to a request). Nothing is written when
// any of it cannot be made to fit.
type plan struct {
	tables  []*tablePlan // the release table first: the commit rows look up its rows
	notes   *notesPlan   // nil without CODA_PAGE
	payload *automationPayload
}

// plan checks the token and the doc, finds the tables and the page, maps
// the columns, and builds every request body for rels; the payload only
// when trigger is set and an automation is configured.
func (p *Publisher) plan(ctx context.Context, rels []changelog.Release, trigger bool) (*plan, error) {
	pl := &plan{}
	if trigger && p.cfg.RuleID != "" {
		payload, err := planPayload(rels[len(rels)-1])
		if err != nil {
			return nil, fmt.Errorf("CODA_AUTOMATION_RULE_ID %q: %w; nothing was written", p.cfg.RuleID, err)
		}
		if payload.Truncated {
			p.log.Warn("The release JSON is over Coda's request size limit (%d bytes), so the automation gets %d of its %d entries and the notes cut short, with \"truncated\": true and \"entries_total\": %d; OUTPUT_JSON has them all.",
				coda.MaxRequestBytes, len(payload.Entries), payload.EntriesTotal, payload.EntriesTotal)
		}
		pl.payload = &payload
	}
	if err := p.preflight(ctx); err != nil {
		return nil, err
	}
	var err error
	if pl.tables, err = p.planTables(ctx, rels); err != nil {
		return nil, err
	}
	if p.cfg.Page != "" {
		if pl.notes, err = p.planNotes(ctx, rels); err != nil {
			return nil, err
		}
	}
	return pl, nil
}

// write sends what pl planned, in this order: the release rows, applied
// before the commit rows (their lookups resolve against them); the commit
// rows; in a deployment, the deployment's row (it reports on the rows
// before it); the notes (after the rows, so that a run that fails in between
// leaves the table, which a rerun completes, not notes without rows); the
// confirmation of all of them when WAIT says so; the read-back of a sample
// row per table (reads only); and last the automation, which announces the
// release and may read the rows and notes.
func (p *Publisher) write(ctx context.Context, pl *plan) ([]string, error) {
	var done []string
	var muts []coda.Mutation
	for i, plan := range pl.tables {
		m, what, err := p.writeRows(ctx, plan)
		if err != nil {
			return nil, err
		}
		if i < len(pl.tables)-1 && len(m) > 0 && plan.spec.Rows == PerRelease && plan.spec.Name == p.cfg.ReleaseTable.Name {
			// The next tables' lookups need these rows; the deployment's
			// row needs nothing of the commit rows.
			if err := p.wait(ctx, m, "the release rows"); err != nil {
				return nil, err
			}
		} else {
			muts = append(muts, m...)
		}
		done = append(done, what)
	}
	if pl.notes != nil {
		m, what, err := p.writeNotes(ctx, pl.notes)
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
	p.checkStored(ctx, pl.tables)
	if pl.payload != nil {
		what, err := p.trigger(ctx, *pl.payload, done)
		if err != nil {
			return nil, err
		}
		done = append(done, what)
	}
	if len(done) == 0 {
		done = append(done, "nothing new to write")
	}
	return done, nil
}

// trigger triggers the automation with payload, after done was written,
// and says what it did.
func (p *Publisher) trigger(ctx context.Context, payload automationPayload, done []string) (string, error) {
	m, err := p.client.TriggerAutomation(ctx, p.cfg.DocID, p.cfg.RuleID, payload)
	switch {
	case errors.Is(err, coda.ErrUnknownOutcome):
		// Coda cannot be asked whether a rule ran, so a trigger is never
		// sent twice: it would run the rule twice.
		p.log.Warn("Automation %s: the answer to its trigger was lost or was an error (%v), so the rule may or may not have run. "+
			"It is not triggered again, which could run it twice: check the rule's runs in the doc, and rerun the step only if it did not run.", p.cfg.RuleID, err)
		return fmt.Sprintf("automation %s triggered, outcome unknown (see the warning)", p.cfg.RuleID), nil
	case err != nil && len(done) > 0:
		return "", fmt.Errorf("%s; then the automation failed: %w. A rerun is safe: it updates the same rows, leaves the notes as they are, and triggers the rule again",
			strings.Join(done, "; "), p.automationError(err))
	case err != nil:
		return "", p.automationError(err)
	}
	if err := p.confirm(ctx, []coda.Mutation{m}); err != nil {
		return "", err
	}
	return fmt.Sprintf("automation %s triggered", p.cfg.RuleID), nil
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

// Describe tells, in a dry run, what a real run would write for rels: the
// part of the plan ([Publisher.plan]) that needs no answer from Coda.
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
		size, writes := 0, 0
		for _, n := range notesParts(rels) {
			writes += len(n.parts)
			for _, part := range n.parts {
				size += len(part)
			}
		}
		how := "in one write"
		if writes > len(rels) {
			how = fmt.Sprintf("in %d writes, as Coda takes at most %d bytes a request", writes, coda.MaxRequestBytes)
		}
		log.Info("Would write the notes (%d bytes of markdown, %s) to page %q (%s): one section per version, "+
			"a section already there replaced in place, and left as it is when it says the same.", size, how, cfg.Page, cfg.PageMode)
	}
	describeDeployment(log, cfg.DeploymentTable, rels[len(rels)-1])
	if cfg.RuleID != "" && len(rels) == 1 {
		payload, err := planPayload(rels[0])
		switch {
		case err != nil:
			log.Warn("A real run would stop before writing anything: CODA_AUTOMATION_RULE_ID %q: %v.", cfg.RuleID, err)
		case payload.Truncated:
			log.Info("Would trigger automation %s with the release JSON cut to %d of its %d entries (\"truncated\": true), as Coda takes at most %d bytes a request.",
				cfg.RuleID, len(payload.Entries), payload.EntriesTotal, coda.MaxRequestBytes)
		default:
			log.Info("Would trigger automation %s with the release JSON.", cfg.RuleID)
		}
	}
}
