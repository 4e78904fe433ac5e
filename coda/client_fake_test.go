package coda_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"bitbucket.org/coda-changelog/coda-changelog/coda"
	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
	"bitbucket.org/coda-changelog/coda-changelog/coda/internal/spectest"
)

// seeded is a fake doc: its IDs, as the fake generated them.
type seeded struct {
	doc                       string
	table, view               string
	version, date, notes, age string // column IDs
	page                      string
	ruleOn, ruleOff           string
}

// seedDoc adds the changelog doc the tests write to.
func seedDoc(s *codatest.Server) seeded {
	d := s.AddDoc(codatest.Doc{
		Name: "Changelog",
		Tables: []codatest.Table{
			{Name: "Releases", Columns: []codatest.Column{
				{Name: "Version", Display: true},
				{Name: "Date", Type: "date"},
				{Name: "Notes"},
				{Name: "Age", Type: "number", Calculated: true},
			}},
			{Name: "Recent releases", View: true, BaseTable: "Releases"},
		},
		Pages:       []codatest.Page{{Name: "Release notes", Markdown: "# Release notes\n"}},
		Automations: []codatest.Automation{{}, {Off: true}},
	})
	cols := d.Tables[0].Columns
	return seeded{
		doc: d.ID, table: d.Tables[0].ID, view: d.Tables[1].ID,
		version: cols[0].ID, date: cols[1].ID, notes: cols[2].ID, age: cols[3].ID,
		page:   d.Pages[0].ID,
		ruleOn: d.Automations[0].ID, ruleOff: d.Automations[1].ID,
	}
}

