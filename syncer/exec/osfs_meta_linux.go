//go:build linux

package exec

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Items' metadata on Linux: the user extended attributes of the freedesktop "Common Extended
// Attributes" convention (https://www.freedesktop.org/wiki/CommonExtendedAttributes/):
// user.dublincore.title, user.dublincore.description and user.dublincore.creator, holding
// the plain text (as `cloudsync serve-webdav` keeps the Dublin Core dead properties, and as
// `setfattr -n user.dublincore.title -v …` writes them). They are read and written without
// following symlinks (l*xattr), so a symlink swapped in never leads outside the root.

const (
	xattrPrefix = "user.dublincore."
	xattrProbe  = "user.cloudsync.probe"
)

// xattrNames are the attribute names of Meta's fields, in Meta.Fields order.
var xattrNames = [3]string{xattrPrefix + "title", xattrPrefix + "description", xattrPrefix + "creator"}

// errBadMeta is wrapped when an attribute holds something that is not usable text.
var errBadMeta = errors.New("the value is not text (invalid UTF-8 or control characters)")

// MetaSupport implements MetaFS: it sets and removes an attribute of its own on the root.
func (o *OSFS) MetaSupport() error {
	if err := unix.Setxattr(o.root, xattrProbe, []byte("1"), 0); err != nil {
		return fmt.Errorf("the file system of %s keeps no user extended attributes (%v), so title, description and author are not synced there", o.root, err)
	}
	_ = unix.Removexattr(o.root, xattrProbe)
	return nil
}

// readMeta reads the metadata of full. A file system without extended attributes reads as
// none. A value that is not text gives errBadMeta.
func readMeta(full string) (remote.Meta, error) {
	var m remote.Meta
	var buf [512]byte
	n, err := unix.Llistxattr(full, buf[:])
	list := buf[:max(n, 0)]
	if errors.Is(err, unix.ERANGE) {
		if n, err = unix.Llistxattr(full, nil); err == nil {
			big := make([]byte, n)
			n, err = unix.Llistxattr(full, big)
			list = big[:max(n, 0)]
		}
	}
	switch {
	case errors.Is(err, unix.ENOTSUP):
		return m, nil
	case err != nil:
		return m, &fs.PathError{Op: "listxattr", Path: full, Err: err}
	case !bytes.Contains(list, []byte(xattrPrefix)):
		return m, nil // the common case: one system call
	}
	fields := m.Fields()
	for i, name := range xattrNames {
		if !hasName(list, name) {
			continue
		}
		v, err := getXattr(full, name)
		if errors.Is(err, unix.ENODATA) {
			continue // removed meanwhile
		}
		if err != nil {
			return m, &fs.PathError{Op: "getxattr", Path: full, Err: err}
		}
		s := strings.TrimSuffix(string(v), "\x00") // some tools store C strings
		if !remote.ValidMetaValue(s) {
			return m, fmt.Errorf("%s of %s: %w", name, full, errBadMeta)
		}
		m = m.Set(fields[i].Name, s)
	}
	return m, nil
}

// hasName reports whether a NUL-separated attribute list holds name.
func hasName(list []byte, name string) bool {
	for _, n := range bytes.Split(list, []byte{0}) {
		if string(n) == name {
			return true
		}
	}
	return false
}

func getXattr(full, name string) ([]byte, error) {
	var buf [1024]byte
	n, err := unix.Lgetxattr(full, name, buf[:])
	if err == nil {
		return append([]byte(nil), buf[:n]...), nil
	}
	if !errors.Is(err, unix.ERANGE) {
		return nil, err
	}
	if n, err = unix.Lgetxattr(full, name, nil); err != nil {
		return nil, err
	}
	big := make([]byte, n)
	n, err = unix.Lgetxattr(full, name, big)
	return big[:max(n, 0)], err
}

// writeMeta makes full's metadata m, changing only the fields that differ from cur.
func writeMeta(full string, cur, m remote.Meta) error {
	have, want := cur.Fields(), m.Fields()
	for i, name := range xattrNames {
		if have[i].Value == want[i].Value {
			continue
		}
		var err error
		if want[i].Value == "" {
			err = unix.Lremovexattr(full, name)
			if errors.Is(err, unix.ENODATA) {
				err = nil
			}
		} else {
			err = unix.Lsetxattr(full, name, []byte(want[i].Value), 0)
		}
		if err != nil {
			return &fs.PathError{Op: "setxattr " + name, Path: full, Err: err}
		}
	}
	return nil
}

// SetMeta implements MetaFS.
func (o *OSFS) SetMeta(p string, expect plan.Node, m remote.Meta) error {
	full, err := o.resolve("set metadata", p)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(full)
	if err != nil {
		return recheckErr(err)
	}
	cur, err := describe(p, full, fi, nil)
	if err != nil {
		return err
	}
	if cur.Unsupported || cur.IsDir != expect.IsDir || cur.ID != expect.ID || !cur.IsDir && cur.Version != expect.Version {
		return fmt.Errorf("set metadata %s: %w", p, ErrLocalChanged)
	}
	have, err := readMeta(full)
	if err != nil && !errors.Is(err, errBadMeta) {
		return err
	}
	if expect.Meta != nil && (err != nil || have != *expect.Meta) {
		return fmt.Errorf("set metadata %s: its metadata changed: %w", p, ErrLocalChanged)
	}
	err = writeMeta(full, have, m)
	if errors.Is(err, unix.EACCES) && fi.Mode().Perm()&0o200 == 0 {
		// Read-only for its owner (the lock option makes synced files so): an owner may
		// change the mode, so the attributes are written with write permission lent.
		if uid, ok := ownerOf(fi); ok && uid == os.Geteuid() {
			if cerr := os.Chmod(full, fi.Mode().Perm()|0o200); cerr == nil {
				err = writeMeta(full, have, m)
				if cerr := os.Chmod(full, fi.Mode().Perm()); err == nil {
					err = cerr
				}
			}
		}
	}
	return err
}

// metaOf reads full's metadata for a scan into n.Meta (zero is the scan's shared zero
// Meta); a value that is not text leaves n.Meta nil and is reported.
func (s *scanner) metaOf(n *plan.Node, full string) {
	if !s.opts.Meta || n.Unsupported {
		return
	}
	m, err := readMeta(full)
	switch {
	case err == nil && m.IsZero():
		if s.zero == nil {
			s.zero = noMeta()
		}
		n.Meta = s.zero
	case err == nil:
		n.Meta = &m
	case s.opts.BadMeta != nil && !errors.Is(err, fs.ErrNotExist):
		s.opts.BadMeta(n.Path, err)
	}
}

// SetMeta implements MetaStaged: the attributes are set on the temporary file.
func (s *osStaged) SetMeta(m remote.Meta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return pathErr("set metadata", s.p, fs.ErrClosed)
	}
	return writeMeta(s.tmp, remote.Meta{}, m)
}
