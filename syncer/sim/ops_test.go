package sim

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// A person's edits, on the local folder (as a user with a file manager and an editor)
// or in the cloud folder (as another client of the cloud). They bypass the engine's
// wrappers: no faults, no crash, no gate.

// errDenied is a person's edit refused by the file system (inside an unreadable folder).
var errDenied = errors.New("permission denied")

// names is the small pool every path element is drawn from, so that edits collide:
// case twins (b/B, c.txt/C.txt), and a file and a folder under the same name.
var names = []string{"a", "b", "B", "c.txt", "C.txt", "d.doc", "e", "Report.odt"}

const maxDepth = 3 // path elements

type side struct {
	local  bool
	name   string
	tree   func() map[string]string // set-relative; folders → "/"
	write  func(p, data string) error
	mkdir  func(p string) error
	remove func(p string) error
	rename func(from, to string) error
}

func (w *world) side(local bool) side {
	if local {
		// A person is no root: inside an unreadable folder nothing can be written, created,
		// removed or moved in or out (such an edit is skipped: errDenied).
		return side{local: true, name: "local", tree: w.localTree,
			write: func(p, data string) error {
				if w.insideUnreadable(p) {
					w.led.forget(data) // never written
					return errDenied
				}
				w.unseen.touch(true, p)
				return w.fs.WriteFile(p, []byte(data))
			},
			mkdir: func(p string) error {
				if w.insideUnreadable(p) {
					return errDenied
				}
				w.unseen.touch(true, p)
				return w.fs.MkdirAll(p)
			},
			remove: func(p string) error {
				if w.insideUnreadable(p) || w.underUnreadable(p) && len(w.fs.Tree()) > 0 && w.hasChildren(p) {
					return errDenied
				}
				w.moveUnreadable(p, "") // (its permissions go with it)
				w.unseen.touch(true, p)
				return w.fs.Remove(p)
			},
			rename: func(from, to string) error {
				if w.insideUnreadable(from) || w.insideUnreadable(to) {
					return errDenied
				}
				w.moveUnreadable(from, to)
				w.unseen.renamed(true, from, to)
				_, err := w.fs.Rename(from, to)
				return err
			},
		}
	}
	abs := func(p string) string { return remote.Join(cloudFolder, p) }
	return side{name: "cloud", tree: w.cloudTree,
		write: func(p, data string) error {
			w.unseen.touch(false, p)
			w.rem.Put(abs(p), []byte(data))
			return nil
		},
		mkdir: func(p string) error {
			w.unseen.touch(false, p)
			w.rem.MkdirAll(abs(p))
			return nil
		},
		remove: func(p string) error {
			w.unseen.touch(false, p)
			w.rem.Remove(abs(p))
			return nil
		},
		rename: func(from, to string) error {
			w.adoptPartials(from) // a person who moves a cut upload's bytes keeps them
			w.unseen.renamed(false, from, to)
			w.rem.Rename(abs(from), abs(to))
			return nil
		},
	}
}

// content returns a new content no one wrote before, and records it in the ledger.
func (w *world) content(s side, p string) string {
	w.mu.Lock()
	w.writes++
	n := w.writes
	w.mu.Unlock()
	data := fmt.Sprintf("write %d: %s %s", n, s.name, p)
	w.led.wrote(data, fmt.Sprintf("write %d (%s %s)", n, s.name, p))
	return data
}

func parentOf(p string) string {
	if d := path.Dir(p); d != "." {
		return d
	}
	return ""
}

func depth(p string) int {
	if p == "" {
		return 0
	}
	return strings.Count(p, "/") + 1
}

// canPlace reports whether p is free in tr and its parent is the root or a folder.
func canPlace(tr map[string]string, p string) bool {
	_, taken := tr[p]
	d := parentOf(p)
	return !taken && depth(p) <= maxDepth && (d == "" || tr[d] == "/")
}

// randomEdit makes one random edit on a random side; why says when (for the trace).
func (w *world) randomEdit(why string) {
	s := w.side(w.chance(0.5))
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
	if s.local && len(dirs) > 1 && w.chance(0.05) {
		w.toggleUnreadable(dirs[1+w.intn(len(dirs)-1)], why)
		return
	}
	switch k := w.intn(10); {
	case k < 3 || len(all) == 0: // create a file (or edit it when it exists)
		p := remote.Join(pick(dirs), pick(names))
		if tr[p] == "/" || depth(p) > maxDepth {
			return
		}
		if _, ok := tr[p]; ok {
			w.destroying(s.local, p, tr)
		}
		what = "write " + p
		err = s.write(p, w.content(s, p))
	case k < 5 && len(files) > 0: // edit
		p := pick(files)
		w.destroying(s.local, p, tr)
		what = "edit " + p
		err = s.write(p, w.content(s, p))
	case k == 5: // delete a file or a folder
		p := pick(all)
		w.destroying(s.local, p, tr)
		what = "delete " + p
		err = s.remove(p)
	case k == 6: // rename in place, or a case-only rename
		p := pick(all)
		to := remote.Join(parentOf(p), pick(names))
		if w.chance(0.5) {
			to = remote.Join(parentOf(p), toggleCase(path.Base(p)))
		}
		if to == p || !canPlace(tr, to) {
			return
		}
		what = "rename " + p + " → " + to
		err = s.rename(p, to)
	case k == 7: // move into another folder
		p, d := pick(all), pick(dirs)
		to := remote.Join(d, path.Base(p))
		if under(d, p) || !canPlace(tr, to) || depth(to)+subtreeDepth(tr, p) > maxDepth {
			return
		}
		what = "move " + p + " → " + to
		err = s.rename(p, to)
	case k == 8: // new folder
		p := remote.Join(pick(dirs), pick(names))
		if !canPlace(tr, p) {
			return
		}
		what = "mkdir " + p
		err = s.mkdir(p)
	case k == 9 && len(files) > 0: // safe save: new content under a temp name replaces the file
		p := pick(files)
		what = "safe-save " + p
		data := w.content(s, p)
		w.destroying(s.local, p, tr)
		if s.local {
			tmp := p + ".tmp" // an ignored name
			if _, taken := tr[tmp]; taken {
				return
			}
			if err = s.write(tmp, data); err == nil {
				if err = s.remove(p); err == nil {
					err = s.rename(tmp, p)
				}
			}
		} else if err = s.remove(p); err == nil {
			err = s.write(p, data)
		}
	default:
		return
	}
	if errors.Is(err, errDenied) {
		return // permission denied: the person's edit did not happen
	}
	if err != nil {
		w.fail("%s %s: %v", s.name, what, err)
	}
	if why != "" {
		what += " (" + why + ")"
	}
	w.logf("%s: %s", s.name, what)
}

// subtreeDepth is how many levels p's subtree adds below p.
func subtreeDepth(tr map[string]string, p string) int {
	d := 0
	for q := range tr {
		if rest, ok := strings.CutPrefix(q, p+"/"); ok {
			d = max(d, depth(rest))
		}
	}
	return d
}

// toggleCase flips the case of the name's first letter ("b" → "B", "Report.odt" → "report.odt").
func toggleCase(name string) string {
	r := []rune(name)
	for i, c := range r {
		switch {
		case unicode.IsUpper(c):
			r[i] = unicode.ToLower(c)
			return string(r)
		case unicode.IsLower(c):
			r[i] = unicode.ToUpper(c)
			return string(r)
		}
	}
	return name
}
