package main

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // TIMEZONE works in a minimal image without zoneinfo

	"github.com/sethvargo/go-envconfig"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/pipelines"
	"bitbucket.org/coda-changelog/coda-changelog/internal/publish"
)

// variables is the pipe's environment exactly as it arrives: every variable a user
// can set, as text, with its default. Each is documented in README.md (a test
// keeps the two in step). [parseConfig] turns it into a checked [config].
type variables struct {
	CodaAPIToken          string `env:"CODA_API_TOKEN"`
	CodaDocID             string `env:"CODA_DOC_ID"`
	CodaTable             string `env:"CODA_TABLE"`
	CodaPage              string `env:"CODA_PAGE"`
	CodaAutomationRuleID  string `env:"CODA_AUTOMATION_RULE_ID"`
	CodaAPIURL            string `env:"CODA_API_URL, default=https://coda.io/apis/v1"`
	CodaColumns           string `env:"CODA_COLUMNS"`
	CodaKeyColumns        string `env:"CODA_KEY_COLUMNS"`
	CodaReleaseTable      string `env:"CODA_RELEASE_TABLE"`
	CodaReleaseColumns    string `env:"CODA_RELEASE_COLUMNS"`
	CodaReleaseKeyColumns string `env:"CODA_RELEASE_KEY_COLUMNS"`
	// The deployments table and the environment deployed to (deployconfig.go).
	CodaDeploymentTable      string `env:"CODA_DEPLOYMENT_TABLE"`
	CodaDeploymentColumns    string `env:"CODA_DEPLOYMENT_COLUMNS"`
	CodaDeploymentKeyColumns string `env:"CODA_DEPLOYMENT_KEY_COLUMNS"`
	DeploymentEnvironment    string `env:"DEPLOYMENT_ENVIRONMENT"`
	RowPer                   string `env:"ROW_PER, default=commit"`
	CodaPageMode             string `env:"CODA_PAGE_MODE, default=prepend"`
	Wait                     string `env:"WAIT, default=true"`
	WaitTimeout              string `env:"WAIT_TIMEOUT, default=120s"`
	CodaParseValues          string `env:"CODA_PARSE_VALUES, default=false"`

	FromRef      string `env:"FROM_REF"`
	ToRef        string `env:"TO_REF"`
	TagPattern   string `env:"TAG_PATTERN"`
	IncludePaths string `env:"INCLUDE_PATHS"`
	IssuePattern string `env:"ISSUE_PATTERN"`
	IssueURL     string `env:"ISSUE_URL"`
	ExcludeTypes string `env:"EXCLUDE_TYPES"`
	// ExcludeCommits is a Go regular expression of subjects and authors.
	ExcludeCommits  string `env:"EXCLUDE_COMMITS"`
	Sections        string `env:"SECTIONS"`
	NewContributors string `env:"NEW_CONTRIBUTORS, default=true"`
	IncludeMerges   string `env:"INCLUDE_MERGES, default=false"`
	SquashMerges    string `env:"SQUASH_MERGES, default=auto"`
	Version         string `env:"VERSION"`
	Timezone        string `env:"TIMEZONE, default=UTC"`
	Template        string `env:"TEMPLATE"`
	OutputJSON      string `env:"OUTPUT_JSON"`
	RepoPath        string `env:"REPO_PATH"`
	FetchHistory    string `env:"FETCH_HISTORY, default=true"`
	CodeInsights    string `env:"CODE_INSIGHTS, default=false"`
	CommitLint      string `env:"COMMIT_LINT, default=off"`
	DryRun          string `env:"DRY_RUN, default=false"`
	TestPayload     string `env:"TEST_PAYLOAD, default=false"`
	Backfill        string `env:"BACKFILL, default=false"`
	Debug           string `env:"DEBUG, default=false"`

	// Pipelines holds Bitbucket's own variables, which users do not set.
	Pipelines pipelines.Env
}

// config is the checked configuration of one run.
type config struct {
	DryRun bool
	// TestPayload checks the setup against the real doc and leaves it as
	// it was (see [publish.Publisher.TestPayload]).
	TestPayload bool
	// Backfill publishes every release of the history ([backfill]).
	Backfill     bool
	Debug        bool
	RepoPath     string
	FetchHistory bool
	Template     string // path of a custom template; "" for the built-in notes
	Notes        *changelog.Notes
	OutputJSON   string

	Range   changelog.RangeOptions
	Read    changelog.ReadOptions
	Release changelog.ReleaseOptions
	// Deployment is the deployment the step makes, if any.
	Deployment deployment

	// Token and APIURL are for the Coda client; Coda says where and how to
	// publish.
	Token  string
	APIURL string
	Coda   publish.Config
	// Pipelines is the build's Bitbucket Pipelines environment.
	Pipelines pipelines.Env
	// Insights puts a Code Insights report on the build's commit
	// (CODE_INSIGHTS); CommitLint says what to do about commits that are
	// not conventional (see insights.go).
	Insights   bool
	CommitLint lintMode

	// Warnings are what is legal but probably wrong, for the log.
	Warnings []string
}

