package publish

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
)

// field is one value a row can carry. It is declared once, in [fields]:
// what it holds per commit and per release, the shape of its value (which
// decides the column types it fits), and where its links come from.
// CODA_COLUMNS, the default mapping, the conversion and the README's field
// tables all derive from that declaration.
type field struct {
	name string
	// aliases are other column names the default mapping maps the field to.
	aliases []string
	kind    kind
	// links is where the field's link-column URLs come from, if anywhere.
	links linkSource
	// commit and release give the field's value in a row per commit and in
	// a row per release; nil means the field is not offered there. The
	// texts say what the field holds, for the README.
	commit      func(*changelog.Release, *changelog.Entry) value
	commitDoc   string
	release     func(*changelog.Release) value
	releaseDoc  string
	sameForBoth bool // release computes the same value as commit, from the release alone
	// deployment gives the field's value in a deployment's row (the
	// release's [changelog.Release.Deployment] is set); nil means the
	// field is not offered there.
	deployment    func(*changelog.Release) value
	deploymentDoc string
	// stamp marks the commit field that says when a commit went live: it
	// is written only by a successful deployment, and its default column
	// is "Deployed to <environment>" (see [field.namedBy]).
	stamp bool
}

// fields is the table of every field, in the order the README lists them.
var fields = []field{
	{name: "sha", kind: kindText, links: linkRepository,
		commit:    func(_ *changelog.Release, e *changelog.Entry) value { return linkedText(e.Key(), e.URL) },
		commitDoc: "full commit hash; for an entry of a split squash merge, the hash, `#` and the bullet's number (see [Squash merges](#squash-merges))",
		release: func(r *changelog.Release) value {
			return linkedText(r.To, r.CommitURL(r.To))
		},
		releaseDoc:    "the build's commit",
		deployment:    func(r *changelog.Release) value { return linkedText(r.To, r.CommitURL(r.To)) },
		deploymentDoc: "the deployed commit"},
	{name: "short_sha", kind: kindText, links: linkRepository,
		commit:    func(_ *changelog.Release, e *changelog.Entry) value { return linkedText(e.ShortSHA, e.URL) },
		commitDoc: "first 7 characters of the hash",
		release: func(r *changelog.Release) value {
			return linkedText(changelog.ShortSHA(r.To), r.CommitURL(r.To))
		},
		releaseDoc: "the build's commit, first 7 characters"},
	{name: "type", kind: kindText,
		commit:    func(_ *changelog.Release, e *changelog.Entry) value { return textValue(e.Type) },
		commitDoc: "conventional type: `feat`, `fix`, …, `revert`, `other`"},
	{name: "scope", kind: kindText,
		commit:    func(_ *changelog.Release, e *changelog.Entry) value { return textValue(e.Scope) },
		commitDoc: "scope, or empty"},
	{name: "subject", kind: kindText,
		commit:    func(_ *changelog.Release, e *changelog.Entry) value { return textValue(e.Subject) },
		commitDoc: "description (for a squash merge read as one entry: the pull request title)"},
	{name: "body", kind: kindText,
		commit:    func(_ *changelog.Release, e *changelog.Entry) value { return textValue(e.Body) },
		commitDoc: "text between subject and footers"},
	{name: "breaking", kind: kindBool,
		commit:    func(_ *changelog.Release, e *changelog.Entry) value { return boolValue(e.Breaking) },
		commitDoc: "`true` for a breaking change"},
	{name: "breaking_note", kind: kindText,
		commit:    func(_ *changelog.Release, e *changelog.Entry) value { return textValue(e.BreakingNote) },
		commitDoc: "what the breaking change is, or empty"},
	{name: "issues", kind: kindList, links: linkIssue,
		commit:    func(r *changelog.Release, e *changelog.Entry) value { return listValue(e.Issues, r.IssueURL) },
		commitDoc: "issue keys",
		release: func(r *changelog.Release) value {
			return listValue(releaseIssues(r), r.IssueURL)
		},
		releaseDoc: "every entry's issue keys, each once"},
	{name: "pull_request", kind: kindNumber, links: linkRepository,
		commit: func(r *changelog.Release, e *changelog.Entry) value {
			if e.PullRequest == nil {
				return nullValue(kindNumber)
			}
			return numberValue(*e.PullRequest, r.PullRequestURL(*e.PullRequest))
		},
		commitDoc: "pull request number, or empty (the cell is cleared)"},
	{name: "author", kind: kindPerson,
		commit: func(_ *changelog.Release, e *changelog.Entry) value {
			return peopleValue(e.Author.Name, e.Author)
		},
		commitDoc: "author's name (mailmap applied)"},
	{name: "author_email", kind: kindPerson,
		commit: func(_ *changelog.Release, e *changelog.Entry) value {
			return peopleValue(e.Author.Email, e.Author)
		},
		commitDoc: "author's e-mail address"},
	{name: "co_authors", kind: kindPerson,
		commit: func(_ *changelog.Release, e *changelog.Entry) value {
			people := coAuthors(e)
			names := make([]string, len(people))
			for i, p := range people {
				names[i] = p.Name
			}
			return peopleValue(strings.Join(names, ", "), people...)
		},
		commitDoc: "the names in the commit's `Co-authored-by:` footers, joined by `, `"},
	{name: "date", kind: kindTime,
		commit:     func(_ *changelog.Release, e *changelog.Entry) value { return timeValue(e.Date) },
		commitDoc:  "author date",
		release:    func(r *changelog.Release) value { return timeValue(r.Date) },
		releaseDoc: "committer date of the build's commit"},
	{name: "url", kind: kindText, links: linkRepository,
		commit:    func(_ *changelog.Release, e *changelog.Entry) value { return linkedText(e.URL, e.URL) },
		commitDoc: "link to the commit's page",
		release: func(r *changelog.Release) value {
			u := r.CommitURL(r.To)
			return linkedText(u, u)
		},
		releaseDoc: "link to the build's commit"},
	{name: "version", aliases: []string{"release"}, kind: kindText, sameForBoth: true,
		release:       func(r *changelog.Release) value { return textValue(r.Version) },
		releaseDoc:    "the release's version",
		deployment:    func(r *changelog.Release) value { return textValue(r.Version) },
		deploymentDoc: "the version deployed, as the start line says"},
	{name: "previous_version", kind: kindText,
		release:    func(r *changelog.Release) value { return textValue(r.PreviousVersion) },
		releaseDoc: "the previous release tag, or empty"},
	{name: "markdown", kind: kindText,
		release:    func(r *changelog.Release) value { return textValue(r.Markdown) },
		releaseDoc: "the rendered release notes"},
	{name: "count", kind: kindNumber,
		release:       func(r *changelog.Release) value { return numberValue(len(r.Entries), "") },
		releaseDoc:    "number of entries",
		deployment:    func(r *changelog.Release) value { return numberValue(r.Deployment.Count, "") },
		deploymentDoc: "changelog entries shipped, after the filters; for a rollback, the commits rolled back"},
	{name: "build", kind: kindNumber, links: linkBuild, sameForBoth: true,
		release:       buildValue,
		releaseDoc:    "`BITBUCKET_BUILD_NUMBER`",
		deployment:    buildValue,
		deploymentDoc: "`BITBUCKET_BUILD_NUMBER`, linked to the build"},
	{name: "branch", kind: kindText, sameForBoth: true,
		release:    func(r *changelog.Release) value { return textValue(r.Build.Branch) },
		releaseDoc: "`BITBUCKET_BRANCH`"},
	{name: "repository", kind: kindText, links: linkRepository, sameForBoth: true,
		release:    func(r *changelog.Release) value { return linkedText(r.Repository.FullName, r.Repository.URL) },
		releaseDoc: "`workspace/repository`"},
	{name: "environment", kind: kindText, sameForBoth: true,
		release:       func(r *changelog.Release) value { return textValue(r.Build.DeploymentEnvironment) },
		releaseDoc:    "`DEPLOYMENT_ENVIRONMENT`, else `BITBUCKET_DEPLOYMENT_ENVIRONMENT`",
		deployment:    func(r *changelog.Release) value { return textValue(r.Deployment.Environment) },
		deploymentDoc: "the environment deployed to"},
	{name: "deployed_at", kind: kindTime, stamp: true,
		commit:        func(r *changelog.Release, _ *changelog.Entry) value { return timeValue(r.Deployment.DeployedAt) },
		commitDoc:     "when a successful deployment shipped the commit; emptied when a rollback takes it back (column `Deployed to <environment>` by default)",
		deployment:    func(r *changelog.Release) value { return timeValue(r.Deployment.DeployedAt) },
		deploymentDoc: "date and time of the run"},
	{name: "deployment", kind: kindText,
		deployment:    func(r *changelog.Release) value { return textValue(r.Deployment.Name) },
		deploymentDoc: "`<environment> #<build number>` (`production #128`), the key: a rerun of the step updates its row"},
	{name: "previous_sha", kind: kindText, links: linkRepository,
		deployment: func(r *changelog.Release) value {
			return linkedText(r.Deployment.PreviousSHA, r.CommitURL(r.Deployment.PreviousSHA))
		},
		deploymentDoc: "the commit of the previous successful deployment to the environment; empty for the first"},
	{name: "status", kind: kindText,
		deployment:    func(r *changelog.Release) value { return textValue(r.Deployment.Status) },
		deploymentDoc: "`SUCCESSFUL` or `FAILED` (from `BITBUCKET_EXIT_CODE`)"},
	{name: "rollback", kind: kindBool,
		deployment:    func(r *changelog.Release) value { return boolValue(r.Deployment.Rollback) },
		deploymentDoc: "`true` when the deployed commit is an ancestor of the previous deployment's"},
	{name: "lead_time", kind: kindNumber,
		deployment:    func(r *changelog.Release) value { return hoursValue(r.Deployment.LeadTime) },
		deploymentDoc: "median hours from each shipped commit to `deployed_at`; empty when nothing shipped or the deployment failed"},
	{name: "lead_time_max", kind: kindNumber,
		deployment:    func(r *changelog.Release) value { return hoursValue(r.Deployment.LeadTimeMax) },
		deploymentDoc: "the longest of those, in hours"},
	{name: "time_to_restore", kind: kindNumber,
		deployment:    func(r *changelog.Release) value { return hoursValue(r.Deployment.TimeToRestore) },
		deploymentDoc: "on a successful deployment after failed ones: hours since the first of those failures; else empty"},
	{name: "release", kind: kindText,
		deployment:    func(r *changelog.Release) value { return textValue(r.Version) },
		deploymentDoc: "the version, for a Lookup of the release's row in `CODA_RELEASE_TABLE`"},
}

