package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/publish"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// backfill publishes the whole history release by release (BACKFILL): every
// release tag matching TAG_PATTERN reachable from the build's commit,
// oldest first, each from the tag before it, then the commits after the
// newest tag. The history is read with one git log pass.
func backfill(ctx context.Context, cfg config, con *console, stdout io.Writer) error {
	rels, histories, err := buildReleases(ctx, cfg, con)
	if err != nil {
		con.warnAll(cfg.Warnings) // a typo may be why
		return err
	}
	entries := 0
	for _, rel := range rels {
		entries += len(rel.Entries)
	}
	summary := fmt.Sprintf("%s with %s up to %s", words.Plural(len(rels), "release", "releases"), words.Plural(entries, "entry", "entries"), changelog.ShortSHA(rels[len(rels)-1].To))
	con.Info("coda-changelog %s: backfill of %s: %s.", version, repoName(cfg, rels[0]), summary)
	whole := wholeHistory(histories)
	con.warnAll(append(cfg.Warnings, unseenTypes(cfg, whole)...))
	logFilters(con, whole)
	if cfg.OutputJSON != "" {
		if err := writeJSON(cfg.OutputJSON, rels); err != nil {
			return err
		}
		con.Info("Wrote the releases' JSON (an array, oldest first) to %s", cfg.OutputJSON)
	}
	if cfg.DryRun {
		for i := len(rels) - 1; i >= 0; i-- { // the newest first, as the notes read
			if _, err := io.WriteString(stdout, con.redact(rels[i].Markdown)+"\n"); err != nil {
				return err
			}
		}
		for _, rel := range rels {
			con.Info("%s: %s from %s.", rel.Version, words.Plural(len(rel.Entries), "entry", "entries"), orWhole(rel.From))
		}
		publish.Describe(con, cfg.Coda, rels)
		con.Success("Dry run of a backfill: %s. Nothing was sent to Coda.", summary)
		return nil
	}
	return withPublisher(cfg, con, func(p *publish.Publisher) (string, error) {
		done, err := p.Backfill(ctx, rels)
		if err != nil {
			return "", fmt.Errorf("backfill: %w. A rerun completes it: it updates the same rows and skips notes already on the page", err)
		}
		return fmt.Sprintf("Backfilled %s: %s.", summary, strings.Join(done, "; ")), nil
	})
}

// buildReleases reads every release of the history and renders each. The
// build's own variables (VERSION, the build number, branch, tag and
// deployment) describe the build's release only, which ReadReleases puts
// last: the others were built long ago.
func buildReleases(ctx context.Context, cfg config, con *console) ([]changelog.Release, []changelog.History, error) {
	var found []changelog.ReleaseHistory
	err := readHistory(ctx, cfg, con, func(g *changelog.Git) (err error) {
		build := changelog.ReleasesOptions{To: cfg.Range.To, Tags: cfg.Range.Tags, Version: cfg.Range.Version}
		found, err = changelog.ReadReleases(ctx, g, build, cfg.Read)
		return repositoryError(cfg.RepoPath, err)
	})
	if err != nil {
		return nil, nil, err
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
			return nil, nil, err
		}
	}
	return rels, histories, nil
}

// wholeHistory adds up what the releases' histories say of their filters.
func wholeHistory(hs []changelog.History) changelog.History {
	var whole changelog.History
	for _, h := range hs {
		whole.ExcludedTypes += h.ExcludedTypes
		whole.ExcludedCommits += h.ExcludedCommits
		for _, t := range h.TypesSeen {
			if !slices.Contains(whole.TypesSeen, t) {
				whole.TypesSeen = append(whole.TypesSeen, t)
			}
		}
	}
	slices.Sort(whole.TypesSeen)
	return whole
}

// repoName names the repository for the log.
func repoName(cfg config, rel changelog.Release) string {
	if rel.Repository.FullName != "" {
		return rel.Repository.FullName
	}
	return cfg.RepoPath
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
