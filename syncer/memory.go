package syncer

import "github.com/cloudsync/cloudsync/syncer/remote"

// The engine sizes the Go runtime's soft memory limit to the sets it syncs (issue 11: a
// small desktop footprint). The garbage collector lets the heap grow to twice what is live
// before it runs; a limit a little above what the engine needs makes it run earlier, so a
// pass's short-lived snapshots are returned instead of kept. A fixed limit would be wrong
// both ways: too high for 10,000 items (the peak stays twice the live heap), too low for a
// million (the collector would run without pause). What lives grows with the items (the
// sets' indexes), with the listings kept between passes, and with the changes a pass holds;
// TestMemoryLimitFollowsTheLiveHeap measures each and keeps the constants at or a little
// above it. What a remote keeps between walks (WebDAV's kept listings, remote.Keeper) is
// counted as it says: not counted, at 100,000 files on Apache the heap goal sat at the live
// heap and the collector ran 17-23 times a poll pass (SERVERS.md, issue 11).

const (
	// memoryFloor is the limit with no item: the engine, the store's memtables (2 × 768 KB,
	// counted whole from their creation), table builders (about 13 MB in a first sync,
	// state's TestFirstSyncKeepsBadgersTableBuildersSmall) and caches (6 MB), and one chunk
	// of a pass (Config.Chunk changes). Not measured again since the memtables shrank.
	memoryFloor = 36 << 20
	// memoryPerItem is what the limit grows by per item of all sets: what the engine keeps
	// live per item at rest, 92 bytes (the set's index, about 100 bytes at 100,000 items,
	// TestSetIndexBytesPerItem), and Badger's tables, whose in-memory part grows with the
	// data (their indexes and filters are in its bounded cache). The daemon's heap at rest
	// after a first sync on the ownCloud-like server (bench -heap-profile) was 20.5 MB at
	// 100,000 files and 33.2 MB at 200,000: 127 bytes per item, with the index's tables just
	// doubled and Badger's cache still filling.
	memoryPerItem = 128
	// memoryPerEntry is what it grows by per entry of a listing kept between passes (see
	// keepsPrevious): 217 bytes measured with the in-memory cloud's short ids and versions,
	// 288 in the heap profile of the bench's 1M run on the ownCloud-like server.
	memoryPerEntry = 288
	// memoryPerNode is what it grows by per changed node a pass holds (tuneMemoryFor): its
	// snapshot in the scope (snapshot.go) and its pending unit in the view, 206 bytes
	// measured with the in-memory doubles, whose scan shares the paths and ids the
	// file system keeps; the daemon's scan makes its own (about 48 bytes more). In the
	// heap profile of the bench's 1M first sync on the ownCloud-like server, with
	// snapshots as a map of plan.Nodes, the scope's 279 MB live were 188 for that map, 49
	// for pending units, 35 for the scan's strings: the compact snapshots in pages take
	// about 130 of those 188. Counted as an item, the limit stayed below what was live, and
	// the collector ran without pause; at 352 the heap sat at 388 MB through a million new
	// files' first sync (peak RSS 542 MB). Now 36 + 256 MB at a million.
	memoryPerNode = 256
)

// tuneMemory gives Config.MemoryLimit the limit for the sets' current item counts and
// kept listings, when it changed by more than an eighth since the last call.
func (e *Engine) tuneMemory() { e.tuneMemoryFor(0) }

// tuneMemoryFor is tuneMemory while a pass holds the snapshots of extra changed nodes (a
// first sync holds its whole tree's until its chunks ran): they count as items.
func (e *Engine) tuneMemoryFor(extra int) {
	if e.cfg.MemoryLimit == nil {
		return
	}
	e.mu.Lock()
	items, listed := 0, 0
	for _, r := range e.runners {
		items += r.view.items
		listed += len(r.prevRemote)
	}
	var kept int64
	for _, rem := range e.remotes {
		if k, ok := remote.As[remote.Keeper](rem); ok {
			kept += k.KeptBytes()
		}
	}
	limit := int64(memoryFloor) + int64(items)*memoryPerItem + int64(listed)*memoryPerEntry + int64(extra)*memoryPerNode + kept
	last := e.memLimit
	change := limit - last
	if change < 0 {
		change = -change
	}
	if last != 0 && change <= last/8 {
		e.mu.Unlock()
		return
	}
	e.memLimit = limit
	e.mu.Unlock()
	e.cfg.MemoryLimit(limit)
}