// environ turns a list of NAME=value pairs (os.Environ) into a map.
func environ(list []string) map[string]string {
	vars := make(map[string]string, len(list))
	for _, kv := range list {
		if name, value, ok := strings.Cut(kv, "="); ok {
			vars[name] = value
		}
	}
	return vars
}

// loadEnv reads the pipe's variables from vars. A list variable may also
// arrive as Bitbucket passes YAML lists to pipes: NAME_COUNT and NAME_0...
func loadEnv(ctx context.Context, vars map[string]string) (variables, error) {
	var env variables
	lookup := envconfig.MapLookuper(vars)
	err := envconfig.ProcessWith(ctx, &envconfig.Config{
		Target:   &env,
		Lookuper: envconfig.LookuperFunc(listLookup(lookup.Lookup)),
	})
	return env, err
}

// maxListItems bounds NAME_COUNT of a list variable: no list the pipe
// reads (paths, types, columns, sections) needs more items, and a count is
// read before its items, so an unbounded one would allocate what it says.
const maxListItems = 1000

// listLookup returns a lookup that answers NAME from NAME_COUNT and
// NAME_0... (joined by newlines) when NAME itself is not set. A count that
// is not a whole number up to [maxListItems] answers nothing:
// [checkListCounts] reports it.
func listLookup(lookup func(string) (string, bool)) func(string) (string, bool) {
	return func(key string) (string, bool) {
		if v, ok := lookup(key); ok {
			return v, true
		}
		countText, ok := lookup(key + "_COUNT")
		if !ok {
			return "", false
		}
		n, ok := listCount(countText)
		if !ok {
			return "", false
		}
		items := make([]string, 0, n)
		for i := range n {
			item, _ := lookup(key + "_" + strconv.Itoa(i))
			items = append(items, item)
		}
		return strings.Join(items, "\n"), true
	}
}

// listCount reads NAME_COUNT: a whole number from 0 to [maxListItems].
func listCount(value string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(value))
	return n, err == nil && n >= 0 && n <= maxListItems
}

// checkListCounts reports each NAME_COUNT of a pipe's variable, given as a
// list, that is not a count [listLookup] reads.
func checkListCounts(c *checker, vars map[string]string) {
	for _, name := range variableNames() {
		count := name + "_COUNT"
		value, ok := vars[count]
		if _, set := vars[name]; set || !ok {
			continue
		}
		if _, ok := listCount(value); !ok {
			c.add(count, "%q is not a number of list items: use a whole number from 0 to %d", value, maxListItems)
		}
	}
}

