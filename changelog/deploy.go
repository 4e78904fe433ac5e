package changelog

import (
	"bytes"
	"context"
	"fmt"
	"strings"
)

// Rollout says how a deployment's commit relates to the commit of the
// previous successful deployment to the same environment.
type Rollout string

// The rollouts [ResolveDeployment] tells apart.
const (
	// RolloutFirst: no previous successful deployment is recorded. The
	// deployment ships the build's usual range.
	RolloutFirst Rollout = "first"
	// RolloutForward: the previous deployment's commit is an ancestor of
	// the build's commit (or is it). The deployment ships what lies between.
	RolloutForward Rollout = "forward"
	// RolloutRollback: the build's commit is an ancestor of the previous
	// deployment's. The deployment ships nothing and takes back what lies
	// between.
	RolloutRollback Rollout = "rollback"
	// RolloutDiverged: neither is an ancestor of the other (a rewritten
	// branch, or a deployment from another branch). The deployment ships
	// what the build's commit has since their merge base, and takes back
	// what only the previous deployment had.
	RolloutDiverged Rollout = "diverged"
	// RolloutUnknownPrevious: the repository does not have the previous
	// deployment's commit (history rewritten, or a deployment recorded by
	// another repository). The deployment ships the build's usual range.
	RolloutUnknownPrevious Rollout = "unknown previous"
)

// DeploymentRange is what a deployment ships compared with the previous
// successful deployment to its environment.
type DeploymentRange struct {
	Rollout Rollout
	// Previous is the previous deployment's commit as recorded (a full hash
	// once found); "" for the first deployment.
	Previous string
	// From is the exclusive start of the shipped commits: Previous (forward),
	// the build's commit (rollback: nothing is shipped), or the merge base
	// (diverged). It is "" when the usual range applies (first deployment,
	// unknown previous commit).
	From string
	// To is the build's commit, a full hash.
	To string
	// Shipped holds the commits in From..To; nil when From is "".
	Shipped map[string]bool
	// Gone are the commits in To..Previous, newest first: deployed before
	// and not part of this deployment (rolled back, or left on the other
	// side of a divergence).
	Gone []string
	// SpansReleases reports that the shipped commits reach back past the
	// start of the build's usual range (the previous release tag): some
	// of them belong to older releases, so each needs its own release (see
	// [ReadReleases] and [DeploymentRange.Ship]).
	SpansReleases bool
}

// ResolveDeployment works out what a deployment of usual.To ships, given
// usual, the build's range as [ResolveRange] resolved it, and previous, the
// commit of the previous successful deployment to the environment ("" for
// none). A previous commit missing from a shallow clone is a
// [*ShallowError], so that the caller can deepen the clone and try again;
// missing from a full clone (deepened since usual was resolved, or not) it
// is [RolloutUnknownPrevious].
func ResolveDeployment(ctx context.Context, g *Git, usual Range, previous string) (DeploymentRange, error) {
	d := DeploymentRange{Rollout: RolloutFirst, To: usual.To, Previous: strings.TrimSpace(previous)}
	if d.Previous == "" {
		return d, nil
	}
	sha, err := resolveCommit(ctx, g, d.Previous)
	if err != nil {
		// Asked again, not taken from usual: the clone may have been
		// deepened since usual was resolved.
		shallow, serr := isShallow(ctx, g)
		if serr != nil {
			return DeploymentRange{}, serr
		}
		if shallow {
			return DeploymentRange{}, &ShallowError{Range: usual, Detail: fmt.Sprintf(
				"does not have commit %s, which the previous deployment deployed", ShortSHA(d.Previous))}
		}
		d.Rollout = RolloutUnknownPrevious
		return d, nil
	}
	d.Previous = sha
	forward, err := isAncestor(ctx, g, sha, d.To)
	if err != nil {
		return DeploymentRange{}, err
	}
	switch back, err := isAncestor(ctx, g, d.To, sha); {
	case err != nil:
		return DeploymentRange{}, err
	case forward:
		d.Rollout, d.From = RolloutForward, sha
	case back:
		d.Rollout, d.From = RolloutRollback, d.To
	default:
		base, err := g.line(ctx, "merge-base", "--end-of-options", d.To, sha)
		if err != nil || base == "" { // unrelated histories have no merge base
			d.Rollout = RolloutUnknownPrevious
			return d, nil
		}
		d.Rollout, d.From = RolloutDiverged, base
	}
	if d.Shipped, err = revList(ctx, g, d.From, d.To); err != nil {
		return DeploymentRange{}, err
	}
	if d.Rollout != RolloutForward {
		gone, err := g.Run(ctx, "rev-list", "--end-of-options", sha, "^"+d.To)
		if err != nil {
			return DeploymentRange{}, err
		}
		d.Gone = strings.Fields(string(gone))
	}
	if usual.From != "" && len(d.Shipped) > 0 {
		within, err := isAncestor(ctx, g, usual.From, d.From)
		if err != nil {
			return DeploymentRange{}, err
		}
		d.SpansReleases = !within
	}
	return d, nil
}

// revList returns the commits reachable from to and not from from.
func revList(ctx context.Context, g *Git, from, to string) (map[string]bool, error) {
	out, err := g.Run(ctx, "rev-list", "--end-of-options", to, "^"+from)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for line := range bytes.FieldsSeq(out) {
		set[string(line)] = true
	}
	return set, nil
}

// Ship narrows releases (oldest first, the build's release last, as
// [ReadReleases] gives them) to what the deployment ships: each release
// keeps only its shipped entries, releases that ship none are left out,
// and the build's release, always kept, starts at the deployment's From.
// Versions, computed before, stay what the releases' own ranges made them,
// so each commit keeps the release that first contains it. Without a From
// (the usual range applies) the releases are returned as they are.
func (d DeploymentRange) Ship(releases []Release) []Release {
	if d.From == "" || len(releases) == 0 {
		return releases
	}
	out := make([]Release, 0, len(releases))
	for i, rel := range releases {
		var kept []Entry
		for _, e := range rel.Entries {
			if d.Shipped[e.SHA] {
				kept = append(kept, e)
			}
		}
		last := i == len(releases)-1
		if len(kept) == 0 && !last {
			continue
		}
		rel.Entries = kept
		if rel.Entries == nil {
			rel.Entries = []Entry{}
		}
		if last {
			rel.From = d.From
		}
		out = append(out, rel)
	}
	return out
}

// ReadWithdrawn reads the changelog entries of d.Gone, the commits a
// rollback or a divergence takes back, as [ReadRange] reads a range (with
// opts' filters, without new contributors): the entries whose rows the
// previous deployments marked live.
func ReadWithdrawn(ctx context.Context, g *Git, d DeploymentRange, opts ReadOptions) ([]Entry, error) {
	if len(d.Gone) == 0 {
		return nil, nil
	}
	opts.NewContributors = false
	h, err := ReadRange(ctx, g, Range{From: d.To, To: d.Previous}, opts)
	if err != nil {
		return nil, err
	}
	return h.Entries, nil
}
