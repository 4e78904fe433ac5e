package changelog

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMessage(t *testing.T) {
	t.Parallel()

	const (
		sha1   = "0123456789abcdef0123456789abcdef01234567"
		sha2   = "89abcdef0123456789abcdef0123456789abcdef"
		sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	)

	cases := []struct {
		name string
		msg  string
		want Message
	}{
		// Conventional Commits 1.0.0, its examples first.
		{
			name: "spec/breaking_change_footer",
			msg:  "feat: allow provided config object to extend other configs\n\nBREAKING CHANGE: `extends` key in config file is now used for extending other config files",
			want: Message{
				Conventional: true, Type: "feat",
				Subject:      "allow provided config object to extend other configs",
				Breaking:     true,
				BreakingNote: "`extends` key in config file is now used for extending other config files",
				Footers:      []Footer{{"BREAKING CHANGE", "`extends` key in config file is now used for extending other config files"}},
			},
		},
		{
			name: "spec/bang",
			msg:  "feat!: send an email to the customer when a product is shipped",
			want: Message{
				Conventional: true, Type: "feat",
				Subject:      "send an email to the customer when a product is shipped",
				Breaking:     true,
				BreakingNote: "send an email to the customer when a product is shipped",
			},
		},
		{
			name: "spec/scope_and_bang",
			msg:  "feat(api)!: send an email to the customer when a product is shipped",
			want: Message{
				Conventional: true, Type: "feat", Scope: "api",
				Subject:      "send an email to the customer when a product is shipped",
				Breaking:     true,
				BreakingNote: "send an email to the customer when a product is shipped",
			},
		},
		{
			name: "spec/bang_and_footer",
			msg:  "chore!: drop support for Node 6\n\nBREAKING CHANGE: use JavaScript features not available in Node 6.",
			want: Message{
				Conventional: true, Type: "chore", Subject: "drop support for Node 6",
				Breaking: true, BreakingNote: "use JavaScript features not available in Node 6.",
				Footers: []Footer{{"BREAKING CHANGE", "use JavaScript features not available in Node 6."}},
			},
		},
		{
			name: "spec/no_body",
			msg:  "docs: correct spelling of CHANGELOG",
			want: Message{Conventional: true, Type: "docs", Subject: "correct spelling of CHANGELOG"},
		},
		{
			name: "spec/scope",
			msg:  "feat(lang): add Polish language",
			want: Message{Conventional: true, Type: "feat", Scope: "lang", Subject: "add Polish language"},
		},
		{
			name: "spec/multi_paragraph_body_and_footers",
			msg: "fix: prevent racing of requests\n\n" +
				"Introduce a request id and a reference to latest request. Dismiss\nincoming responses other than from latest request.\n\n" +
				"Remove timeouts which were used to mitigate the racing issue but are\nobsolete now.\n\n" +
				"Reviewed-by: Z\nRefs: #123\n",
			want: Message{
				Conventional: true, Type: "fix", Subject: "prevent racing of requests",
				Body: "Introduce a request id and a reference to latest request. Dismiss\nincoming responses other than from latest request.\n\n" +
					"Remove timeouts which were used to mitigate the racing issue but are\nobsolete now.",
				Footers: []Footer{{"Reviewed-by", "Z"}, {"Refs", "#123"}},
			},
		},
		{
			name: "spec/revert_example",
			msg:  "revert: let us never again speak of the noodle incident\n\nRefs: 676104e, a215868",
			want: Message{
				Conventional: true, Type: "revert", Subject: "let us never again speak of the noodle incident",
				Footers: []Footer{{"Refs", "676104e, a215868"}},
				Revert:  &Revert{Subject: "let us never again speak of the noodle incident"},
			},
		},

		// Headers.
		{
			name: "header/upper_case_type",
			msg:  "FEAT: add search",
			want: Message{Conventional: true, Type: "feat", Subject: "add search"},
		},
		{
			name: "header/mixed_case_type_keeps_scope_case",
			msg:  "Fix(Parser): handle empty input",
			want: Message{Conventional: true, Type: "fix", Scope: "Parser", Subject: "handle empty input"},
		},
		{
			name: "header/other_type_with_digits_hyphen_underscore",
			msg:  "build_deps-2x: bump go-cmp",
			want: Message{Conventional: true, Type: "build_deps-2x", Subject: "bump go-cmp"},
		},
		{
			name: "header/scope_with_spaces_and_issue_key",
			msg:  "feat(ABC-12 checkout): pay with vouchers",
			want: Message{Conventional: true, Type: "feat", Scope: "ABC-12 checkout", Subject: "pay with vouchers"},
		},
		{
			name: "header/description_trimmed",
			msg:  "  fix:   trim me   \n",
			want: Message{Conventional: true, Type: "fix", Subject: "trim me"},
		},
		{
			name: "header/colon_in_description",
			msg:  "fix(db): retry on error: connection reset",
			want: Message{Conventional: true, Type: "fix", Scope: "db", Subject: "retry on error: connection reset"},
		},
		{
			name: "header/missing_space_after_colon",
			msg:  "feat:add search",
			want: Message{Subject: "feat:add search"},
		},
		{
			name: "header/tab_after_colon",
			msg:  "feat:\tadd search",
			want: Message{Subject: "feat:\tadd search"},
		},
		{
			name: "header/empty_description",
			msg:  "feat: \n\nSome body.",
			want: Message{Subject: "feat:", Body: "Some body."},
		},
		{
			name: "header/blank_description",
			msg:  "feat(api)!:    ",
			want: Message{Subject: "feat(api)!:"},
		},
		{
			name: "header/empty_scope_is_no_scope",
			msg:  "docs(): fix link",
			want: Message{Conventional: true, Type: "docs", Subject: "fix link"},
		},
		{
			name: "header/blank_scope_is_no_scope",
			msg:  "feat( )!: add search",
			want: Message{Conventional: true, Type: "feat", Subject: "add search", Breaking: true, BreakingNote: "add search"},
		},
		{
			name: "header/unclosed_scope",
			msg:  "feat(api: add search",
			want: Message{Subject: "feat(api: add search"},
		},
		{
			name: "header/nested_parens_in_scope",
			msg:  "feat(a(b)): add search",
			want: Message{Subject: "feat(a(b)): add search"},
		},
		{
			name: "header/space_before_colon",
			msg:  "feat : add search",
			want: Message{Subject: "feat : add search"},
		},
		{
			name: "header/space_in_type",
			msg:  "new feature: add search",
			want: Message{Subject: "new feature: add search"},
		},
		{
			name: "header/bang_after_space",
			msg:  "feat !: add search",
			want: Message{Subject: "feat !: add search"},
		},
		{
			name: "header/issue_key_is_not_a_type",
			msg:  "ABC-123: fix the login form",
			want: Message{Subject: "ABC-123: fix the login form"},
		},
		{
			name: "header/type_must_start_with_letter",
			msg:  "2fa: add totp",
			want: Message{Subject: "2fa: add totp"},
		},

		// Bodies.
		{
			name: "body/blank_lines_and_indentation",
			msg:  "docs: add example\n\n\n    go run .\n\n\n",
			want: Message{Conventional: true, Type: "docs", Subject: "add example", Body: "    go run ."},
		},
		{
			name: "body/no_blank_line_after_header",
			msg:  "fix: y\nsecond line",
			want: Message{Conventional: true, Type: "fix", Subject: "y", Body: "second line"},
		},
		{
			name: "body/markdown_and_template_syntax_are_data",
			msg:  "# Heading {{ .Version }}\n\n| a | b |\n|---|---|\n\n{{ range . }}x{{ end }}\n---",
			want: Message{Subject: "# Heading {{ .Version }}", Body: "| a | b |\n|---|---|\n\n{{ range . }}x{{ end }}\n---"},
		},

		// Footers.
		{
			name: "footer/hash_separator",
			msg:  "fix: handle nil orders\n\nRefs #123",
			want: Message{Conventional: true, Type: "fix", Subject: "handle nil orders", Footers: []Footer{{"Refs", "#123"}}},
		},
		{
			name: "footer/multi_line_value",
			msg: "feat: move the config\n\n" +
				"BREAKING CHANGE: the config file moved\nto ~/.config/app and its keys\n  are snake_case now.\nReviewed-by: Z",
			want: Message{
				Conventional: true, Type: "feat", Subject: "move the config",
				Breaking: true, BreakingNote: "the config file moved\nto ~/.config/app and its keys\n  are snake_case now.",
				Footers: []Footer{
					{"BREAKING CHANGE", "the config file moved\nto ~/.config/app and its keys\n  are snake_case now."},
					{"Reviewed-by", "Z"},
				},
			},
		},
		{
			name: "footer/value_runs_over_blank_lines_until_next_token",
			msg:  "feat: move the config\n\nBREAKING CHANGE: the config moved.\n\nRun `app migrate` to move it.\n\nRefs: #7",
			want: Message{
				Conventional: true, Type: "feat", Subject: "move the config",
				Breaking: true, BreakingNote: "the config moved.\n\nRun `app migrate` to move it.",
				Footers: []Footer{{"BREAKING CHANGE", "the config moved.\n\nRun `app migrate` to move it."}, {"Refs", "#7"}},
			},
		},
		{
			name: "footer/value_on_next_lines",
			msg:  "feat: x\n\nBREAKING CHANGE: \n  - a\n  - b",
			want: Message{
				Conventional: true, Type: "feat", Subject: "x",
				Breaking: true, BreakingNote: "  - a\n  - b",
				Footers: []Footer{{"BREAKING CHANGE", "  - a\n  - b"}},
			},
		},
		{
			name: "footer/breaking_change_hyphen_synonym",
			msg:  "fix: rename the flag\n\nBREAKING-CHANGE: --out is now --output",
			want: Message{
				Conventional: true, Type: "fix", Subject: "rename the flag",
				Breaking: true, BreakingNote: "--out is now --output",
				Footers: []Footer{{"BREAKING-CHANGE", "--out is now --output"}},
			},
		},
		{
			name: "footer/two_breaking_footers",
			msg:  "feat: v2\n\nBREAKING CHANGE: a\nBREAKING-CHANGE: b",
			want: Message{
				Conventional: true, Type: "feat", Subject: "v2",
				Breaking: true, BreakingNote: "a\n\nb",
				Footers: []Footer{{"BREAKING CHANGE", "a"}, {"BREAKING-CHANGE", "b"}},
			},
		},
		{
			name: "footer/breaking_change_without_value_uses_subject",
			msg:  "feat: v2\n\nBREAKING CHANGE: ",
			want: Message{
				Conventional: true, Type: "feat", Subject: "v2",
				Breaking: true, BreakingNote: "v2",
				Footers: []Footer{{"BREAKING CHANGE", ""}},
			},
		},
		{
			name: "footer/breaking_change_alone_note_in_next_paragraph",
			msg: "feat: re-use parser options within each preset (#335)\n\nBREAKING CHANGE:\n\n" +
				"Re-use parser options object between components of a preset. For some\npresets this may change the behavior.\n",
			want: Message{
				Conventional: true, Type: "feat", Subject: "re-use parser options within each preset (#335)",
				Breaking:     true,
				BreakingNote: "Re-use parser options object between components of a preset. For some\npresets this may change the behavior.",
				Footers: []Footer{{"BREAKING CHANGE",
					"Re-use parser options object between components of a preset. For some\npresets this may change the behavior."}},
			},
		},
		{
			name: "footer/breaking_change_alone_runs_to_the_next_footer",
			msg:  "fix: x\n\nBREAKING-CHANGE:  \n\nFirst paragraph.\n\nSecond paragraph.\n\nRefs: #7\nBREAKING CHANGE:",
			want: Message{
				Conventional: true, Type: "fix", Subject: "x",
				Breaking: true, BreakingNote: "First paragraph.\n\nSecond paragraph.",
				Footers: []Footer{{"BREAKING-CHANGE", "First paragraph.\n\nSecond paragraph."}, {"Refs", "#7"}, {"BREAKING CHANGE", ""}},
			},
		},
		{
			name: "footer/breaking_change_alone_with_body_before",
			msg:  "refactor: drop v1\n\nThe v1 API is gone.\n\nBREAKING CHANGE:\nClients must call v2.",
			want: Message{
				Conventional: true, Type: "refactor", Subject: "drop v1", Body: "The v1 API is gone.",
				Breaking: true, BreakingNote: "Clients must call v2.",
				Footers: []Footer{{"BREAKING CHANGE", "Clients must call v2."}},
			},
		},
		{
			name: "footer/other_token_alone_is_not_a_footer",
			msg:  "fix: x\n\nNote:\n\nnothing breaks.",
			want: Message{Conventional: true, Type: "fix", Subject: "x", Body: "Note:\n\nnothing breaks."},
		},
		{
			name: "footer/lower_case_breaking_change_alone_is_not_a_token",
			msg:  "fix: x\n\nBreaking-Change:\n\nnothing breaks.",
			want: Message{Conventional: true, Type: "fix", Subject: "x", Body: "Breaking-Change:\n\nnothing breaks."},
		},
		{
			name: "footer/lower_case_breaking_change_is_not_a_token",
			msg:  "fix: rename the flag\n\nbreaking change: --out is now --output",
			want: Message{Conventional: true, Type: "fix", Subject: "rename the flag", Body: "breaking change: --out is now --output"},
		},
		{
			name: "footer/lower_case_breaking_change_hyphen_is_not_breaking",
			msg:  "fix: rename the flag\n\nbreaking-change: --out is now --output",
			want: Message{
				Conventional: true, Type: "fix", Subject: "rename the flag",
				Footers: []Footer{{"breaking-change", "--out is now --output"}},
			},
		},
		{
			name: "footer/mixed_case_breaking_change_is_not_a_token",
			msg:  "fix: y\n\nBreaking Change: z",
			want: Message{Conventional: true, Type: "fix", Subject: "y", Body: "Breaking Change: z"},
		},
		{
			name: "footer/prose_paragraph_at_the_end_is_a_footer",
			msg:  "fix: y\n\nSome body.\n\nNote: this is prose",
			want: Message{Conventional: true, Type: "fix", Subject: "y", Body: "Some body.", Footers: []Footer{{"Note", "this is prose"}}},
		},
		{
			name: "footer/prose_with_spaces_before_colon_is_body",
			msg:  "fix: y\n\nSee the docs: here",
			want: Message{Conventional: true, Type: "fix", Subject: "y", Body: "See the docs: here"},
		},
		{
			name: "footer/colon_at_end_of_line_is_body",
			msg:  "refactor: z\n\nChanges:\n- a\n- b",
			want: Message{Conventional: true, Type: "refactor", Subject: "z", Body: "Changes:\n- a\n- b"},
		},
		{
			name: "footer/url_is_body",
			msg:  "docs: x\n\nhttps://example.com/a",
			want: Message{Conventional: true, Type: "docs", Subject: "x", Body: "https://example.com/a"},
		},
		{
			name: "footer/needs_a_blank_line_before_it",
			msg:  "fix: y\nRefs: #1",
			want: Message{Conventional: true, Type: "fix", Subject: "y", Body: "Refs: #1"},
		},
		{
			name: "footer/block_starts_a_paragraph",
			msg:  "fix: y\n\nbody line\nRefs: #1",
			want: Message{Conventional: true, Type: "fix", Subject: "y", Body: "body line\nRefs: #1"},
		},
		{
			name: "footer/right_after_header",
			msg:  "fix: y\n\nRefs: #1\nAcked-by: Q",
			want: Message{Conventional: true, Type: "fix", Subject: "y", Footers: []Footer{{"Refs", "#1"}, {"Acked-by", "Q"}}},
		},
		{
			name: "footer/breaking_change_directly_under_header",
			msg:  "feat(api): drop v1\nBREAKING CHANGE: clients must call /v2",
			want: Message{
				Conventional: true, Type: "feat", Scope: "api", Subject: "drop v1",
				Breaking: true, BreakingNote: "clients must call /v2",
				Footers: []Footer{{"BREAKING CHANGE", "clients must call /v2"}},
			},
		},
		{
			name: "footer/breaking_change_hyphen_directly_under_header_then_footers",
			msg:  "fix: y\nBREAKING-CHANGE: z\nmore of z\n\nRefs: #1",
			want: Message{
				Conventional: true, Type: "fix", Subject: "y",
				Breaking: true, BreakingNote: "z\nmore of z",
				Footers: []Footer{{"BREAKING-CHANGE", "z\nmore of z"}, {"Refs", "#1"}},
			},
		},
		{
			name: "footer/breaking_change_alone_directly_under_header",
			msg:  "feat: x\nBREAKING CHANGE:\n\nthe note",
			want: Message{
				Conventional: true, Type: "feat", Subject: "x",
				Breaking: true, BreakingNote: "the note",
				Footers: []Footer{{"BREAKING CHANGE", "the note"}},
			},
		},
		{
			name: "footer/breaking_change_in_prose_under_header_is_body",
			msg:  "feat: x\nThis is no BREAKING CHANGE: old clients work.",
			want: Message{Conventional: true, Type: "feat", Subject: "x", Body: "This is no BREAKING CHANGE: old clients work."},
		},
		{
			name: "footer/breaking_change_mid_paragraph_is_body",
			msg:  "feat: x\n\nWe changed a lot\nBREAKING CHANGE: not a footer here",
			want: Message{Conventional: true, Type: "feat", Subject: "x", Body: "We changed a lot\nBREAKING CHANGE: not a footer here"},
		},
		{
			name: "footer/lower_case_breaking_change_under_header_is_body",
			msg:  "feat: x\nBreaking change: none",
			want: Message{Conventional: true, Type: "feat", Subject: "x", Body: "Breaking change: none"},
		},
		{
			name: "footer/values_trimmed",
			msg:  "fix: y\n\nRefs:    #1   \t\nAcked-by: Q  \n\n\n",
			want: Message{Conventional: true, Type: "fix", Subject: "y", Footers: []Footer{{"Refs", "#1"}, {"Acked-by", "Q"}}},
		},
		{
			name: "footer/crlf",
			msg:  "feat(ui)!: redesign the checkout page\r\n\r\nThe old page is gone.\r\nReally.\r\n\r\nBREAKING-CHANGE: templates break\r\n  and must be ported.\r\nRefs #42\r\n",
			want: Message{
				Conventional: true, Type: "feat", Scope: "ui", Subject: "redesign the checkout page",
				Body:     "The old page is gone.\nReally.",
				Breaking: true, BreakingNote: "templates break\n  and must be ported.",
				Footers: []Footer{{"BREAKING-CHANGE", "templates break\n  and must be ported."}, {"Refs", "#42"}},
			},
		},

		{
			name: "footer/dependabot_yaml_is_body",
			msg: "build(deps): bump golang.org/x/time from 0.15.0 to 0.16.0\n\n" +
				"Bumps [golang.org/x/time](https://github.com/golang/time) from 0.15.0 to 0.16.0.\n\n" +
				"---\nupdated-dependencies:\n- dependency-name: golang.org/x/time\n  dependency-type: direct:production\n...\n\n" +
				"Signed-off-by: dependabot[bot] <support@github.com>\n",
			want: Message{
				Conventional: true, Type: "build", Scope: "deps", Subject: "bump golang.org/x/time from 0.15.0 to 0.16.0",
				Body: "Bumps [golang.org/x/time](https://github.com/golang/time) from 0.15.0 to 0.16.0.\n\n" +
					"---\nupdated-dependencies:\n- dependency-name: golang.org/x/time\n  dependency-type: direct:production\n...",
				Footers: []Footer{{"Signed-off-by", "dependabot[bot] <support@github.com>"}},
			},
		},
		{
			name: "header/fixup_is_not_conventional",
			msg:  "fixup! feat: add search",
			want: Message{Subject: "fixup! feat: add search"},
		},

		// Messages that are not conventional.
		{
			name: "plain/empty",
			msg:  "",
			want: Message{},
		},
		{
			name: "plain/whitespace_only",
			msg:  " \n\t\n  \r\n",
			want: Message{},
		},
		{
			name: "plain/leading_blank_lines",
			msg:  "\n\n  Fix things  \n",
			want: Message{Subject: "Fix things"},
		},
		{
			name: "plain/body_and_trailers",
			msg: "Update the README\n\nExplain how to run the pipe with {{ .Version }}.\n\n---\n\n" +
				"Signed-off-by: Jane Doe <jane.doe@example.com>\nCo-authored-by: John Smith <john@example.com>\n",
			want: Message{
				Subject: "Update the README",
				Body:    "Explain how to run the pipe with {{ .Version }}.\n\n---",
				Footers: []Footer{
					{"Signed-off-by", "Jane Doe <jane.doe@example.com>"},
					{"Co-authored-by", "John Smith <john@example.com>"},
				},
			},
		},
		{
			name: "plain/breaking_footer",
			msg:  "Rework the config\n\nBREAKING CHANGE: keys renamed",
			want: Message{
				Subject: "Rework the config", Breaking: true, BreakingNote: "keys renamed",
				Footers: []Footer{{"BREAKING CHANGE", "keys renamed"}},
			},
		},
		{
			name: "plain/invalid_utf8_kept",
			msg:  "fix: caf\xe9\n\nbody \xff\xfe",
			want: Message{Conventional: true, Type: "fix", Subject: "caf\xe9", Body: "body \xff\xfe"},
		},
		{
			name: "plain/merged_prose_is_not_a_merge",
			msg:  "Merged the cache code into the core module",
			want: Message{Subject: "Merged the cache code into the core module"},
		},

		// Merges.
		{
			name: "merge/bitbucket",
			msg:  "Merged in feature/PIPES-1038 (pull request #38)\n\nPIPES-1038: Update firebase tools version to 11.*.\n\nApproved-by: Oleksandr Kyrdan\n",
			want: Message{
				Subject: "PIPES-1038: Update firebase tools version to 11.*.",
				Footers: []Footer{{"Approved-by", "Oleksandr Kyrdan"}},
				Merge: &Merge{
					Kind: MergeBitbucket, Branch: "feature/PIPES-1038", PullRequest: 38,
					Title:      "PIPES-1038: Update firebase tools version to 11.*.",
					ApprovedBy: []string{"Oleksandr Kyrdan"},
				},
			},
		},
		{
			name: "merge/bitbucket_squash",
			msg:  "Merged in feat/x (pull request #12)\n\nfeat(api): add y\n\n* feat(api): add y\n* fix: z\n\nApproved-by: Jane Doe",
			want: Message{
				Conventional: true, Type: "feat", Scope: "api", Subject: "add y",
				Body:    "* feat(api): add y\n* fix: z",
				Footers: []Footer{{"Approved-by", "Jane Doe"}},
				Merge: &Merge{
					Kind: MergeBitbucket, Branch: "feat/x", PullRequest: 12, Title: "feat(api): add y",
					Bullets: []string{"feat(api): add y", "fix: z"}, ApprovedBy: []string{"Jane Doe"},
				},
			},
		},
		{
			name: "merge/bitbucket_squash_bullet_bodies_are_not_footers",
			msg:  "Merged in feat/x (pull request #12)\n\nAdd y\n\n* feat: add y\n\nRefs: #3\n\n* fix: z\n\nApproved-by: A\nApproved-by: B",
			want: Message{
				Subject: "Add y",
				Body:    "* feat: add y\n\nRefs: #3\n\n* fix: z",
				Footers: []Footer{{"Approved-by", "A"}, {"Approved-by", "B"}},
				Merge: &Merge{
					Kind: MergeBitbucket, Branch: "feat/x", PullRequest: 12, Title: "Add y",
					Bullets: []string{"feat: add y\n\nRefs: #3", "fix: z"}, ApprovedBy: []string{"A", "B"},
				},
			},
		},
		{
			name: "merge/bitbucket_squash_branch_title_multi_line_bullets",
			msg: "Merged in feature/ABC-12-checkout (pull request #7)\n\nfeature/ABC-12-checkout\n\n" +
				"* feat(cart): pay with vouchers\n\nVouchers come from the CRM.\n" +
				"* fix!: round totals\nBREAKING CHANGE: totals have two decimals\n" +
				"* docs: explain vouchers\n\nRefs: ABC-13\n\nApproved-by: Jane Doe\nApproved-by: John Roe\n",
			want: Message{
				Subject: "feature/ABC-12-checkout",
				Body: "* feat(cart): pay with vouchers\n\nVouchers come from the CRM.\n" +
					"* fix!: round totals\nBREAKING CHANGE: totals have two decimals\n* docs: explain vouchers",
				Footers: []Footer{{"Refs", "ABC-13"}, {"Approved-by", "Jane Doe"}, {"Approved-by", "John Roe"}},
				Merge: &Merge{
					Kind: MergeBitbucket, Branch: "feature/ABC-12-checkout", PullRequest: 7, Title: "feature/ABC-12-checkout",
					Bullets: []string{
						"feat(cart): pay with vouchers\n\nVouchers come from the CRM.",
						"fix!: round totals\nBREAKING CHANGE: totals have two decimals",
						"docs: explain vouchers\n\nRefs: ABC-13",
					},
					ApprovedBy: []string{"Jane Doe", "John Roe"},
				},
			},
		},
		{
			name: "merge/bitbucket_old_approver_email_and_breaking_title",
			msg:  "Merged in bugfix/ABC-77 (pull request #5)\n\nfix!: stop accepting empty order ids\n\nApproved-by: Jane Doe <jane.doe@example.com>\n",
			want: Message{
				Conventional: true, Type: "fix", Subject: "stop accepting empty order ids",
				Breaking: true, BreakingNote: "stop accepting empty order ids",
				Footers: []Footer{{"Approved-by", "Jane Doe <jane.doe@example.com>"}},
				Merge: &Merge{
					Kind: MergeBitbucket, Branch: "bugfix/ABC-77", PullRequest: 5,
					Title: "fix!: stop accepting empty order ids", ApprovedBy: []string{"Jane Doe"},
				},
			},
		},
		{
			name: "merge/bitbucket_extra_spaces_before_pull_request",
			msg:  "Merged in feat/my-awesome-stuff  (pull request #10)\n\nAdd awesome stuff",
			want: Message{
				Subject: "Add awesome stuff",
				Merge:   &Merge{Kind: MergeBitbucket, Branch: "feat/my-awesome-stuff", PullRequest: 10, Title: "Add awesome stuff"},
			},
		},
		{
			name: "merge/bitbucket_crlf",
			msg:  "Merged in a/b (pull request #1)\r\n\r\ndocs: c\r\n\r\nApproved-by: D\r\n",
			want: Message{
				Conventional: true, Type: "docs", Subject: "c",
				Footers: []Footer{{"Approved-by", "D"}},
				Merge:   &Merge{Kind: MergeBitbucket, Branch: "a/b", PullRequest: 1, Title: "docs: c", ApprovedBy: []string{"D"}},
			},
		},
		{
			name: "merge/bitbucket_without_title",
			msg:  "Merged in hotfix/1 (pull request #3)\n\nApproved-by: A",
			want: Message{
				Subject: "Merged in hotfix/1 (pull request #3)",
				Footers: []Footer{{"Approved-by", "A"}},
				Merge:   &Merge{Kind: MergeBitbucket, Branch: "hotfix/1", PullRequest: 3, ApprovedBy: []string{"A"}},
			},
		},
		{
			name: "merge/bitbucket_title_revert",
			msg:  "Merged in revert-pr-9 (pull request #10)\n\nRevert \"feat: x\"\n\nThis reverts commit " + sha1 + ".\n\nApproved-by: A",
			want: Message{
				Type: "revert", Subject: "Revert \"feat: x\"",
				Body:    "This reverts commit " + sha1 + ".",
				Footers: []Footer{{"Approved-by", "A"}},
				Merge: &Merge{
					Kind: MergeBitbucket, Branch: "revert-pr-9", PullRequest: 10,
					Title: "Revert \"feat: x\"", ApprovedBy: []string{"A"},
				},
				Revert: &Revert{Subject: "feat: x", SHA: sha1},
			},
		},
		{
			name: "merge/bitbucket_branch_sync",
			msg:  "Merged master into feature/ABC-12-checkout\n",
			want: Message{
				Subject: "Merged master into feature/ABC-12-checkout",
				Merge:   &Merge{Kind: MergeBranch, Branch: "master", Into: "feature/ABC-12-checkout"},
			},
		},
		{
			name: "merge/bitbucket_server",
			msg:  "Merge pull request #41 in PROJ/shop from feature/ABC-1 to develop\n\n* commit 'abc':\n  Add x",
			want: Message{
				Subject: "Merge pull request #41 in PROJ/shop from feature/ABC-1 to develop",
				Body:    "* commit 'abc':\n  Add x",
				Merge: &Merge{
					Kind: MergeBitbucket, Branch: "feature/ABC-1", Into: "develop", PullRequest: 41,
					Bullets: []string{"commit 'abc':\n  Add x"},
				},
			},
		},
		{
			name: "merge/git_branch_of_url_into",
			msg:  "Merge branch 'release/1.4' of bitbucket.org:acme/shop into main\n\n# Conflicts:\n#\tgo.mod\n",
			want: Message{
				Subject: "Merge branch 'release/1.4' of bitbucket.org:acme/shop into main",
				Body:    "# Conflicts:\n#\tgo.mod",
				Merge:   &Merge{Kind: MergeBranch, Branch: "release/1.4", Into: "main"},
			},
		},
		{
			name: "merge/git_branch",
			msg:  "Merge branch 'feature/x'",
			want: Message{Subject: "Merge branch 'feature/x'", Merge: &Merge{Kind: MergeBranch, Branch: "feature/x"}},
		},
		{
			name: "merge/gitlab_quoted_target",
			msg:  "Merge branch 'feat/x' into 'main'",
			want: Message{Subject: "Merge branch 'feat/x' into 'main'", Merge: &Merge{Kind: MergeBranch, Branch: "feat/x", Into: "main"}},
		},
		{
			name: "merge/git_remote_tracking_branch",
			msg:  "Merge remote-tracking branch 'origin/main' into feature/y",
			want: Message{
				Subject: "Merge remote-tracking branch 'origin/main' into feature/y",
				Merge:   &Merge{Kind: MergeBranch, Branch: "origin/main", Into: "feature/y"},
			},
		},
		{
			name: "merge/git_tag",
			msg:  "Merge tag 'v1.2.0'",
			want: Message{Subject: "Merge tag 'v1.2.0'", Merge: &Merge{Kind: MergeBranch, Branch: "v1.2.0"}},
		},
		{
			name: "merge/git_octopus_keeps_first_branch",
			msg:  "Merge branches 'a' and 'b'",
			want: Message{Subject: "Merge branches 'a' and 'b'", Merge: &Merge{Kind: MergeBranch, Branch: "a"}},
		},
		{
			name: "merge/github",
			msg:  "Merge pull request #123 from octocat/feature/ABC-99-search\n\nfeat(search): search orders by customer\n",
			want: Message{
				Conventional: true, Type: "feat", Scope: "search", Subject: "search orders by customer",
				Merge: &Merge{
					Kind: MergeGitHub, Branch: "feature/ABC-99-search", PullRequest: 123,
					Title: "feat(search): search orders by customer",
				},
			},
		},
		{
			name: "merge/github_title_and_description",
			msg:  "Merge pull request #7 from o/b\n\nFix the thing\nIt was broken.\n\nSigned-off-by: S",
			want: Message{
				Subject: "Fix the thing", Body: "It was broken.",
				Footers: []Footer{{"Signed-off-by", "S"}},
				Merge:   &Merge{Kind: MergeGitHub, Branch: "b", PullRequest: 7, Title: "Fix the thing"},
			},
		},

		// Reverts.
		{
			name: "revert/git",
			msg:  "Revert \"feat(api): add the orders endpoint\"\n\nThis reverts commit " + sha1 + ".\n",
			want: Message{
				Type: "revert", Subject: "Revert \"feat(api): add the orders endpoint\"",
				Body:   "This reverts commit " + sha1 + ".",
				Revert: &Revert{Subject: "feat(api): add the orders endpoint", SHA: sha1},
			},
		},
		{
			name: "revert/git_merge",
			msg:  "Revert \"Merged in x (pull request #1)\"\n\nThis reverts commit " + sha1 + ", reversing\nchanges made to " + sha2 + ".",
			want: Message{
				Type: "revert", Subject: "Revert \"Merged in x (pull request #1)\"",
				Body:   "This reverts commit " + sha1 + ", reversing\nchanges made to " + sha2 + ".",
				Revert: &Revert{Subject: "Merged in x (pull request #1)", SHA: sha1},
			},
		},
		{
			name: "revert/git_sha256_upper_case",
			msg:  "Revert \"x\"\n\nThis reverts commit " + strings.ToUpper(sha256) + ".",
			want: Message{
				Type: "revert", Subject: "Revert \"x\"",
				Body:   "This reverts commit " + strings.ToUpper(sha256) + ".",
				Revert: &Revert{Subject: "x", SHA: sha256},
			},
		},
		{
			name: "revert/git_short_sha_ignored",
			msg:  "Revert \"x\"\n\nThis reverts commit abc1234.",
			want: Message{Type: "revert", Subject: "Revert \"x\"", Body: "This reverts commit abc1234.", Revert: &Revert{Subject: "x"}},
		},
		{
			name: "revert/git_nested",
			msg:  "Revert \"Revert \"feat(api): add the orders endpoint\"\"\n\nThis reverts commit " + sha2 + ".",
			want: Message{
				Type: "revert", Subject: "Revert \"Revert \"feat(api): add the orders endpoint\"\"",
				Body:   "This reverts commit " + sha2 + ".",
				Revert: &Revert{Subject: "Revert \"feat(api): add the orders endpoint\"", SHA: sha2},
			},
		},
		{
			name: "revert/git_edited_subject",
			msg:  "Undo the cache change\n\nThis reverts commit " + sha1 + ".",
			want: Message{
				Type: "revert", Subject: "Undo the cache change",
				Body:   "This reverts commit " + sha1 + ".",
				Revert: &Revert{SHA: sha1},
			},
		},
		{
			name: "revert/other_type_mentioning_a_revert_keeps_its_type",
			msg:  "fix: restore the cache\n\nThis reverts commit " + sha1 + ".",
			want: Message{Conventional: true, Type: "fix", Subject: "restore the cache", Body: "This reverts commit " + sha1 + "."},
		},
		{
			name: "revert/merge_of_a_revert_is_not_a_revert",
			msg:  "Merged in a (pull request #2)\n\nUndo it\n\n* Revert \"x\"\n\nThis reverts commit " + sha1 + ".",
			want: Message{
				Subject: "Undo it",
				Body:    "* Revert \"x\"\n\nThis reverts commit " + sha1 + ".",
				Merge:   &Merge{Kind: MergeBitbucket, Branch: "a", PullRequest: 2, Title: "Undo it", Bullets: []string{"Revert \"x\"\n\nThis reverts commit " + sha1 + "."}},
			},
		},
		{
			name: "revert/git_nested_keeps_the_first_marker",
			msg:  "Revert \"Revert \"x\"\"\n\nThis reverts commit " + sha2 + ".\n\nWhich was: This reverts commit " + sha1 + ".",
			want: Message{
				Type: "revert", Subject: "Revert \"Revert \"x\"\"",
				Body:   "This reverts commit " + sha2 + ".\n\nWhich was: This reverts commit " + sha1 + ".",
				Revert: &Revert{Subject: "Revert \"x\"", SHA: sha2},
			},
		},
		{
			name: "revert/conventional_body",
			msg:  "revert(api): \"feat(api): add the orders endpoint\"\n\nThis reverts commit " + sha1 + ".",
			want: Message{
				Conventional: true, Type: "revert", Scope: "api", Subject: "\"feat(api): add the orders endpoint\"",
				Body:   "This reverts commit " + sha1 + ".",
				Revert: &Revert{Subject: "feat(api): add the orders endpoint", SHA: sha1},
			},
		},
		{
			name: "revert/conventional_refs_full_sha",
			msg:  "Revert: feat: add x\n\nRefs: " + sha2,
			want: Message{
				Conventional: true, Type: "revert", Subject: "feat: add x",
				Footers: []Footer{{"Refs", sha2}},
				Revert:  &Revert{Subject: "feat: add x", SHA: sha2},
			},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ParseMessage(tc.msg)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseMessage(%q) mismatch (-want +got):\n%s", tc.msg, diff)
			}
		})
	}
}