// fakeClient returns a client for s, with its documented default limits
// unless opts say otherwise.
func fakeClient(t testing.TB, s *codatest.Server, token string, opts ...coda.Option) *coda.Client {
	t.Helper()
	base := []coda.Option{coda.WithBaseURL(s.URL), coda.WithHTTPClient(s.Client())}
	c, err := coda.NewClient(token, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// applied returns a function that passes on the answer of a write of
// rows and, when it succeeded, first waits with c until Coda applied it,
// as a caller does with [coda.Client.Wait].
func applied(t testing.TB, c *coda.Client) func([]coda.Mutation, error) ([]coda.Mutation, error) {
	return func(muts []coda.Mutation, err error) ([]coda.Mutation, error) {
		if err == nil {
			_, err = c.Wait(t.Context(), muts...)
		}
		return muts, err
	}
}

// appliedOne is [applied] for a write of one request.
func appliedOne(t testing.TB, c *coda.Client) func(coda.Mutation, error) (coda.Mutation, error) {
	return func(m coda.Mutation, err error) (coda.Mutation, error) {
		_, err = applied(t, c)([]coda.Mutation{m}, err)
		return m, err
	}
}

// releaseRows returns n rows keyed by version, with notes tagged by run.
func releaseRows(d seeded, n int, run string) []coda.RowEdit {
	rows := make([]coda.RowEdit, n)
	for i := range rows {
		rows[i] = coda.RowEdit{Cells: []coda.CellEdit{
			{Column: d.version, Value: fmt.Sprintf("v1.%d.%d", i/100, i%100)},
			{Column: d.date, Value: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%365).Format(time.DateOnly)},
			{Column: d.notes, Value: fmt.Sprintf("## %s\n- fix: retry on 503 (#%d)\n- feat: <b>bold</b> & more", run, i)},
		}}
	}
	return rows
}

// requireRows fails unless the table holds exactly the rows of releaseRows(n, run),
// once each.
func requireRows(t *testing.T, s *codatest.Server, d seeded, n int, run string) {
	t.Helper()
	got := s.Rows(d.doc, d.table)
	seen := make(map[string]int)
	for _, r := range got {
		v, _ := r.Values[d.version].(string)
		seen[v]++
		require.Contains(t, r.Values[d.notes], "## "+run+"\n", "row %s has stale notes", v)
	}
	require.Len(t, got, n, "rows in the table")
	for v, count := range seen {
		require.Equal(t, 1, count, "version %s appears %d times", v, count)
	}
	require.Len(t, seen, n, "distinct versions")
}

// validateRequests checks every request the fake received against Coda's
// OpenAPI spec.
func validateRequests(t *testing.T, s *codatest.Server) {
	t.Helper()
	spec := spectest.Load(t)
	for _, r := range s.Requests() {
		u := "http://coda.localhost" + cmpOr(r.RawPath, r.Path)
		if len(r.Query) > 0 {
			u += "?" + r.Query.Encode()
		}
		spec.ValidateRequest(t, r.Method, u, r.Header, r.Body)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestFakeEveryOperation(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := codatest.NewUnstarted(
			codatest.WithWriteDelay(5*time.Second),
			codatest.WithStatusNotFoundFor(2*time.Second),
			codatest.WithRateLimits(codatest.DocumentedLimits),
		)
		d := seedDoc(s)
		c := fakeClient(t, s, codatest.DefaultToken)
		ctx := t.Context()

		u, err := c.WhoAmI(ctx)
		require.NoError(t, err)
		require.NotEmpty(t, u.LoginID)

		doc, err := c.GetDoc(ctx, d.doc)
		require.NoError(t, err)
		require.Equal(t, "Changelog", doc.Name)

		table, err := c.GetBaseTable(ctx, d.doc, "Releases")
		require.NoError(t, err)
		require.Equal(t, d.table, table.ID)
		require.Equal(t, "table", table.TableType)

		_, err = c.GetBaseTable(ctx, d.doc, d.view)
		require.ErrorIs(t, err, coda.ErrNotBaseTable)
		require.ErrorContains(t, err, `"Recent releases"`)
		require.ErrorContains(t, err, d.table)

		var cols []coda.Column
		for col, err := range c.Columns(ctx, d.doc, d.table) {
			require.NoError(t, err)
			cols = append(cols, col)
		}
		require.Len(t, cols, 4)
		require.True(t, cols[3].Calculated)
		require.Equal(t, coda.ColumnDate, cols[1].Format.Type)

		// Upsert, wait, upsert again: updated in place.
		muts, err := applied(t, c)(c.UpsertRows(ctx, d.doc, d.table, releaseRows(d, 3, "first"), []string{d.version}))
		require.NoError(t, err)
		require.Len(t, muts, 1)
		requireRows(t, s, d, 3, "first")
		muts, err = c.UpsertRows(ctx, d.doc, d.table, releaseRows(d, 3, "second"), []string{d.version})
		require.NoError(t, err)
		warnings, err := c.Wait(ctx, muts...)
		require.NoError(t, err)
		require.Empty(t, warnings)
		requireRows(t, s, d, 3, "second")

		st, err := c.MutationStatus(ctx, muts[0].RequestID)
		require.NoError(t, err)
		require.True(t, st.Completed)

		// Reads.
		var found []coda.Row
		for row, err := range c.Rows(ctx, d.doc, d.table, coda.ListRowsOptions{Query: fmt.Sprintf("%s:%q", d.version, "v1.0.1")}) {
			require.NoError(t, err)
			found = append(found, row)
		}
		require.Len(t, found, 1)
		require.Equal(t, "v1.0.1", found[0].Values[d.version])
		var names []string
		for row, err := range c.Rows(ctx, d.doc, d.table, coda.ListRowsOptions{Limit: 2, UseColumnNames: true}) {
			require.NoError(t, err)
			names = append(names, row.Values["Version"].(string))
		}
		require.Equal(t, []string{"v1.0.0", "v1.0.1", "v1.0.2"}, names)

		// Inserts add rows and report their IDs.
		muts, err = applied(t, c)(c.InsertRows(ctx, d.doc, d.table, []coda.RowEdit{{Cells: []coda.CellEdit{{Column: d.version, Value: "v9"}}}}))
		require.NoError(t, err)
		require.Len(t, muts[0].AddedRowIDs, 1)
		require.Len(t, s.Rows(d.doc, d.table), 4)

		// Writes Coda refuses.
		_, err = c.UpsertRows(ctx, d.doc, d.table, []coda.RowEdit{{Cells: []coda.CellEdit{{Column: d.version, Value: "v9"}, {Column: d.age, Value: 3}}}}, []string{d.version})
		var apiErr *coda.Error
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
		require.Contains(t, apiErr.Message, "Age")
		_, err = c.UpsertRows(ctx, d.doc, d.view, releaseRows(d, 1, "x"), []string{d.version})
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
		_, err = c.GetBaseTable(ctx, d.doc, "No such table")
		require.ErrorIs(t, err, coda.ErrNotFound)

		// Pages.
		p, err := c.GetPage(ctx, d.doc, "Release notes")
		require.NoError(t, err)
		require.Equal(t, d.page, p.ID)
		m, err := appliedOne(t, c)(c.UpdatePageContent(ctx, d.doc, d.page, coda.Prepend, "## v1.4.2\n- fix: retry on 503"))
		require.NoError(t, err)
		require.Equal(t, d.page, m.ID)
		require.Contains(t, s.PageMarkdown(d.doc, d.page), "## v1.4.2")
		var lines []coda.PageContentItem
		for item, err := range c.PageContent(ctx, d.doc, d.page) {
			require.NoError(t, err)
			lines = append(lines, item)
		}
		require.Equal(t, "v1.4.2", lines[0].Content)
		require.Equal(t, "h2", lines[0].Style)
		require.True(t, strings.HasPrefix(lines[0].ID, "cl-"), lines[0].ID)

		_, err = appliedOne(t, c)(c.UpdatePageContent(ctx, d.doc, d.page, coda.Replace, "replaced"))
		require.NoError(t, err)
		require.Contains(t, s.PageMarkdown(d.doc, d.page), "replaced")
		require.NotContains(t, s.PageMarkdown(d.doc, d.page), "v1.4.2")

		// Automations.
		_, err = appliedOne(t, c)(c.TriggerAutomation(ctx, d.doc, d.ruleOn, map[string]string{"version": "v1.4.2"}))
		require.NoError(t, err)
		payloads := s.AutomationPayloads(d.doc, d.ruleOn)
		require.Len(t, payloads, 1)
		require.JSONEq(t, `{"version":"v1.4.2"}`, string(payloads[0]))
		_, err = c.TriggerAutomation(ctx, d.doc, d.ruleOff, nil)
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, http.StatusUnprocessableEntity, apiErr.StatusCode)

		require.Zero(t, s.Stats().RateLimited, "pacing keeps under the documented limits")
		validateRequests(t, s)
	})
}

