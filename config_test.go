package main

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/internal/publish"
)

// loadConfig reads a Config from env as run does.
func loadConfig(t *testing.T, env map[string]string) (config, error) {
	t.Helper()
	e, err := loadEnv(t.Context(), env)
	require.NoError(t, err)
	return parseConfig(e, env)
}

// minimal is the smallest environment of a real run.
func minimal(extra map[string]string) map[string]string {
	env := map[string]string{
		"CODA_API_TOKEN": "secret-token",
		"CODA_DOC_ID":    "AbCdEf",
		"CODA_TABLE":     "Changes",
	}
	maps.Copy(env, extra)
	return env
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(t, minimal(nil))
	require.NoError(t, err)
	require.Equal(t, "https://coda.io/apis/v1", cfg.APIURL)
	require.Equal(t, publish.PerCommit, cfg.Coda.Table.Rows)
	require.Equal(t, coda.Prepend, cfg.Coda.PageMode)
	require.True(t, cfg.Coda.Wait)
	require.Equal(t, 120*time.Second, cfg.Coda.WaitTimeout)
	require.False(t, cfg.DryRun)
	require.True(t, cfg.FetchHistory)
	require.Equal(t, ".", cfg.RepoPath)
	require.Equal(t, time.UTC, cfg.Release.Location)
	require.NotNil(t, cfg.Notes)
	require.Equal(t, changelog.SquashAuto, cfg.Read.SquashMerges)

	cfg, err = loadConfig(t, minimal(map[string]string{"SQUASH_MERGES": " Split "}))
	require.NoError(t, err)
	require.Equal(t, changelog.SquashSplit, cfg.Read.SquashMerges)
}

func TestConfigReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(t, map[string]string{
		"ROW_PER":        "day",
		"WAIT":           "maybe",
		"WAIT_TIMEOUT":   "soon",
		"TIMEZONE":       "Mars/Olympus",
		"ISSUE_PATTERN":  "([",
		"TAG_PATTERN":    "(",
		"CODA_API_URL":   "http://coda.example.com/apis/v1",
		"CODA_COLUMNS":   "sha=SHA,colour=Colour,broken",
		"ISSUE_URL":      "https://jira.example.com/browse/",
		"TEMPLATE":       "/no/such/template.tmpl",
		"CODA_PAGE_MODE": "insert",
		"SQUASH_MERGES":  "each",
	})
	var ve *validationError
	require.ErrorAs(t, err, &ve)
	msg := err.Error()
	require.True(t, strings.HasPrefix(msg, "Validation errors:\n"), msg)
	for _, want := range []string{
		"CODA_API_TOKEN:\n- required field",
		"CODA_DOC_ID:\n- required field",
		"CODA_TABLE:\n- set at least one of CODA_TABLE, CODA_RELEASE_TABLE, CODA_DEPLOYMENT_TABLE, CODA_PAGE or CODA_AUTOMATION_RULE_ID",
		"ROW_PER:\n- \"day\" is not allowed: use one of commit, release",
		"WAIT:\n- \"maybe\" is not a boolean",
		"WAIT_TIMEOUT:\n- \"soon\" is not a duration",
		"TIMEZONE:\n- \"Mars/Olympus\" is not a time zone",
		"ISSUE_PATTERN:\n- invalid issue pattern \"([\"",
		"TAG_PATTERN:\n- tag pattern \"(\"",
		"CODA_API_URL:\n- coda: base URL \"http://coda.example.com/apis/v1\" uses http; use https",
		`"colour" is not a field of ROW_PER=day`,
		`"broken" is not a field=Column pair`,
		"ISSUE_URL:\n- \"https://jira.example.com/browse/\" has no {key} placeholder",
		"TEMPLATE:\n- read TEMPLATE /no/such/template.tmpl",
		"CODA_PAGE_MODE:\n- \"insert\" is not allowed",
		"SQUASH_MERGES:\n- \"each\" is not allowed: use one of auto, split, one",
	} {
		require.Contains(t, msg, want)
	}
	require.NotContains(t, msg, "error parsing regexp", "a pattern's message says once that it is no regular expression")
}

