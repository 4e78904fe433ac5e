package publish

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/changelog"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// TestSplitSquashRows: the entries of a split squash merge share their
// commit's hash but are rows of their own, keyed by the hash and the
// bullet's number, in a real run and in a dry run's count alike.
func TestSplitSquashRows(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := codatest.NewUnstarted()
		releasesDoc(srv)
		rel := release("v1.1.0", 1, 2)
		squash := rel.Entries[1]
		rel.Entries = rel.Entries[:1]
		for n := 3; n >= 1; n-- {
			e := squash
			e.Bullet = &n
			rel.Entries = append(rel.Entries, e)
		}
		rels := []changelog.Release{rel}

		var log recorder
		Describe(&log, twoTables(), rels)
		require.Contains(t, log.String(), `Would upsert 4 rows (one per commit) into table "Changes"`)
		_, err := New(fakeClient(t, srv), twoTables(), discard{}).Backfill(t.Context(), rels)
		require.NoError(t, err)
		var keys []any
		for _, r := range srv.Rows(typedDocID, "grid-changes") {
			keys = append(keys, r.Values["c-sha"])
		}
		require.ElementsMatch(t, []any{rel.Entries[0].SHA, squash.SHA + "#1", squash.SHA + "#2", squash.SHA + "#3"}, keys)
	})
}
