package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// This file holds what the log says of a run: its first line, its
// warnings, its summaries and its counts.

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

// rangeWhy says why the range starts where it does, and in a deployment
// how the deployment chose it.
func (b built) rangeWhy(cfg config) string {
	switch {
	case b.deployRange:
		return b.deployNote
	case b.deployNote != "":
		return b.usualWhy(cfg) + "; " + b.deployNote
	}
	return b.usualWhy(cfg)
}

// usualWhy says why the usual range starts where it does.
func (b built) usualWhy(cfg config) string {
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
	if b.deployWarning != "" {
		out = append(out, b.deployWarning)
	}
	if b.rng.FromNotAncestor {
		out = append(out, fmt.Sprintf("FROM_REF %s is not an ancestor of %s, so the range holds only %s's side of them; "+
			"were FROM_REF and TO_REF swapped?", cfg.Range.From, changelog.ShortSHA(b.rng.To), changelog.ShortSHA(b.rng.To)))
	}
	return append(append(out, b.history.Warnings...), unseenTypes(cfg, b.history)...)
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

// orWhole names the start of a range, "(root)" for the whole history.
func orWhole(from string) string {
	if from == "" {
		return "(root)"
	}
	return changelog.ShortSHA(from)
}

// repoName names the repository for the log.
func repoName(cfg config, rel changelog.Release) string {
	if rel.Repository.FullName != "" {
		return rel.Repository.FullName
	}
	return cfg.RepoPath
}

// logCodaStats prints what the run asked of Coda, for the rate limits'
// sake (the integration guide asks to monitor them).
func logCodaStats(con *console, c *coda.Client, start time.Time) {
	st := c.Stats()
	con.Info("Coda: %s, %d rate-limited, %.1f s waiting for the limits, %.1f s in all.",
		words.Plural(st.Requests, "request", "requests"), st.RateLimited, st.RateLimitWait.Seconds(), time.Since(start).Seconds())
}

// backfillSummary is the one-line account of a backfill's releases.
func backfillSummary(rels []changelog.Release) string {
	entries := 0
	for _, rel := range rels {
		entries += len(rel.Entries)
	}
	return fmt.Sprintf("%s with %s up to %s", words.Plural(len(rels), "release", "releases"),
		words.Plural(entries, "entry", "entries"), changelog.ShortSHA(rels[len(rels)-1].To))
}

// backfillStart is the first line of a backfill's log.
func backfillStart(cfg config, rels []changelog.Release, summary string) string {
	return fmt.Sprintf("coda-changelog %s: backfill of %s: %s.", version, repoName(cfg, rels[0]), summary)
}
