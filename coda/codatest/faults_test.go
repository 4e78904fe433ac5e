package codatest_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"bitbucket.org/coda-changelog/coda-changelog/coda/codatest"
)

// outcome is what a client saw for one request: a status, or 0 for a
// transport error.
type outcome int

// sendInserts sends n keyless inserts of versions v0…v(n-1) and returns what
// the client saw for each.
func sendInserts(t *testing.T, srv *codatest.Server, n int) []outcome {
	t.Helper()
	a := newAPI(t, srv, nil)
	out := make([]outcome, n)
	for i := range n {
		r, err := a.try("POST", rowsPath, upsert(nil, cells(colVer, fmt.Sprintf("v%d", i))))
		if err == nil {
			out[i] = outcome(r.Status)
		}
	}
	return out
}

// allFaults injects every kind of fault at a high rate.
var allFaults = codatest.Faults{ServerErrorRate: 0.2, DropBeforeRate: 0.2, DropAfterRate: 0.2, Seed: 42}

func TestFaults(t *testing.T) {
	t.Parallel()
	srv := newFixture(codatest.WithFaults(allFaults))
	const n = 200
	seen := sendInserts(t, srv, n)

	for i := 1; i < n; i++ {
		if seen[i-1] != http.StatusAccepted && seen[i] != http.StatusAccepted {
			t.Errorf("requests %d and %d to the same method and path both failed (%d, %d)", i-1, i, seen[i-1], seen[i])
		}
	}

	// Rows applied are exactly the writes the server accepted, whether or not
	// the client saw the answer.
	var accepted []string
	var serverErrors, dropBefore, dropAfter int
	for i, r := range srv.Requests() {
		switch {
		case r.Dropped && r.Status == 0:
			dropBefore++
		case r.Dropped:
			dropAfter++
			if seen[i] != 0 {
				t.Errorf("request %d: client saw %d for a dropped connection", i, seen[i])
			}
		case r.Status >= 500:
			serverErrors++
			if !slices.Contains([]int{500, 502, 503}, r.Status) || int(seen[i]) != r.Status {
				t.Errorf("request %d: server error %d, client saw %d", i, r.Status, seen[i])
			}
			wantError(t, reply{Status: r.Status, Body: r.ResponseBody}, r.Status, "")
		}
		if r.Status == http.StatusAccepted {
			accepted = append(accepted, fmt.Sprintf("v%d", i))
		}
	}
	if serverErrors == 0 || dropBefore == 0 || dropAfter == 0 {
		t.Errorf("faults: %d server errors, %d drops before, %d drops after; want some of each", serverErrors, dropBefore, dropAfter)
	}
	var applied []string
	for _, r := range srv.Rows(docID, tableID)[2:] {
		applied = append(applied, r.Values[colVer].(string))
	}
	if !slices.Equal(accepted, applied) {
		t.Errorf("applied rows %v,\nwant the accepted writes %v", applied, accepted)
	}
	st := srv.Stats()
	if st.ServerErrors != serverErrors || st.Dropped != dropBefore+dropAfter {
		t.Errorf("Stats() = %+v, want %d server errors and %d dropped", st, serverErrors, dropBefore+dropAfter)
	}
}

func TestFaultsAreSeeded(t *testing.T) {
	t.Parallel()
	run := func(seed int64) []outcome {
		f := allFaults
		f.Seed = seed
		return sendInserts(t, newFixture(codatest.WithFaults(f)), 50)
	}
	if a, b := run(7), run(7); !slices.Equal(a, b) {
		t.Errorf("same seed, different faults:\n%v\n%v", a, b)
	}
	if a, b := run(7), run(8); slices.Equal(a, b) {
		t.Errorf("seeds 7 and 8 gave the same faults %v", a)
	}
}

func TestFaultsAlternatePerPath(t *testing.T) {
	t.Parallel()
	// With every request faulted when allowed, requests to one path alternate
	// between faulted and not, independently of other paths.
	srv := newFixture(codatest.WithFaults(codatest.Faults{ServerErrorRate: 1}))
	a := newAPI(t, srv, nil)
	var got []int
	for range 3 {
		got = append(got, a.do("GET", "/whoami", nil).Status, a.do("GET", "/docs/"+docID, nil).Status)
	}
	want := []int{0, 0, 200, 200, 0, 0}
	for i, s := range got {
		if (want[i] == 200) != (s == 200) {
			t.Fatalf("statuses %v: want failures, successes, failures per path", got)
		}
	}
}

func TestFaultsOnRealListener(t *testing.T) {
	t.Parallel()
	srv := codatest.NewServer(codatest.WithFaults(codatest.Faults{DropBeforeRate: 0.3, DropAfterRate: 0.3, Seed: 3}))
	defer srv.Close()
	srv.AddDoc(fixture())
	seen := sendInserts(t, srv, 40)
	errs := 0
	for _, o := range seen {
		if o == 0 {
			errs++
		}
	}
	st := srv.Stats()
	if errs == 0 || errs != st.Dropped {
		t.Errorf("client saw %d transport errors, server dropped %d; want the same, more than 0", errs, st.Dropped)
	}
	var accepted int
	for _, r := range srv.Requests() {
		if r.Status == http.StatusAccepted {
			accepted++
		}
	}
	if n := len(srv.Rows(docID, tableID)) - 2; n != accepted {
		t.Errorf("%d rows inserted, want %d (accepted, including drops after)", n, accepted)
	}
}

func TestGatewayFaultAppliesTheWrite(t *testing.T) {
	t.Parallel()
	srv := newFixture(codatest.WithFaults(codatest.Faults{GatewayErrorRate: 1}))
	before := len(srv.Rows(docID, tableID))
	seen := sendInserts(t, srv, 1)
	if seen[0] != http.StatusBadGateway {
		t.Fatalf("client saw %d, want 502 from the gateway", seen[0])
	}
	r := srv.Requests()[0]
	if strings.Contains(string(r.ResponseBody), "statusCode") {
		t.Errorf("a gateway's answer is not Coda's error JSON: %s", r.ResponseBody)
	}
	if got := len(srv.Rows(docID, tableID)) - before; got != 1 {
		t.Errorf("%d rows applied, want 1: the gateway lost the answer, not the write", got)
	}
}

func TestAppliedServerErrorAppliesTheWrite(t *testing.T) {
	t.Parallel()
	srv := newFixture(codatest.WithFaults(codatest.Faults{AppliedServerErrorRate: 1}))
	before := len(srv.Rows(docID, tableID))
	seen := sendInserts(t, srv, 1)
	if seen[0] < 500 {
		t.Fatalf("client saw %d, want a 5xx", seen[0])
	}
	r := srv.Requests()[0]
	if !strings.Contains(string(r.ResponseBody), `"statusCode"`) {
		t.Errorf("the answer should be Coda's error JSON: %s", r.ResponseBody)
	}
	if got := len(srv.Rows(docID, tableID)) - before; got != 1 {
		t.Errorf("%d rows applied, want 1: the 5xx came after the write was accepted", got)
	}
}
