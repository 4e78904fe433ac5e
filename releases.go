package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
)

// This file builds a run's releases from the repository: the build's
// release, or every release of the history (BACKFILL).

// built is a release and what it was built from.
type built struct {
	rng     changelog.Range
	history changelog.History
	// sincePrevious is the history since the previous release tag, which
	// bumps the version, when the range starts elsewhere; else nil.
	sincePrevious *changelog.History
	release       changelog.Release
	// deployNote says, in a deployment, why the range starts where it
	// does; deployWarning is what is legal but probably wrong about it.
	deployNote, deployWarning string
	// deployRange is set when the previous deployment chose the range.
	deployRange bool
}

// buildRelease reads the build's range and renders its release; in a
// deployment step it describes the deployment too, without reading the
// earlier ones (see [buildDeployment]).
func buildRelease(ctx context.Context, cfg config, con *console) (releases, error) {
	return buildDeployment(ctx, cfg, con, nil)
}

// buildDeployment is [buildRelease] in a step that may deploy: earlier
// reads the previous deployments to the environment (nil when they are
// not read: a dry run, a test payload, no deployments table), and the
// release becomes what the deployment ships.
func buildDeployment(ctx context.Context, cfg config, con *console, earlier earlierFunc) (releases, error) {
	var b built
	err := readHistory(ctx, cfg, con, func(g *changelog.Git) (err error) {
		b, err = readRange(ctx, g, cfg)
		return err
	})
	if err != nil {
		return releases{}, err
	}
	opts := cfg.Release
	opts.SincePrevious = b.sincePrevious
	b.release = changelog.NewRelease(b.rng, b.history, opts)
	if b.release.Markdown, err = renderNotes(cfg, b.release); err != nil {
		return releases{}, err
	}
	if cfg.deploys() {
		if err := shipDeployment(ctx, cfg, con, &b, earlier); err != nil {
			return releases{}, err
		}
	}
	return releases{list: []changelog.Release{b.release}, build: b, start: b.startLine(cfg), warnings: b.warnings(cfg),
		history: b.history, summary: b.summary()}, nil
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

// readsBodies reports whether any output of the run can read the
// entries' bodies or footers, which decides
// [changelog.ReadOptions.WithoutBodies]: OUTPUT_JSON holds them, a custom
// template may print them, and whatever is written to Coda may carry them
// (a table's fields are matched to its columns only once Coda lists them,
// and a Body or Co-authors column reads them; the automation gets the
// release JSON). A dry run without OUTPUT_JSON or TEMPLATE, or Code
// Insights alone, reads subjects and short fields only, so it need not
// hold a long history's message text.
func readsBodies(cfg config) bool {
	return cfg.OutputJSON != "" || bodiesInMemory(cfg)
}

// bodiesInMemory reports whether an output other than OUTPUT_JSON can
// read the entries' bodies (see [readsBodies]): the entries must then
// hold them. A dry run that names an automation reads them too: it says
// how many entries the automation's payload would hold, which their
// bodies decide. When OUTPUT_JSON alone reads them, they are kept aside
// for it ([changelog.ReadOptions.BodiesForJSON]).
func bodiesInMemory(cfg config) bool {
	return cfg.Template != "" || !cfg.DryRun && cfg.writesToCoda() || cfg.DryRun && cfg.Coda.RuleID != ""
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
		read.WithoutBodies = true // it only bumps the version
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

// buildReleases reads every release of the history (BACKFILL) and renders
// each: every release tag matching TAG_PATTERN reachable from the build's
// commit, oldest first, each from the tag before it, then the commits
// after the newest tag, read with one git log pass. The build's own
// variables (VERSION, the build number, branch, tag and deployment)
// describe the build's release only, which ReadReleases puts last: the
// others were built long ago.
func buildReleases(ctx context.Context, cfg config, con *console) (releases, error) {
	var found []changelog.ReleaseHistory
	err := readHistory(ctx, cfg, con, func(g *changelog.Git) (err error) {
		build := changelog.ReleasesOptions{To: cfg.Range.To, Tags: cfg.Range.Tags, Version: cfg.Range.Version}
		found, err = changelog.ReadReleases(ctx, g, build, cfg.Read)
		return repositoryError(cfg.RepoPath, err)
	})
	if err != nil {
		return releases{}, err
	}
	rels := make([]changelog.Release, len(found))
	histories := make([]changelog.History, len(found))
	for i, f := range found {
		opts := cfg.Release
		if i < len(found)-1 {
			opts.Version, opts.Build = "", changelog.Build{}
		}
		histories[i] = f.History
		rels[i] = changelog.NewRelease(f.Range, f.History, opts)
		if rels[i].Markdown, err = renderNotes(cfg, rels[i]); err != nil {
			return releases{}, err
		}
	}
	whole := wholeHistory(histories)
	summary := backfillSummary(rels)
	return releases{list: rels, backfill: true, start: backfillStart(cfg, rels, summary),
		warnings: append(whole.Warnings, unseenTypes(cfg, whole)...), history: whole, summary: summary}, nil
}

// wholeHistory adds up what the releases' histories say of their commits
// and filters.
func wholeHistory(hs []changelog.History) changelog.History {
	var whole changelog.History
	for _, h := range hs {
		whole.Commits += h.Commits
		whole.ExcludedTypes += h.ExcludedTypes
		whole.ExcludedCommits += h.ExcludedCommits
		for _, w := range h.Warnings { // a commit in two ranges warns once
			if !slices.Contains(whole.Warnings, w) {
				whole.Warnings = append(whole.Warnings, w)
			}
		}
		for _, t := range h.TypesSeen {
			if !slices.Contains(whole.TypesSeen, t) {
				whole.TypesSeen = append(whole.TypesSeen, t)
			}
		}
	}
	slices.Sort(whole.TypesSeen)
	return whole
}

// writeJSON writes a release, or the releases of a backfill, to path as
// the release JSON, whole or not at all.
func writeJSON[T changelog.Release | []changelog.Release](path string, v T) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".release-*.json")
	if err != nil {
		return fmt.Errorf("OUTPUT_JSON %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := changelog.WriteJSON(tmp, v); err != nil {
		tmp.Close()
		return fmt.Errorf("OUTPUT_JSON %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("OUTPUT_JSON %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("OUTPUT_JSON %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("OUTPUT_JSON %s: %w", path, err)
	}
	return nil
}
