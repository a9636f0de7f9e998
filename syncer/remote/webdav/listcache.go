package webdav

import (
	"crypto/sha256"
	"slices"
	"sync"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// A poll lists every folder of a set, and on a server whose folder ETags do not cover their
// subtree (Apache, rclone, lighttpd, nginx: SERVERS.md) nothing but the answer itself says
// that a folder is unchanged. Most answers of a poll are, byte for byte, the answers of
// the poll before; decoding them again was about a third of the client's CPU in a
// no-change poll at 10,000 files, on a machine whose two cores the server needs too
// (issue 11). So a walk keeps, per folder it listed, the SHA-256 of the answer and what
// it decoded to, and the next walk of the same root decodes only the answers whose digest
// differs. Decoding is a function of the answer's bytes alone (the Client's base URL and
// the properties it asks for never change after New), so an answer with the same digest
// decodes to what was kept. Any other byte (an ETag, a size, a date, a title another
// client set, an entry more or less, another order) means another digest and a full
// decode. Only answers that decoded without error are kept, and a walk that fails keeps
// the previous walk's.

// listCacheEntries bounds the entries one walk keeps decoded (packed, listpack.go: an
// 88-byte record and its strings, about 130 bytes each at the benchmark's names, so at
// most about 16 MB): a larger tree keeps the folders it lists first, and decodes the
// others every time. It covers the 100,000-file tree (101,011 entries): with
// 25,000, a no-change poll of it on Apache decoded 790-800 of its 1,011 answers, 460-490
// ms of decoding per pass (summed over the walk's requests; the pass took 1.09-1.22 s,
// load 4-6, issue 11).
var listCacheEntries = 120_000

// listing is one folder's answer as a walk keeps it: what it decoded to, packed
// (listpack.go; read only: every walk that finds one of its digests unpacks these
// entries), and digests of answers that decoded to exactly that: of their bytes (sums),
// and of their bytes with each start tag's namespace declarations in order (canons,
// answerSum). Apache writes the declarations of a folder entry in either order from one
// answer to the next (an APR hash table), so an unchanged folder has many answers that
// differ in their bytes (SERVERS.md), and one canonical digest. A walk hashes an answer's
// bytes first, and only when no kept sum matches hashes it in canonical form (about twice
// the work of a hash of the bytes, a fifth of a decode); an answer found by its canonical
// digest has its sum kept too, so that the next answer in the same bytes costs a hash.
type listing struct {
	sums, canons [][sha256.Size]byte
	// davSums and davCanons are digests of answers to the DAV properties alone that gave
	// these entries but for their metadata (walkmeta.go): such an answer says the folder
	// is unchanged but for what it does not show.
	davSums, davCanons [][sha256.Size]byte
	weakETag           bool
	// read says when the entries' metadata was read (walkmeta.go).
	read metaRead
	packed
}

// listingSums bounds each kind of digest one listing keeps.
const listingSums = 8

// has reports whether l (nil: none) was decoded from an answer with digest sum.
func (l *listing) has(sum [sha256.Size]byte) bool {
	return l != nil && slices.Contains(l.sums, sum)
}

// hasCanon reports whether l (nil: none) was decoded from an answer with canonical digest c.
func (l *listing) hasCanon(c [sha256.Size]byte) bool {
	return l != nil && slices.Contains(l.canons, c)
}

// result is what l says, its children unpacked into buf (its room reused).
func (l *listing) result(buf []remote.Entry) propfindResult {
	return propfindResult{self: l.entry(0), weakETag: l.weakETag, children: l.children(buf)}
}

// says reports whether l (nil: none) says exactly what res says of the folder: the same
// entries, field by field, in the same order.
func (l *listing) says(res propfindResult) bool {
	return l != nil && l.weakETag == res.weakETag && l.packed.says(res)
}

// next is the listing to keep after an answer with digests sum and canon decoded to res: l
// with them added when res says exactly what l says, else a new listing (nil: res cannot
// be kept, see packResult).
func (l *listing) next(sum, canon [sha256.Size]byte, res propfindResult) *listing {
	if !l.says(res) {
		p, ok := packResult(res)
		if !ok {
			return nil
		}
		return &listing{sums: [][sha256.Size]byte{sum}, canons: [][sha256.Size]byte{canon}, weakETag: res.weakETag, packed: p}
	}
	return l.also(sum, canon)
}

// also is l kept for one more answer, with digests sum and canon, that says what l says.
func (l *listing) also(sum, canon [sha256.Size]byte) *listing {
	c := *l
	c.sums, c.canons = withSum(l.sums, sum), withSum(l.canons, canon)
	return &c
}

// withSum returns sums (not changed) with sum first, the oldest beyond listingSums left out.
func withSum(sums [][sha256.Size]byte, sum [sha256.Size]byte) [][sha256.Size]byte {
	if slices.Contains(sums, sum) {
		return sums
	}
	return append([][sha256.Size]byte{sum}, sums[:min(len(sums), listingSums-1)]...)
}

func sameEntry(a, b remote.Entry) bool {
	am, bm := a.Meta, b.Meta
	a.Meta, b.Meta = nil, nil
	return a == b && (am == nil) == (bm == nil) && (am == nil || *am == *bm)
}

// listCache holds, per walk root (account-relative), the listings of the last walk of it
// that succeeded, by account-relative folder.
type listCache struct {
	mu    sync.Mutex
	roots map[string]map[string]*listing
	walks map[string]uint64 // the walks of each root started (walkmeta.go)
}

// walk counts a walk of root started and returns its number (the first is 1).
func (lc *listCache) walk(root string) uint64 {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.walks == nil {
		lc.walks = map[string]uint64{}
	}
	lc.walks[root]++
	return lc.walks[root]
}

// get returns the listings kept for root (nil: none); the map is not changed afterwards.
func (lc *listCache) get(root string) map[string]*listing {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return lc.roots[root]
}

// put keeps the listings of a walk of root that succeeded, in place of the last ones.
func (lc *listCache) put(root string, kept map[string]*listing) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.roots == nil {
		lc.roots = map[string]map[string]*listing{}
	}
	lc.roots[root] = kept
}

