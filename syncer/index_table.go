package syncer

// How the set's index stores its entries (issue 11: a million items in 400 MB). Go maps
// cost about 2.5 times their key and value in a big map (buckets, overflow, the load they
// keep free, and a doubling that was just made), and the index had three maps over every
// item: 261 bytes per item at a million. Here every item is one ixEntry (72 bytes) in
// pages that never move, and the three lookups (by key, by path hash, by local id hash)
// are open-addressed tables of 4-byte slot numbers: the key a cell stands for is read from
// the entry it points at, so a table costs 5 to 11 bytes per item.

const (
	ixPageBits = 10
	ixPageLen  = 1 << ixPageBits
)

// ixSlots holds the entries, in pages of ixPageLen (growing never copies an entry, and
// the last page is the only one partly empty); a freed slot is reused by the next item.
type ixSlots struct {
	pages [][]ixEntry
	free  []uint32 // freed slots, reused last freed first
	used  uint32   // slots ever handed out
}

// at returns the entry in slot i.
func (s *ixSlots) at(i uint32) *ixEntry { return &s.pages[i>>ixPageBits][i&(ixPageLen-1)] }

// alloc returns an empty slot.
func (s *ixSlots) alloc() uint32 {
	if n := len(s.free); n > 0 {
		i := s.free[n-1]
		s.free = s.free[:n-1]
		return i
	}
	i := s.used
	if int(i>>ixPageBits) == len(s.pages) {
		s.pages = append(s.pages, make([]ixEntry, ixPageLen))
	}
	s.used++
	return i
}

// release empties slot i for reuse.
func (s *ixSlots) release(i uint32) {
	*s.at(i) = ixEntry{}
	s.free = append(s.free, i)
}

// each calls f with every entry in use, in slot order.
func (s *ixSlots) each(f func(e *ixEntry)) {
	for i := uint32(0); i < s.used; i++ {
		if e := s.at(i); e.flags&ixLive != 0 {
			f(e)
		}
	}
}

// ixField names the field of an entry a table is keyed by.
type ixField uint8

const (
	fieldKey  ixField = iota // the item key (keyRef)
	fieldPath                // the path hash
	fieldLID                 // the local id hash
)

func (e *ixEntry) field(f ixField) uint64 {
	switch f {
	case fieldKey:
		return uint64(e.key)
	case fieldPath:
		return e.path
	}
	return e.lid
}

// ixTable finds the slot whose entry has a given value of one field: an open-addressed
// table with linear probing, of cells holding slot+1 (0: empty). It holds at most one
// slot per value; at most 3/4 of its cells are used.
type ixTable struct {
	cells []uint32
	n     int
	field ixField
}

// mix spreads a 64-bit value over all bits (murmur3's finalizer): keyRefs are small
// numbers in their low bits, and path hashes are kept as they are.
func mix(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// lookup returns the cell holding value k, or the empty cell where it would go.
func (t *ixTable) lookup(s *ixSlots, k uint64) (int, bool) {
	mask := uint64(len(t.cells) - 1)
	for i := mix(k) & mask; ; i = (i + 1) & mask {
		c := t.cells[i]
		if c == 0 {
			return int(i), false
		}
		if s.at(c-1).field(t.field) == k {
			return int(i), true
		}
	}
}

// find returns the slot whose entry has value k.
func (t *ixTable) find(s *ixSlots, k uint64) (uint32, bool) {
	if t.n == 0 {
		return 0, false
	}
	i, ok := t.lookup(s, k)
	return t.cells[i] - 1, ok
}

// set makes value k find slot i (whose entry has it), in place of any other slot.
func (t *ixTable) set(s *ixSlots, k uint64, i uint32) {
	if (t.n+1)*4 > len(t.cells)*3 {
		t.grow(s)
	}
	c, ok := t.lookup(s, k)
	if !ok {
		t.n++
	}
	t.cells[c] = i + 1
}

func (t *ixTable) grow(s *ixSlots) {
	old := t.cells
	t.cells = make([]uint32, max(16, 2*len(old)))
	for _, c := range old {
		if c != 0 {
			i, _ := t.lookup(s, s.at(c-1).field(t.field))
			t.cells[i] = c
		}
	}
}

// remove forgets value k. The cells after it that probed past it move back (no
// tombstones: a table as full after a million removals as before finds as fast).
func (t *ixTable) remove(s *ixSlots, k uint64) {
	if t.n == 0 {
		return
	}
	i, ok := t.lookup(s, k)
	if !ok {
		return
	}
	t.n--
	mask := len(t.cells) - 1
	for j := (i + 1) & mask; t.cells[j] != 0; j = (j + 1) & mask {
		home := int(mix(s.at(t.cells[j]-1).field(t.field)) & uint64(mask))
		// cell j may move to the hole at i when its home is not cyclically in (i, j].
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			t.cells[i] = t.cells[j]
			i = j
		}
	}
	t.cells[i] = 0
}
