package pipelines

import (
	"fmt"
	"slices"
	"strings"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// ReportID is the id of the pipe's report on a commit: one per commit, so
// that a rerun replaces it.
const ReportID = "coda-changelog"

// ReportType is the report's type. The API offers SECURITY, COVERAGE, TEST
// and BUG; the changelog preview passes or fails like a test of the
// commit messages (COMMIT_LINT), so it is a TEST report.
const ReportType = "TEST"

// ReportInput is what the changelog report of a build says.
type ReportInput struct {
	Release changelog.Release
	// NotConventional are the range's commits whose message is not a
	// Conventional Commit.
	NotConventional []changelog.Unconventional
	// Failed makes the report FAILED (COMMIT_LINT: 'fail' with commits
	// that are not conventional); it is PASSED otherwise.
	Failed bool
	// Link is the browser link of what the run wrote in Coda, and
	// LinkText names it; "" when nothing was written.
	Link, LinkText string
}

// ChangelogReport makes the build's Code Insights report: what the pull
// request adds to the changelog (entries by type, the next version and its
// bump, breaking changes), the commits that are not conventional, and a
// link to Coda when the run wrote there; and its annotations: one per
// breaking change, with its note, then one per commit that is not
// conventional, with how to write it. Annotations have no path, so
// Bitbucket shows them in the report's overview.
func ChangelogReport(in ReportInput) (Report, []Annotation) {
	rel := in.Release
	result := "PASSED"
	if in.Failed {
		result = "FAILED"
	}
	breaking := rel.BreakingChanges()
	r := Report{
		Title:      "Changelog",
		Details:    reportDetails(in),
		ExternalID: ReportID,
		Reporter:   "coda-changelog",
		Link:       in.Link,
		ReportType: ReportType,
		Result:     result,
		Data: []ReportData{
			{Title: "Entries", Type: "NUMBER", Value: len(rel.Entries)},
			{Title: versionLabel(rel), Type: "TEXT", Value: rel.Version},
			{Title: "Bump", Type: "TEXT", Value: bumpText(rel)},
			{Title: "Breaking changes", Type: "NUMBER", Value: len(breaking)},
			{Title: "Commits not conventional", Type: "NUMBER", Value: len(in.NotConventional)},
		},
	}
	if rel.PreviousVersion != "" {
		r.Data = append(r.Data, ReportData{Title: "Previous version", Type: "TEXT", Value: rel.PreviousVersion})
	}
	if in.Link != "" {
		r.Data = append(r.Data, ReportData{Title: "Notes in Coda", Type: "LINK", Value: DataLink{Text: in.LinkText, Href: in.Link}})
	}
	var annotations []Annotation
	for _, e := range breaking {
		annotations = append(annotations, Annotation{
			ExternalID:     ReportID + "-breaking-" + e.Key(), // a split squash merge's entries share their hash
			AnnotationType: "CODE_SMELL",
			Severity:       "HIGH",
			Summary:        fmt.Sprintf("Breaking change in %s: %s", e.ShortSHA, e.Subject),
			Details:        e.BreakingNote,
			Link:           e.URL,
		})
	}
	shown := otherSection(rel)
	for _, u := range in.NotConventional {
		a := Annotation{
			ExternalID:     ReportID + "-lint-" + u.SHA,
			AnnotationType: "CODE_SMELL",
			Severity:       "LOW",
			Summary:        fmt.Sprintf("%s is not a Conventional Commit (%s): %s", changelog.ShortSHA(u.SHA), u.Problem, u.Subject),
			Details:        u.Problem.Advice() + " " + shown,
			Link:           rel.CommitURL(u.SHA),
		}
		if in.Failed {
			a.Result = "FAILED"
		}
		annotations = append(annotations, a)
	}
	return r, annotations
}

// otherSection says where the notes show the commits that are not
// conventional: under the title of the section of type other (SECTIONS may
// rename it), or nowhere (EXCLUDE_TYPES or SECTIONS leave it out).
func otherSection(rel changelog.Release) string {
	for _, s := range rel.Sections() {
		if s.Type == changelog.TypeOther {
			return fmt.Sprintf("The changelog shows it under %q.", s.Title)
		}
	}
	return "The changelog leaves it out: EXCLUDE_TYPES or SECTIONS hide the type other."
}

// reportDetails is the report's sentence: "3 changes: 2 features, 1 fix;
// next version v1.4.0 (minor)".
func reportDetails(in ReportInput) string {
	rel := in.Release
	var b strings.Builder
	if len(rel.Entries) == 0 {
		b.WriteString("No changes")
	} else {
		fmt.Fprintf(&b, "%s: %s", words.Plural(len(rel.Entries), "change", "changes"), strings.Join(typeCounts(rel.Entries), ", "))
	}
	fmt.Fprintf(&b, "; %s %s", strings.ToLower(versionLabel(rel)), rel.Version)
	if bump, ok := rel.Bump(); ok {
		fmt.Fprintf(&b, " (%s)", bump)
	}
	if n := len(rel.BreakingChanges()); n > 0 {
		fmt.Fprintf(&b, "; %s", words.Plural(n, "breaking change", "breaking changes"))
	}
	if n := len(in.NotConventional); n > 0 {
		fmt.Fprintf(&b, "; %s not conventional", words.Plural(n, "commit", "commits"))
	}
	return b.String()
}

// versionLabel names the version: the one a tag build releases, or the
// next one.
func versionLabel(rel changelog.Release) string {
	if rel.Build.Tag != "" {
		return "Version"
	}
	return "Next version"
}

// bumpText is the bump that computed the release's version, or "none".
func bumpText(rel changelog.Release) string {
	if bump, ok := rel.Bump(); ok {
		return bump.String()
	}
	return "none"
}

// typeNouns name the entries of common types in the report's sentence;
// other types are named by their type.
var typeNouns = map[string][2]string{
	"feat":              {"feature", "features"},
	"fix":               {"fix", "fixes"},
	"perf":              {"performance improvement", "performance improvements"},
	"revert":            {"revert", "reverts"},
	changelog.TypeOther: {"other change", "other changes"},
}

// typeOrder puts feat and fix first, other last, the rest alphabetically.
func typeOrder(t string) string {
	switch t {
	case "feat":
		return "0"
	case "fix":
		return "1"
	case changelog.TypeOther:
		return "3"
	}
	return "2" + t
}

// typeCounts counts entries by type: "2 features", "1 fix", "1 docs".
func typeCounts(entries []changelog.Entry) []string {
	counts := map[string]int{}
	var types []string
	for _, e := range entries {
		if counts[e.Type] == 0 {
			types = append(types, e.Type)
		}
		counts[e.Type]++
	}
	slices.SortFunc(types, func(a, b string) int { return strings.Compare(typeOrder(a), typeOrder(b)) })
	out := make([]string, 0, len(types))
	for _, t := range types {
		noun, ok := typeNouns[t]
		if !ok {
			noun = [2]string{t, t}
		}
		out = append(out, words.Plural(counts[t], noun[0], noun[1]))
	}
	return out
}
