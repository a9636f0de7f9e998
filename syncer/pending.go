package syncer

import "strings"

// pendingIndex is a set of pending units with the paths they touch. A unit stays until
// every action registered for it is done.
//
// Most units of a large pass are new items ("p:" and their path) that touch their own path
// only: a first sync of a million files has a million. Those are kept in lone, by path
// alone (a map slot each, the path shared with the scan's node), instead of a unit with
// its own name, record and path list (about 170 bytes each; issue 11). A unit is in units
// or in lone, never both: one that touches more paths leaves lone.
type pendingIndex struct {
	units map[string]*pendingUnit
	paths map[string]int   // path → units of units naming it
	lone  map[string]int32 // path q → open actions of unit "p:"+q, which touches q alone
	// The most entries each map held since it was made (see shrink).
	unitsRoom, pathsRoom, loneRoom int
}

type pendingUnit struct {
	open  int
	paths []string
}

func (x *pendingIndex) reset() { *x = pendingIndex{} }

// loneUnit returns the path of unit when it is a new item's unit touching its own path only.
func loneUnit(unit string, paths []string) (string, bool) {
	q, ok := strings.CutPrefix(unit, "p:")
	if !ok || len(paths) == 0 {
		return "", false
	}
	for _, p := range paths {
		if p != q {
			return "", false
		}
	}
	return paths[0], true // the caller's string, not a part of unit's
}

// add registers one open action (or change) of unit, touching paths.
func (x *pendingIndex) add(unit string, paths ...string) {
	if x.units == nil {
		x.units, x.paths, x.lone = map[string]*pendingUnit{}, map[string]int{}, map[string]int32{}
	}
	u := x.units[unit]
	if u == nil {
		if q, ok := loneUnit(unit, paths); ok {
			x.lone[q]++
			x.loneRoom = max(x.loneRoom, len(x.lone))
			return
		}
		u = &pendingUnit{}
		if q, ok := strings.CutPrefix(unit, "p:"); ok && x.lone[q] > 0 { // it touches more now
			u.open, u.paths = int(x.lone[q]), []string{q}
			x.paths[q]++
			delete(x.lone, q)
		}
		x.units[unit] = u
		x.unitsRoom = max(x.unitsRoom, len(x.units))
	}
	u.open++
	x.touch(u, paths)
}

// touch adds paths to unit u of the index.
func (x *pendingIndex) touch(u *pendingUnit, paths []string) {
	for _, p := range paths {
		if !contains(u.paths, p) {
			u.paths = append(u.paths, p)
			x.paths[p]++
		}
	}
	x.pathsRoom = max(x.pathsRoom, len(x.paths))
}

// shrink moves each of the index's maps to one of its size once half of the entries it
// held at most (at least least) are gone: a Go map keeps its slots when entries leave
// (see view.shrinkPending).
func (x *pendingIndex) shrink(least int) {
	x.units = shrunk(x.units, &x.unitsRoom, least)
	x.paths = shrunk(x.paths, &x.pathsRoom, least)
	x.lone = shrunk(x.lone, &x.loneRoom, least)
}

// shrunk returns m, or a copy of it of its size once no more than half of the most entries
// it held (*room, at least least) are left; *room follows.
func shrunk[K comparable, V any](m map[K]V, room *int, least int) map[K]V {
	*room = max(*room, len(m))
	if len(m) > *room/2 || *room < least {
		return m
	}
	out := make(map[K]V, len(m)) // (maps.Clone would keep the room)
	for k, v := range m {
		out[k] = v
	}
	*room = len(out)
	return out
}

// moved adds paths to open unit unit (not a new item's): its item was recorded at another
// path meanwhile, where Sync Info now finds it.
func (x *pendingIndex) moved(unit string, paths ...string) {
	if u := x.units[unit]; u != nil {
		x.touch(u, paths)
	}
}

// done closes one action of unit; the unit leaves when none is open.
func (x *pendingIndex) done(unit string) {
	if q, ok := strings.CutPrefix(unit, "p:"); ok {
		if n := x.lone[q]; n > 1 {
			x.lone[q] = n - 1
			return
		} else if n == 1 {
			delete(x.lone, q)
			return
		}
	}
	u := x.units[unit]
	if u == nil {
		return
	}
	if u.open--; u.open > 0 {
		return
	}
	delete(x.units, unit)
	for _, p := range u.paths {
		if x.paths[p]--; x.paths[p] <= 0 {
			delete(x.paths, p)
		}
	}
}

// drop removes unit whatever its open actions.
func (x *pendingIndex) drop(unit string) {
	if q, ok := strings.CutPrefix(unit, "p:"); ok && x.lone[q] > 0 {
		delete(x.lone, q)
		return
	}
	u := x.units[unit]
	if u == nil {
		return
	}
	u.open = 1
	x.done(unit)
}

// has reports whether a unit touches path p.
func (x *pendingIndex) has(p string) bool { return x.paths[p] > 0 || x.lone[p] > 0 }

// hasUnit reports whether unit is in the index.
func (x *pendingIndex) hasUnit(unit string) bool {
	if x.units[unit] != nil {
		return true
	}
	q, ok := strings.CutPrefix(unit, "p:")
	return ok && x.lone[q] > 0
}

// count is the number of units.
func (x *pendingIndex) count() int { return len(x.units) + len(x.lone) }

// countNotIn is the number of units that o does not have.
func (x *pendingIndex) countNotIn(o *pendingIndex) int {
	n := 0
	for u := range x.units {
		if !o.hasUnit(u) {
			n++
		}
	}
	for q := range x.lone {
		if o.lone[q] == 0 && o.units["p:"+q] == nil {
			n++
		}
	}
	return n
}

// each calls fn with every unit, its open actions and the paths it touches.
func (x *pendingIndex) each(fn func(unit string, open int, paths []string)) {
	for u, pu := range x.units {
		fn(u, pu.open, pu.paths)
	}
	for q, n := range x.lone {
		fn("p:"+q, int(n), []string{q})
	}
}

// eachPath calls fn with every path a unit touches.
func (x *pendingIndex) eachPath(fn func(p string)) {
	for p, n := range x.paths {
		if n > 0 {
			fn(p)
		}
	}
	for q := range x.lone {
		if x.paths[q] == 0 { // (one unit may be lone and another name the path too)
			fn(q)
		}
	}
}

// without returns the units acted does not name, each with one open action.
func (x *pendingIndex) without(acted map[string]bool) pendingIndex {
	var out pendingIndex
	for u, pu := range x.units {
		if !acted[u] {
			out.add(u, pu.paths...)
		}
	}
	for q := range x.lone {
		if !acted["p:"+q] {
			if out.lone == nil {
				out.units, out.paths, out.lone = map[string]*pendingUnit{}, map[string]int{}, map[string]int32{}
			}
			out.lone[q] = 1
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
