package changelog

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIssueMatcherFind(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name    string
		pattern string
		texts   []string
		want    []string
	}{
		{name: "default/plain", texts: []string{"ABC-123 fix login"}, want: []string{"ABC-123"}},
		{name: "default/digit_in_project", texts: []string{"AB2-9: x"}, want: []string{"AB2-9"}},
		{name: "default/underscore_in_project", texts: []string{"MY_PROJ-4"}, want: []string{"MY_PROJ-4"}},
		{name: "default/in_scope", texts: []string{"feat(ABC-12): x"}, want: []string{"ABC-12"}},
		{name: "default/in_branch", texts: []string{"feature/ABC-123-do-thing"}, want: []string{"ABC-123"}},
		{name: "default/in_brackets_and_punctuation", texts: []string{"[ABC-1], (DEF-2). GHI-3!"}, want: []string{"ABC-1", "DEF-2", "GHI-3"}},
		{name: "default/lower_case", texts: []string{"abc-123 Abc-123"}},
		{name: "default/one_letter_project", texts: []string{"A-1"}},
		{name: "default/leading_zero", texts: []string{"ABC-0 ABC-012"}},
		{name: "default/glued_to_word", texts: []string{"xABC-1 ABC-1x ABC-1_2 _ABC-1"}},
		{name: "default/false_positives_dropped", texts: []string{"UTF-8 ISO-8601 SHA-1 SHA-256 RFC-3339 CVE-2024-1234"}},
		{name: "default/similar_projects_kept", texts: []string{"UTF8-1 ISOX-2 SHAS-3"}, want: []string{"UTF8-1", "ISOX-2", "SHAS-3"}},
		{name: "default/none", texts: []string{"fix: nothing to see", ""}},
		{name: "default/no_texts"},
		{
			name:  "default/dedup_keeps_first_appearance_across_texts",
			texts: []string{"feat(ABC-2): x ABC-1", "see ABC-1 and XYZ-9", "ABC-2 again", "feature/XYZ-9-x"},
			want:  []string{"ABC-2", "ABC-1", "XYZ-9"},
		},
		{
			name:    "custom/whole_match",
			pattern: `#[0-9]+`,
			texts:   []string{"Fixes #12 and #7", "Refs #12"},
			want:    []string{"#12", "#7"},
		},
		{
			name:    "custom/capture_group_is_the_key",
			pattern: `(?i)\b(?:fixes|closes) #([0-9]+)`,
			texts:   []string{"Fixes #12, closes #7, mentions #99", "CLOSES #12"},
			want:    []string{"12", "7"},
		},
		{
			name:    "custom/unmatched_and_empty_groups_skipped",
			pattern: `ID:([0-9]*)|(?:TICKET)`,
			texts:   []string{"ID: TICKET ID:5 ID:"},
			want:    []string{"5"},
		},
		{
			name:    "custom/default_false_positives_are_kept",
			pattern: `\b[A-Z]+-[0-9]+\b`,
			texts:   []string{"UTF-8 ABC-1"},
			want:    []string{"UTF-8", "ABC-1"},
		},
		{
			name:    "custom/explicit_default_pattern_behaves_as_default",
			pattern: DefaultIssuePattern,
			texts:   []string{"UTF-8 ABC-1"},
			want:    []string{"ABC-1"},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := NewIssueMatcher(tc.pattern)
			if err != nil {
				t.Fatalf("NewIssueMatcher(%q): %v", tc.pattern, err)
			}
			got := m.Find(tc.texts...)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Find(%q) with pattern %q mismatch (-want +got):\n%s", tc.texts, tc.pattern, diff)
			}
		})
	}
}

func TestNewIssueMatcherBadPattern(t *testing.T) {
	t.Parallel()

	for _, pattern := range []string{`ABC-(`, `[A-Z`, `a**`, `\8`} {
		t.Run(pattern, func(t *testing.T) {
			t.Parallel()
			m, err := NewIssueMatcher(pattern)
			if err == nil {
				t.Fatalf("NewIssueMatcher(%q) = %v, nil; want an error", pattern, m)
			}
			if m != nil {
				t.Errorf("NewIssueMatcher(%q) returned a matcher with its error", pattern)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", pattern)) {
				t.Errorf("error %q does not name the pattern %q", err, pattern)
			}
			if syntaxErr := (*syntax.Error)(nil); !errors.As(err, &syntaxErr) {
				t.Errorf("error %q does not wrap the *syntax.Error", err)
			}
		})
	}
}

func TestIssueMatcherNil(t *testing.T) {
	t.Parallel()

	var m *IssueMatcher
	if got := m.Find("ABC-1"); got != nil {
		t.Errorf("nil matcher found %q", got)
	}
}

func ExampleIssueMatcher_Find() {
	m, err := NewIssueMatcher("")
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Find("feat(ABC-12): use UTF-8 everywhere", "feature/ABC-12-utf8", "Refs: DEF-3"))
	// Output:
	// [ABC-12 DEF-3]
}

// FuzzJiraKeys checks the hand-written scanner against the regexp it stands
// in for.
func FuzzJiraKeys(f *testing.F) {
	for _, s := range []string{"ABC-123", "feat(ABC-12): x", "feature/ABC-123-do-thing", "UTF-8 and SHA-256",
		"AB_C-1 A-1 AB-01 ab-1 ABC-12x ABC-1-DEF-2", "ÄBC-1 XÄBC-1 ABC-1é", "x_ABC-1 ABC-1_", "ABC--1"} {
		f.Add(s)
	}
	re := regexp.MustCompile(DefaultIssuePattern)
	f.Fuzz(func(t *testing.T, s string) {
		want := re.FindAllStringIndex(s, -1)
		got := jiraKeys(s, nil)
		if len(want) == 0 && len(got) == 0 {
			return
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("jiraKeys(%q) = %v, the regexp finds %v", s, got, want)
		}
	})
}
