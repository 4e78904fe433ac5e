// Package deploy is the model of a deployment as the pipe records it in
// Coda: its name, its status, which earlier deployment it follows, and
// DORA's four keys as far as one deployment gives them (lead time for
// changes and time to restore; deployment frequency and change failure rate
// are counts over the table). It knows nothing of Coda's API: the
// publisher reads the earlier deployments and hands them over as
// [Record]s.
package deploy

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
)

// Name is the name, and default key, of a deployment:
// "<environment> #<build number>" ("production #128"), so that a rerun of
// the same step updates its row. Outside Pipelines, without a build
// number, the build's commit stands in for it ("production 3fa4c2e").
func Name(environment string, build *int, sha string) string {
	if build == nil {
		return environment + " " + changelog.ShortSHA(sha)
	}
	return fmt.Sprintf("%s #%d", environment, *build)
}

// Status is the status of the deployment that a step reports with
// BITBUCKET_EXIT_CODE, which Bitbucket sets in after-script: 0 is
// [changelog.DeploymentSuccessful], any other number
// [changelog.DeploymentFailed]. Unset (a pipe in script, after the deploy
// command, runs only when that succeeded) is successful. Anything else is
// an error naming the value.
func Status(exitCode string, set bool) (string, error) {
	exitCode = strings.TrimSpace(exitCode)
	if !set || exitCode == "" {
		return changelog.DeploymentSuccessful, nil
	}
	n, err := strconv.Atoi(exitCode)
	if err != nil {
		return "", fmt.Errorf("BITBUCKET_EXIT_CODE %q is not a number: Bitbucket sets it to the step's exit code in after-script; leave it unset elsewhere", exitCode)
	}
	if n == 0 {
		return changelog.DeploymentSuccessful, nil
	}
	return changelog.DeploymentFailed, nil
}

// Record is an earlier deployment to the environment, as read from the
// deployments table.
type Record struct {
	Name   string // the row's key, such as "production #127"
	SHA    string
	Status string
	// DeployedAt is when it ran; zero when the cell was empty or not a date.
	DeployedAt time.Time
	// Own marks the row that the deployment being made writes (its key
	// cells are the deployment's): a rerun of the same step.
	Own bool
}

// successful reports whether the record is of a successful deployment.
func (r Record) successful() bool {
	return strings.EqualFold(strings.TrimSpace(r.Status), changelog.DeploymentSuccessful)
}

// failed reports whether the record is of a failed deployment.
func (r Record) failed() bool {
	return strings.EqualFold(strings.TrimSpace(r.Status), changelog.DeploymentFailed)
}

// History is what the earlier deployments to an environment say about the
// next one.
type History struct {
	// Previous is the newest successful deployment other than the one
	// being made; nil when there is none.
	Previous *Record
	// FailedSince is when the first of the failed deployments since
	// Previous ran; zero when none failed since.
	FailedSince time.Time
}

// Earlier works out, from the records of one environment (in the table's
// order, oldest first), the previous successful deployment of the one
// being made, and when the environment started failing since. Records are
// ordered by DeployedAt, the table's order breaking ties (records without
// a date count as oldest). The deployment's own record (a rerun of its
// step, [Record.Own]) is never its previous one, but when it failed, that
// failure counts: a rerun that succeeds restores the environment.
func Earlier(records []Record) History {
	sorted := slices.Clone(records)
	slices.SortStableFunc(sorted, func(a, b Record) int { return a.DeployedAt.Compare(b.DeployedAt) })
	var h History
	for i := len(sorted) - 1; i >= 0; i-- {
		r := sorted[i]
		if r.successful() && !r.Own {
			h.Previous = &r
			sorted = sorted[i+1:]
			break
		}
	}
	for _, r := range sorted {
		if r.failed() && !r.DeployedAt.IsZero() && (h.FailedSince.IsZero() || r.DeployedAt.Before(h.FailedSince)) {
			h.FailedSince = r.DeployedAt
		}
	}
	return h
}

// Options describe a deployment beyond the range it ships.
type Options struct {
	Environment string
	Status      string // changelog.DeploymentSuccessful or changelog.DeploymentFailed
	DeployedAt  time.Time
	Build       *int // BITBUCKET_BUILD_NUMBER, for its name
	Earlier     History
}

// New describes the deployment of rel over the range d. What it ships is
// rel's entries (see [changelog.DeploymentRange.Ship]) and those of the
// older releases in rel.Deployment.Older, when rel already has a
// Deployment, whose Withdrawn and Older it keeps. A failed deployment
// delivered nothing, so it has no lead time; a rollback counts the commits
// it takes back.
func New(rel changelog.Release, d changelog.DeploymentRange, o Options) *changelog.Deployment {
	shipped := rel.Entries
	dep := &changelog.Deployment{
		Name:        Name(o.Environment, o.Build, rel.To),
		Environment: o.Environment,
		Status:      o.Status,
		Rollback:    d.Rollout == changelog.RolloutRollback,
		DeployedAt:  o.DeployedAt,
		Gone:        d.Gone,
	}
	if rel.Deployment != nil {
		dep.Withdrawn, dep.Older = rel.Deployment.Withdrawn, rel.Deployment.Older
		for _, older := range dep.Older {
			shipped = append(slices.Clip(shipped), older.Entries...)
		}
	}
	dep.Count = len(shipped)
	if o.Earlier.Previous != nil {
		dep.PreviousSHA = o.Earlier.Previous.SHA
		if d.Previous != "" { // the repository's full hash
			dep.PreviousSHA = d.Previous
		}
	}
	if dep.Rollback {
		dep.Count = len(d.Gone)
	}
	if o.Status != changelog.DeploymentSuccessful {
		return dep
	}
	dep.LeadTime, dep.LeadTimeMax = LeadTimes(shipped, o.DeployedAt)
	if !o.Earlier.FailedSince.IsZero() {
		dep.TimeToRestore = hours(o.DeployedAt.Sub(o.Earlier.FailedSince))
	}
	return dep
}

// LeadTimes are the median and the longest time, in hours, from each
// entry's commit ([changelog.Entry.CommitDate]) to at; both nil without
// entries. A commit counts once, however many entries it makes (the
// bullets of a split squash merge). The median of an even number of
// commits is the mean of the middle two.
func LeadTimes(entries []changelog.Entry, at time.Time) (median, longest *float64) {
	if len(entries) == 0 {
		return nil, nil
	}
	var d []time.Duration
	seen := map[string]bool{}
	for _, e := range entries {
		if !seen[e.SHA] {
			seen[e.SHA] = true
			d = append(d, at.Sub(e.CommitDate()))
		}
	}
	slices.SortFunc(d, cmp.Compare)
	mid := len(d) / 2
	m := d[mid]
	if len(d)%2 == 0 {
		m = (d[mid-1] + d[mid]) / 2
	}
	return hours(m), hours(d[len(d)-1])
}

// hours is a duration in hours, to the hundredth (36 s); a negative
// duration (a commit dated after the deployment: a skewed clock) is 0.
func hours(d time.Duration) *float64 {
	h := math.Round(max(d, 0).Hours()*100) / 100
	return &h
}