func TestFakeUpsertSurvivesFaults(t *testing.T) {
	t.Parallel()
	for seed := range int64(6) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := codatest.NewUnstarted(
					codatest.WithWriteDelay(3*time.Second),
					codatest.WithStatusNotFoundFor(2*time.Second),
					codatest.WithRateLimits(codatest.DocumentedLimits),
					codatest.WithFaults(codatest.Faults{ServerErrorRate: 0.15, DropBeforeRate: 0.1, DropAfterRate: 0.15, Seed: seed}),
				)
				d := seedDoc(s)
				// The client assumes twice the real DocContent limit: it must
				// meet 429s, slow down and still write every row once.
				limits := coda.DefaultLimits
				limits.DocContent.N *= 2
				c := fakeClient(t, s, codatest.DefaultToken, coda.WithBatchLimits(50, 1_500_000), coda.WithLimits(limits))
				for _, run := range []string{"first", "second"} {
					muts, err := applied(t, c)(c.UpsertRows(t.Context(), d.doc, d.table, releaseRows(d, 600, run), []string{d.version}))
					require.NoError(t, err)
					require.Len(t, muts, 12)
					requireRows(t, s, d, 600, run)
				}
				st := s.Stats()
				t.Logf("requests %d, 429s %d, 5xx %d, dropped %d", st.Requests, st.RateLimited, st.ServerErrors, st.Dropped)
				require.Positive(t, st.RateLimited)
				require.Positive(t, st.ServerErrors+st.Dropped)
			})
		})
	}
}