// keeping collects the listings of one walk for the next, up to listCacheEntries entries.
// It is used by the walk's own goroutine only.
type keeping struct {
	old     map[string]*listing // the last walk's, read only
	fresh   map[string]*listing
	entries int
	off     bool // keep nothing more (a pruned walk: see WalkPruned)
}

func newKeeping(old map[string]*listing) *keeping {
	return &keeping{old: old, fresh: map[string]*listing{}}
}

// wants reports whether the walk may still keep a listing: not when it is pruned or the
// bound is reached. Where it may not, its answers are neither hashed nor packed (a pruned
// walk of a million files' first sync would pack every folder's entries for nothing).
func (k *keeping) wants() bool { return !k.off && k.entries < listCacheEntries }

// keep records folder p's listing l (nil: none) for the next walk, within the bound.
func (k *keeping) keep(p string, l *listing) {
	if l == nil || k.off || k.entries+len(l.recs)-1 > listCacheEntries {
		return
	}
	k.entries += len(l.recs) - 1
	k.fresh[p] = l
}

// entryBufs keeps slices of entries that a walk is done with, for the kept listings the
// next answers unpack into (listing.result): unpacked into new slices, a no-change poll of
// 100,000 files allocated 14 MB of entries. They are in a sync.Pool, so that the collector
// takes them when no walk runs.
type entryBufs struct{ pool sync.Pool }

func (b *entryBufs) get() []remote.Entry {
	if s, ok := b.pool.Get().(*[]remote.Entry); ok {
		return *s
	}
	return nil
}

// put gives s back, its entries cleared (so that it holds no strings).
func (b *entryBufs) put(s []remote.Entry) {
	if cap(s) == 0 || cap(s) > 4096 {
		return
	}
	clear(s)
	s = s[:0]
	b.pool.Put(&s)
}
