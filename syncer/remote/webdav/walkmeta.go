package webdav

import (
	"context"
	"crypto/sha256"
	"hash/fnv"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Metadata re-read on a rotation (issue 11). Where a walk lists every folder every poll
// (no folder ETags covering their subtree) and the server keeps metadata (Apache,
// lighttpd), asking for the Dublin Core properties is most of the server's work: Apache's
// mod_dav_fs opens every item's dead-property database for them, 155-170 ms of its CPU for
// the PROPFINDs of 10,000 files against 55-60 ms for the DAV properties alone
// (SERVERS.md). A PROPPATCH changes neither the item's ETag nor anything else a listing
// of DAV properties shows, so only reading the metadata shows another client's edit.
//
// So such a walk asks for the metadata of each folder once every metaPeriod walks of its
// root, a folder's turn set by a hash of its path (about a metaPeriod-th of the folders
// each walk: every walk costs about the same), and for the DAV properties alone the other
// times. An answer of DAV properties gives the entries of the folder's kept listing, with
// the metadata they had when it was read, only when it says exactly what that listing
// says but for the metadata: the same entries (path, id, ETag, size, modification time,
// type, checksum) in the same order. Otherwise (a new, changed or removed entry) the
// folder is listed again with the metadata in the same walk, so a new or changed item
// comes with its metadata at once. The metadata of an unchanged item is thus at most
// metaPeriod walks old, and an entry never lacks metadata because it was not asked for:
// what was not read is never handed out as "none". A folder without a kept listing read
// with its metadata (the first walk after a start: the listings live in memory only, a
// folder beyond the bound listCacheEntries, a walk that keeps none) is always asked for
// it, and so is a folder whose listing was read before this client wrote in it (metaMarks:
// its metadata, so that the client never reads back its own edit undone; its content or
// names, so that a folder known to have changed is asked once, not twice).
// A write of this client checks the item's metadata first (SetMeta), so that an edit made
// elsewhere within the period is not overwritten unseen.

// metaPeriod is the most walks of a root between two reads of a folder's metadata.
var metaPeriod uint64 = 10

// metaRead says when a kept listing's metadata was read: in which walk of its root (the
// first is 1; 0: not known, as in a listing of a walk that does not rotate), and at which
// tick of the Client's metaMarks clock its PROPFIND started.
type metaRead struct {
	walk, tick uint64
}

// metaMarks notes this Client's writes (of content, names and metadata), for the walks'
// kept listings.
type metaMarks struct {
	clock atomic.Uint64
	mu    sync.Mutex
	wrote map[string]uint64 // folder (account-relative) → tick after a write in it
	all   uint64            // tick of the last RereadMeta
}

var _ remote.MetaRereader = (*Client)(nil)

// RereadMeta implements remote.MetaRereader: the walks that start after it read every
// folder's metadata.
func (c *Client) RereadMeta() {
	m := &c.marks
	t := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.all = t
}

// now is a tick of the clock, later than every tick before.
func (m *metaMarks) now() uint64 { return m.clock.Add(1) }

// note records that item p, or its metadata, may have been written (called once the write
// ended, failed or not): the listings of its folder, and of p itself when it is a folder,
// whose PROPFIND started before now may be stale.
func (m *metaMarks) note(p string, dir bool) {
	t := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.wrote == nil {
		m.wrote = map[string]uint64{}
	}
	if p != "" {
		m.wrote[pathDir(p)] = t
	}
	if dir || p == "" {
		m.wrote[p] = t
	}
}

// fresh reports whether the metadata of folder dir read as r is later than every write of
// this Client in it.
func (m *metaMarks) fresh(dir string, r metaRead) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return r.tick > m.all && r.tick > m.wrote[dir]
}

// wrote notes a request of this Client on p that may have changed p's folder, or a MOVE's
// or COPY's destination folder, once it is answered (or failed): the next walk lists
// those folders with the metadata at once, instead of finding that their answer to the DAV
// properties alone says something new and asking again.
func (c *Client) wrote(req *http.Request, p string) {
	switch req.Method {
	case http.MethodPut, "MKCOL", "MOVE", "COPY", http.MethodDelete, "PROPPATCH":
	default:
		return
	}
	if !c.rotates() {
		return
	}
	c.marks.note(p, false)
	if d := req.Header.Get("Destination"); d != "" {
		if to, err := c.relPath(d); err == nil {
			c.marks.note(to, false)
		}
	}
}