func TestFakeSizeLimits(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := codatest.NewUnstarted(codatest.WithRateLimits(codatest.DocumentedLimits))
		d := seedDoc(s)
		c := fakeClient(t, s, codatest.DefaultToken)

		// A row of exactly 85,000 by Coda's measure is the largest allowed.
		empty, err := json.Marshal(coda.RowEdit{Cells: []coda.CellEdit{{Column: d.notes, Value: ""}}})
		require.NoError(t, err)
		fits := strings.Repeat("x", 85_000/2-len(empty))
		row := func(version, notes string) coda.RowEdit {
			return coda.RowEdit{Cells: []coda.CellEdit{{Column: d.notes, Value: notes}, {Column: d.version, Value: version}}}
		}
		_, err = c.UpsertRows(t.Context(), d.doc, d.table, []coda.RowEdit{{Cells: []coda.CellEdit{{Column: d.notes, Value: fits}}}}, []string{d.notes})
		require.NoError(t, err)

		// One more character is refused before sending; the fake agrees.
		sent := len(s.Requests())
		tooBig := []coda.RowEdit{{Cells: []coda.CellEdit{{Column: d.notes, Value: fits + "x"}}}}
		_, err = c.UpsertRows(t.Context(), d.doc, d.table, tooBig, []string{d.notes})
		require.ErrorIs(t, err, coda.ErrRowTooLarge)
		require.Len(t, s.Requests(), sent, "nothing sent")
		body, err := json.Marshal(map[string]any{"rows": tooBig})
		require.NoError(t, err)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/docs/"+d.doc+"/tables/"+d.table+"/rows", strings.NewReader(string(body)))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+codatest.DefaultToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)

		// Rows near the limit are batched under the 2,000,000-byte body limit.
		big := make([]coda.RowEdit, 60)
		for i := range big {
			big[i] = row(fmt.Sprintf("v%d", i), fits[:40_000])
		}
		muts, err := applied(t, c)(c.UpsertRows(t.Context(), d.doc, d.table, big, []string{d.version}))
		require.NoError(t, err)
		require.Len(t, muts, 2)
		require.Len(t, s.Rows(d.doc, d.table), 61)
		require.Zero(t, s.Stats().RateLimited)
	})
}

func TestFakeInsertIsNotResent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		faults   codatest.Faults
		wantRows int
	}{
		{name: "dropped before", faults: codatest.Faults{DropBeforeRate: 1}, wantRows: 0},
		{name: "dropped after", faults: codatest.Faults{DropAfterRate: 1}, wantRows: 1},
		{name: "gateway error after the write", faults: codatest.Faults{GatewayErrorRate: 1}, wantRows: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := codatest.NewUnstarted(codatest.WithFaults(tc.faults))
				d := seedDoc(s)
				c := fakeClient(t, s, codatest.DefaultToken)
				_, err := c.InsertRows(t.Context(), d.doc, d.table, releaseRows(d, 1, "x"))
				require.ErrorIs(t, err, coda.ErrUnknownOutcome)
				require.ErrorContains(t, err, "not resent")
				require.Len(t, s.Requests(), 1, "sent once")
				require.Len(t, s.Rows(d.doc, d.table), tc.wantRows)

				// The same with keys is retried and lands once.
				_, err = applied(t, c)(c.UpsertRows(t.Context(), d.doc, d.table, releaseRows(d, 1, "x"), []string{d.version}))
				require.NoError(t, err)
				requireRows(t, s, d, 1, "x")
			})
		})
	}
}

func TestFakeInsertAfterServerErrorIsNotResent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		// A 5xx in Coda's error JSON may come after the write was applied,
		// so an insert is not resent on it.
		s := codatest.NewUnstarted(codatest.WithFaults(codatest.Faults{AppliedServerErrorRate: 1}))
		d := seedDoc(s)
		c := fakeClient(t, s, codatest.DefaultToken)
		_, err := c.InsertRows(t.Context(), d.doc, d.table, releaseRows(d, 1, "x"))
		require.ErrorIs(t, err, coda.ErrUnknownOutcome)
		posts := 0
		for _, r := range s.Requests() {
			if r.Method == "POST" {
				posts++
			}
		}
		require.Equal(t, 1, posts, "sent once")
		require.Len(t, s.Rows(d.doc, d.table), 1, "applied once")
	})
}

func TestFakePacingMeetsNo429(t *testing.T) {
	t.Parallel()
	// work makes reads, row writes, page writes and triggers, some at once.
	work := func(t *testing.T, c *coda.Client, d seeded) {
		var wg sync.WaitGroup
		for g := range 3 {
			wg.Go(func() {
				for i := range 8 {
					ctx := t.Context()
					if _, err := c.UpdatePageContent(ctx, d.doc, d.page, coda.Append, fmt.Sprintf("- %d.%d", g, i)); err != nil {
						t.Error(err)
					}
					if _, err := c.TriggerAutomation(ctx, d.doc, d.ruleOn, nil); err != nil {
						t.Error(err)
					}
					if _, err := c.UpsertRows(ctx, d.doc, d.table, releaseRows(d, 5, "r"), []string{d.version}); err != nil {
						t.Error(err)
					}
					for range 20 {
						if _, err := c.GetBaseTable(ctx, d.doc, d.table); err != nil {
							t.Error(err)
						}
					}
				}
			})
		}
		wg.Wait()
	}
	t.Run("paced", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := codatest.NewUnstarted(codatest.WithRateLimits(codatest.DocumentedLimits))
			d := seedDoc(s)
			work(t, fakeClient(t, s, codatest.DefaultToken), d)
			st := s.Stats()
			t.Logf("requests %d, 429s %d", st.Requests, st.RateLimited)
			require.Zero(t, st.RateLimited)
		})
	})
	t.Run("unpaced meets 429s and recovers", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := codatest.NewUnstarted(codatest.WithRateLimits(codatest.DocumentedLimits))
			d := seedDoc(s)
			work(t, fakeClient(t, s, codatest.DefaultToken, coda.WithLimits(coda.Limits{}), coda.WithRetry(coda.RetryPolicy{Attempts: 12})), d)
			require.Positive(t, s.Stats().RateLimited)
		})
	})
}