func TestConfigDryRunNeedsNoCoda(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(t, map[string]string{"DRY_RUN": "TRUE"})
	require.NoError(t, err)
	require.True(t, cfg.DryRun)

	_, err = loadConfig(t, map[string]string{"DRY_RUN": "yes", "CODA_DOC_ID": "https://example.com/nothing", "ROW_PER": "x"})
	require.ErrorContains(t, err, "CODA_DOC_ID:\n- \"https://example.com/nothing\" is neither a doc id nor a doc URL", "given variables are still checked")
	require.ErrorContains(t, err, "ROW_PER")
}

func TestConfigBooleans(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{"true": true, "TRUE": true, "1": true, "yes": true, "Yes": true, "false": false, "0": false, "no": false, "NO": false, "False": false} {
		cfg, err := loadConfig(t, minimal(map[string]string{"DEBUG": in}))
		require.NoError(t, err, in)
		require.Equal(t, want, cfg.Debug, in)
	}
}

func TestConfigListVariables(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(t, minimal(map[string]string{
		"INCLUDE_PATHS_COUNT": "2",
		"INCLUDE_PATHS_0":     "services/api",
		"INCLUDE_PATHS_1":     "lib, with comma",
		"EXCLUDE_TYPES":       "Chore, ci ,style",
		"CODA_COLUMNS":        "sha=SHA\nsubject = Summary, with comma",
		"CODA_KEY_COLUMNS":    "SHA",
	}))
	require.NoError(t, err)
	require.Equal(t, []string{"services/api", "lib, with comma"}, cfg.Read.Paths, "list items keep their commas")
	require.Equal(t, []string{"chore", "ci", "style"}, cfg.Read.ExcludeTypes)
	require.Equal(t, []publish.ColumnMapping{{Field: "sha", Column: "SHA"}, {Field: "subject", Column: "Summary, with comma"}}, cfg.Coda.Table.Columns)
	require.Equal(t, []string{"SHA"}, cfg.Coda.Table.KeyColumns)
}

func TestConfigPipelinesVariables(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(t, minimal(map[string]string{
		"BITBUCKET_COMMIT":                 "3fffce06e9e2",
		"BITBUCKET_CLONE_DIR":              "/opt/atlassian/pipelines/agent/build",
		"BITBUCKET_BUILD_NUMBER":           "42",
		"BITBUCKET_PR_ID":                  "7",
		"BITBUCKET_PR_DESTINATION_BRANCH":  "main",
		"BITBUCKET_GIT_HTTP_ORIGIN":        "http://bitbucket.org/acme/shop",
		"BITBUCKET_DEPLOYMENT_ENVIRONMENT": "production",
		"BITBUCKET_TAG":                    "v1.2.0",
	}))
	require.NoError(t, err)
	require.Equal(t, "3fffce06e9e2", cfg.Range.To)
	require.Equal(t, "main", cfg.Range.PRDestinationBranch)
	require.Equal(t, "v1.2.0", cfg.Range.Version)
	require.Equal(t, "v1.2.0", cfg.Release.Version, "a tag build releases its tag")
	require.Equal(t, "/opt/atlassian/pipelines/agent/build", cfg.RepoPath)
	require.Equal(t, "acme/shop", cfg.Release.Repository.FullName)
	require.Equal(t, "https://bitbucket.org/acme/shop/pipelines/results/42", cfg.Release.Build.URL)
	require.Equal(t, 7, *cfg.Release.Build.PRID)
	require.Equal(t, "production", cfg.Release.Build.DeploymentEnvironment)

	cfg, err = loadConfig(t, minimal(map[string]string{"BITBUCKET_PR_DESTINATION_BRANCH": "main", "TO_REF": "HEAD~1", "REPO_PATH": "/src"}))
	require.NoError(t, err)
	require.Empty(t, cfg.Range.PRDestinationBranch, "not a pull request build without BITBUCKET_PR_ID")
	require.Equal(t, "HEAD~1", cfg.Range.To)
	require.Equal(t, "/src", cfg.RepoPath)
}

