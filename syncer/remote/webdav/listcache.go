package webdav

import (
	"crypto/sha256"
	"sync"
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

// listCacheEntries bounds the entries one walk keeps decoded (about 200 bytes each): a
// larger tree keeps the folders it lists first, and decodes the others every time.
var listCacheEntries = 25_000

// listing is one folder's answer as a walk keeps it: its digest and what it decoded to
// (read only: every walk that finds the same digest hands these entries out).
type listing struct {
	sum [sha256.Size]byte
	res propfindResult
}

// listCache holds, per walk root (account-relative), the listings of the last walk of it
// that succeeded, by account-relative folder.
type listCache struct {
	mu    sync.Mutex
	roots map[string]map[string]*listing
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
}

func newKeeping(old map[string]*listing) *keeping {
	return &keeping{old: old, fresh: map[string]*listing{}}
}

// keep records folder p's listing l (nil: none) for the next walk, within the bound.
func (k *keeping) keep(p string, l *listing) {
	if l == nil || k.entries+len(l.res.children) > listCacheEntries {
		return
	}
	k.entries += len(l.res.children)
	k.fresh[p] = l
}
