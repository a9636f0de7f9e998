// Package remote owns the contract between the sync engine and a cloud repository:
// the Remote interface every backend implements (WebDAV, Alfresco), the optional
// one-method abilities found by type assertion, the Entry snapshot a listing returns,
// and the failure reasons of SPEC §4 with the error kinds that carry them.
//
// A backend maps its own status codes to these kinds in one function; the engine then
// decides retries and user-visible reasons from the kind alone (see Reason and Retryable).
// This package does no I/O and imports no network code, so the engine can depend on it.
//
// It may import nothing of this module (every other package builds on it), and never net/http.
package remote

import (
	"context"
	"io"
	"path"
	"strings"
	"time"
)

// Entry is one file or folder as the remote reports it.
//
// Path is slash-separated and relative to the path the caller asked about (for List, the
// listed root; for Stat and mutations, the account's base), with no leading or trailing
// slash. ID is stable across renames and moves where the remote has such ids (Alfresco
// node ids, WebDAV oc:fileid); where it has none the backend derives it from the path, and
// IDIsPath says so. Version changes whenever the content (files) or the subtree (folders,
// where the server propagates it) changes: an ETag, or modifiedAt+size for Alfresco.
type Entry struct {
	ID       string
	IDIsPath bool
	Path     string
	IsDir    bool
	Size     int64
	ModTime  time.Time
	Version  string
	// Hash is a content checksum ("sha256:…", "sha1:…", "md5:…") when the server offers
	// one cheaply (e.g. oc:checksums); empty otherwise.
	Hash string
	// Unsupported, when set, says why this listed entry cannot be synced (e.g. "an Alfresco
	// link to a file", "a working copy of a checked-out file"). The engine reports it as
	// unsupported and never opens, writes, moves or deletes it; List does not descend into
	// such a folder.
	Unsupported string
	// Meta is the entry's title, description and author on a remote that keeps them (see
	// MetaKeeper); nil when it has none, or the remote keeps none.
	Meta *Meta
}

// Name returns the last element of e.Path.
func (e Entry) Name() string { return path.Base(e.Path) }

// Remote is one account's view of a cloud repository. Paths are relative to the account's
// base (WebDAV: the base URL; Alfresco: "NETWORK/SITE/path/in/documentLibrary").
//
// Every method honours ctx cancellation and returns errors wrapping one of the kinds below
// (ErrNotFound, ErrNameClash, …) so callers classify them with errors.Is or ReasonOf.
// Implementations are safe for concurrent use.
type Remote interface {
	// Stat returns the entry at p. ErrNotFound when it does not exist.
	Stat(ctx context.Context, p string) (Entry, error)

	// ReadDir lists the direct children of folder p (not recursive), paths relative to the
	// account's base. ErrNotFound when p does not exist; ErrUnsupported-free for files.
	ReadDir(ctx context.Context, p string) ([]Entry, error)

	// List returns every entry below folder root (recursively, root itself excluded), with
	// paths relative to root. prev is the previous complete List result for the same root,
	// or nil; a backend may reuse prev's subtree for a folder whose Version is unchanged
	// (when it knows the server propagates folder versions). An empty result for a root that
	// prev says was not empty is returned as is: the engine, not the backend, decides
	// whether to trust it.
	List(ctx context.Context, root string, prev []Entry) ([]Entry, error)

	// Open reads the content of file e from byte offset on (offset > 0 resumes an
	// interrupted download; a backend that cannot seek returns ErrUnsupported for it).
	Open(ctx context.Context, e Entry, offset int64) (io.ReadCloser, error)

	// Upload writes size bytes from r to file p. With replace == nil the file must not exist
	// yet (ErrNameClash otherwise); with replace != nil it is a new version of that same node
	// (same ID), and a backend that can detect it returns ErrChanged when the node changed
	// since replace was listed. The returned Entry describes the stored file.
	Upload(ctx context.Context, p string, replace *Entry, r io.Reader, size int64) (Entry, error)

	// Mkdir creates folder p; its parent must exist (ErrNotFound otherwise) and p must not
	// (ErrNameClash otherwise).
	Mkdir(ctx context.Context, p string) (Entry, error)

	// Move renames and/or moves e to newPath, keeping its ID where the remote has ids.
	// The new parent must exist; an existing newPath gives ErrNameClash and is never
	// overwritten.
	Move(ctx context.Context, e Entry, newPath string) (Entry, error)

	// Delete removes e (folders recursively), into the remote's trash where it has one.
	// Deleting something already gone returns ErrNotFound.
	Delete(ctx context.Context, e Entry) error
}

