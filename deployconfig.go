package main

import (
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/internal/deploy"
)

// deployment is the deployment a step makes: where to, and whether it
// succeeded. Its Environment is "" when the step deploys nowhere.
type deployment struct {
	Environment string
	// Status is changelog.DeploymentSuccessful or DeploymentFailed.
	Status string
	// At is when the run started: the deployment's deployed_at.
	At time.Time
}

// parseDeployment reads the environment deployed to (DEPLOYMENT_ENVIRONMENT,
// else the BITBUCKET_DEPLOYMENT_ENVIRONMENT of a step with deployment:) and
// the deployment's status (BITBUCKET_EXIT_CODE in after-script). A
// deployments table without an environment is a warning, and so is one in
// a backfill: that step writes no deployment row.
func parseDeployment(c *checker, env variables, vars map[string]string, backfill bool) deployment {
	d := deployment{Environment: firstNonEmpty(env.DeploymentEnvironment, env.Pipelines.DeploymentEnvironment), At: time.Now()}
	_, set := vars["BITBUCKET_EXIT_CODE"]
	status, err := deploy.Status(env.Pipelines.ExitCode, set)
	if err != nil {
		c.add("BITBUCKET_EXIT_CODE", "%v", err)
	}
	d.Status = status
	if env.CodaDeploymentTable != "" && d.Environment == "" {
		c.warn("CODA_DEPLOYMENT_TABLE is set, but this step deploys nowhere (no deployment: in the step, no DEPLOYMENT_ENVIRONMENT), " +
			"so no deployment row is written: set DEPLOYMENT_ENVIRONMENT, or run the pipe in a step with deployment:")
	}
	if env.CodaDeploymentTable != "" && d.Environment != "" && backfill {
		c.warn("CODA_DEPLOYMENT_TABLE is set, but a BACKFILL writes the history's releases, not a deployment to %s, "+
			"so no deployment row is written: run the pipe without BACKFILL in the deployment step", d.Environment)
	}
	return d
}
