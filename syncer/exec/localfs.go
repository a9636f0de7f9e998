// Package exec runs plan steps against one sync set's local tree and its remote: bounded
// parallel transfers over the plan's dependency graph, downloads staged in a temporary
// file and renamed into place only after a re-check, conflict copies, moves as remote
// moves, local deletes to the desktop trash. It also holds the LocalFS seam and its
// implementations (the OS one, and an in-memory double for tests).
//
// It may import syncer/plan and syncer/remote of this module.
package exec

import (
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

// ErrLocalChanged is returned when a local file no longer matches the snapshot an action
// was planned from (it was edited, replaced or removed meanwhile). Nothing was overwritten
// or removed; the next pass sees the new state.
var ErrLocalChanged = errors.New("local file changed since it was scanned")

// ErrExist is returned by LocalFS.Rename and Mkdir when the target name is taken.
var ErrExist = errors.New("local name already exists")

// ScanOptions control a local scan.
type ScanOptions struct {
	// IncludeSubfolders false: only the root's direct children are listed (files only).
	IncludeSubfolders bool
	// Known returns what the base knows of a local file id: its version and content hash.
	// Scan hashes only files whose (id, version) is not known, so an idle rescan of a
	// large tree reads no content. nil: hash every file.
	Known func(id string) (version, hash string, ok bool)
	// Unreadable, when set, is told about every folder below the root that cannot be
	// listed and every entry that cannot be examined (permission denied, an I/O error):
	// the scan leaves it out and goes on instead of failing as a whole. A folder that
	// cannot be listed is still returned itself, without its content; the caller must not
	// read the content missing below it as deletions. nil: such a folder fails the scan.
	Unreadable func(path string, err error)
	// Select, when set, is asked about every entry before its content is read: an entry it
	// refuses is left out unread, a refused folder with everything below it (not walked
	// into). A documents set selects its members and their folders, so the rest of a large
	// home is neither hashed nor, most of the time, walked.
	Select func(n plan.Node) bool
	// Meta: read every file's and folder's metadata (title, description, author; a LocalFS
	// that keeps it, see MetaFS) into Node.Meta: a zero Meta when none is set, nil when it
	// could not be read. BadMeta, when set, is told about a node whose metadata is not usable
	// text (invalid UTF-8, control characters): its Meta is left nil.
	Meta    bool
	BadMeta func(path string, err error)
	// Only, when not empty, limits the scan to these set-relative paths: each one that
	// exists and is not left out (see Scan) is described, and a folder's content is walked.
	// A path below another Only path adds nothing. A path that does not exist, or lies
	// below a symlink, a file or a left-out name, is skipped: the caller reads its absence.
	// It is how a pass looks at just what the watcher reported.
	Only []string
	// Keep, when set, is asked about each node before a file's content is hashed; false
	// leaves the node out of the result (a folder's content is still walked). A caller that
	// already knows a node (same id and version as its base) drops it this way, so a scan
	// of a large unchanged tree neither hashes nor holds it.
	Keep func(plan.Node) bool
	// Hash, when set, is asked about each kept file whose content Known does not give:
	// false leaves it unhashed (Node.Hash empty; the caller hashes it later if it needs
	// to). A new file only a transfer will read need not be read twice.
	Hash func(plan.Node) bool
	// Emit, when set, takes each node the scan would return (as it finds it, from one
	// goroutine, not sorted), and Scan returns none: a caller that files the nodes away
	// itself does not hold them twice.
	Emit func(plan.Node)
}

// keep reports whether a scan keeps n (see ScanOptions.Keep).
func (o ScanOptions) keep(n plan.Node) bool { return o.Keep == nil || o.Keep(n) }

// onlyRoots returns the Only paths sorted, without duplicates and without paths below
// another one.
func onlyRoots(only []string) []string {
	roots := append([]string(nil), only...)
	sort.Strings(roots)
	out := roots[:0]
	for _, r := range roots {
		if len(out) > 0 {
			last := out[len(out)-1]
			if r == last || last == "" || strings.HasPrefix(r, last+"/") {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// LocalFS is one sync set's local tree, rooted at the set's local root. Paths are
// set-relative, slash-separated and canonical (remote.Clean form). Methods never follow a
// symlink out of the root and never write outside it.
type LocalFS interface {
	// RootOK reports whether the root is usable: it exists, is a folder, and does not look
	// unmounted (an empty mount point where the base has items). hadItems says whether the
	// base has items, so an empty root is suspicious.
	RootOK(hadItems bool) error

	// Scan lists the tree. Ignored names (office temp/lock files, see Ignored) are left out;
	// symlinks and special files are returned with Unsupported set. Node.ID is "dev:ino",
	// Node.Version is derived from size and mtime (ns), Node.Hash is the SHA-256 (hex) of
	// files not known to opts.Known (and of known ones, copied from Known).
	Scan(ctx context.Context, opts ScanOptions) ([]plan.Node, error)

	// Stat describes p (no hash). fs.ErrNotExist (wrapped) when absent.
	Stat(p string) (plan.Node, error)

	// Open opens file p for reading (an upload). The node describes the file as opened.
	Open(p string) (io.ReadCloser, plan.Node, error)

	// Stage writes r into a temporary file beside p (its folder must exist), fsyncs it and
	// returns it; nothing is visible under p until Commit.
	Stage(ctx context.Context, p string, r io.Reader) (Staged, error)

	// RemoveStaged removes the temporary files Stage made in folder dir (set-relative) and
	// that were neither committed nor discarded: a crash cut their download. Only files
	// named as Stage names them are removed; it returns how many. A missing folder is not
	// an error. It must not run while a Stage in dir is in progress.
	RemoveStaged(dir string) (int, error)

	// Mkdir creates folder p (parent must exist). An existing folder at p is not an error;
	// an existing file gives ErrExist.
	Mkdir(p string) (plan.Node, error)

	// Rename moves from → to (parent of to must exist). It never overwrites: an existing
	// to gives ErrExist. A case-only rename works.
	Rename(from, to string) (plan.Node, error)

	// Trash moves p to the desktop trash (freedesktop.org Trash spec), after checking that
	// it still matches expect (files: same ID and Version; folders: same ID). Returns
	// ErrLocalChanged when it does not.
	Trash(p string, expect plan.Node) error

	// FreeName returns a path beside p, not existing yet, for a conflict copy:
	// "report (conflict copy 2026-11-22 101500).docx", with " 2", " 3"… added if taken.
	FreeName(p string, now time.Time) string

	// SetReadOnly makes p read-only (lock on-premise copy) and returns its previous
	// permission bits; with ro false it restores mode.
	SetReadOnly(p string, ro bool, mode uint32) (prev uint32, err error)
}

// Staged is a fully written, fsynced temporary file waiting to be renamed into place.
type Staged interface {
	// Hash is the SHA-256 (hex) of the staged content; Size its length.
	Hash() string
	Size() int64
	// Commit renames the staged file to its final path after re-checking the target:
	// expect nil means the target must not exist; otherwise it must still have expect's ID
	// and Version, else ErrLocalChanged (and the temp file is removed). With backup != ""
	// the current target is first hard-linked (or copied) to backup, so a conflict copy
	// exists before the target is replaced. The folder is fsynced after the rename.
	// mtime, when not zero, is set on the file.
	Commit(expect *plan.Node, backup string, mtime time.Time) (plan.Node, error)
	// Discard removes the temporary file. Safe after Commit (no-op).
	Discard() error
}
