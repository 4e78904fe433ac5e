package changelog

import "time"

// Deployment is a deployment of the release to an environment, as the
// release JSON gives it under "deployment" (OUTPUT_JSON, the automation
// payload): what a team needs to announce "v1.5.0 is live in production"
// and to follow DORA's four keys. Its JSON names are part of the pipe's
// interface. Durations are hours; an absent duration is null.
type Deployment struct {
	// Name identifies the deployment: "<environment> #<build number>", so
	// that a rerun of the same step names the same deployment.
	Name        string `json:"-"`
	Environment string `json:"environment"`
	// Status is [DeploymentSuccessful] or [DeploymentFailed].
	Status string `json:"status"`
	// PreviousSHA is the commit of the previous successful deployment to
	// the environment, or "" for the first one.
	PreviousSHA string `json:"previous_sha"`
	// Rollback reports that the deployed commit is an ancestor of the
	// previous deployment's.
	Rollback bool `json:"rollback"`
	// Count is the number of changelog entries the deployment ships (after
	// the filters), or for a rollback the number of commits it takes back.
	Count int `json:"count"`
	// LeadTime is the median, in hours, from each shipped commit
	// to DeployedAt, and LeadTimeMax the longest; null when nothing was
	// shipped or the deployment failed.
	LeadTime    *float64 `json:"lead_time"`
	LeadTimeMax *float64 `json:"lead_time_max"`
	// TimeToRestore is, for a successful deployment that follows failed
	// ones to the environment, the hours since the first of those
	// failures; null otherwise.
	TimeToRestore *float64 `json:"time_to_restore"`
	// DeployedAt is when the deployment ran.
	DeployedAt time.Time `json:"deployed_at"`
	// Gone are the commits deployed before and no longer deployed after
	// this deployment (rolled back, or on the other side of diverged
	// histories), newest first.
	Gone []string `json:"-"`
	// Withdrawn are the changelog entries of the Gone commits (after the
	// filters): the rows that a rollback or a divergence marks as no
	// longer live.
	Withdrawn []Entry `json:"-"`
	// Older are the shipped commits that belong to older releases than
	// the deployment's (a deployment that spans release tags), each in its
	// own release, oldest first: their rows keep their own version.
	Older []Release `json:"-"`
}

// The statuses of a deployment.
const (
	DeploymentSuccessful = "SUCCESSFUL"
	DeploymentFailed     = "FAILED"
)
