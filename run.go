package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/deploy"
	"bitbucket.org/coda-changelog/coda-changelog/internal/memlimit"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
	"bitbucket.org/coda-changelog/coda-changelog/internal/publish"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// options are what the binary that runs the pipe passes to [run]: the
// shipped one nothing, the one test/ runs what makes its waits short
// (binaryOptions).
type options struct {
	coda    []coda.Option             // added to the Coda client's
	reports []pipelines.ReportsOption // added to the Code Insights client's
}

// run is the whole pipe: environment → config → git range → commits →
// release → render → publish. main only calls it, so tests can too, with
// their own environment and writers. Release notes of a dry run go to
// stdout; everything else (INFO, DEBUG, ✔) goes to stderr. opts are what
// the binary passes (see binaryOptions).
func run(ctx context.Context, args []string, environment []string, stdout, stderr io.Writer, opts options) (err error) {
	parent := ctx
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer func() {
		if err != nil && ctx.Err() != nil && parent.Err() == nil {
			err = fmt.Errorf("stopped by a signal (SIGINT or SIGTERM): %w. What Coda had accepted stays; "+
				"a rerun updates the same rows and skips notes already on the page, but triggers the automation again", err)
		}
	}()
	if len(args) > 0 {
		switch args[0] {
		case "--version", "version":
			_, err := fmt.Fprintln(stdout, "coda-changelog", version)
			return err
		case "--help", "-help", "-h", "help":
			_, err := fmt.Fprintf(stdout, usage, version)
			return err
		}
		return fmt.Errorf("unknown argument %q: the pipe takes its settings from variables, not arguments (see --help)", args[0])
	}
	vars := environ(environment)
	env, err := loadEnv(ctx, vars)
	if err != nil {
		return err
	}
	token := strings.TrimSpace(env.CodaAPIToken)
	defer func() { // the token never leaves the pipe, not even inside an error
		if err != nil {
			err = errors.New(words.Printable(redactor(token)(err.Error())))
		}
	}()
	cfg, err := parseConfig(env, vars)
	if err != nil {
		newConsole(stderr, false, token).warnAll(cfg.Warnings) // an unknown variable may be why
		return err
	}
	if _, set := vars["GOMEMLIMIT"]; !set {
		defer memlimit.Follow(memoryFloor, memoryRoom, memoryShare(cfg))()
	}
	return publishReleases(ctx, cfg, newConsole(stderr, cfg.Debug, token), stdout, opts)
}

// publishReleases is the one flow of every run: build the releases (the
// build's, or every release of the history with BACKFILL), say what they
// are, write OUTPUT_JSON, then print them (DRY_RUN) or publish them.
func publishReleases(ctx context.Context, cfg config, con *console, stdout io.Writer, opts options) error {
	if cfg.readsDeployments() {
		return publishDeployment(ctx, cfg, con, opts)
	}
	build := buildRelease
	if cfg.Backfill {
		build = buildReleases
	}
	r, err := build(ctx, cfg, con)
	if err != nil {
		con.warnAll(cfg.Warnings) // a typo may be why
		return err
	}
	in, err := r.announce(cfg, con, opts.reports)
	if err != nil {
		return err
	}
	if cfg.DryRun {
		return r.dryRun(cfg, con, stdout, in)
	}
	if !cfg.writesToCoda() {
		return in.withoutCoda(ctx)
	}
	if r.history.Commits == 0 && !cfg.TestPayload && r.list[0].Deployment == nil {
		// An empty range. A range whose commits were all filtered out is
		// still a release: its row, its notes ("No changes.") and its
		// automation are published. A deployment of nothing new (a rerun,
		// a rollback) is still a deployment.
		in.post(ctx)
		con.Success("Nothing to publish: %s.", r.summary)
		return nil
	}
	err = withPublisher(cfg, con, opts.coda, func(p *publish.Publisher) (string, error) {
		return r.publish(ctx, cfg, p, in)
	})
	return cmp.Or(err, in.verdict())
}

