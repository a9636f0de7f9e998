package syncer

import (
	"iter"
	"strconv"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// nodes is a scope's snapshots of the changed nodes of one side, by path, each kept in a
// compact form (snapNode) instead of a plan.Node: a first sync of a million new files
// holds a million of them until their chunks ran, and a map slot of a plan.Node (160
// bytes with its key) plus its version string was most of the live heap then (issue 11:
// bounded memory). What get gives back is the node put, field for field.
type nodes map[string]snapNode

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
func (m nodes) put(n plan.Node) {
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
	m[n.Path] = s
}

// sizeMod appends a local file's version form of size and mod to b.
func sizeMod(b []byte, size, mod int64) []byte {
	b = strconv.AppendInt(b, size, 10)
	b = append(b, ':')
	return strconv.AppendInt(b, mod, 10)
}

// get returns the node at pth.
func (m nodes) get(pth string) (plan.Node, bool) {
	s, ok := m[pth]
	if !ok {
		return plan.Node{}, false
	}
	return s.node(pth), true
}

// all yields every node (in the map's order).
func (m nodes) all() iter.Seq[plan.Node] {
	return func(yield func(plan.Node) bool) {
		for pth, s := range m {
			if !yield(s.node(pth)) {
				return
			}
		}
	}
}

// isDir reports whether the node at pth is a folder (false when there is none).
func (m nodes) isDir(pth string) bool { return m[pth].flags&snapDir != 0 }

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