// TestConfigGuardRails covers what a new user hits first: each case is an
// environment and the problems (or warnings) it must give, and no others.
func TestConfigGuardRails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		problems []string // every problem's variable and message, in order
		warnings []string // substrings of the warnings, one each, in order
	}{{
		name:     "an unknown DRY_RUN says only that",
		env:      map[string]string{"DRY_RUN": "perhaps"},
		problems: []string{`DRY_RUN: "perhaps" is not a boolean: use true or false (1/0 and yes/no work too)`},
	}, {
		name: "a token mapped but empty is not defined where the step runs",
		env:  map[string]string{"CODA_API_TOKEN": "", "CODA_DOC_ID": "AbC", "CODA_TABLE": "Changes"},
		problems: []string{"CODA_API_TOKEN: required field, and it is set but empty: CODA_API_TOKEN: $CODA_API_TOKEN is mapped, " +
			"but $CODA_API_TOKEN is not defined where this step runs. Define it as a secured Repository variable, " +
			"or, for a step with a deployment, as a Deployment variable of that environment"},
	}, {
		name:     "a token not mapped",
		env:      map[string]string{"CODA_DOC_ID": "AbC", "CODA_TABLE": "Changes"},
		problems: []string{"CODA_API_TOKEN: required field: map your secured variable in the pipe's variables (CODA_API_TOKEN: $CODA_API_TOKEN)"},
	}, {
		name:     "a zero WAIT_TIMEOUT",
		env:      minimal(map[string]string{"WAIT_TIMEOUT": "0"}),
		problems: []string{`WAIT_TIMEOUT: "0" must be positive: use seconds (120) or a Go duration (2m, 90s)`},
	}, {
		name:     "a negative WAIT_TIMEOUT",
		env:      minimal(map[string]string{"WAIT_TIMEOUT": "-5"}),
		problems: []string{`WAIT_TIMEOUT: "-5" must be positive: use seconds (120) or a Go duration (2m, 90s)`},
	}, {
		name:     "a negative duration",
		env:      minimal(map[string]string{"WAIT_TIMEOUT": "-2m"}),
		problems: []string{`WAIT_TIMEOUT: "-2m" must be positive: use seconds (120) or a Go duration (2m, 90s)`},
	}, {
		name:     "a glob that is no regular expression",
		env:      minimal(map[string]string{"TAG_PATTERN": "*"}),
		problems: []string{"TAG_PATTERN: tag pattern \"*\" is not a valid regular expression: missing argument to repetition operator: `*` (" + regexpHint + ")"},
	}, {
		name:     "v* matches every tag",
		env:      minimal(map[string]string{"TAG_PATTERN": "v*"}),
		warnings: []string{`TAG_PATTERN "v*" matches every tag (even an empty name); it is a Go regular expression, not a glob`},
	}, {
		name:     "release-* looks like a glob",
		env:      minimal(map[string]string{"TAG_PATTERN": "release-*"}),
		warnings: []string{`TAG_PATTERN "release-*" looks like a glob; it is a Go regular expression, not a glob`},
	}, {
		name: "a regular expression with a star is fine",
		env:  minimal(map[string]string{"TAG_PATTERN": `^release-[0-9]+.*$`}),
	}, {
		name: "modes that exclude each other",
		env:  minimal(map[string]string{"DRY_RUN": "true", "TEST_PAYLOAD": "true", "BACKFILL": "true", "FROM_REF": "v1.0.0"}),
		problems: []string{
			"TEST_PAYLOAD: DRY_RUN and TEST_PAYLOAD are both set: pick one. DRY_RUN sends nothing to Coda; " +
				"TEST_PAYLOAD writes one test row to the real doc, reads it back and deletes it",
			"BACKFILL: BACKFILL and TEST_PAYLOAD are both set: pick one. Check the setup with TEST_PAYLOAD first, then run the backfill",
			"BACKFILL: BACKFILL writes every release of the history, but FROM_REF picks one range: leave FROM_REF out",
		},
	}, {
		name: "ROW_PER with two tables",
		env:  minimal(map[string]string{"CODA_RELEASE_TABLE": "Releases", "ROW_PER": "release"}),
		problems: []string{`ROW_PER: is "release", but with CODA_RELEASE_TABLE, CODA_TABLE gets one row per commit and ` +
			"CODA_RELEASE_TABLE one per release: leave ROW_PER out"},
	}, {
		name: "a release table's columns without the table",
		env:  minimal(map[string]string{"CODA_RELEASE_COLUMNS": "version=Version", "CODA_RELEASE_KEY_COLUMNS": "Version"}),
		problems: []string{
			"CODA_RELEASE_COLUMNS: is set but CODA_RELEASE_TABLE is not: name the table to write rows to",
			"CODA_RELEASE_KEY_COLUMNS: is set but CODA_RELEASE_TABLE is not: name the table to write rows to",
		},
	}, {
		name: "a commit field for the release table",
		env:  minimal(map[string]string{"CODA_RELEASE_TABLE": "Releases", "CODA_RELEASE_COLUMNS": "subject=Subject"}),
		problems: []string{`CODA_RELEASE_COLUMNS: "subject" is not a field of a row per release: use one of ` +
			strings.Join(publish.FieldNames(publish.PerRelease), ", ")},
	}, {
		name:     "a list count too large to allocate",
		env:      minimal(map[string]string{"CODA_COLUMNS_COUNT": "99999999999999"}),
		problems: []string{`CODA_COLUMNS_COUNT: "99999999999999" is not a number of list items: use a whole number from 0 to 1000`},
	}, {
		name:     "a list count over the bound",
		env:      minimal(map[string]string{"INCLUDE_PATHS_COUNT": "1001"}),
		problems: []string{`INCLUDE_PATHS_COUNT: "1001" is not a number of list items: use a whole number from 0 to 1000`},
	}, {
		name:     "a list count that is no number",
		env:      minimal(map[string]string{"EXCLUDE_TYPES_COUNT": "two"}),
		problems: []string{`EXCLUDE_TYPES_COUNT: "two" is not a number of list items: use a whole number from 0 to 1000`},
	}, {
		name: "a list count at the bound",
		env:  minimal(map[string]string{"INCLUDE_PATHS_COUNT": "1000"}),
	}, {
		name: "one table for commits and releases",
		env:  minimal(map[string]string{"CODA_RELEASE_TABLE": " changes "}),
		problems: []string{`CODA_RELEASE_TABLE: " changes " is also CODA_TABLE: the release table gets one row per release and ` +
			"CODA_TABLE one per commit, so they must be two tables. For one table, leave CODA_RELEASE_TABLE out (ROW_PER says what its rows are)"},
	}, {
		name: "two fields in one column",
		env:  minimal(map[string]string{"CODA_COLUMNS": "sha=Commit,subject=commit, type=Type"}),
		problems: []string{`CODA_COLUMNS: sha and subject both go to column "commit": a column holds one field, ` +
			"so map one of them to another column"},
	}, {
		name: "one field in two columns is fine",
		env:  minimal(map[string]string{"CODA_COLUMNS": "date=Date,date=When"}),
	}, {
		name: "typos of variables",
		env: minimal(map[string]string{
			"CODA_TABEL": "Changes", "EXCLUDE_TYPE": "chore", "CODA_SOMETHING_ELSE": "x",
			"CODA_COLUMNS_COUNT": "1", "CODA_COLUMNS_0": "sha=SHA", "BITBUCKET_STEP_UUID": "{x}", "PATH": "/bin", "HOME": "/root",
		}),
		problems: []string{
			"CODA_TABEL: is not a variable of this pipe: did you mean CODA_TABLE? (rename it in the step's variables)",
			"EXCLUDE_TYPE: is not a variable of this pipe: did you mean EXCLUDE_TYPES? (rename it in the step's variables)",
		},
		warnings: []string{"CODA_SOMETHING_ELSE is not a variable of this pipe and is ignored (see the README's Variables)"},
	}, {
		name: "an unknown variable near no name is a warning",
		env: minimal(map[string]string{"CODA_SOMETHING_ELSE": "x", "DOCKER_HOST": "tcp://host:2375", "CI": "true", "HOSTNAME": "abc",
			"GODEBUG": "http2client=0", "GIT_TRACE": "1", "https_proxy": "http://proxy:3128"}),
		warnings: []string{"CODA_SOMETHING_ELSE is not a variable of this pipe and is ignored (see the README's Variables)"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := loadConfig(t, tt.env)
			var got []string
			var ve *validationError
			if errors.As(err, &ve) {
				for _, p := range ve.Problems {
					got = append(got, p.Variable+": "+p.Message)
				}
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.problems, got)
			require.Len(t, cfg.Warnings, len(tt.warnings), "%q", cfg.Warnings)
			for i, w := range tt.warnings {
				require.Contains(t, cfg.Warnings[i], w)
			}
		})
	}
}

