package syncer

import (
	"hash/maphash"
	"iter"
)

// roomMap is a map of string keys that gives back the room of the entries that left it,
// a shard at a time (issue 11: bounded memory). A Go map keeps its slots when entries
// leave, so the maps a first sync of a million files fills once (its pending units, its
// snapshots' paths) are moved to maps of their size as they empty (shrink). Moved whole,
// a map of half a million entries was a new 25 MB block made while the old map was still
// live, with the heap at its memory limit: the likely cause of the two spikes of 25–33 MB
// in the daemon's RSS at half-way (379 MB peak against 345–350 in 5 s samples). In shards,
// each move is a sixty-fourth of that, and the collector frees the old shards before many
// more are moved (shrink moves a few per call).
type roomMap[V any] struct {
	shards []roomShard[V] // roomShards of them, made by the first set
	n      int            // entries
	room   int            // the sum of the shards' room
	next   int            // the shard shrink looks at first
}

type roomShard[V any] struct {
	m    map[string]V
	room int // the most entries m held since it was made
}

const (
	roomShards = 64
	// roomMoves is the most entries one shrink moves (but always a shard that is due): the
	// calls come with the work that empties the maps (a chunk, a completed action), so the
	// moves of shards that empty at about the same time (their keys are spread evenly) are
	// spread over several calls, and the collector frees the shards moved between them. A
	// chunk of 2,000 units moves at most 4 times its own number: a round of moves (3/4 of
	// the map) ends within 3/4 of the time the map takes to lose a quarter again.
	roomMoves = 8 << 10
)

var roomSeed = maphash.MakeSeed()

func (r *roomMap[V]) shard(k string) *roomShard[V] {
	return &r.shards[maphash.String(roomSeed, k)&(roomShards-1)]
}

func (r *roomMap[V]) len() int { return r.n }

func (r *roomMap[V]) get(k string) (V, bool) {
	if r.n == 0 {
		var zero V
		return zero, false
	}
	v, ok := r.shard(k).m[k]
	return v, ok
}

func (r *roomMap[V]) set(k string, v V) {
	if r.shards == nil {
		r.shards = make([]roomShard[V], roomShards)
	}
	s := r.shard(k)
	if s.m == nil {
		s.m = map[string]V{}
	}
	n := len(s.m)
	s.m[k] = v
	if len(s.m) > n {
		r.n++
		if len(s.m) > s.room {
			s.room++
			r.room++
		}
	}
}

func (r *roomMap[V]) del(k string) {
	if r.n == 0 {
		return
	}
	s := r.shard(k)
	n := len(s.m)
	delete(s.m, k)
	r.n -= n - len(s.m)
}

// all yields every entry (in no order).
func (r *roomMap[V]) all() iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		for i := range r.shards {
			for k, v := range r.shards[i].m {
				if !yield(k, v) {
					return
				}
			}
		}
	}
}

// keys yields every key (in no order).
func (r *roomMap[V]) keys() iter.Seq[string] {
	return func(yield func(string) bool) {
		for k := range r.all() {
			if !yield(k) {
				return
			}
		}
	}
}

// shrink moves shards that hold no more than 3/4 of the most entries they held (16 or
// more) to maps of their size, up to roomMoves entries, once the shards' room is least or
// more. A map then has room for at most a third more than it holds. Moved at half, it
// had room for up to twice what it holds: at a million files the first sync's RSS peaked
// at half-way, where the index is half grown and the maps still had the room of the half
// million units and paths that had left (about 15 MB each). At 3/4 each entry is moved
// about three times more in all instead of once (a few hundred milliseconds at a million).
func (r *roomMap[V]) shrink(least int) {
	if r.room < least || r.room-r.n < 4 { // (no shard can be due)
		return
	}
	moved := 0
	for range roomShards {
		s := &r.shards[r.next]
		if len(s.m) > s.room*3/4 || s.room < 16 {
			r.next = (r.next + 1) % roomShards
			continue
		}
		if moved > 0 && moved+len(s.m) > roomMoves {
			return // (the next call begins with s)
		}
		r.next = (r.next + 1) % roomShards
		out := make(map[string]V, len(s.m)) // (maps.Clone would keep the room)
		for k, v := range s.m {
			out[k] = v
		}
		if len(out) == 0 {
			out = nil
		}
		s.m = out
		r.room -= s.room - len(out)
		s.room = len(out)
		moved += max(1, len(out))
	}
}
