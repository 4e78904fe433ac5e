package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
	"bitbucket.org/coda-changelog/coda-changelog/internal/publish"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// lintMode is what COMMIT_LINT asks about commits that are not
// Conventional Commits.
type lintMode string

// The lint modes.
const (
	lintOff  lintMode = "off"  // say nothing
	lintWarn lintMode = "warn" // a WARNING per commit
	lintFail lintMode = "fail" // and exit 1 once everything else is done
)

// lintModes lists the values COMMIT_LINT takes.
var lintModes = []lintMode{lintOff, lintWarn, lintFail}

// codaWanted reports whether the run is to write to Coda. It always is,
// except with CODE_INSIGHTS when no Coda variable says where to write: a
// pull-request pipeline that only wants the preview needs no token, doc
// or table. TEST_PAYLOAD and BACKFILL are about Coda, so they always want
// it.
func codaWanted(cfg config, env variables) bool {
	if !cfg.Insights || cfg.TestPayload || cfg.Backfill {
		return true
	}
	for _, v := range []string{env.CodaDocID, env.CodaTable, env.CodaReleaseTable, env.CodaDeploymentTable, env.CodaPage, env.CodaAutomationRuleID} {
		if strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

// insightsWarnings warns about what CODE_INSIGHTS and COMMIT_LINT cannot
// do with the other variables.
func insightsWarnings(c *checker, cfg config, env variables) {
	if cfg.Backfill && (cfg.Insights || cfg.CommitLint != lintOff) {
		c.warn("CODE_INSIGHTS and COMMIT_LINT describe one build's commits; a BACKFILL writes the whole history, so they are not used.")
	}
	if cfg.Insights && !codaWanted(cfg, env) && strings.TrimSpace(env.CodaAPIToken) != "" {
		c.warn("CODA_API_TOKEN is set, but no CODA_DOC_ID, table, page or rule: nothing is written to Coda, " +
			"and the Code Insights report is posted without a link to it.")
	}
}

// writesToCoda reports whether this run writes to Coda: outside a dry run,
// a doc is required exactly when it does.
func (c config) writesToCoda() bool { return c.Coda.DocID != "" }

// insights is the Code Insights report and the commit lint of a release
// run. The report goes last, after the Coda writes, so that it can link
// to them.
type insights struct {
	cfg            config
	con            *console
	b              built
	link, linkText string // where the run wrote in Coda
	// reports are added to the Code Insights client's options; its
	// timeout, pipelines.DefaultReportTimeout, bounds the whole report, so
	// that a proxy that does not answer never holds up the build for long.
	reports []pipelines.ReportsOption
}

// newInsights starts the report and the lint of b, printing a WARNING per
// commit that is not conventional when COMMIT_LINT asks for it.
func newInsights(cfg config, con *console, b built) *insights {
	in := &insights{cfg: cfg, con: con, b: b}
	if cfg.CommitLint != lintOff {
		for _, u := range b.history.NotConventional {
			con.Warn("Commit %s is not a Conventional Commit (%s): %q. %s", changelog.ShortSHA(u.SHA), u.Problem,
				words.Clip(u.Subject, 120), u.Problem.Advice())
		}
	}
	return in
}

// failed reports whether COMMIT_LINT fails the run.
func (in *insights) failed() bool {
	return in.cfg.CommitLint == lintFail && len(in.b.history.NotConventional) > 0
}

// verdict is the run's end under COMMIT_LINT: nil, or the error that
// makes it exit 1 with the commits named.
func (in *insights) verdict() error {
	if !in.failed() {
		return nil
	}
	var names []string
	for _, u := range in.b.history.NotConventional {
		names = append(names, fmt.Sprintf("%s %q (%s)", changelog.ShortSHA(u.SHA), words.Clip(u.Subject, 60), u.Problem))
	}
	return fmt.Errorf("COMMIT_LINT is 'fail' and %s not Conventional Commits: %s. Reword them as <type>[(<scope>)][!]: <description> "+
		"(git rebase -i, then push), or set COMMIT_LINT: 'warn'",
		words.Plural(len(names), "commit is", "commits are"), strings.Join(names, ", "))
}

// linkTo remembers where p wrote, for the report's link. A failure only
// costs the link.
func (in *insights) linkTo(ctx context.Context, p *publish.Publisher) {
	if !in.cfg.Insights {
		return
	}
	name, link, err := p.Link(ctx)
	if err != nil {
		in.con.Warn("Code Insights: the report cannot link to Coda: %v", err)
		return
	}
	in.link, in.linkText = link, name
}

// report makes the report and its annotations.
func (in *insights) report() (pipelines.Report, []pipelines.Annotation) {
	return pipelines.ChangelogReport(pipelines.ReportInput{
		Release:         in.b.release,
		NotConventional: in.b.history.NotConventional,
		Failed:          in.failed(),
		Link:            in.link,
		LinkText:        in.linkText,
	})
}

// commit is the commit the report goes on: the build's.
func (in *insights) commit() string { return firstNonEmpty(in.cfg.Pipelines.Commit, in.b.rng.To) }

// describe says, in a dry run, what report a real run would post.
func (in *insights) describe() {
	if !in.cfg.Insights {
		return
	}
	r, as := in.report()
	in.con.Info("Would post the Code Insights report %s on %s through the Pipelines proxy %s: %s, %q, %s.",
		pipelines.ReportID, changelog.ShortSHA(in.commit()), in.cfg.Pipelines.InsightsProxy().Host, r.Result, r.Details,
		words.Plural(len(as), "annotation", "annotations"))
}

// post puts the report on the build's commit and returns a phrase for the
// run's last line, or "" when CODE_INSIGHTS is off or the report could not
// be posted: that is a WARNING naming the cause, never a failed run.
func (in *insights) post(ctx context.Context) string {
	if !in.cfg.Insights {
		return ""
	}
	r, as := in.report()
	proxy := in.cfg.Pipelines.InsightsProxy()
	c := pipelines.NewReports(proxy, append([]pipelines.ReportsOption{pipelines.WithReportsLogger(in.con.Logger())}, in.reports...)...)
	commit := in.commit()
	leftOut, err := c.Publish(ctx, in.b.release.Repository.FullName, commit, pipelines.ReportID, r, as)
	if err != nil {
		var re *pipelines.ReportError
		hint := ""
		if errors.As(err, &re) && (re.StatusCode == 401 || re.StatusCode == 403) {
			hint = " The proxy writes reports only to the build's own repository and commit."
		}
		in.con.Warn("Code Insights: the report could not be posted, so reviewers see no preview (the run goes on): %v.%s", err, hint)
		return ""
	}
	if leftOut > 0 {
		in.con.Warn("Code Insights: %s left out: Bitbucket keeps at most %d on a report.",
			words.Plural(leftOut, "annotation was", "annotations were"), pipelines.MaxAnnotations)
	}
	in.con.Info("Code Insights: report %s on %s: %s, %s.", pipelines.ReportID, changelog.ShortSHA(commit), r.Result,
		words.Plural(len(as)-leftOut, "annotation", "annotations"))
	return "Code Insights report on " + changelog.ShortSHA(commit)
}

// withoutCoda ends a run that writes nothing to Coda (CODE_INSIGHTS
// alone): the report, the last line, the lint's verdict.
func (in *insights) withoutCoda(ctx context.Context) error {
	done := "nothing written to Coda"
	if posted := in.post(ctx); posted != "" {
		done = posted + "; " + done
	}
	in.con.Success("Changelog of %s: %s.", in.b.summary(), done)
	return in.verdict()
}