// run5000 upserts 5,000 rows into a fake enforcing limits and waits for them.
// It returns what it measured.
type runStats struct {
	requests, writes, reads, rateLimited int
	took, floor                          time.Duration
}

func run5000(t testing.TB, s *codatest.Server, c *coda.Client, d seeded, limits codatest.Limits) runStats {
	start := time.Now()
	muts, err := c.UpsertRows(context.Background(), d.doc, d.table, releaseRows(d, 5000, "bulk"), []string{d.version})
	require.NoError(t, err)
	_, err = c.Wait(context.Background(), muts...)
	require.NoError(t, err)
	took := time.Since(start)
	st := s.Stats()
	// The floor: the limits alone allow the k-th DocContent write no earlier
	// than floor((k-1)/N)×Per.
	floor := time.Duration((len(muts)-1)/limits.DocContent.N) * limits.DocContent.Per
	return runStats{requests: st.Requests, writes: st.Writes, reads: st.Reads, rateLimited: st.RateLimited, took: took, floor: floor}
}

func TestFake5000Rows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		batchRows  int
		wantWrites int
	}{
		{name: "default batches", batchRows: 500, wantWrites: 10},
		{name: "batches of 100", batchRows: 100, wantWrites: 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := codatest.NewUnstarted(
					codatest.WithWriteDelay(2*time.Second),
					codatest.WithStatusNotFoundFor(3*time.Second),
					codatest.WithRateLimits(codatest.DocumentedLimits),
				)
				d := seedDoc(s)
				c := fakeClient(t, s, codatest.DefaultToken, coda.WithBatchLimits(tc.batchRows, 1_500_000))
				r := run5000(t, s, c, d, codatest.DocumentedLimits)
				t.Logf("5,000 rows, %d per request: %d requests (%d writes, %d reads), %d 429s, virtual wall time %v, floor from the limits %v",
					tc.batchRows, r.requests, r.writes, r.reads, r.rateLimited, r.took, r.floor)
				require.Zero(t, r.rateLimited)
				require.Equal(t, tc.wantWrites, r.writes)
				requireRows(t, s, d, 5000, "bulk")
			})
		})
	}
}

// BenchmarkUpsert5000Rows runs the 5,000-row upsert against the fake with
// Coda's limits scaled down 100 times (real time; synctest has no
// benchmark form), reporting requests, 429s and the wall time against the
// floor the limits impose.
func BenchmarkUpsert5000Rows(b *testing.B) {
	const scale = 100
	limits := codatest.Limits{}
	for _, p := range []struct{ from, to *codatest.Limit }{
		{&codatest.DocumentedLimits.Read, &limits.Read},
		{&codatest.DocumentedLimits.Write, &limits.Write},
		{&codatest.DocumentedLimits.DocContent, &limits.DocContent},
	} {
		*p.to = codatest.Limit{N: p.from.N, Per: p.from.Per / scale}
	}
	clientLimits := coda.Limits{
		Read:       coda.Limit(limits.Read),
		Write:      coda.Limit(limits.Write),
		DocContent: coda.Limit(limits.DocContent),
	}
	var last runStats
	for b.Loop() {
		s := codatest.NewUnstarted(codatest.WithRateLimits(limits))
		c := fakeClient(b, s, codatest.DefaultToken, coda.WithLimits(clientLimits), coda.WithBatchLimits(100, 1_500_000))
		last = run5000(b, s, c, seedDoc(s), limits)
	}
	b.ReportMetric(float64(last.requests), "requests/op")
	b.ReportMetric(float64(last.rateLimited), "429s/op")
	b.ReportMetric(float64(last.floor.Milliseconds()), "floor-ms/op")
	b.ReportMetric(float64(last.took.Milliseconds()), "wall-ms/op")
}

