package main

import (
	"context"
	"fmt"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/internal/deploy"
	"bitbucket.org/coda-changelog/coda-changelog/internal/words"
)

// earlierFunc reads the earlier deployments to the environment of rel,
// whose Deployment names the one being made.
type earlierFunc func(rel changelog.Release) (deploy.History, error)

// deploys reports whether the run makes a deployment: a step with an
// environment, other than a backfill (which writes no deployments).
func (cfg config) deploys() bool {
	return cfg.Deployment.Environment != "" && !cfg.Backfill
}

// readsDeployments reports whether the run reads the deployments table
// for the previous deployment: a real deployment, not a dry run (which
// does not read Coda) nor a test payload (whose test row is all it writes).
func (cfg config) readsDeployments() bool {
	return cfg.deploys() && cfg.Coda.DeploymentTable.Name != "" && !cfg.DryRun && !cfg.TestPayload
}

// deploymentTable names the deployments table for the start line.
func (cfg config) deploymentTable() string {
	return fmt.Sprintf("table %q", cfg.Coda.DeploymentTable.Name)
}

// shipDeployment turns the build's release b into its deployment: with
// the previous successful deployment from earlier (when the deployments
// table was read), the range starts at that deployment's commit (FROM_REF
// still wins), each shipped commit keeps its own release, and rolled-back
// or no longer deployed commits are found. It sets b.release.Deployment
// and says on the start line, through b.deployNote, why the range is what
// it is.
func shipDeployment(ctx context.Context, cfg config, con *console, b *built, earlier earlierFunc) error {
	env := cfg.Deployment.Environment
	b.release.Deployment = &changelog.Deployment{
		Name:        deploy.Name(env, cfg.Release.Build.Number, b.rng.To),
		Environment: env,
		Status:      cfg.Deployment.Status,
		DeployedAt:  cfg.Deployment.At.In(b.release.Date.Location()),
	}
	d := changelog.DeploymentRange{Rollout: changelog.RolloutFirst, To: b.rng.To}
	var history deploy.History
	switch {
	case earlier == nil && cfg.Coda.DeploymentTable.Name != "":
		b.deployNote = fmt.Sprintf("the previous deployment to %s is not read in a dry run or a test payload", env)
	case earlier == nil:
	default:
		var err error
		if history, err = earlier(b.release); err != nil {
			return err
		}
		if history.Previous == nil {
			b.deployNote = fmt.Sprintf("first deployment to %s recorded in %s", env, cfg.deploymentTable())
			break
		}
		if cfg.Range.From != "" {
			b.deployNote = fmt.Sprintf("FROM_REF instead of the previous deployment to %s, %s", env, history.Previous.Name)
			break
		}
		err = readHistory(ctx, cfg, con, func(g *changelog.Git) error {
			var err error
			if d, err = changelog.ResolveDeployment(ctx, g, b.rng, history.Previous.SHA); err != nil {
				return repositoryError(cfg.RepoPath, err)
			}
			return b.ship(ctx, g, cfg, d)
		})
		if err != nil {
			return err
		}
		b.deployNote, b.deployWarning = rolloutWords(cfg, d, history.Previous)
		if b.deployRange = d.From != ""; b.deployRange {
			b.rng.Reason = b.deployNote
		}
	}
	dep := deploy.New(b.release, d, deploy.Options{
		Environment: env, Status: cfg.Deployment.Status, DeployedAt: b.release.Deployment.DeployedAt,
		Build: cfg.Release.Build.Number, Earlier: history,
	})
	for i := range dep.Older {
		dep.Older[i].Deployment = dep
	}
	b.release.Deployment = dep
	return nil
}

// ship narrows b to what the deployment d ships: the commits since the
// previous deployment, each in its own release when they span release
// tags, and the entries of the commits it takes back.
func (b *built) ship(ctx context.Context, g *changelog.Git, cfg config, d changelog.DeploymentRange) error {
	if d.From == "" {
		return nil
	}
	rels := []changelog.Release{b.release}
	if d.SpansReleases {
		found, err := changelog.ReadReleases(ctx, g, changelog.ReleasesOptions{To: cfg.Range.To, Tags: cfg.Range.Tags, Version: cfg.Range.Version}, cfg.Read)
		if err != nil {
			return repositoryError(cfg.RepoPath, err)
		}
		rels = rels[:0]
		for i, f := range found {
			opts := cfg.Release
			if i < len(found)-1 {
				opts.Version = "" // an older release is its tag's
			}
			rels = append(rels, changelog.NewRelease(f.Range, f.History, opts))
		}
		rels[len(rels)-1].Deployment = b.release.Deployment
	}
	shipped := d.Ship(rels)
	b.release = shipped[len(shipped)-1]
	b.release.Deployment.Older = shipped[:len(shipped)-1]
	withdrawn, err := changelog.ReadWithdrawn(ctx, g, d, cfg.Read)
	if err != nil {
		return repositoryError(cfg.RepoPath, err)
	}
	b.release.Deployment.Withdrawn = withdrawn
	b.rng.From, b.rng.FromRef = d.From, changelog.ShortSHA(d.From)
	if d.Rollout == changelog.RolloutDiverged {
		b.rng.FromRef = changelog.MergeBase
	}
	b.history.Commits = len(d.Shipped)
	b.release.Markdown, err = renderNotes(cfg, b.release)
	return err
}

// rolloutWords says, for the start line, why a deployment's range is what
// it is, and warns about what is legal but probably wrong.
func rolloutWords(cfg config, d changelog.DeploymentRange, previous *deploy.Record) (note, warning string) {
	env, prev := cfg.Deployment.Environment, fmt.Sprintf("%s (%s)", previous.Name, changelog.ShortSHA(previous.SHA))
	switch d.Rollout {
	case changelog.RolloutForward:
		return fmt.Sprintf("since the previous deployment to %s, %s", env, prev), ""
	case changelog.RolloutRollback:
		return fmt.Sprintf("rollback of %s: takes back %s deployed by %s", env, words.Plural(len(d.Gone), "commit", "commits"), prev), ""
	case changelog.RolloutDiverged:
		return fmt.Sprintf("merge base with the previous deployment to %s, %s", env, prev),
			fmt.Sprintf("the previous deployment to %s, %s, is not an ancestor of this one: %s it deployed %s not in this deployment, "+
				"and their rows are marked as no longer deployed", env, prev, words.Plural(len(d.Gone), "commit", "commits"), isAre(len(d.Gone)))
	case changelog.RolloutUnknownPrevious:
		return fmt.Sprintf("the previous deployment to %s is unknown to the repository", env),
			fmt.Sprintf("the previous deployment to %s, %s, deployed commit %s, which this repository does not have "+
				"(history rewritten, or another repository?): the range is the usual one", env, previous.Name, previous.SHA)
	}
	return "", ""
}

// isAre is the verb for n things.
func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