// rotates reports whether c's walks of a root read the metadata on a rotation: the server
// keeps metadata and its walks prune nothing.
func (c *Client) rotates() bool { return c.keepsMeta() && !c.caps.FolderETags }

// davOnly reports whether this walk lists folder dir (account-relative) with the DAV
// properties alone: the walk rotates, dir's kept listing old was read with its metadata
// fewer than metaPeriod walks ago and after this Client's last write of metadata in it,
// and it is not dir's turn.
func (w *walker) davOnly(dir string, old *listing) bool {
	if !w.rotate || old == nil || old.read.walk == 0 || w.n-old.read.walk >= metaPeriod {
		return false
	}
	if !w.c.marks.fresh(dir, old.read) {
		return false
	}
	h := fnv.New32a()
	h.Write([]byte(dir))
	return (uint64(h.Sum32())+w.n)%metaPeriod != 0
}

// list lists folder dir for the walk (see run): with the DAV properties alone when
// davOnly says so and the answer shows nothing new, else with the metadata too.
func (w *walker) list(ctx context.Context, dir string, keep bool, old *listing) (propfindResult, *listing, error) {
	c := w.c
	if keep && w.davOnly(dir, old) {
		res, l, err := c.listFolderKept(ctx, dir, true, old, true)
		if err != nil || l != nil && c.marks.fresh(dir, l.read) {
			return res, l, err
		}
		// Something changed, or this Client wrote in the folder meanwhile (another walk's
		// set): listed again with the metadata.
		c.spare.put(res.children)
	}
	tick := c.marks.now()
	res, l, err := c.listFolderKept(ctx, dir, keep, old, false)
	if l != nil && w.rotate {
		read := *l // (l may be old itself, which other walks may read)
		read.read = metaRead{walk: w.n, tick: tick}
		l = &read
	}
	return res, l, err
}

// davAnswer is propfindKept's result for an answer to the DAV properties alone (read into
// lb) of folder p, whose kept listing, read with the metadata, is kept: kept's entries
// with their metadata when the answer says what kept says but for the metadata, with
// kept (and the answer's digests) to keep; else the answer's result and no listing.
func (c *Client) davAnswer(p string, lb *listingBuf, kept *listing) (propfindResult, *listing, error) {
	body := lb.body.Bytes()
	sum := sha256.Sum256(body)
	if slices.Contains(kept.davSums, sum) {
		return kept.result(c.spare.get()), kept, nil
	}
	canon := answerSum(body, sum)
	if slices.Contains(kept.davCanons, canon) {
		l := kept.alsoDAV(sum, canon)
		return l.result(c.spare.get()), l, nil
	}
	res, err := c.resultOf(p, "1", lb)
	if err != nil {
		return propfindResult{}, nil, err
	}
	if c.onDecode != nil {
		c.onDecode(p, false) // (what is new, if anything, is said by the listing that follows)
	}
	if !kept.saysButMeta(res) {
		return res, nil, nil
	}
	c.spare.put(res.children)
	l := kept.alsoDAV(sum, canon)
	return l.result(c.spare.get()), l, nil
}

// alsoDAV is l kept for one more answer to the DAV properties alone, with digests sum and
// canon, that says what l says but for the metadata.
func (l *listing) alsoDAV(sum, canon [sha256.Size]byte) *listing {
	c := *l
	c.davSums, c.davCanons = withSum(l.davSums, sum), withSum(l.davCanons, canon)
	return &c
}

// saysButMeta reports whether l says what res says of the folder but for the entries'
// metadata: the same entries, field by field but Meta, in the same order.
func (l *listing) saysButMeta(res propfindResult) bool {
	p := &l.packed
	if l.weakETag != res.weakETag || len(p.recs) != 1+len(res.children) || !sameButMeta(p.entry(0), res.self) {
		return false
	}
	for i, e := range res.children {
		if !sameButMeta(p.entry(i+1), e) {
			return false
		}
	}
	return true
}

func sameButMeta(a, b remote.Entry) bool {
	a.Meta, b.Meta = nil, nil
	return a == b
}
