package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
	"bitbucket.org/coda-changelog/coda-changelog/internal/publish"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// run is the whole pipe: environment → config → git range → commits →
// release → render → publish. main only calls it, so tests can too, with
// their own environment and writers. Release notes of a dry run go to
// stdout; everything else (INFO, DEBUG, ✔) goes to stderr.
func run(ctx context.Context, args []string, environment []string, stdout, stderr io.Writer) (err error) {
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
	if _, set := vars["GOMEMLIMIT"]; !set {
		debug.SetMemoryLimit(softMemoryLimit)
	}
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
	con := newConsole(stderr, cfg.Debug, token)
	if cfg.Backfill {
		return backfill(ctx, cfg, con, stdout)
	}
	return release(ctx, cfg, con, stdout)
}

// release publishes the build's release: its range, read from git, its
// notes and its rows; in a dry run it prints them instead.
func release(ctx context.Context, cfg config, con *console, stdout io.Writer) error {
	b, err := buildRelease(ctx, cfg, con)
	if err != nil {
		con.warnAll(cfg.Warnings) // a typo may be why
		return err
	}
	con.Info("%s", b.startLine(cfg))
	con.warnAll(append(cfg.Warnings, b.warnings(cfg)...))
	logFilters(con, b.history)
	in := newInsights(cfg, con, b)
	if cfg.OutputJSON != "" {
		if err := writeJSON(cfg.OutputJSON, b.release); err != nil {
			return err
		}
		con.Info("Wrote the release JSON to %s", cfg.OutputJSON)
	}
	if cfg.DryRun {
		if _, err := io.WriteString(stdout, con.redact(b.release.Markdown)); err != nil {
			return err
		}
		publish.Describe(con, cfg.Coda, []changelog.Release{b.release})
		in.describe()
		con.Success("Dry run: %s. Nothing was sent to Coda.", b.summary())
		return in.verdict()
	}
	if !cfg.writesToCoda() {
		return in.withoutCoda(ctx)
	}
	if b.history.Commits == 0 && !cfg.TestPayload {
		// An empty range. A range whose commits were all filtered out is
		// still a release: its row, its notes ("No changes.") and its
		// automation are published.
		in.post(ctx)
		con.Success("Nothing to publish: %s.", b.summary())
		return nil
	}
	err = withPublisher(cfg, con, func(p *publish.Publisher) (string, error) {
		if cfg.TestPayload {
			done, err := p.TestPayload(ctx, b.release)
			if err != nil {
				return "", fmt.Errorf("test payload: %w", err)
			}
			return fmt.Sprintf("Test payload: %s; checked %s. Nothing was left in the doc.", b.summary(), strings.Join(done, "; ")), nil
		}
		done, err := p.Publish(ctx, b.release)
		if err != nil {
			return "", err
		}
		// The report goes after Coda, so that it links to what was written.
		in.linkTo(ctx, p)
		if posted := in.post(ctx); posted != "" {
			done = append(done, posted)
		}
		return fmt.Sprintf("Published %s: %s.", b.summary(), strings.Join(done, "; ")), nil
	})
	return cmp.Or(err, in.verdict())
}

// polling is how long the pipe waits before it asks Coda whether a write
// was applied: Coda's default, except in the build that test/ runs (see
// polling_blackbox.go).
var polling = coda.DefaultPolling