func TestParseMessageHuge(t *testing.T) {
	t.Parallel()

	// Each shape is a worst case for a quadratic parser (many footer lines,
	// paragraphs, bullets or revert markers, or one long line): with n this
	// large, a quadratic parser would time the test out.
	const n = 200_000
	cases := []struct {
		name  string
		msg   string
		check func(Message) bool
	}{
		{"footers", "feat: x\n\n" + strings.Repeat("Refs: #1\n", n), func(m Message) bool { return len(m.Footers) == n }},
		{"paragraphs", "feat: x\n" + strings.Repeat("\nNote x\n", n), func(m Message) bool { return m.Footers == nil && len(m.Body) == len("Note x\n\n")*n-2 }},
		{"long_line", "feat(" + strings.Repeat("a", 10*n) + ": x", func(m Message) bool { return !m.Conventional && len(m.Subject) == 10*n+8 }},
		{"markers", "Revert \"x\"\n\n" + strings.Repeat("This reverts commit abc ", n), func(m Message) bool { return m.Revert != nil && m.Revert.SHA == "" }},
		{"bullets", "Merged in a (pull request #1)\n\nt\n\n" + strings.Repeat("* b\n\n", n), func(m Message) bool { return len(m.Merge.Bullets) == n }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if m := ParseMessage(tc.msg); !tc.check(m) {
				t.Errorf("ParseMessage(%s): unexpected result: %d footers, %d-byte body, %d-byte subject", tc.name, len(m.Footers), len(m.Body), len(m.Subject))
			}
		})
	}
}

func TestMergeKindString(t *testing.T) {
	t.Parallel()

	for k, want := range map[MergeKind]string{
		MergeBitbucket: "bitbucket",
		MergeGitHub:    "github",
		MergeBranch:    "branch",
		MergeKind(0):   "MergeKind(0)",
	} {
		if got := k.String(); got != want {
			t.Errorf("MergeKind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func ExampleParseMessage() {
	m := ParseMessage("Merged in feat/x (pull request #12)\n\nfeat(api)!: add y\n\n* feat(api)!: add y\n\nApproved-by: Jane Doe\n")
	fmt.Println(m.Type, m.Scope, m.Subject, m.Breaking)
	fmt.Println(m.Merge.Kind, m.Merge.Branch, m.Merge.PullRequest, m.Merge.ApprovedBy)
	// Output:
	// feat api add y true
	// bitbucket feat/x 12 [Jane Doe]
}
