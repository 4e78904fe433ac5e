// Package memlimit keeps a process's memory near what its heap holds: a
// soft memory limit ([debug.SetMemoryLimit]) that follows the live heap
// from one garbage collection to the next.
//
// With the collector's default pacing (GOGC=100) the heap grows to twice
// what it held after the last collection before the next one starts, and
// pages the collector frees stay with the process. A fixed soft limit
// holds that down, but a live heap near or above it makes the collector run
// back to back. [Follow] sets the limit after each collection to the live
// heap plus a headroom that grows with it, never below a floor: small
// heaps stay under the floor, large ones get room in proportion.
package memlimit

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// liveHeap is the runtime/metrics name of the heap the last collection
// found live.
const liveHeap = "/gc/heap/live:bytes"

// Limit returns the soft memory limit for a live heap of live bytes:
// live, plus live/share of room in proportion and minRoom, and never
// below floor. The collector then marks the live heap about once per
// live/share bytes allocated: share times as often as with GOGC=100.
func Limit(live, floor, minRoom, share uint64) uint64 {
	return max(floor, live+live/share+minRoom)
}

// Follow sets the soft memory limit to floor and, after each garbage
// collection, to [Limit] of the heap it found live, until the returned
// stop is called (stop leaves the limit where it is). share is at least 1. The runtime counts
// against the limit all the memory it holds (the heap, stacks, its own
// structures), the executable's pages apart; minRoom covers those and
// the room to allocate in before the next collection.
func Follow(floor, minRoom, share uint64) (stop func()) {
	share = max(share, 1)
	debug.SetMemoryLimit(int64(floor))
	var stopped atomic.Bool
	sample := []metrics.Sample{{Name: liveHeap}}
	var arm func()
	arm = func() {
		// A cleanup runs after the collection that finds its object
		// unreachable: here, the first one after arm. The object is 16
		// bytes: a smaller one may share a block with others, and wait
		// for them.
		runtime.AddCleanup(new([16]byte), func(struct{}) {
			if stopped.Load() {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				debug.SetMemoryLimit(int64(Limit(sample[0].Value.Uint64(), floor, minRoom, share)))
			}
			arm()
		}, struct{}{})
	}
	arm()
	return func() { stopped.Store(true) }
}