// withPublisher runs do with a publisher of a new Coda client, then
// logs what the run asked of Coda and, when do succeeded, the line it
// returned.
func withPublisher(cfg config, con *console, do func(*publish.Publisher) (string, error)) error {
	client, err := coda.NewClient(cfg.Token,
		coda.WithBaseURL(cfg.APIURL),
		coda.WithUserAgent("coda-changelog/"+version),
		coda.WithLogger(con.Logger()),
		coda.WithPolling(polling))
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

// logCodaStats prints what the run asked of Coda, for the rate limits'
// sake (the integration guide asks to monitor them).
func logCodaStats(con *console, c *coda.Client, start time.Time) {
	st := c.Stats()
	con.Info("Coda: %s, %d rate-limited, %.1f s waiting for the limits, %.1f s in all.",
		words.Plural(st.Requests, "request", "requests"), st.RateLimited, st.RateLimitWait.Seconds(), time.Since(start).Seconds())
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

// softMemoryLimit keeps the heap of a run over a very long history (the
// entries, with their messages, stay in memory) near 160 MiB instead of
// letting the garbage collector double it: about 165 MB at peak for
// 100,000 commits instead of 180 to 200, at no measurable cost in time. It
// is a soft limit: a bigger history still works, with the collector working
// harder. GOMEMLIMIT overrides it.
const softMemoryLimit = 160 << 20

// built is a release and what it was built from.
type built struct {
	rng     changelog.Range
	history changelog.History
	// sincePrevious is the history since the previous release tag, which
	// bumps the version, when the range starts elsewhere; else nil.
	sincePrevious *changelog.History
	release       changelog.Release
}

// summary is the one-line account of the release: version, counts, range.
func (b built) summary() string {
	return fmt.Sprintf("%s, %s from %s in %s..%s, %s",
		b.release.Version, words.Plural(len(b.release.Entries), "entry", "entries"), words.Plural(b.history.Commits, "commit", "commits"),
		orWhole(b.rng.From), changelog.ShortSHA(b.rng.To), b.rng.Reason)
}

// logFilters says how many commits each filter left out, when any did.
func logFilters(con *console, h changelog.History) {
	if n := h.ExcludedTypes + h.ExcludedCommits; n > 0 {
		con.Info("Filters left out %s: %d by EXCLUDE_TYPES, %d by EXCLUDE_COMMITS.",
			words.Plural(n, "commit", "commits"), h.ExcludedTypes, h.ExcludedCommits)
	}
}

// startLine is the first line of the log: the pipe's version, the
// repository, the range and the version, each with why it was chosen, so
// that a support request starts with everything needed.
func (b built) startLine(cfg config) string {
	from := b.rng.FromRef
	if b.rng.From == "" || from == changelog.MergeBase {
		from = orWhole(b.rng.From)
	}
	return fmt.Sprintf("coda-changelog %s: %s %s..%s (%s), version %s (%s)",
		version, repoName(cfg, b.release), from, changelog.ShortSHA(b.rng.To), b.rangeWhy(cfg), b.release.Version, b.versionWhy(cfg))
}

// rangeWhy says why the range starts where it does.
func (b built) rangeWhy(cfg config) string {
	switch {
	case cfg.Range.From != "":
		return "FROM_REF"
	case b.rng.FromRef == changelog.MergeBase:
		return b.rng.Reason // merge-base with the pull request's destination
	case b.rng.Previous != nil && b.rng.From == b.rng.Previous.Commit:
		return "previous release tag"
	}
	return b.rng.Reason
}

// versionWhy says where the version came from.
func (b built) versionWhy(cfg config) string {
	switch {
	case b.release.VersionReason != "":
		return b.release.VersionReason
	case cfg.Pipelines.Tag != "" && cfg.Release.Version == cfg.Pipelines.Tag:
		return "BITBUCKET_TAG"
	}
	return "VERSION"
}

// warnings are what the range shows to be legal but probably wrong.
func (b built) warnings(cfg config) []string {
	var out []string
	if b.rng.FromNotAncestor {
		out = append(out, fmt.Sprintf("FROM_REF %s is not an ancestor of %s, so the range holds only %s's side of them; "+
			"were FROM_REF and TO_REF swapped?", cfg.Range.From, changelog.ShortSHA(b.rng.To), changelog.ShortSHA(b.rng.To)))
	}
	return append(out, unseenTypes(cfg, b.history)...)
}

// unseenTypes warns about the EXCLUDE_TYPES that no commit of h has.
func unseenTypes(cfg config, h changelog.History) []string {
	var unknown []string
	for _, t := range cfg.Read.ExcludeTypes {
		if !slices.Contains(h.TypesSeen, t) {
			unknown = append(unknown, t)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("EXCLUDE_TYPES names %s, which no commit in the range has; the types in the range are: %s",
		strings.Join(unknown, ", "), orNone(h.TypesSeen))}
}

// orNone joins a list, or says "none".
func orNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}

// buildRelease reads the build's range and renders its release.
func buildRelease(ctx context.Context, cfg config, con *console) (built, error) {
	var b built
	err := readHistory(ctx, cfg, con, func(g *changelog.Git) (err error) {
		b, err = readRange(ctx, g, cfg)
		return err
	})
	if err != nil {
		return built{}, err
	}
	opts := cfg.Release
	opts.SincePrevious = b.sincePrevious
	b.release = changelog.NewRelease(b.rng, b.history, opts)
	if b.release.Markdown, err = renderNotes(cfg, b.release); err != nil {
		return built{}, err
	}
	return b, nil
}

// readHistory runs read on the repository. A shallow clone that lacks the
// history read needs is deepened once, when FETCH_HISTORY allows it.
func readHistory(ctx context.Context, cfg config, con *console, read func(*changelog.Git) error) error {
	g := &changelog.Git{Dir: cfg.RepoPath, Logger: con.Logger()}
	err := read(g)
	var shallow *changelog.ShallowError
	if errors.As(err, &shallow) && cfg.FetchHistory {
		con.Info("The clone is shallow and lacks part of the history; fetching the full history.")
		if ferr := cfg.Pipelines.FetchHistory(ctx, g, cfg.Range.PRDestinationBranch); ferr != nil {
			return fmt.Errorf("%w\nFetching more history failed: %v", err, ferr)
		}
		err = read(g)
	}
	return err
}

// renderNotes renders a release's notes with the built-in or the custom
// template.
func renderNotes(cfg config, rel changelog.Release) (string, error) {
	md, err := cfg.Notes.Render(rel)
	if err != nil && cfg.Template != "" {
		return "", fmt.Errorf("TEMPLATE %s: %w", cfg.Template, err)
	}
	return md, err
}

// orWhole names the start of a range, "(root)" for the whole history.
func orWhole(from string) string {
	if from == "" {
		return "(root)"
	}
	return changelog.ShortSHA(from)
}

// readRange resolves the range and reads its commits.
func readRange(ctx context.Context, g *changelog.Git, cfg config) (built, error) {
	r, err := changelog.ResolveRange(ctx, g, cfg.Range)
	if err != nil {
		return built{}, repositoryError(cfg.RepoPath, err)
	}
	h, err := changelog.ReadRange(ctx, g, r, cfg.Read)
	if err != nil {
		return built{}, repositoryError(cfg.RepoPath, err)
	}
	b := built{rng: r, history: h}
	if since, ok := r.VersionRange(); ok && cfg.Release.Version == "" && r.AtTo == nil && r.Previous.Semver {
		// The range starts at FROM_REF or a merge-base: the version is
		// still bumped by the commits since the previous release tag.
		read := cfg.Read
		read.NewContributors = false
		sh, err := changelog.ReadRange(ctx, g, since, read)
		if err != nil {
			return built{}, repositoryError(cfg.RepoPath, err)
		}
		b.sincePrevious = &sh
	}
	return b, nil
}

// repositoryError adds what to do to an error reading the repository.
func repositoryError(dir string, err error) error {
	switch {
	case errors.Is(err, changelog.ErrShallow):
		return fmt.Errorf("%w; fetch the full history: %s", err, pipelines.ShallowAdvice)
	case errors.Is(err, changelog.ErrNotRepository):
		return advised{fmt.Sprintf("%s is not a git repository: run the pipe in the clone (Bitbucket mounts it as BITBUCKET_CLONE_DIR), "+
			"or set REPO_PATH", dir), err}
	case errors.Is(err, changelog.ErrNoCommits):
		return advised{fmt.Sprintf("the repository at %s has no commits yet: there is no changelog to publish", dir), err}
	}
	return err
}

// advised is an error rewritten as a message that says its cause and
// what to do; the cause stays for errors.Is, but is not said twice.
type advised struct {
	msg   string
	cause error
}

func (e advised) Error() string { return e.msg }
func (e advised) Unwrap() error { return e.cause }
