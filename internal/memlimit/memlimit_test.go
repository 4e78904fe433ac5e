package memlimit

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
)

const mib = 1 << 20

func TestLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		live, share, want uint64
	}{
		{0, 4, 56 * mib},                    // the floor
		{30 * mib, 4, 56 * mib},             // 30 + 7.5 + 8 = 45.5: still the floor
		{40 * mib, 4, 58 * mib},             // 40 + 10 + 8
		{100 * mib, 4, 133 * mib},           // 100 + 25 + 8
		{1 << 30, 4, 1<<30 + 1<<28 + 8*mib}, // a quarter of a GiB of room
		{40 * mib, 1, 88 * mib},             // 40 + 40 + 8: as much room as it holds
	} {
		require.Equal(t, tc.want, Limit(tc.live, 56*mib, 8*mib, tc.share), "live %d MiB, share %d", tc.live/mib, tc.share)
	}
}

// limit returns the soft memory limit without changing it.
func limit() uint64 { return uint64(debug.SetMemoryLimit(-1)) }

// collectUntil collects garbage until the limit is as ok wants it: a
// cleanup sets it, on its own goroutine, after a collection.
func collectUntil(t *testing.T, ok func(uint64) bool) {
	t.Helper()
	for range 200 {
		if ok(limit()) {
			return
		}
		runtime.GC()
		runtime.Gosched()
	}
	t.Fatalf("the limit stayed at %d MiB", limit()/mib)
}

// TestFollowTheLiveHeap: the limit starts at the floor, rises with a heap
// that holds more than the floor allows, comes back down when it is let
// go of, and stays where stop leaves it. Not parallel: the limit is the
// whole process's.
func TestFollowTheLiveHeap(t *testing.T) {
	const floor, room = 8 * mib, 1 * mib
	stop := Follow(floor, room, 4)
	t.Cleanup(func() { stop(); debug.SetMemoryLimit(math.MaxInt64) })
	require.Equal(t, uint64(floor), limit())

	kept := make([]byte, 32*mib)
	collectUntil(t, func(l uint64) bool { return l > 40*mib })
	require.Less(t, limit(), uint64(46*mib), "32 MiB live, a quarter of it and 1 MiB of room")
	runtime.KeepAlive(kept)

	collectUntil(t, func(l uint64) bool { return l == floor })

	stop()
	kept = make([]byte, 32*mib)
	runtime.GC()
	runtime.GC()
	require.Equal(t, uint64(floor), limit(), "stopped")
	runtime.KeepAlive(kept)
}