func TestConfigFilters(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(t, minimal(map[string]string{
		"EXCLUDE_COMMITS":  `^chore\(release\)|dependabot\[bot\]`,
		"SECTIONS":         "feat=New features\nFix = Fixes\nchore=",
		"NEW_CONTRIBUTORS": "false",
	}))
	require.NoError(t, err)
	require.True(t, cfg.Read.ExcludeCommits.MatchString("chore(release): 1.2.0"))
	require.True(t, cfg.Read.ExcludeCommits.MatchString("dependabot[bot] <support@github.com>"))
	require.Equal(t, []changelog.SectionTitle{{Type: "feat", Title: "New features"}, {Type: "fix", Title: "Fixes"}, {Type: "chore", Title: ""}}, cfg.Release.Sections)
	require.False(t, cfg.Read.NewContributors)

	cfg, err = loadConfig(t, minimal(nil))
	require.NoError(t, err)
	require.True(t, cfg.Read.NewContributors, "on by default")
	require.Nil(t, cfg.Read.ExcludeCommits)

	_, err = loadConfig(t, minimal(map[string]string{"EXCLUDE_COMMITS": "dependabot[bot", "SECTIONS": "feat"}))
	require.ErrorContains(t, err, "EXCLUDE_COMMITS:\n- \"dependabot[bot\" is not a Go regular expression")
	require.ErrorContains(t, err, "SECTIONS:\n- \"feat\" is not a type=Title pair")
}

