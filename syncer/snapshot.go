package syncer

import (
	"iter"
	"strconv"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// nodes is a scope's snapshots of the changed nodes of one side, by path, each kept in a
// compact form (snapNode) instead of a plan.Node, in pages of slots in the order they came
// (issue 11: bounded memory). A first sync of a million new files holds a million of them
// until their chunks ran: in a map of plan.Nodes they were 188 MB of the daemon's 279 MB
// live heap (a Go map's slots of 160 bytes, about half of them empty after its tables
// split). The map here holds a slot number per path; a page goes once every snapshot on it
// was deleted, and chunks run in about the order the scan found the nodes. What get gives
// back is the node put, field for field.
type nodes struct {
	at    roomMap[uint32] // path → slot
	pages []*nodePage
	next  uint32 // slots given out
}

const nodePageSize = 1024

type nodePage struct {
	live int
	s    [nodePageSize]snapNode
}

func newNodes() *nodes { return &nodes{} }

func (m *nodes) len() int { return m.at.len() }

// room is the number of paths the map has room for (see shrink).
func (m *nodes) room() int { return m.at.room }

func (m *nodes) has(pth string) bool {
	_, ok := m.at.get(pth)
	return ok
}

// lookup returns the snapshot at pth.
func (m *nodes) lookup(pth string) (snapNode, bool) {
	i, ok := m.at.get(pth)
	if !ok {
		return snapNode{}, false
	}
	return m.pages[i/nodePageSize].s[i%nodePageSize], true
}

// set keeps snapshot s at pth.
func (m *nodes) set(pth string, s snapNode) {
	i, ok := m.at.get(pth)
	if !ok {
		i = m.next
		m.next++
		if int(i/nodePageSize) == len(m.pages) {
			m.pages = append(m.pages, &nodePage{})
		}
		m.at.set(pth, i)
		m.pages[i/nodePageSize].live++
	}
	m.pages[i/nodePageSize].s[i%nodePageSize] = s
}

// del forgets the snapshot at pth; its page goes with its last one.
func (m *nodes) del(pth string) {
	i, ok := m.at.get(pth)
	if !ok {
		return
	}
	m.at.del(pth)
	pg := m.pages[i/nodePageSize]
	pg.s[i%nodePageSize] = snapNode{}
	if pg.live--; pg.live == 0 {
		m.pages[i/nodePageSize] = nil
	}
}

// each yields every path with its snapshot (in the map's order).
func (m *nodes) each() iter.Seq2[string, snapNode] {
	return func(yield func(string, snapNode) bool) {
		for pth, i := range m.at.all() {
			if !yield(pth, m.pages[i/nodePageSize].s[i%nodePageSize]) {
				return
			}
		}
	}
}

// paths yields every path.
func (m *nodes) paths() iter.Seq[string] { return m.at.keys() }

// shrink gives back the room of the paths that left the map, once it held least or more
// (roomMap.shrink): a Go map keeps its slots when entries leave, so a first sync of a
// million files held all of them until its last chunk ran, while the index grew by every
// item the chunks recorded (issue 11). Each path is moved about three times more in all;
// the pages are not moved.
func (m *nodes) shrink(least int) { m.at.shrink(least) }

// snapNode is a plan.Node without its path (the map's key). The fields a changed node
// rarely has are behind more.
type snapNode struct {
	id, version string // version is "" when it is the local form of size and mod (snapSizeMod)
	size        int64
	mod         int64 // ModTime as Unix nanoseconds, when snapModNano
	meta        *remote.Meta
	more        *snapMore
	flags       uint8
}

// snapMore holds what few changed nodes have: a hash, why one is unsupported, a ModTime
// that time.Unix(0, ns) does not give back as it was (another location, a monotonic
// reading).
type snapMore struct {
	hash, why string
	mod       time.Time
}

const (
	snapDir uint8 = 1 << iota
	snapUnsupported
	snapPartial
	snapMaybePartial
	snapModNano // ModTime is time.Unix(0, mod)
	snapSizeMod // Version is size and mod in decimal, colon-separated (a local file's)
)

// put keeps n at its path.
func (m *nodes) put(n plan.Node) {
	s := snapNode{id: n.ID, version: n.Version, size: n.Size, meta: n.Meta}
	for _, f := range []struct {
		on   bool
		flag uint8
	}{{n.IsDir, snapDir}, {n.Unsupported, snapUnsupported}, {n.Partial, snapPartial}, {n.MaybePartial, snapMaybePartial}} {
		if f.on {
			s.flags |= f.flag
		}
	}
	var mod time.Time
	if n.ModTime != (time.Time{}) {
		if ns := n.ModTime.UnixNano(); time.Unix(0, ns) == n.ModTime {
			s.mod, s.flags = ns, s.flags|snapModNano
		} else {
			mod = n.ModTime
		}
	}
	if s.flags&snapModNano != 0 && n.Version != "" && n.Version == string(sizeMod(make([]byte, 0, 48), n.Size, s.mod)) {
		s.version, s.flags = "", s.flags|snapSizeMod
	}
	if n.Hash != "" || n.Why != "" || mod != (time.Time{}) {
		s.more = &snapMore{hash: n.Hash, why: n.Why, mod: mod}
	}
	m.set(n.Path, s)
}

// sizeMod appends a local file's version form of size and mod to b.
func sizeMod(b []byte, size, mod int64) []byte {
	b = strconv.AppendInt(b, size, 10)
	b = append(b, ':')
	return strconv.AppendInt(b, mod, 10)
}

// get returns the node at pth.
func (m *nodes) get(pth string) (plan.Node, bool) {
	s, ok := m.lookup(pth)
	if !ok {
		return plan.Node{}, false
	}
	return s.node(pth), true
}

// all yields every node (in the map's order).
func (m *nodes) all() iter.Seq[plan.Node] {
	return func(yield func(plan.Node) bool) {
		for pth, s := range m.each() {
			if !yield(s.node(pth)) {
				return
			}
		}
	}
}

// isDir reports whether the node at pth is a folder (false when there is none).
func (m *nodes) isDir(pth string) bool {
	s, _ := m.lookup(pth)
	return s.flags&snapDir != 0
}

// node is s as the plan.Node at pth.
func (s snapNode) node(pth string) plan.Node {
	n := plan.Node{Path: pth, ID: s.id, Version: s.version, Size: s.size, Meta: s.meta,
		IsDir: s.flags&snapDir != 0, Unsupported: s.flags&snapUnsupported != 0,
		Partial: s.flags&snapPartial != 0, MaybePartial: s.flags&snapMaybePartial != 0}
	if s.flags&snapModNano != 0 {
		n.ModTime = time.Unix(0, s.mod)
	}
	if s.flags&snapSizeMod != 0 {
		n.Version = string(sizeMod(make([]byte, 0, 48), s.size, s.mod))
	}
	if s.more != nil {
		n.Hash, n.Why = s.more.hash, s.more.why
		if s.more.mod != (time.Time{}) {
			n.ModTime = s.more.mod
		}
	}
	return n
}
