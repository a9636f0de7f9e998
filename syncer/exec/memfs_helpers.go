package exec

import (
	"bytes"
	"errors"
	"io/fs"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Test helpers of MemFS: they act as a user or another program would, outside LocalFS.

// WriteFile writes p (creating missing parent folders), keeping the id of an existing
// file and giving it a new version.
func (m *MemFS) WriteFile(p string, data []byte) error {
	p = remote.Clean(p)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.mkdirAll(memParent(p)); err != nil {
		return err
	}
	switch n := m.nodes[p]; {
	case n == nil:
		m.nodes[p] = m.newNode(false, data)
	case n.dir || n.special:
		return memErr("write", p, errors.New("not a regular file"))
	default:
		m.write(n, data)
	}
	return nil
}

// Truncate cuts file p to its first size bytes, as a crash or a power loss leaves a file
// that was being written: it gets a new version (its size changed), and with keepMtime its
// modification time stays what it was (as after `touch -d @OLD`).
func (m *MemFS) Truncate(p string, size int64, keepMtime bool) error {
	p = remote.Clean(p)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[p]
	if n == nil || n.dir || n.special {
		return memErr("truncate", p, fs.ErrNotExist)
	}
	mtime := n.mtime
	m.write(n, n.data[:min(size, int64(len(n.data)))])
	if keepMtime {
		n.mtime = mtime
	}
	return nil
}

// MkdirAll creates folder p and its missing parents.
func (m *MemFS) MkdirAll(p string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mkdirAll(remote.Clean(p))
}

func (m *MemFS) mkdirAll(p string) error {
	if p == "" {
		return nil
	}
	if err := m.mkdirAll(memParent(p)); err != nil {
		return err
	}
	if n := m.nodes[p]; n != nil {
		if !n.dir {
			return memErr("mkdir", p, ErrExist)
		}
		return nil
	}
	m.nodes[p] = m.newNode(true, nil)
	return nil
}

// AddSpecial adds an unsupported entry (a symlink or device) at p.
func (m *MemFS) AddSpecial(p string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.mkdirAll(memParent(p)); err != nil {
		return err
	}
	n := m.newNode(false, nil)
	n.special = true
	m.nodes[p] = n
	return nil
}

// ReadFile returns the content of file p.
func (m *MemFS) ReadFile(p string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[p]
	if n == nil || n.dir {
		return nil, memErr("read", p, fs.ErrNotExist)
	}
	return bytes.Clone(n.data), nil
}

// Remove deletes p and its subtree without trashing it (a user's rm -r).
func (m *MemFS) Remove(p string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.nodes[p] == nil {
		return memErr("remove", p, fs.ErrNotExist)
	}
	for _, k := range m.sortedPaths(p) {
		delete(m.nodes, k)
	}
	return nil
}

// Tree returns every item: files map to their content, folders appear as "path/" → "".
func (m *MemFS) Tree() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]string, len(m.nodes))
	for p, n := range m.nodes {
		if n.dir {
			out[p+"/"] = ""
		} else {
			out[p] = string(n.data)
		}
	}
	return out
}

// Trashed returns what Trash moved to the trash, oldest first.
func (m *MemFS) Trashed() []MemTrashed {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]MemTrashed(nil), m.trash...)
}

// Temps returns the number of staged files neither committed nor discarded (a leak when
// non-zero after a run).
func (m *MemFS) Temps() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.temps)
}

// Mode returns p's permission bits (0 when absent).
func (m *MemFS) Mode(p string) uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := m.nodes[p]; n != nil {
		return n.mode
	}
	return 0
}
