package memremote

import (
	"context"
	"fmt"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Metadata: the remote keeps a title, description and author per item (as Alfresco does,
// and a WebDAV server with dead properties), unless made with NoMeta. Moves keep it, a new
// version of the content keeps it, a delete drops it.

var _ remote.MetaKeeper = (*Remote)(nil)

// NoMeta makes a remote that keeps no metadata (a WebDAV server without dead properties).
func NoMeta() Option { return func(r *Remote) { r.noMeta = true } }

// MetaBumpsVersion makes every metadata change give the item a new version, as Alfresco's
// modifiedAt does for a file without auto-versioned labels.
func MetaBumpsVersion() Option { return func(r *Remote) { r.bumps = true } }

// MetaUnsupported implements remote.MetaKeeper.
func (r *Remote) MetaUnsupported() string {
	if r.noMeta {
		return "this in-memory cloud keeps no metadata"
	}
	return ""
}

// SetMeta implements remote.MetaKeeper (operation "setmeta" for counts and faults).
func (r *Remote) SetMeta(ctx context.Context, e remote.Entry, m remote.Meta) (remote.Entry, error) {
	p := remote.Clean(e.Path)
	if err := r.enter(ctx, "setmeta", p); err != nil {
		return remote.Entry{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	it := r.items[p]
	switch {
	case r.noMeta:
		return remote.Entry{}, errOf(remote.ErrUnsupported, "setmeta", p)
	case it == nil || p == "" || !r.matches(e, it):
		return remote.Entry{}, errOf(remote.ErrNotFound, "setmeta", p)
	}
	r.setMeta(it, m)
	return r.entry(p, it), nil
}

// setMeta must be called with r.mu held.
func (r *Remote) setMeta(it *item, m remote.Meta) {
	it.meta = m
	if r.bumps {
		r.seq++
		it.version = fmt.Sprintf("v%d", r.seq)
	}
}

// PutMeta sets p's metadata as another client would (no count, no fault).
func (r *Remote) PutMeta(p string, m remote.Meta) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if it := r.items[remote.Clean(p)]; it != nil {
		r.setMeta(it, m)
	}
}

// GetMeta returns p's metadata.
func (r *Remote) GetMeta(p string) remote.Meta {
	r.mu.Lock()
	defer r.mu.Unlock()
	if it := r.items[remote.Clean(p)]; it != nil {
		return it.meta
	}
	return remote.Meta{}
}
