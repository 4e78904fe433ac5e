package pipelines

// Env are the default variables Bitbucket Pipelines gives a pipe. Users do
// not set them; a local docker run may.
type Env struct {
	CloneDir              string `env:"BITBUCKET_CLONE_DIR"`
	Commit                string `env:"BITBUCKET_COMMIT"`
	Branch                string `env:"BITBUCKET_BRANCH"`
	Tag                   string `env:"BITBUCKET_TAG"`
	BuildNumber           string `env:"BITBUCKET_BUILD_NUMBER"`
	PRID                  string `env:"BITBUCKET_PR_ID"`
	PRDestinationBranch   string `env:"BITBUCKET_PR_DESTINATION_BRANCH"`
	PRDestinationCommit   string `env:"BITBUCKET_PR_DESTINATION_COMMIT"`
	RepoFullName          string `env:"BITBUCKET_REPO_FULL_NAME"`
	GitHTTPOrigin         string `env:"BITBUCKET_GIT_HTTP_ORIGIN"`
	DeploymentEnvironment string `env:"BITBUCKET_DEPLOYMENT_ENVIRONMENT"`
	// ExitCode is the step's exit code, which Bitbucket sets in after-script
	// only.
	ExitCode string `env:"BITBUCKET_EXIT_CODE"`
	// DockerHost is DOCKER_HOST: inside a pipe it names the step's host,
	// where Pipelines' git proxy listens.
	DockerHost string `env:"DOCKER_HOST"`
}

// ShallowAdvice tells a user of Pipelines how to give the step the whole
// history.
const ShallowAdvice = "in bitbucket-pipelines.yml set `clone: depth: full`, or run " +
	"`git fetch --unshallow --tags` before this step, or leave FETCH_HISTORY on"

// TokenAdvice tells a user of Pipelines how to hand the pipe its Coda token.
const TokenAdvice = "map your secured variable in the pipe's variables (CODA_API_TOKEN: $CODA_API_TOKEN)"

// EmptyTokenAdvice explains a token variable that is mapped but empty.
const EmptyTokenAdvice = "CODA_API_TOKEN: $CODA_API_TOKEN is mapped, but $CODA_API_TOKEN is not defined where this step runs. " +
	"Define it as a secured Repository variable, or, for a step with a deployment, as a Deployment variable of that environment"