// publishDeployment publishes the release of a deployment step that
// keeps a deployments table. Its range starts where the previous
// deployment to its environment ended, which the table says: the table is
// read first, then the repository.
func publishDeployment(ctx context.Context, cfg config, con *console, opts options) error {
	var in *insights
	err := withPublisher(cfg, con, opts.coda, func(p *publish.Publisher) (string, error) {
		r, err := buildDeployment(ctx, cfg, con, func(rel changelog.Release) (deploy.History, error) {
			return p.EarlierDeployments(ctx, rel)
		})
		if err != nil {
			con.warnAll(cfg.Warnings) // a typo may be why
			return "", err
		}
		if in, err = r.announce(cfg, con, opts.reports); err != nil {
			return "", err
		}
		return r.publish(ctx, cfg, p, in)
	})
	if err != nil || in == nil {
		return err
	}
	return in.verdict()
}

// announce says what the releases are (the start line, the warnings, the
// filters, the commits COMMIT_LINT finds), writes OUTPUT_JSON, and
// returns the build's Code Insights, its client made with reports.
func (r releases) announce(cfg config, con *console, reports []pipelines.ReportsOption) (*insights, error) {
	con.Info("%s", r.start)
	con.warnAll(append(cfg.Warnings, r.warnings...))
	logFilters(con, r.history)
	in := r.insights(cfg, con, reports)
	if cfg.OutputJSON != "" {
		if err := r.writeJSON(cfg.OutputJSON, con); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// releases are what a run publishes, oldest first: the build's release,
// or every release of the history (a backfill), with what the log says of
// them.
type releases struct {
	list     []changelog.Release
	backfill bool
	// build is the build's release and what it was built from; zero for
	// a backfill, which describes no one build.
	build    built
	start    string   // the log's first line
	warnings []string // what they show to be legal but probably wrong
	// history adds up the releases' histories: the commits read and what
	// the filters left out.
	history changelog.History
	summary string // the one-line account of them
}

// insights starts the Code Insights report and the commit lint of the
// build's release, its client made with reports; a backfill has neither
// (config warns).
func (r releases) insights(cfg config, con *console, reports []pipelines.ReportsOption) *insights {
	if r.backfill {
		cfg.Insights, cfg.CommitLint = false, lintOff
	}
	in := newInsights(cfg, con, r.build)
	in.reports = reports
	return in
}

// writeJSON writes OUTPUT_JSON: the release JSON, or for a backfill an
// array of them.
func (r releases) writeJSON(path string, con *console) error {
	if !r.backfill {
		if err := writeJSON(path, r.list[0]); err != nil {
			return err
		}
		con.Info("Wrote the release JSON to %s", path)
		return nil
	}
	if err := writeJSON(path, r.list); err != nil {
		return err
	}
	con.Info("Wrote the releases' JSON (an array, oldest first) to %s", path)
	return nil
}

// dryRun prints the releases' notes, newest first as the notes read, and
// what a real run would write.
func (r releases) dryRun(cfg config, con *console, stdout io.Writer, in *insights) error {
	sep, what := "", "Dry run"
	if r.backfill {
		sep, what = "\n", "Dry run of a backfill"
	}
	for i := len(r.list) - 1; i >= 0; i-- {
		if _, err := io.WriteString(stdout, con.redact(r.list[i].Markdown)+sep); err != nil {
			return err
		}
	}
	if r.backfill {
		for _, rel := range r.list {
			con.Info("%s: %s from %s.", rel.Version, words.Plural(len(rel.Entries), "entry", "entries"), orWhole(rel.From))
		}
	}
	publish.Describe(con, cfg.Coda, r.list)
	in.describe()
	con.Success("%s: %s. Nothing was sent to Coda.", what, r.summary)
	return in.verdict()
}

// publish writes the releases with p and returns the run's last line:
// the test payload of the build's release (TEST_PAYLOAD), every release
// (BACKFILL), or the build's release, followed by its Code Insights
// report.
func (r releases) publish(ctx context.Context, cfg config, p *publish.Publisher, in *insights) (string, error) {
	switch {
	case cfg.TestPayload:
		done, err := p.TestPayload(ctx, r.list[0])
		if err != nil {
			return "", fmt.Errorf("test payload: %w", err)
		}
		return fmt.Sprintf("Test payload: %s; checked %s. Nothing was left in the doc.", r.summary, strings.Join(done, "; ")), nil
	case r.backfill:
		done, err := p.Backfill(ctx, r.list)
		if err != nil {
			return "", fmt.Errorf("backfill: %w. A rerun completes it: it updates the same rows and skips notes already on the page", err)
		}
		return fmt.Sprintf("Backfilled %s: %s.", r.summary, strings.Join(done, "; ")), nil
	}
	done, err := p.Publish(ctx, r.list[0])
	if err != nil {
		return "", err
	}
	// The report goes after Coda, so that it links to what was written.
	in.linkTo(ctx, p)
	if posted := in.post(ctx); posted != "" {
		done = append(done, posted)
	}
	return fmt.Sprintf("Published %s: %s.", r.summary, strings.Join(done, "; ")), nil
}

// withPublisher runs do with a publisher of a new Coda client, made with
// opts after the pipe's own options, then logs what the run asked of Coda
// and, when do succeeded, the line it returned.
func withPublisher(cfg config, con *console, opts []coda.Option, do func(*publish.Publisher) (string, error)) error {
	client, err := coda.NewClient(cfg.Token, append([]coda.Option{
		coda.WithBaseURL(cfg.APIURL),
		coda.WithUserAgent("coda-changelog/" + version),
		coda.WithLogger(con.Logger())}, opts...)...)
	if err != nil {
		return err
	}
	start := time.Now()
	success, err := do(publish.New(client, cfg.Coda, con))
	logCodaStats(con, client, start)
	if err != nil {
		return err
	}
	con.Success("%s", success)
	return nil
}

// usage is what --help prints, with the version.
const usage = `coda-changelog %s: a Bitbucket Pipelines pipe that publishes a build's changelog to Coda
(table rows, release notes on a page, a webhook-invoked automation).

It takes no arguments: every setting is a variable, set in the pipe's
variables in bitbucket-pipelines.yml or with docker run -e NAME=value.
Try it without Coda first: DRY_RUN=true prints the release notes.

  --help     this text
  --version  the version

Variables, examples and the setup of a Coda doc:
  README.md in the image's root, and https://bitbucket.org/coda-changelog/coda-changelog
`

// memoryFloor and memoryRoom are the soft memory limit of a run
// ([memlimit.Follow]): at least 48 MiB, else the live heap, a share of it
// ([memoryShare]) and 4 MiB. A whole history of 100,000 commits (DRY_RUN)
// ends with ~44 MB live (the entries 24, the notes 8, the entries' text
// 6): with a quarter of room the run's own peak is 60-62 MB, where a
// fixed 160 MiB limit let the collector double the heap to ~100 MB, for
// the same CPU (2.6-2.9 s against 2.7 s, three runs each). At 200,000
// commits: 115 MB against 161 MB, for 15% more CPU. A fixed limit low
// enough for 100,000 commits made 200,000 thrash (64 MiB: 40% more CPU),
// and room of an eighth of the live heap cost 60% more there.
// GOMEMLIMIT sets a fixed limit instead.
const (
	memoryFloor = 48 << 20
	memoryRoom  = 4 << 20
)

// memoryShare is the room a run's soft limit leaves above its live heap,
// as a share of it: a quarter, but for a backfill as much as it holds (as
// GOGC=100). A backfill holds every commit's digest while it makes and
// renders each release: with a quarter of room, one of 100,000 commits
// and 330 releases ran 80-115 collections and took 1.5-1.7 times a whole
// history's run; with a fixed 160 MiB limit 1.2 times (bench/README.md).
func memoryShare(cfg config) uint64 {
	if cfg.Backfill {
		return 1
	}
	return 4
}
