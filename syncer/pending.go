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
	units roomMap[*pendingUnit]
	paths roomMap[int]   // path → units of units naming it
	lone  roomMap[int32] // path q → open actions of unit "p:"+q, which touches q alone
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
	u, _ := x.units.get(unit)
	if u == nil {
		if q, ok := loneUnit(unit, paths); ok {
			n, _ := x.lone.get(q)
			x.lone.set(q, n+1)
			return
		}
		u = &pendingUnit{}
		if q, ok := strings.CutPrefix(unit, "p:"); ok { // it touches more now
			if n, _ := x.lone.get(q); n > 0 {
				u.open, u.paths = int(n), []string{q}
				x.addPath(q)
				x.lone.del(q)
			}
		}
		x.units.set(unit, u)
	}
	u.open++
	x.touch(u, paths)
}

// touch adds paths to unit u of the index.
func (x *pendingIndex) touch(u *pendingUnit, paths []string) {
	for _, p := range paths {
		if !contains(u.paths, p) {
			u.paths = append(u.paths, p)
			x.addPath(p)
		}
	}
}

// addPath counts one more unit naming path p.
func (x *pendingIndex) addPath(p string) {
	n, _ := x.paths.get(p)
	x.paths.set(p, n+1)
}

// shrink gives back the room of the entries that left the index's maps, once they held
// least or more (roomMap.shrink; see view.shrinkPending).
func (x *pendingIndex) shrink(least int) {
	x.units.shrink(least)
	x.paths.shrink(least)
	x.lone.shrink(least)
}

// moved adds paths to open unit unit (not a new item's): its item was recorded at another
// path meanwhile, where Sync Info now finds it.
func (x *pendingIndex) moved(unit string, paths ...string) {
	if u, _ := x.units.get(unit); u != nil {
		x.touch(u, paths)
	}
}

// done closes one action of unit; the unit leaves when none is open.
func (x *pendingIndex) done(unit string) {
	if q, ok := strings.CutPrefix(unit, "p:"); ok {
		if n, _ := x.lone.get(q); n > 1 {
			x.lone.set(q, n-1)
			return
		} else if n == 1 {
			x.lone.del(q)
			return
		}
	}
	u, _ := x.units.get(unit)
	if u == nil {
		return
	}
	if u.open--; u.open > 0 {
		return
	}
	x.units.del(unit)
	for _, p := range u.paths {
		if n, _ := x.paths.get(p); n > 1 {
			x.paths.set(p, n-1)
		} else {
			x.paths.del(p)
		}
	}
}

// drop removes unit whatever its open actions.
func (x *pendingIndex) drop(unit string) {
	if q, ok := strings.CutPrefix(unit, "p:"); ok && x.loneOpen(q) > 0 {
		x.lone.del(q)
		return
	}
	u, _ := x.units.get(unit)
	if u == nil {
		return
	}
	u.open = 1
	x.done(unit)
}

// has reports whether a unit touches path p.
func (x *pendingIndex) has(p string) bool { return x.pathUnits(p) > 0 || x.loneOpen(p) > 0 }

// pathUnits is the number of units of units that name path p.
func (x *pendingIndex) pathUnits(p string) int {
	n, _ := x.paths.get(p)
	return n
}

// loneOpen is the number of open actions of lone unit "p:"+q.
func (x *pendingIndex) loneOpen(q string) int32 {
	n, _ := x.lone.get(q)
	return n
}

// hasUnit reports whether unit is in the index.
func (x *pendingIndex) hasUnit(unit string) bool {
	if u, _ := x.units.get(unit); u != nil {
		return true
	}
	q, ok := strings.CutPrefix(unit, "p:")
	return ok && x.loneOpen(q) > 0
}

// count is the number of units.
func (x *pendingIndex) count() int { return x.units.len() + x.lone.len() }

// countNotIn is the number of units that o does not have.
func (x *pendingIndex) countNotIn(o *pendingIndex) int {
	n := 0
	for u := range x.units.keys() {
		if !o.hasUnit(u) {
			n++
		}
	}
	for q := range x.lone.keys() {
		if ou, _ := o.units.get("p:" + q); o.loneOpen(q) == 0 && ou == nil {
			n++
		}
	}
	return n
}

// each calls fn with every unit, its open actions and the paths it touches.
func (x *pendingIndex) each(fn func(unit string, open int, paths []string)) {
	for u, pu := range x.units.all() {
		fn(u, pu.open, pu.paths)
	}
	for q, n := range x.lone.all() {
		fn("p:"+q, int(n), []string{q})
	}
}

// eachPath calls fn with every path a unit touches.
func (x *pendingIndex) eachPath(fn func(p string)) {
	for p, n := range x.paths.all() {
		if n > 0 {
			fn(p)
		}
	}
	for q := range x.lone.keys() {
		if x.pathUnits(q) == 0 { // (one unit may be lone and another name the path too)
			fn(q)
		}
	}
}

// without returns the units acted does not name, each with one open action.
func (x *pendingIndex) without(acted map[string]bool) pendingIndex {
	var out pendingIndex
	for u, pu := range x.units.all() {
		if !acted[u] {
			out.add(u, pu.paths...)
		}
	}
	for q := range x.lone.keys() {
		if !acted["p:"+q] {
			out.lone.set(q, 1)
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