// parseConfig checks env and builds the run's [config], reporting every
// problem at once as a [*validationError]. vars is the environment env was
// read from: it tells a variable set to "" from one not set, and names
// typos.
func parseConfig(env variables, vars map[string]string) (config, error) {
	var c checker
	dryRun := c.boolean("DRY_RUN", env.DryRun)
	if len(c.problems) > 0 {
		// Whether anything is required depends on DRY_RUN: say only that.
		return config{}, &validationError{Problems: c.problems}
	}
	unknownVariables(&c, vars)
	cfg := config{
		DryRun:       dryRun,
		TestPayload:  c.boolean("TEST_PAYLOAD", env.TestPayload),
		Backfill:     c.boolean("BACKFILL", env.Backfill),
		Debug:        c.boolean("DEBUG", env.Debug),
		FetchHistory: c.boolean("FETCH_HISTORY", env.FetchHistory),
		Template:     env.Template,
		OutputJSON:   env.OutputJSON,
		RepoPath:     firstNonEmpty(env.RepoPath, env.Pipelines.CloneDir, "."),
		Token:        strings.TrimSpace(env.CodaAPIToken),
		APIURL:       strings.TrimSpace(env.CodaAPIURL),
		Pipelines:    env.Pipelines,
	}
	if cfg.DryRun && cfg.TestPayload {
		c.add("TEST_PAYLOAD", "DRY_RUN and TEST_PAYLOAD are both set: pick one. DRY_RUN sends nothing to Coda; "+
			"TEST_PAYLOAD writes one test row to the real doc, reads it back and deletes it")
	}
	if cfg.Backfill && cfg.TestPayload {
		c.add("BACKFILL", "BACKFILL and TEST_PAYLOAD are both set: pick one. Check the setup with TEST_PAYLOAD first, then run the backfill")
	}
	if cfg.Backfill && env.FromRef != "" {
		c.add("BACKFILL", "BACKFILL writes every release of the history, but FROM_REF picks one range: leave FROM_REF out")
	}
	checkListCounts(&c, vars)
	cfg.Range = parseRange(&c, env)
	cfg.Read = changelog.ReadOptions{
		Paths:         splitList(env.IncludePaths),
		Issues:        compilePattern(&c, "ISSUE_PATTERN", env.IssuePattern, changelog.NewIssueMatcher),
		IncludeMerges: c.boolean("INCLUDE_MERGES", env.IncludeMerges),
		SquashMerges:  oneOf(&c, "SQUASH_MERGES", env.SquashMerges, changelog.SquashModes),
	}
	for _, t := range splitList(env.ExcludeTypes) {
		cfg.Read.ExcludeTypes = append(cfg.Read.ExcludeTypes, strings.ToLower(t))
	}
	if env.ExcludeCommits != "" {
		cfg.Read.ExcludeCommits = compilePattern(&c, "EXCLUDE_COMMITS", env.ExcludeCommits, func(p string) (*regexp.Regexp, error) {
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, fmt.Errorf("%q is not a Go regular expression: %v; write, for example, '^chore\\(release\\)|dependabot\\[bot\\]'", p, err)
			}
			return re, nil
		})
	}
	cfg.Read.NewContributors = c.boolean("NEW_CONTRIBUTORS", env.NewContributors)
	cfg.Release = parseRelease(&c, env, cfg.Range.Version)
	cfg.Deployment = parseDeployment(&c, env, vars, cfg.Backfill)
	cfg.Release.Build.DeploymentEnvironment = cmp.Or(cfg.Deployment.Environment, cfg.Release.Build.DeploymentEnvironment)
	if env.Template != "" {
		cfg.Notes = compilePattern(&c, "TEMPLATE", env.Template, changelog.LoadNotes)
	} else {
		cfg.Notes = changelog.BuiltinNotes()
	}
	cfg.Insights = c.boolean("CODE_INSIGHTS", env.CodeInsights)
	cfg.CommitLint = oneOf(&c, "COMMIT_LINT", env.CommitLint, lintModes)
	cfg.Coda = parseCoda(&c, env, vars, !cfg.DryRun && codaWanted(cfg, env))
	cfg.Read.WithoutBodies = !readsBodies(cfg)
	cfg.Read.BodiesForJSON = cfg.OutputJSON != "" && !bodiesInMemory(cfg)
	insightsWarnings(&c, cfg, env)
	if _, err := coda.ParseBaseURL(cfg.APIURL); err != nil {
		c.add("CODA_API_URL", "%v", err)
	}
	if len(c.problems) > 0 {
		return config{Warnings: c.warnings}, &validationError{Problems: c.problems}
	}
	cfg.Warnings = c.warnings
	return cfg, nil
}

// parseRange reads the variables that choose the range.
func parseRange(c *checker, env variables) changelog.RangeOptions {
	pb := env.Pipelines
	r := changelog.RangeOptions{
		To:      firstNonEmpty(env.ToRef, pb.Commit),
		From:    env.FromRef,
		Tags:    tagPattern(c, env.TagPattern),
		Version: firstNonEmpty(env.Version, pb.Tag), // VERSION, or a tag build's tag
	}
	if pb.PRID != "" {
		r.PRDestinationBranch, r.PRDestinationCommit = pb.PRDestinationBranch, pb.PRDestinationCommit
	}
	return r
}

// regexpHint says what TAG_PATTERN and ISSUE_PATTERN expect.
const regexpHint = "it is a Go regular expression, not a glob: for tags such as v1.2.3 write '^v[0-9]+\\.[0-9]+\\.[0-9]+$'"

// tagPattern compiles TAG_PATTERN, and warns when it matches every tag or
// looks like a glob ('v*' matches every tag, 'release-*' every tag that
// holds "release").
func tagPattern(c *checker, value string) *changelog.TagMatcher {
	m, err := changelog.NewTagMatcher(value)
	if err != nil {
		c.add("TAG_PATTERN", "%s (%s)", patternError(err), regexpHint)
		return nil
	}
	if value == "" {
		return m
	}
	switch {
	case m.MatchesEveryTag():
		c.warn("TAG_PATTERN %q matches every tag (even an empty name); %s.", value, regexpHint)
	case strings.Contains(value, "*") && !strings.Contains(value, ".*") && !strings.ContainsAny(value, `^$\[(`):
		c.warn("TAG_PATTERN %q looks like a glob; %s.", value, regexpHint)
	}
	return m
}

