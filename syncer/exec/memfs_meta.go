package exec

import (
	"fmt"
	"io/fs"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// MemFS keeps items' metadata as the OS file system keeps extended attributes: with the
// item (renames keep it, a committed download has the staged file's, a conflict backup keeps
// the old file's), never changing its version. SetMetaSupport turns it off, as on a file
// system without user extended attributes.

var (
	_ MetaFS     = (*MemFS)(nil)
	_ MetaStaged = (*memStaged)(nil)
)

// MetaSupport implements MetaFS.
func (m *MemFS) MetaSupport() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.noMeta
}

// SetMetaSupport makes the file system keep items' metadata (why == nil) or not (MetaSupport
// then returns why, and scans and writes of metadata fail).
func (m *MemFS) SetMetaSupport(why error) {
	m.mu.Lock()
	m.noMeta = why
	m.mu.Unlock()
}

// scanned describes n for a scan with opts: with its metadata when opts.Meta asks for it
// and the file system keeps it. m.mu must be held.
func (m *MemFS) scanned(p string, n *memNode, opts ScanOptions) plan.Node {
	d := m.describe(p, n)
	if opts.Meta && m.noMeta == nil && !n.special {
		meta := n.meta
		d.Meta = &meta
	}
	return d
}

// SetMeta implements MetaFS.
func (m *MemFS) SetMeta(p string, expect plan.Node, meta remote.Meta) error {
	if err := m.fault("setmeta", p); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[p]
	switch {
	case m.noMeta != nil:
		return memErr("setmeta", p, m.noMeta)
	case n == nil:
		return fmt.Errorf("set metadata %s: %w: %w", p, ErrLocalChanged, fs.ErrNotExist)
	case n.special || n.id != expect.ID || n.dir != expect.IsDir || !n.dir && n.version != expect.Version,
		expect.Meta != nil && n.meta != *expect.Meta:
		return fmt.Errorf("set metadata %s: %w", p, ErrLocalChanged)
	}
	n.meta = meta
	return nil
}

// SetMeta implements MetaStaged.
func (s *memStaged) SetMeta(meta remote.Meta) error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if s.done {
		return memErr("setmeta", s.p, fs.ErrClosed)
	}
	s.meta = meta
	return nil
}

// WriteMeta sets p's metadata as a person would (setfattr): its version does not change.
func (m *MemFS) WriteMeta(p string, meta remote.Meta) error {
	p = remote.Clean(p)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[p]
	if n == nil || n.special {
		return memErr("setmeta", p, fs.ErrNotExist)
	}
	n.meta = meta
	return nil
}

// ReadMeta returns p's metadata.
func (m *MemFS) ReadMeta(p string) (remote.Meta, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[remote.Clean(p)]
	if n == nil {
		return remote.Meta{}, memErr("getmeta", p, fs.ErrNotExist)
	}
	return n.meta, nil
}