// TestConfigWithoutBodies: the entries' bodies are read only when an
// output of the run can read them, and kept aside for the JSON when it
// alone reads them.
func TestConfigWithoutBodies(t *testing.T) {
	t.Parallel()
	tmpl := filepath.Join(t.TempDir(), "notes.tmpl")
	require.NoError(t, os.WriteFile(tmpl, []byte("{{range .Entries}}{{.Body}}{{end}}"), 0o600))
	dry := map[string]string{"DRY_RUN": "true"}
	const (
		none     = iota // no bodies
		aside           // for OUTPUT_JSON only
		inMemory        // in the entries
	)
	for _, tt := range []struct {
		name   string
		env    map[string]string
		bodies int
	}{
		{"dry run", dry, none},
		{"dry run with a table", with(dry, "CODA_TABLE", "Changes"), none},
		{"dry run with OUTPUT_JSON", with(dry, "OUTPUT_JSON", "release.json"), aside},
		{"dry run with a table and OUTPUT_JSON", with(with(dry, "CODA_TABLE", "Changes"), "OUTPUT_JSON", "release.json"), aside},
		{"dry run with a template", with(dry, "TEMPLATE", tmpl), inMemory},
		{"dry run with a template and OUTPUT_JSON", with(with(dry, "TEMPLATE", tmpl), "OUTPUT_JSON", "release.json"), inMemory},
		{"a table per commit", minimal(nil), inMemory},
		{"a table per commit and OUTPUT_JSON", minimal(map[string]string{"OUTPUT_JSON": "release.json"}), inMemory},
		{"a table per release", minimal(map[string]string{"CODA_TABLE": "", "CODA_RELEASE_TABLE": "Releases"}), inMemory},
		{"the automation", minimal(map[string]string{"CODA_TABLE": "", "CODA_AUTOMATION_RULE_ID": "a-1"}), inMemory},
		{"a notes page", minimal(map[string]string{"CODA_TABLE": "", "CODA_PAGE": "Notes"}), inMemory},
		{"dry run with the automation", with(dry, "CODA_AUTOMATION_RULE_ID", "a-1"), inMemory},
		{"dry run with the automation and OUTPUT_JSON", with(with(dry, "CODA_AUTOMATION_RULE_ID", "a-1"), "OUTPUT_JSON", "release.json"), inMemory},
		{"Code Insights alone", map[string]string{"CODE_INSIGHTS": "true"}, none},
		{"Code Insights and OUTPUT_JSON", map[string]string{"CODE_INSIGHTS": "true", "OUTPUT_JSON": "release.json"}, aside},
	} {
		cfg, err := loadConfig(t, tt.env)
		require.NoError(t, err, tt.name)
		require.Equal(t, tt.bodies == none, cfg.Read.WithoutBodies, tt.name)
		require.Equal(t, tt.bodies == aside, cfg.Read.BodiesForJSON, tt.name)
	}
}

// with returns a copy of env with name set to value.
func with(env map[string]string, name, value string) map[string]string {
	out := maps.Clone(env)
	out[name] = value
	return out
}