// parseRelease reads what describes the release and the build; version is
// the range's.
func parseRelease(c *checker, env variables, version string) changelog.ReleaseOptions {
	pb := env.Pipelines
	loc, err := time.LoadLocation(strings.TrimSpace(env.Timezone))
	if err != nil {
		c.add("TIMEZONE", "%q is not a time zone: use an IANA name such as UTC or Europe/Berlin", env.Timezone)
	}
	repo := pipelines.Repository(pb.RepoFullName, pb.GitHTTPOrigin)
	build := changelog.Build{
		Number:                c.number("BITBUCKET_BUILD_NUMBER", pb.BuildNumber),
		Branch:                pb.Branch,
		Tag:                   pb.Tag,
		PRID:                  c.number("BITBUCKET_PR_ID", pb.PRID),
		DeploymentEnvironment: pb.DeploymentEnvironment,
	}
	links := pipelines.Links{Repository: repo}
	build.URL = links.Build(build.Number)
	if env.IssueURL != "" && !strings.Contains(env.IssueURL, changelog.IssueKeyPlaceholder) {
		c.add("ISSUE_URL", "%q has no %s placeholder: write it as https://example.atlassian.net/browse/%[2]s", env.IssueURL, changelog.IssueKeyPlaceholder)
	}
	return changelog.ReleaseOptions{
		Sections:   parseSections(c, env.Sections),
		Version:    version,
		Location:   loc,
		Repository: repo,
		Build:      build,
		Links:      links,
		IssueURL:   env.IssueURL,
	}
}

// parseCoda reads where to publish. When required (outside a dry run, and
// when the run is to write to Coda: see [codaWanted]) a token, a doc and at
// least one destination are required; otherwise nothing is, but what is
// given is still checked.
func parseCoda(c *checker, env variables, vars map[string]string, required bool) publish.Config {
	rows := oneOf(c, "ROW_PER", env.RowPer, publish.RowModes)
	cc := publish.Config{
		DocID:        coda.ParseDocID(env.CodaDocID),
		Table:        parseTable(c, "CODA", env.CodaTable, env.CodaColumns, env.CodaKeyColumns, rows),
		ReleaseTable: parseTable(c, "CODA_RELEASE", env.CodaReleaseTable, env.CodaReleaseColumns, env.CodaReleaseKeyColumns, publish.PerRelease),
		DeploymentTable: parseTable(c, "CODA_DEPLOYMENT", env.CodaDeploymentTable, env.CodaDeploymentColumns, env.CodaDeploymentKeyColumns,
			publish.PerDeployment),
		Page:        strings.TrimSpace(env.CodaPage),
		RuleID:      strings.TrimSpace(env.CodaAutomationRuleID),
		PageMode:    oneOf(c, "CODA_PAGE_MODE", env.CodaPageMode, publish.PageModes),
		Wait:        c.boolean("WAIT", env.Wait),
		ParseValues: c.boolean("CODA_PARSE_VALUES", env.CodaParseValues),
	}
	if cc.ReleaseTable.Name != "" && strings.EqualFold(cc.ReleaseTable.Name, cc.Table.Name) {
		c.add("CODA_RELEASE_TABLE", "%q is also CODA_TABLE: the release table gets one row per release and CODA_TABLE one per commit, "+
			"so they must be two tables. For one table, leave CODA_RELEASE_TABLE out (ROW_PER says what its rows are)", env.CodaReleaseTable)
	}
	if cc.ReleaseTable.Name != "" && cc.Table.Name != "" && rows != publish.PerCommit {
		c.add("ROW_PER", "is %q, but with CODA_RELEASE_TABLE, CODA_TABLE gets one row per commit and CODA_RELEASE_TABLE one per release: leave ROW_PER out", env.RowPer)
	}
	cc.WaitTimeout = parseDuration(c, "WAIT_TIMEOUT", env.WaitTimeout)
	if required {
		_, mapped := vars["CODA_API_TOKEN"]
		switch {
		case mapped && strings.TrimSpace(env.CodaAPIToken) == "":
			c.add("CODA_API_TOKEN", "required field, and it is set but empty: "+pipelines.EmptyTokenAdvice)
		case !mapped:
			c.add("CODA_API_TOKEN", "required field: "+pipelines.TokenAdvice)
		}
		if env.CodaDocID == "" {
			c.add("CODA_DOC_ID", "required field: the doc's id or its URL (https://coda.io/d/Name_dAbCdEf)")
		}
		if cc.Table.Name == "" && cc.ReleaseTable.Name == "" && cc.DeploymentTable.Name == "" && cc.Page == "" && cc.RuleID == "" {
			c.add("CODA_TABLE", "set at least one of CODA_TABLE, CODA_RELEASE_TABLE, CODA_DEPLOYMENT_TABLE, CODA_PAGE or CODA_AUTOMATION_RULE_ID (or DRY_RUN: 'true', or CODE_INSIGHTS: 'true' alone for a report without Coda)")
		}
	}
	if env.CodaDocID != "" && cc.DocID == "" {
		c.add("CODA_DOC_ID", "%q is neither a doc id nor a doc URL such as https://coda.io/d/Name_dAbCdEf", env.CodaDocID)
	}
	return cc
}

