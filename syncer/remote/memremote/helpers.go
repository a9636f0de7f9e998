package memremote

import (
	"bytes"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Test helpers: they act as another client of the cloud would, bypassing faults and counts.

// Put writes file p with data (creating missing folders), as another client would: an
// existing file keeps its id and gets a new version.
func (r *Remote) Put(p string, data []byte) remote.Entry {
	p = remote.Clean(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mkdirAll(parent(p))
	it := r.items[p]
	if it == nil || it.dir {
		it = r.newItem(false, data)
		r.items[p] = it
	} else {
		r.trash = append(r.trash, Trashed{Path: p, Data: it.data})
		r.write(it, data)
	}
	return r.entry(p, it)
}

// MkdirAll creates folder p and its missing parents.
func (r *Remote) MkdirAll(p string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mkdirAll(remote.Clean(p))
}

func (r *Remote) mkdirAll(p string) {
	if p == "" || r.items[p] != nil {
		return
	}
	r.mkdirAll(parent(p))
	r.items[p] = r.newItem(true, nil)
}

// Get returns the content of file p.
func (r *Remote) Get(p string) ([]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	it := r.items[remote.Clean(p)]
	if it == nil || it.dir {
		return nil, false
	}
	return bytes.Clone(it.data), true
}

// Exists reports whether p exists (file or folder).
func (r *Remote) Exists(p string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.items[remote.Clean(p)] != nil
}

// ID returns the internal id of p (stable across moves even with PathIDs), or "".
func (r *Remote) ID(p string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if it := r.items[remote.Clean(p)]; it != nil {
		return it.id
	}
	return ""
}

// Remove deletes p and everything below it, as another client would (content goes to the trash).
func (r *Remote) Remove(p string) {
	p = remote.Clean(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range r.under(p) {
		if d := r.items[k]; !d.dir {
			r.trash = append(r.trash, Trashed{Path: k, Data: d.data})
		}
		delete(r.items, k)
	}
}

// Rename moves from to to (with everything below), as another client would; ids are kept.
func (r *Remote) Rename(from, to string) {
	from, to = remote.Clean(from), remote.Clean(to)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mkdirAll(parent(to))
	r.moveTree(from, to)
}

// Tree returns every path below root (root-relative) mapped to its content; folders map to
// "/" so that a tree comparison sees empty folders too.
func (r *Remote) Tree(root string) map[string]string {
	root = remote.Clean(root)
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]string{}
	for _, k := range r.under(root) {
		if k == root {
			continue
		}
		rel := k
		if root != "" {
			rel = strings.TrimPrefix(k, root+"/")
		}
		if it := r.items[k]; it.dir {
			out[rel] = "/"
		} else {
			out[rel] = string(it.data)
		}
	}
	return out
}

// Trash returns what was deleted or overwritten so far.
func (r *Remote) Trash() []Trashed {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Trashed(nil), r.trash...)
}

// moveTree moves the items at and below from to to, keeping them (and so their ids).
// r.mu is held.
func (r *Remote) moveTree(from, to string) {
	moved := map[string]*item{}
	for _, k := range r.under(from) {
		moved[to+strings.TrimPrefix(k, from)] = r.items[k]
		delete(r.items, k)
	}
	for k, v := range moved {
		r.items[k] = v
	}
}