// buildValue is the build's number, linked to the build.
func buildValue(r *changelog.Release) value {
	if r.Build.Number == nil {
		return nullValue(kindNumber)
	}
	return numberValue(*r.Build.Number, r.Build.URL)
}

// hoursValue is a number of hours, or no value.
func hoursValue(h *float64) value {
	if h == nil {
		return nullValue(kindNumber)
	}
	return value{kind: kindNumber, num: *h, text: strconv.FormatFloat(*h, 'f', -1, 64)}
}

// fieldNamed returns the field of that name.
func fieldNamed(name string) (field, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

// namedBy reports whether a column of that name is named after the field
// in rows of mode m for rel: after its name or an alias that no other
// field of the mode has as its name. The stamp of a commit row is named
// after the environment instead ("Deployed to production"), so that each
// environment has its own column.
func (f field) namedBy(column string, m RowMode, rel *changelog.Release) bool {
	c := normalizeName(column)
	if f.stamp && m == PerCommit {
		return rel.Deployment != nil && c == normalizeName(StampColumn(rel.Deployment.Environment))
	}
	return c == normalizeName(f.name) || slices.ContainsFunc(f.aliases, func(a string) bool {
		other, ok := fieldNamed(a)
		return c == normalizeName(a) && !(ok && other.in(m))
	})
}

// StampColumn is the default column of a commit row's deployed_at field
// for an environment.
func StampColumn(environment string) string { return "Deployed to " + environment }

// in reports whether the field is offered in rows of mode m.
func (f field) in(m RowMode) bool {
	switch m {
	case PerRelease:
		return f.release != nil
	case PerDeployment:
		return f.deployment != nil
	}
	return f.commit != nil || f.sameForBoth
}

// writes reports whether a row of mode m for rel writes the field: a
// commit row's stamp only in a successful deployment, which alone makes
// commits live.
func (f field) writes(m RowMode, rel *changelog.Release) bool {
	if f.stamp && m == PerCommit {
		return rel.Deployment != nil && rel.Deployment.Status == changelog.DeploymentSuccessful
	}
	return true
}

// value returns the field's value for a row of mode m of rel: entry e's
// row, or the release's or the deployment's row when e is nil. The field
// must be offered in that row.
func (f field) value(m RowMode, rel *changelog.Release, e *changelog.Entry) value {
	switch {
	case m == PerDeployment:
		return f.deployment(rel)
	case e != nil && f.commit != nil:
		return f.commit(rel, e)
	}
	return f.release(rel)
}

// doc says what the field holds in rows of mode m.
func (f field) doc(m RowMode) string {
	switch {
	case m == PerDeployment:
		return f.deploymentDoc
	case m == PerRelease || f.commitDoc == "":
		return f.releaseDoc
	}
	return f.commitDoc
}

// FieldInfo describes a field for the configuration and the README.
type FieldInfo struct {
	Name  string // as CODA_COLUMNS names it
	Holds string // what it holds, in markdown
	Fits  string // the column types other than text-like ones that it fits, or "—"
}

// Fields lists the fields offered in rows of mode m, in the README's order.
func Fields(m RowMode) []FieldInfo {
	var out []FieldInfo
	for _, f := range fields {
		if f.in(m) {
			out = append(out, FieldInfo{Name: f.name, Holds: f.doc(m), Fits: f.fitsDoc()})
		}
	}
	return out
}

// FieldNames lists the names of the fields offered in rows of mode m.
func FieldNames(m RowMode) []string {
	var out []string
	for _, f := range Fields(m) {
		out = append(out, f.Name)
	}
	return out
}

// coAuthors reads the commit's Co-authored-by footers ("Name <email>").
func coAuthors(e *changelog.Entry) []changelog.Person {
	var out []changelog.Person
	for _, f := range e.Footers {
		if !strings.EqualFold(f.Token, "Co-authored-by") {
			continue
		}
		name, email, _ := strings.Cut(f.Value, "<")
		out = append(out, changelog.Person{Name: strings.TrimSpace(name), Email: strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(email), ">"))})
	}
	return out
}