// parseTable reads the variables of one table: PREFIX_TABLE,
// PREFIX_COLUMNS and PREFIX_KEY_COLUMNS.
func parseTable(c *checker, prefix, name, columns, keys string, rows publish.RowMode) publish.Table {
	t := publish.Table{Name: strings.TrimSpace(name), Rows: rows, Variables: prefix}
	t.Columns = parseColumns(c, t, columns)
	t.KeyColumns = splitList(keys)
	if t.Name == "" {
		for _, v := range []struct{ suffix, value string }{{"COLUMNS", columns}, {"KEY_COLUMNS", keys}} {
			if v.value != "" {
				c.add(t.Variable(v.suffix), "is set but %s is not: name the table to write rows to", t.Variable("TABLE"))
			}
		}
	}
	return t
}

// parseSections reads SECTIONS: type=Title pairs, one a line or
// comma-separated; an empty title hides the type's section.
func parseSections(c *checker, value string) []changelog.SectionTitle {
	var out []changelog.SectionTitle
	for _, pair := range splitList(value) {
		typ, title, ok := strings.Cut(pair, "=")
		typ = strings.ToLower(strings.TrimSpace(typ))
		if !ok || typ == "" {
			c.add("SECTIONS", "%q is not a type=Title pair (for example feat=New features, or chore= to hide chores)", pair)
			continue
		}
		out = append(out, changelog.SectionTitle{Type: typ, Title: strings.TrimSpace(title)})
	}
	return out
}

// parseColumns reads the column mapping of table t (CODA_COLUMNS or
// CODA_RELEASE_COLUMNS): field=Column pairs, one a line or comma-separated,
// that override or add to the columns matched by name. A field with no
// column (date=) is left out of that matching. A column holds one field.
func parseColumns(c *checker, t publish.Table, value string) []publish.ColumnMapping {
	var out []publish.ColumnMapping
	variable := t.Variable("COLUMNS")
	fields := publish.FieldNames(t.Rows)
	for _, pair := range splitList(value) {
		field, column, ok := strings.Cut(pair, "=")
		field, column = strings.ToLower(strings.TrimSpace(field)), strings.TrimSpace(column)
		if !ok || field == "" {
			c.add(variable, "%q is not a field=Column pair (for example subject=Summary, or date= to leave the date out)", pair)
			continue
		}
		if !slices.Contains(fields, field) {
			c.add(variable, "%q is not a field of %s: use one of %s", field, rowsOf(t), strings.Join(fields, ", "))
			continue
		}
		if i := slices.IndexFunc(out, func(m publish.ColumnMapping) bool { return column != "" && strings.EqualFold(m.Column, column) }); i >= 0 {
			c.add(variable, "%s and %s both go to column %q: a column holds one field, so map one of them to another column", out[i].Field, field, column)
			continue
		}
		if slices.ContainsFunc(out, func(m publish.ColumnMapping) bool { return m.Field == field && (m.Column == "") != (column == "") }) {
			c.add(variable, "%s is both mapped to a column and left out (%s=): keep one of the two", field, field)
			continue
		}
		out = append(out, publish.ColumnMapping{Field: field, Column: column})
	}
	return out
}

// rowsOf names the rows of table t, in messages: CODA_TABLE's are what
// ROW_PER says, the release table's are always a row per release.
func rowsOf(t publish.Table) string {
	if t.Variables != "CODA" {
		return "a row per " + string(t.Rows)
	}
	return "ROW_PER=" + string(t.Rows)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