func TestFakeTokenNeverLeaks(t *testing.T) {
	t.Parallel()
	const secret = "0f8e2d6c-4b1a-4e9f-a3c7-5d2b1e0f9a8c"
	synctest.Test(t, func(t *testing.T) {
		s := codatest.NewUnstarted(
			codatest.WithToken(secret),
			codatest.WithFaults(codatest.Faults{ServerErrorRate: 0.3, DropBeforeRate: 0.2, DropAfterRate: 0.2, Seed: 7}),
			codatest.WithRateLimits(codatest.Limits{Write: codatest.Limit{N: 1, Per: time.Second}}),
		)
		d := seedDoc(s)
		var logs strings.Builder
		var mu sync.Mutex
		logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
		good := fakeClient(t, s, secret, coda.WithLogger(logger), coda.WithLimits(coda.Limits{}))
		bad := fakeClient(t, s, "wrong-"+secret, coda.WithLogger(logger))

		var errs []error
		collect := func(_ any, err error) {
			if err != nil {
				errs = append(errs, err)
			}
		}
		collect(bad.WhoAmI(t.Context()))
		collect(bad.UpsertRows(t.Context(), d.doc, d.table, releaseRows(d, 2, "x"), []string{d.version}))
		collect(good.GetBaseTable(t.Context(), d.doc, "missing"))
		collect(good.InsertRows(t.Context(), d.doc, d.table, releaseRows(d, 2, "x")))
		collect(good.UpsertRows(t.Context(), d.doc, d.view, releaseRows(d, 2, "x"), []string{d.version}))
		collect(good.TriggerAutomation(t.Context(), d.doc, d.ruleOff, nil))
		for range 5 {
			collect(good.TriggerAutomation(t.Context(), d.doc, d.ruleOn, nil))
		}
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		collect(good.Wait(ctx, coda.Mutation{RequestID: "never", At: time.Now()}))
		cancel()
		_, err := coda.NewClient(secret+"\n", coda.WithBaseURL(s.URL))
		errs = append(errs, err)

		require.GreaterOrEqual(t, len(errs), 6)
		for _, err := range errs {
			require.NotContains(t, err.Error(), secret)
			require.NotContains(t, fmt.Sprintf("%+v", err), secret)
		}
		mu.Lock()
		defer mu.Unlock()
		require.Contains(t, logs.String(), "coda request")
		require.NotContains(t, logs.String(), secret)
		require.True(t, slices.ContainsFunc(errs, func(err error) bool { return errors.Is(err, coda.ErrUnauthorized) }))
		// The fake did receive the token: the check above is not vacuous.
		require.Equal(t, "Bearer "+secret, s.Requests()[len(s.Requests())-1].Header.Get("Authorization"))
	})
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  *strings.Builder
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestFakePageContentLatestVersion(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := codatest.NewUnstarted(codatest.WithWriteDelay(5 * time.Second))
		d := seedDoc(s)
		c := fakeClient(t, s, codatest.DefaultToken)
		_, err := c.UpdatePageContent(t.Context(), d.doc, d.page, coda.Prepend, "## v1.0.0 (2026-01-01)\n")
		require.NoError(t, err)

		lines := func(opts ...coda.ReadOption) ([]string, error) {
			var out []string
			for item, err := range c.PageContent(t.Context(), d.doc, d.page, opts...) {
				if err != nil {
					return out, err
				}
				out = append(out, item.Content)
			}
			return out, nil
		}
		stale, err := lines()
		require.NoError(t, err)
		require.Equal(t, []string{"Release notes"}, stale, "a plain read can miss a write not yet applied")
		_, err = lines(coda.LatestVersion())
		require.ErrorIs(t, err, coda.ErrDocNotUpToDate, "the latest version is refused while the write is pending")

		time.Sleep(5 * time.Second) // virtual time: the write applies
		latest, err := lines(coda.LatestVersion())
		require.NoError(t, err)
		require.Equal(t, []string{"v1.0.0 (2026-01-01)", "Release notes"}, latest)
		for _, r := range s.Requests() {
			if r.Method == "GET" && strings.HasSuffix(r.Path, "/content") && r.Status == 400 {
				require.Equal(t, "latest", r.Header.Get("X-Coda-Doc-Version"))
			}
		}
	})
}