// Walker is implemented by remotes that can list a folder without holding the whole
// listing: Walk calls fn for every entry below folder root (paths relative to root, a
// folder before its content, otherwise in any order) and returns fn's first error or the
// listing's, which List would have returned. It reuses no previous listing.
type Walker interface {
	Walk(ctx context.Context, root string, fn func(Entry) error) error
}

// PruningWalker is implemented by remotes that can leave out the subtrees of unchanged
// folders while walking, on a server whose folder versions change with their subtree
// (Nextcloud, ownCloud): WalkPruned is Walk, except that it asks known about each folder
// whose own entry vouches for its subtree (a stable id and a real version, on such a
// server) and, when known returns true, passes the folder's entry to fn but lists nothing
// below it. The caller answers true only when it knows that subtree, as it was when the
// folder last had that id and version. Elsewhere known is never asked and the walk is a
// full Walk. known and fn are called from one goroutine.
type PruningWalker interface {
	WalkPruned(ctx context.Context, root string, known func(Entry) bool, fn func(Entry) error) error
}

// Keeper is implemented by remotes that keep, between calls, data that grows with the
// trees they list (WebDAV's kept listings): KeptBytes is about how many bytes of heap that
// is now. The engine's memory limit counts it (syncer/memory.go).
type Keeper interface {
	KeptBytes() int64
}

// WebURLer is implemented by remotes that can name a web page for an entry (View in Cloud).
type WebURLer interface {
	WebURL(e Entry) string
}

// Namer is implemented by remotes with naming rules stricter than the local file system's.
// ValidateName returns an error wrapping ErrInvalidName for a name the remote refuses (or
// ErrUnsupported for one it accepts but cannot list back, so it cannot be synced), and
// FoldName returns the key under which two names clash in one folder (for example the
// lower-cased name on a case-insensitive remote).
type Namer interface {
	ValidateName(name string) error
	FoldName(name string) string
}

// Clean turns a user- or server-supplied relative path into the canonical form used in
// Entry.Path: slash-separated, no leading/trailing slash, no empty or "." elements.
// It does not validate names; see ValidateRemoteName.
func Clean(p string) string {
	if isClean(p) {
		return p // (most paths are: a listing of a million entries cleaned each anew)
	}
	p = strings.Trim(path.Clean("/"+p), "/")
	if p == "." {
		return ""
	}
	return p
}

// isClean reports whether p is in the canonical form already: no slash at either end, no
// empty, "." or ".." element.
func isClean(p string) bool {
	if p == "" {
		return true
	}
	for {
		el, rest, more := strings.Cut(p, "/")
		if el == "" || el == "." || el == ".." {
			return false
		}
		if !more {
			return true
		}
		p = rest
	}
}

// Join joins a base and a relative path in the canonical form. Two paths in that form
// already (a set's cloud folder and a listed path: every entry of a poll on a server whose
// ids are paths) are joined by one concatenation instead of path.Join's build and clean:
// 65 instead of 115-120 ns and one allocation instead of two (issue 11; Join was about 6 %
// of a 10k no-change poll's client CPU in a profile of the daemon on Apache).
func Join(elem ...string) string {
	if len(elem) == 2 && isClean(elem[0]) && isClean(elem[1]) {
		switch a, b := elem[0], elem[1]; {
		case a == "":
			return b
		case b == "":
			return a
		default:
			return a + "/" + b
		}
	}
	return Clean(path.Join(elem...))
}

// JoinAs is Join(a, b), and returns have itself when it is that path already: the entries
// of a poll on a server whose ids are paths carry their account-relative path as their id,
// which is the set's cloud folder joined to their path, so that the pass needs no new
// string per entry (issue 11: one allocation per entry of every poll).
func JoinAs(have, a, b string) string {
	if a != "" && b != "" && len(have) == len(a)+1+len(b) && have[len(a)] == '/' &&
		have[:len(a)] == a && have[len(a)+1:] == b && isClean(a) && isClean(b) {
		return have
	}
	return Join(a, b)
}

// Checker is implemented by remotes that can verify an account's credentials cheaply
// (`account add`, Test connection). Check returns an error wrapping ErrAuth for a wrong
// user or password. Remotes without it are checked with ReadDir("").
type Checker interface {
	Check(ctx context.Context) error
}