// releaseIssues is every issue key of the release's entries, each once, in
// the entries' order.
func releaseIssues(r *changelog.Release) []string {
	all := []string{}
	seen := map[string]bool{}
	for _, e := range r.Entries {
		for _, k := range e.Issues {
			if !seen[k] {
				seen[k] = true
				all = append(all, k)
			}
		}
	}
	return all
}

// kind is the shape of a field's value, which decides the columns it fits.
type kind int

const (
	kindText kind = iota
	kindNumber
	kindBool
	kindTime
	kindList
	kindPerson
)

// linkSource is where a field's URLs for link columns come from.
type linkSource int

const (
	linkNone       linkSource = iota
	linkRepository            // commit, pull request and repository pages
	linkBuild                 // the build's page
	linkIssue                 // ISSUE_URL
)

// available reports whether the release has the links of this source.
func (s linkSource) available(rel *changelog.Release) bool {
	switch s {
	case linkRepository:
		return rel.Repository.URL != ""
	case linkBuild:
		return rel.Build.URL != ""
	case linkIssue:
		return rel.IssueURL("KEY-1") != ""
	}
	return false
}

// value is one field of one row before it is converted for a column.
type value struct {
	kind   kind
	text   string             // the text form, for text-like columns
	num    float64            // kindNumber
	flag   bool               // kindBool
	when   time.Time          // kindTime
	list   []string           // kindList
	people []changelog.Person // kindPerson: person and e-mail columns get their addresses
	links  []string           // URLs for link columns, one per item
	null   bool               // no value (a commit without pull request): the cell is cleared
}

func textValue(s string) value { return value{kind: kindText, text: s} }

func nullValue(k kind) value { return value{kind: k, null: true} }

func linkedText(s, link string) value {
	v := textValue(s)
	if link != "" {
		v.links = []string{link}
	}
	return v
}

func numberValue(n int, link string) value {
	v := value{kind: kindNumber, num: float64(n), text: strconv.Itoa(n)}
	if link != "" {
		v.links = []string{link}
	}
	return v
}

func boolValue(b bool) value { return value{kind: kindBool, flag: b, text: strconv.FormatBool(b)} }

func timeValue(t time.Time) value { return value{kind: kindTime, when: t} }

// peopleValue is people shown as text in text columns and as their e-mail
// addresses in person and e-mail columns.
func peopleValue(text string, people ...changelog.Person) value {
	return value{kind: kindPerson, text: text, people: people}
}

// listValue makes a list of keys, each with its link when link gives one.
func listValue(items []string, link func(string) string) value {
	v := value{kind: kindList, list: items, text: strings.Join(items, ", ")}
	for _, it := range items {
		if u := link(it); u != "" {
			v.links = append(v.links, u)
		}
	}
	if len(v.links) != len(items) {
		v.links = nil
	}
	return v
}
