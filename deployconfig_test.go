package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/publish"
)

func TestConfigDeployment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		env         map[string]string
		environment string
		status      string
		warning     string
		problem     string
	}{
		{name: "not a deployment", env: minimal(nil)},
		{name: "a step with deployment:", env: minimal(map[string]string{"BITBUCKET_DEPLOYMENT_ENVIRONMENT": "production"}),
			environment: "production", status: changelog.DeploymentSuccessful},
		{name: "DEPLOYMENT_ENVIRONMENT overrides", env: minimal(map[string]string{"BITBUCKET_DEPLOYMENT_ENVIRONMENT": "production", "DEPLOYMENT_ENVIRONMENT": " staging "}),
			environment: "staging", status: changelog.DeploymentSuccessful},
		{name: "after-script of a failed step", env: minimal(map[string]string{"DEPLOYMENT_ENVIRONMENT": "qa", "BITBUCKET_EXIT_CODE": "2"}),
			environment: "qa", status: changelog.DeploymentFailed},
		{name: "a table and nowhere to deploy", env: minimal(map[string]string{"CODA_DEPLOYMENT_TABLE": "Deployments"}),
			warning: "CODA_DEPLOYMENT_TABLE is set, but this step deploys nowhere"},
		{name: "a table in a backfill", env: minimal(map[string]string{"CODA_DEPLOYMENT_TABLE": "Deployments", "DEPLOYMENT_ENVIRONMENT": "production", "BACKFILL": "true"}),
			environment: "production", status: changelog.DeploymentSuccessful,
			warning: "CODA_DEPLOYMENT_TABLE is set, but a BACKFILL writes the history's releases, not a deployment to production"},
		{name: "a broken exit code", env: minimal(map[string]string{"DEPLOYMENT_ENVIRONMENT": "qa", "BITBUCKET_EXIT_CODE": "x"}),
			problem: "BITBUCKET_EXIT_CODE:\n- BITBUCKET_EXIT_CODE \"x\" is not a number"},
		{name: "columns without the table", env: minimal(map[string]string{"CODA_DEPLOYMENT_COLUMNS": "status=State"}),
			problem: "CODA_DEPLOYMENT_COLUMNS:\n- is set but CODA_DEPLOYMENT_TABLE is not"},
		{name: "a field of another table", env: minimal(map[string]string{"CODA_DEPLOYMENT_TABLE": "D", "CODA_DEPLOYMENT_COLUMNS": "subject=S"}),
			problem: `"subject" is not a field of a row per deployment`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := loadConfig(t, tt.env)
			if tt.problem != "" {
				require.ErrorContains(t, err, tt.problem)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.environment, cfg.Deployment.Environment)
			if tt.environment != "" {
				require.Equal(t, tt.status, cfg.Deployment.Status)
				require.Equal(t, tt.environment, cfg.Release.Build.DeploymentEnvironment, "the environment field says where it went")
			}
			if tt.warning != "" {
				require.Len(t, cfg.Warnings, 1)
				require.Contains(t, cfg.Warnings[0], tt.warning)
			} else {
				require.Empty(t, cfg.Warnings)
			}
		})
	}
	cfg, err := loadConfig(t, map[string]string{"CODA_API_TOKEN": "t", "CODA_DOC_ID": "AbC", "CODA_DEPLOYMENT_TABLE": "Deployments"})
	require.NoError(t, err, "a deployments table is a destination of its own")
	require.Equal(t, publish.PerDeployment, cfg.Coda.DeploymentTable.Rows)
	require.Equal(t, "CODA_DEPLOYMENT_TABLE", cfg.Coda.DeploymentTable.Variable("TABLE"))
}
