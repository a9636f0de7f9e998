package sim

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// A person's edits in the network layer: on the local folder, and on the served folder
// directly (another client of the cloud). They never go through the fault transport.

func (w *netWorld) side(local bool) side {
	dir, name := w.cloud, "cloud"
	if local {
		dir, name = w.root, "local"
	}
	abs := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	// What another client replaces or deletes in the cloud goes to the server's version
	// history or trash, as on a real server (and as memremote models it).
	keep := func(p string) {
		w.unseen.touch(local, p)
		if !local {
			w.server.keepTree(abs(p))
		}
	}
	return side{local: local, name: name,
		tree: func() map[string]string { return dirTree(dir) },
		write: func(p, data string) error {
			keep(p)
			_, err := os.Stat(abs(p))
			isNew := err != nil
			if err := os.WriteFile(abs(p), []byte(data), 0o644); err != nil || local {
				return err
			}
			// x/net/webdav's ETag is mtime and size: two files of one size written in the
			// same clock tick (coarse file system timestamps) get the same ETag. Half the
			// new files get the tick of the write before them, so "c deleted, d created"
			// with equal sizes looks like a rename of c by version: the engine must confirm
			// such a move by content (plan.MoveCandidates). A rewrite of a file always gets
			// a new tick: an edit in the same tick with the same size is invisible to any
			// client of such a server.
			w.mu.Lock()
			if !isNew || w.cloudTicks == 0 || w.rng.Intn(2) == 0 {
				w.cloudTicks++
			}
			tick := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(w.cloudTicks) * time.Second)
			w.mu.Unlock()
			return os.Chtimes(abs(p), tick, tick)
		},
		mkdir: func(p string) error {
			w.unseen.touch(local, p)
			return os.MkdirAll(abs(p), 0o755)
		},
		remove: func(p string) error {
			keep(p)
			return os.RemoveAll(abs(p))
		},
		rename: func(from, to string) error {
			if !local { // a person who moves a cut upload's bytes keeps them (as in ops_test.go)
				w.led.adoptPartials(w.cloudTree(), from)
			}
			w.unseen.renamed(local, from, to)
			return os.Rename(abs(from), abs(to))
		},
	}
}

// content returns a new content no one wrote before (in any seed), recorded in the ledger.
func (w *netWorld) content(s side, p string) string {
	w.mu.Lock()
	w.writes++
	n := w.writes
	w.mu.Unlock()
	data := fmt.Sprintf("seed %d write %d: %s %s", w.seed, n, s.name, p)
	w.led.wrote(data, fmt.Sprintf("write %d (%s %s)", n, s.name, p))
	return data
}

// destroying marks the contents of which p's subtree on one side holds the last copy.
func (w *netWorld) destroying(local bool, p string, files map[string]string) {
	var held map[string]bool
	if local {
		held = w.holdings(p, "")
	} else {
		held = w.holdings("", p)
	}
	w.led.mu.Lock()
	defer w.led.mu.Unlock()
	for fp, data := range files {
		if !under(fp, p) || data == "/" {
			continue
		}
		if h := hashOf(data); !held[h] && w.led.written[h] != "" {
			w.led.gone[h] = true
		}
	}
}

// randomEdit makes one random edit on a random side: create, edit, delete, rename (a
// case-only one included), move, new folder.
func (w *netWorld) randomEdit(why string) {
	s := w.side(w.intn(2) == 0)
	tr := s.tree()
	all := slices.Sorted(maps.Keys(tr))
	dirs := []string{""}
	var files []string
	for _, p := range all {
		if tr[p] == "/" {
			dirs = append(dirs, p)
		} else {
			files = append(files, p)
		}
	}
	pick := func(l []string) string { return l[w.intn(len(l))] }
	what := ""
	var err error
	switch k := w.intn(9); {
	case k < 3 || len(all) == 0:
		p := remote.Join(pick(dirs), pick(names))
		if tr[p] == "/" || depth(p) > maxDepth {
			return
		}
		if _, ok := tr[p]; ok {
			w.destroying(s.local, p, tr)
		}
		what = "write " + p
		err = s.write(p, w.content(s, p))
	case k < 5 && len(files) > 0:
		p := pick(files)
		w.destroying(s.local, p, tr)
		what = "edit " + p
		err = s.write(p, w.content(s, p))
	case k == 5:
		p := pick(all)
		w.destroying(s.local, p, tr)
		what = "delete " + p
		err = s.remove(p)
	case k == 6:
		p := pick(all)
		to := remote.Join(parentOf(p), pick(names))
		if w.intn(2) == 0 {
			to = remote.Join(parentOf(p), toggleCase(path.Base(p)))
		}
		if to == p || !canPlace(tr, to) {
			return
		}
		what = "rename " + p + " → " + to
		err = s.rename(p, to)
	case k == 7:
		p, d := pick(all), pick(dirs)
		to := remote.Join(d, path.Base(p))
		if under(d, p) || !canPlace(tr, to) || depth(to)+subtreeDepth(tr, p) > maxDepth {
			return
		}
		what = "move " + p + " → " + to
		err = s.rename(p, to)
	default:
		p := remote.Join(pick(dirs), pick(names))
		if !canPlace(tr, p) {
			return
		}
		what = "mkdir " + p
		err = s.mkdir(p)
	}
	if err != nil {
		w.fail("%s %s: %v", s.name, what, err)
	}
	if why != "" {
		what += " (" + why + ")"
	}
	w.logf("%s: %s", s.name, what)
}
