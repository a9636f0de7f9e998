package webdav

import (
	"cmp"
	"slices"
	"sync"
)

// A walk that prunes nothing (the server's folder ETags do not cover their subtree:
// Apache, rclone, lighttpd, nginx; SERVERS.md) lists every folder below its root, and
// used to start a folder's listing only once its parent's answer had named it: the
// root's answer alone, with one request in flight and the second core idle, was 2 to 5
// ms of a 0.1 s no-change poll of 10,000 files on Apache, and a tree whose files sit two
// levels down waited for two such answers in a row (issue 11). The last walk of the same
// root that succeeded says which folders there were, so a walk starts their listings
// ahead, beside the root's, within the same bound (listParallel). What such a listing
// says counts only once the folder's parent, listed in this walk, names it as a folder:
// until then its answer is held; a folder no parent names (deleted, moved, now a file) is
// never reported, and a listing made ahead that failed is made again once the parent
// names the folder, so an error about a folder that was not there yet fails no walk. A
// folder is still reported before what is in it, and the walk reports what a walk that
// waited for each parent would report with the folders listed a little earlier: a walk
// was never a snapshot of one instant, its listings ran in any order already. A folder
// whose parent's answer is in and does not name it is not listed ahead any more, nor
// anything below it.
//
// The folders are listed ahead largest first (by the entries of their last answer):
// a walk takes as long as its longest chain of listings, and a large folder started last
// is its tail. The end-to-end benchmark's tree has 1,000 files moved into one folder
// beside 100 folders of 100 files; in the order the last walk took the answers in, that
// folder, whose answer comes last, was also listed last.

// aheadFolders holds, per walk root (account-relative), the folders below it that the last
// walk of it that succeeded listed, largest first.
type aheadFolders struct {
	mu    sync.Mutex
	roots map[string][]string
}

func (a *aheadFolders) get(root string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.roots[root]
}

func (a *aheadFolders) put(root string, dirs []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.roots == nil {
		a.roots = map[string][]string{}
	}
	a.roots[root] = dirs
}

// walkState is what one walk knows of its folders (used by the walk's goroutine only).
type walkState struct {
	started   map[string]bool // a listing was started (and has not failed ahead)
	named     map[string]bool // a listed folder's answer named it as a folder (the root: by the caller)
	done      map[string]bool // its listing was taken in: what it holds was reported
	gone      map[string]bool // listed ahead no more: no folder of this walk holds it
	held      map[string]listResult
	ready     []listResult // listings to take in: the walk's answers, and held ones named since
	order     []sized      // the folders taken in, for the next walk's ahead (aheadFolders)
	keepOrder bool
}

// sized is a folder and the entries of its answer.
type sized struct {
	dir string
	n   int
}

// aheadOrder is the folders taken in but root, largest first (for aheadFolders).
func (s *walkState) aheadOrder(root string) []string {
	slices.SortStableFunc(s.order, func(a, b sized) int { return cmp.Compare(b.n, a.n) })
	out := make([]string, 0, len(s.order))
	for _, d := range s.order {
		if d.dir != root {
			out = append(out, d.dir)
		}
	}
	return out
}

func newWalkState() *walkState {
	return &walkState{started: map[string]bool{}, named: map[string]bool{}, done: map[string]bool{},
		gone: map[string]bool{}, held: map[string]listResult{}}
}

// start reports whether folder dir is to be listed now, and whether ahead of its
// parent's answer: not when its listing was started already, nor when it is not named
// and its parent's answer is in (or its parent is gone).
func (s *walkState) start(dir string) (ahead, ok bool) {
	if s.started[dir] {
		return false, false
	}
	if !s.named[dir] {
		if p := pathDir(dir); s.done[p] || s.gone[p] {
			s.gone[dir] = true
			return false, false
		}
		ahead = true
	}
	s.started[dir] = true
	return ahead, true
}

// name records that a listed folder's answer named folder dir, and reports whether dir
// must be queued: not when its listing was started ahead (a held answer is now ready).
func (s *walkState) name(dir string) bool {
	s.named[dir] = true
	if r, ok := s.held[dir]; ok {
		delete(s.held, dir)
		s.ready = append(s.ready, r)
		return false
	}
	return !s.started[dir]
}

// take decides what to do with listing r: held (its folder is not named yet), listed
// again (it failed ahead: the folder may not have been there yet), or taken in (ok).
func (s *walkState) take(r listResult, queue []string) ([]string, bool) {
	switch {
	case !s.named[r.dir]:
		s.held[r.dir] = r
		return queue, false
	case r.err != nil && r.ahead:
		s.started[r.dir] = false
		return append(queue, r.dir), false
	}
	if r.err == nil {
		s.done[r.dir] = true
		if s.keepOrder {
			s.order = append(s.order, sized{r.dir, len(r.children)})
		}
	}
	return queue, true
}
