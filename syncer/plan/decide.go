package plan

import (
	"errors"
	"sort"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// resolve takes the decisions of one round: what each item wants on each side, where, and
// which content operation, with every constraint of the target trees met (parents exist,
// no cycle, valid and unique names). Items that cannot be synced are frozen (st.frozen)
// and the round restarts, so frozen items only grow and resolve terminates.
func (st *state) resolve() {
	for {
		for _, it := range st.items {
			st.decide(it)
		}
		if st.propagate() || st.fixCycles() || st.checkNames() {
			continue
		}
		return
	}
}

// freeze leaves it untouched for this pass; it reports whether it was not frozen yet.
func (st *state) freeze(it *item, f failure) bool {
	if _, ok := st.frozen[it]; ok {
		return false
	}
	st.frozen[it] = f
	return true
}

// changed reports whether file it was edited on side s since the base. A new version with
// the base's content hash is not an edit (FAILURE-MODES 7).
func (st *state) changed(it *item, s int) bool {
	n, b := it.n[s], it.base
	if n == nil || b == nil || n.IsDir || b.IsDir || n.Partial {
		return false // (a partial upload of this engine's is no cloud edit)
	}
	ver, id := b.LocalVersion, b.LocalID
	if s == sideR {
		ver, id = b.RemoteVersion, b.RemoteID
	}
	same := n.Version == ver && (n.ID == id || s == sideR && st.opt.RemoteIDsArePaths)
	if same {
		return false
	}
	return n.Hash == "" || b.Hash == "" || n.Hash != b.Hash
}

// shrunk reports whether local file it lost content in a way no edit explains
// (FAILURE-MODES 19): it became empty while no engine watched (Options.WatchedSince), or it is
// shorter than at the last sync with the same mtime. Such a file is not trusted as an edit.
// The note says which.
func (st *state) shrunk(it *item) (bool, string) {
	l, b := it.n[sideL], it.base
	switch {
	case l == nil || b == nil || l.IsDir || b.IsDir || b.LocalSize <= 0 || l.Size >= b.LocalSize:
		return false, ""
	case !b.LocalModTime.IsZero() && l.ModTime.Equal(b.LocalModTime):
		return true, "shorter than at the last sync with the same mtime, not trusted as an edit: " +
			"the cloud version is kept, the local one saved as a conflict copy"
	case l.Size == 0 && l.ModTime.Before(st.opt.WatchedSince):
		return true, "emptied while cloudsync was not running, not trusted as an edit: " +
			"the cloud version is kept, the local one saved as a conflict copy"
	}
	return false, ""
}

// suspect reports whether it lost local content without an edit (see shrunk) and notes why.
func (st *state) suspect(it *item) bool {
	ok, note := st.shrunk(it)
	if ok {
		it.note, it.suspect = note, true
	}
	return ok
}

// stale reports whether the base of a synced, unchanged item no longer describes its
// nodes (new id or version with the same content, or both sides at a path the base does
// not know: a move done on one side whose record a crash lost), so that a Record refreshes
// it.
func (st *state) stale(it *item) bool {
	b := it.base
	if b == nil {
		return false
	}
	l, r := it.n[sideL], it.n[sideR]
	if l.ID != b.LocalID || r.ID != b.RemoteID || b.LocalGone || b.RemoteGone || l.Path == r.Path && l.Path != b.Path {
		return true // (a gone item is back on both sides: clear the mark)
	}
	return !b.IsDir && (l.Version != b.LocalVersion || r.Version != b.RemoteVersion)
}

// decide takes item it's own decision, before constraints from other items.
func (st *state) decide(it *item) {
	it.want, it.content, it.status, it.note, it.swallowed, it.suspect = [2]bool{}, cNone, sNone, "", false, false
	l, r := it.n[sideL], it.n[sideR]
	_, it.frozen = st.frozen[it]
	if it.tomb && l == nil && r == nil {
		it.status = sForget
		it.frozen = false
		return
	}
	if it.frozen || it.tomb {
		it.frozen = true
		it.want = [2]bool{l != nil, r != nil}
		return
	}
	st.mergeLoc(it)
	b, trust := it.base, st.opt.TrustBase
	both := [2]bool{true, true}
	switch {
	case l != nil && r != nil:
		it.want = both
		lc, rc := st.changed(it, sideL), st.changed(it, sideR)
		switch {
		case l.IsDir != r.IsDir:
			it.content, it.note = cConflict, "file on one side, folder on the other"
		case r.Partial && !l.IsDir:
			it.content, it.note = cUpload, "the cloud file is an interrupted upload: sent again"
		case r.MaybePartial && !l.IsDir && !r.IsDir:
			it.content, it.note = cConflictUpload, "the cloud file may be an interrupted upload or a cloud edit: "+
				"kept as a conflict copy, the local file uploaded"
		case l.IsDir:
			if b == nil {
				it.content, it.note = cRecord, "new folder on both sides"
			} else if st.stale(it) {
				it.content = cRecord
			}
		case b == nil:
			if l.Hash != "" && l.Hash == r.Hash {
				it.content, it.note = cRecord, "new on both sides, same content"
			} else {
				it.content, it.note = cConflict, "new on both sides"
			}
		case lc && rc || !trust && (lc || rc):
			if l.Hash != "" && l.Hash == r.Hash {
				it.content, it.note = cRecord, "same content on both sides"
			} else if lc && rc {
				it.content, it.note = cConflict, "edited on both sides"
			} else {
				it.content, it.note = cConflict, "edited, base not trusted"
			}
		case lc && r.Size > 0 && st.suspect(it):
			it.content = cConflict
		case lc:
			it.content, it.note = cUpload, "edited locally"
		case rc:
			it.content, it.note = cDownload, "edited in the cloud"
		case st.stale(it):
			it.content, it.note = cRecord, "unchanged content"
		}
		st.decideMeta(it)
	case l != nil: // gone from the cloud
		lc := st.changed(it, sideL)
		switch {
		case b == nil:
			it.want, it.note = both, "new locally"
		case b.RemoteGone && !lc:
			it.want = [2]bool{true, false}
		case lc:
			it.want, it.note = both, "edited locally, deleted in the cloud: restored"
		case !trust && !b.RemoteGone:
			it.want, it.note = both, "missing in the cloud, base not trusted: uploaded again"
		case b.RemoteGone:
			it.want = [2]bool{true, false}
		case st.opt.DeleteLocalOnCloudDelete:
			it.note = "deleted in the cloud"
		default:
			it.want, it.status, it.note = [2]bool{true, false}, sMarkGone, "deleted in the cloud, local copy kept"
		}
	case r != nil: // gone locally
		rc := st.changed(it, sideR)
		switch {
		case b == nil && r.Partial:
			// (its local file was renamed before the upload could be redone: it goes up as new)
			it.note = "the cloud file is an interrupted upload of a file renamed since: removed"
		case b == nil:
			it.want, it.note = both, "new in the cloud"
		case b.LocalGone && !rc:
			it.want = [2]bool{false, true}
		case rc:
			it.want, it.note = both, "edited in the cloud, deleted locally: restored"
		case b.Restore:
			it.want, it.note = both, "the cloud refused to delete it: restored"
		case !trust && !b.LocalGone:
			it.want, it.note = both, "missing locally, base not trusted: downloaded again"
		case b.LocalGone:
			it.want = [2]bool{false, true}
		case st.opt.AllowCloudDelete:
			it.note = "deleted locally"
		default:
			it.want, it.status, it.note = [2]bool{false, true}, sExclude, "deleted locally, cloud copy kept"
		}
	default:
		it.status, it.note = sForget, "deleted on both sides"
	}
}

// mergeLoc sets it.tgt: where the item goes when it is synced on both sides. One side
// moved it: that side's location; both moved it differently: the cloud's.
func (st *state) mergeLoc(it *item) {
	l, r := it.n[sideL] != nil, it.n[sideR] != nil
	switch {
	case l && r:
		cl, cr := it.cur[sideL], it.cur[sideR]
		switch {
		case cl == cr, st.remoteLoc[it]:
			it.tgt = cr
		case it.hasBloc && cr == it.bloc:
			it.tgt = cl
		default:
			it.tgt = cr
		}
	case l:
		it.tgt = it.cur[sideL]
	case r:
		it.tgt = it.cur[sideR]
	}
}

// synced reports whether it is kept on both sides at its merged location.
func (it *item) synced() bool { return !it.frozen && it.want[sideL] && it.want[sideR] }

// tl is it's target location on side s.
func (st *state) tl(it *item, s int) loc {
	if it.synced() {
		return it.tgt
	}
	return it.cur[s]
}

// targetDir reports whether it is a folder on side s once the plan ran.
func (it *item) targetDir(s int) bool {
	l, r := it.n[sideL], it.n[sideR]
	switch {
	case it.frozen:
		return it.n[s] != nil && it.n[s].IsDir
	case r != nil:
		return r.IsDir // the cloud's kind wins a kind conflict
	case l != nil:
		return l.IsDir
	}
	return false
}

// propagate makes the parents of every wanted item wanted on that side (a folder deleted
// on one side comes back when something under it is kept; SPEC "edit beats delete") and
// settles items whose target parent cannot hold them. It reports whether the round must
// restart (something was frozen or relocated).
func (st *state) propagate() bool {
	for changed := true; changed; {
		changed = false
		for _, it := range st.items {
			if it.swallowed {
				continue
			}
			for s := range 2 {
				if !it.want[s] {
					continue
				}
				p := st.tl(it, s).p
				if p == st.root || p == nil {
					continue
				}
				switch {
				case p.swallowed || !p.targetDir(s):
					// p becomes a file (the cloud's side of a kind conflict). What sits
					// under its local folder leaves with the folder's conflict copy.
					if it.synced() && it.n[sideR] != nil && !st.remoteLoc[it] && it.cur[sideR].p != p {
						st.remoteLoc[it] = true
						return true
					}
					if s == sideL && it.n[sideL] != nil && it.cur[sideL].p == p && !it.frozen || p.swallowed && !it.frozen {
						st.swallow(it)
						changed = true
						continue
					}
					if st.freeze(it, st.blocked(it)) {
						return true
					}
				case p.frozen && p.n[s] == nil:
					if st.freeze(it, st.blocked(it)) {
						return true
					}
				case p.status == sExclude && it.status != sExclude:
					// An excluded folder's subtree leaves the sync: not while it holds an
					// item that stays, so the folder comes back instead.
					p.want, p.status = [2]bool{true, true}, sNone
					p.note = "restored: something under it is kept"
					changed = true
				case !p.want[s]:
					// p was to be deleted: something under it stays, so p is restored on
					// both sides (rule "edit beats delete", for folders).
					p.want[s] = true
					if !p.frozen {
						p.want[1-s] = true
					}
					p.status = sNone
					if p.n[sideL] == nil || p.n[sideR] == nil {
						p.note = "restored: something under it is kept"
					} else {
						p.note = "kept: something under it is kept"
					}
					changed = true
				}
				if it.swallowed {
					break
				}
			}
		}
	}
	return false
}

// blocked is the failure of an item whose target folder cannot hold it: silent when the
// item lies under a failed folder on every side it exists on (that folder carries the
// report), else missing_destination.
func (st *state) blocked(it *item) failure {
	for s := range 2 {
		if it.n[s] == nil {
			continue
		}
		covered := false
		for p := it.cur[s].p; p != nil && p != st.root; p = p.cur[s].p {
			if _, ok := st.frozen[p]; ok {
				covered = true
				break
			}
		}
		if !covered {
			return failure{reason: remote.ReasonMissingDestination, note: "the folder it goes into cannot be synced"}
		}
	}
	return failure{silent: true}
}

func (st *state) swallow(it *item) {
	it.swallowed = true
	it.note = "left with its folder's conflict copy"
	it.want = [2]bool{}
	it.content = cNone
	it.status = sNone
}

// fixCycles breaks parent cycles of the target trees (A moved into B locally while B moved
// into A in the cloud): the cloud's location wins for an item of the cycle, or it is frozen.
func (st *state) fixCycles() bool {
	for s := range 2 {
		mark := map[*item]int{} // 1: on the current walk, 2: known acyclic
		for _, start := range st.items {
			if !start.want[s] || start.swallowed || mark[start] != 0 {
				continue
			}
			var walk []*item
			it := start
			for it != st.root && it != nil && mark[it] == 0 {
				mark[it] = 1
				walk = append(walk, it)
				it = st.tl(it, s).p
			}
			if it != st.root && it != nil && mark[it] == 1 {
				// cycle: from it to the end of walk
				var cyc []*item
				for i := len(walk) - 1; i >= 0; i-- {
					cyc = append(cyc, walk[i])
					if walk[i] == it {
						break
					}
				}
				sort.Slice(cyc, func(i, j int) bool { return cyc[i].ord < cyc[j].ord })
				for _, c := range cyc {
					if c.synced() && c.n[sideR] != nil && !st.remoteLoc[c] && c.tgt != c.cur[sideR] {
						st.remoteLoc[c] = true
						return true
					}
				}
				for _, c := range cyc {
					if st.freeze(c, failure{reason: remote.ReasonNameClash, note: "moved into its own subtree on the other side"}) {
						return true
					}
				}
			}
			for _, w := range walk {
				mark[w] = 2
			}
		}
	}
	return false
}

func (st *state) fold(s int, name string) string {
	f := st.opt.LocalFoldName
	if s == sideR {
		f = st.opt.FoldName
	}
	if f == nil {
		return name
	}
	return f(name)
}

// checkNames freezes items whose name the remote refuses and the losers of name clashes
// in one target folder (SPEC §3: a rename onto a taken name fails, nothing is overwritten).
func (st *state) checkNames() bool {
	froze := false
	for _, it := range st.items {
		if !it.synced() {
			continue
		}
		name := it.tgt.name
		if it.n[sideR] != nil && it.cur[sideR].name == name {
			continue // the cloud has it under that name already
		}
		err := remote.ValidateRemoteName(name)
		if err == nil && st.opt.ValidRemoteName != nil {
			err = st.opt.ValidRemoteName(name)
		}
		if err != nil {
			// A name the remote takes but cannot list back (dot-files on nginx) is
			// unsupported there; any other refusal is an invalid name.
			reason := remote.ReasonInvalidName
			if errors.Is(err, remote.ErrUnsupported) {
				reason = remote.ReasonUnsupported
			}
			froze = st.freeze(it, failure{reason: reason, note: err.Error()}) || froze
		}
	}
	if froze {
		return true
	}
	type slot struct {
		p   *item
		key string
	}
	for s := range 2 {
		groups := map[slot][]*item{}
		var order []slot
		for _, it := range st.items {
			if !it.want[s] || it.swallowed {
				continue
			}
			t := st.tl(it, s)
			k := slot{t.p, st.fold(s, t.name)}
			if groups[k] == nil {
				order = append(order, k)
			}
			groups[k] = append(groups[k], it)
		}
		for _, k := range order {
			g := groups[k]
			if len(g) < 2 {
				continue
			}
			sort.SliceStable(g, func(i, j int) bool { return st.clashRank(g[i], s) < st.clashRank(g[j], s) })
			for _, it := range g[1:] {
				if !it.frozen {
					froze = st.freeze(it, failure{reason: remote.ReasonNameClash,
						note: "the name " + st.tl(it, s).name + " is taken by another item"}) || froze
				}
			}
		}
	}
	return froze
}

// clashRank orders the items claiming one name: frozen ones (they cannot move), then the
// one already there, then by name, then by display order.
func (st *state) clashRank(it *item, s int) string {
	r := "2"
	switch {
	case it.frozen:
		r = "0"
	case it.n[s] != nil && it.cur[s] == st.tl(it, s):
		r = "1"
	}
	return r + "\x00" + st.tl(it, s).name + "\x00" + padInt(it.ord)
}

func padInt(n int) string {
	const digits = 12
	b := make([]byte, digits)
	for i := digits - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}
