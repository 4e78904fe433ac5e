package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConfigInsights(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		problems []string // variables with a problem; none: valid
		warning  string   // in the warnings
	}{
		{"preview alone needs no Coda", map[string]string{"CODE_INSIGHTS": "true", "COMMIT_LINT": "fail"}, nil, ""},
		{"without it Coda is required", map[string]string{"COMMIT_LINT": "warn"}, []string{"CODA_API_TOKEN", "CODA_DOC_ID", "CODA_TABLE"}, ""},
		{"a Coda variable wants Coda", map[string]string{"CODE_INSIGHTS": "true", "CODA_PAGE": "Notes"}, []string{"CODA_API_TOKEN", "CODA_DOC_ID"}, ""},
		{"a test payload wants Coda", map[string]string{"CODE_INSIGHTS": "true", "TEST_PAYLOAD": "true"}, []string{"CODA_API_TOKEN", "CODA_DOC_ID", "CODA_TABLE"}, ""},
		{"a token alone is a warning", map[string]string{"CODE_INSIGHTS": "true", "CODA_API_TOKEN": "secret"}, nil, "nothing is written to Coda"},
		{"with a backfill", minimal(map[string]string{"CODE_INSIGHTS": "true", "BACKFILL": "true"}), nil, "not used"},
		{"bad values", map[string]string{"CODE_INSIGHTS": "maybe", "COMMIT_LINT": "strict", "DRY_RUN": "true"}, []string{"CODE_INSIGHTS", "COMMIT_LINT"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := loadConfig(t, tc.env)
			var ve *validationError
			if tc.problems == nil {
				require.NoError(t, err)
				if tc.warning != "" {
					require.Contains(t, strings.Join(cfg.Warnings, "\n"), tc.warning)
				}
				return
			}
			require.True(t, errors.As(err, &ve), "%v", err)
			var got []string
			for _, p := range ve.Problems {
				if len(got) == 0 || got[len(got)-1] != p.Variable {
					got = append(got, p.Variable)
				}
			}
			require.Equal(t, tc.problems, got)
		})
	}
}

func TestConfigInsightsValues(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(t, minimal(nil))
	require.NoError(t, err)
	require.False(t, cfg.Insights)
	require.Equal(t, lintOff, cfg.CommitLint)
	cfg, err = loadConfig(t, map[string]string{"CODE_INSIGHTS": "yes", "COMMIT_LINT": " Fail "})
	require.NoError(t, err)
	require.True(t, cfg.Insights)
	require.Equal(t, lintFail, cfg.CommitLint)
	require.False(t, cfg.writesToCoda())
}
