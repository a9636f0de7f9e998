// Package plan owns reconciliation: the pure function Reconcile that turns three snapshots
// of one sync set (the base recorded at the last sync, the local tree, the remote tree)
// into a Plan of actions ordered by explicit dependencies. It does no I/O and reads no
// clock, so it can be printed, compared with golden files and property-tested on random
// trees (see docs/TESTING.md, "planner properties").
//
// It may import syncer/remote of this module (for its value types), and nothing that does I/O.
package plan

import (
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Node is one entry of a side's snapshot.
type Node struct {
	// Path is relative to the set root, slash-separated, canonical (remote.Clean).
	Path  string
	IsDir bool
	// ID is stable on its side: local "dev:ino"; remote node id, or the path when the
	// remote has no ids (then a remote move looks like delete + create).
	ID string
	// Version changes whenever the content changes (local: size and mtime; remote: ETag or
	// modifiedAt+size). Folders may leave it empty.
	Version string
	Size    int64
	// Hash is the content hash when known (local: SHA-256 hex computed by the scanner for
	// files whose Version differs from the base). Equal hashes mean equal content.
	Hash string
	// ModTime is the file's modification time (local: from the file system; remote: as the
	// server reports it). Only the local one is compared, with the base's (see Base).
	ModTime time.Time
	// Unsupported marks a node that is reported, never synced: a local symlink or special
	// file, or a remote entry the backend cannot sync (an Alfresco link or working copy).
	// Why says what it is, for Sync Info; empty means "symlink or special file".
	Unsupported bool
	Why         string
	// Partial marks a remote file the engine found to be its own interrupted upload: a
	// crash or a failure cut an upload on a server that writes uploads in place under the
	// real name, and the content there is a prefix of the local file's (the pass checks it
	// against the transfer intent recorded before the upload). It is not a cloud edit: the
	// upload is redone over it.
	Partial bool
	// MaybePartial marks a remote file that may be such an interrupted upload but cannot be
	// checked, because the local file changed again since: it may as well be a cloud edit
	// made meanwhile. Both are kept: the cloud version as a local conflict copy, the local
	// one uploaded over it (ConflictUpload), so a partial file never takes the name.
	MaybePartial bool
	// Meta is the node's title, description and author (SPEC §3 "Metadata") where its side
	// keeps them and Options.Meta is on: a zero Meta when none is set. nil means unknown (the
	// side keeps none, or they could not be read): the item's metadata is then left alone.
	Meta *remote.Meta
}

// Base is one item of the store as the planner needs it: what both sides were at the last
// successful sync.
type Base struct {
	Key string
	// Path is the item's path at the last sync (same on both sides). When the engine
	// records a folder move (MoveLocal/MoveRemote of a folder) it must also rewrite the
	// Path of the items below it, and their RemoteID when the remote's ids are paths:
	// Reconcile finds an item's base parent by path, and with a stale path it cannot tell
	// which side moved that item (it then lets the cloud win; nothing is lost).
	Path          string
	IsDir         bool
	LocalID       string
	LocalVersion  string
	RemoteID      string
	RemoteVersion string
	Hash          string // content hash at last sync, when known
	// LocalSize and LocalModTime describe the local file at the last sync, RemoteSize the
	// remote one (0 and zero time when unknown): a local file that lost content in a way an
	// edit does not explain is not trusted as an edit (see Options.WatchedSince), and a remote
	// move is confirmed by size.
	LocalSize    int64
	LocalModTime time.Time
	RemoteSize   int64
	// RemoteGone: the cloud item was deleted and the local one kept (target_deleted);
	// LocalGone: the local item was deleted and the cloud one kept.
	RemoteGone bool
	LocalGone  bool
	// Restore: the cloud refused to delete the item (permission denied) when it was deleted
	// locally; missing locally, it is downloaded again instead of deleted in the cloud.
	Restore bool
	// Excluded: the item left the sync on one side (e.g. local delete with "allow deletion
	// on cloud" off); entries with this item's ids are ignored from now on.
	Excluded bool
	// Meta is the metadata both sides had at the last sync; nil when unknown (never synced
	// with metadata). With an unknown base, metadata merges without deleting anything.
	Meta *remote.Meta
}

// Options are the set options the planner needs.
type Options struct {
	AllowCloudDelete         bool
	DeleteLocalOnCloudDelete bool
	// TrustBase is false when the state may be stale (copied or restored state dir, or a
	// set never synced cleanly under this installation): then every difference becomes a
	// conflict or a transfer, never a deletion, on either side.
	TrustBase bool
	// FoldName maps a name to its clash key in one remote folder (e.g. lower case for
	// Alfresco); nil means names clash only when equal.
	FoldName func(string) string
	// ValidRemoteName checks a local name before upload (the remote's naming rules);
	// nil accepts every name. Names failing it give a Fail action with invalid_name, or
	// unsupported when the error wraps remote.ErrUnsupported (a name the server cannot
	// list back).
	ValidRemoteName func(string) error
	// LocalFoldName maps a name to its clash key in one local folder (lower case on a
	// case-insensitive file system); nil means names clash only when equal.
	LocalFoldName func(string) string
	// RemoteIDsArePaths says the remote has no stable ids (Node.ID is the path): a remote
	// move then looks like delete + create, and Reconcile pairs such a vanished item with
	// the one new remote node of the same version (files), the new folder its children
	// went to (folders), or the new node at its place under its paired parent. A base
	// item's RemoteID should then be the node's path when the result was recorded (a
	// snapshot's id is stale once a folder above it moved in the same pass).
	RemoteIDsArePaths bool
	// WatchedSince is when the engine started watching the local folder (its start): a
	// local file last modified before it changed while no engine watched. A file found
	// empty with such an mtime is not trusted as an edit (FAILURE-MODES 19: a crash or a
	// power loss leaves files truncated): when it would replace non-empty cloud content it
	// becomes a Conflict (the cloud's version keeps the name, the empty one is kept as a
	// conflict copy). A file shorter than at the last sync whose mtime did not change is
	// treated so at any time. Zero: every change was watched.
	WatchedSince time.Time
	// Meta says both sides keep items' metadata (title, description, author; SPEC §3): it is
	// then synced with the items, field by field, with the content's rules (see MergeMeta).
	// Off: Node.Meta and Base.Meta are ignored and no action carries metadata.
	Meta bool
}

// Input is everything Reconcile looks at.
type Input struct {
	Base    []Base
	Local   []Node
	Remote  []Node
	Options Options
}

// Op is the kind of an action.
type Op string

const (
	// MkdirLocal creates local folder To.
	MkdirLocal Op = "mkdir-local"
	// MkdirRemote creates remote folder To.
	MkdirRemote Op = "mkdir-remote"
	// Upload sends local file Path to remote To; with Remote != nil it is a new version of
	// that node. Exec re-checks that the local file still has Local.Version.
	Upload Op = "upload"
	// Download fetches remote file Path into local To; with Local != nil it replaces that
	// file, and exec refuses (turning it into a conflict) if the local file no longer has
	// Local.Version.
	Download Op = "download"
	// MoveLocal renames/moves local Path to To.
	MoveLocal Op = "move-local"
	// MoveRemote renames/moves remote Path to To.
	MoveRemote Op = "move-remote"
	// DeleteLocal moves local Path to the desktop trash (exec re-checks Local.Version).
	DeleteLocal Op = "delete-local"
	// DeleteRemote deletes remote Path (into the remote's trash where it has one).
	DeleteRemote Op = "delete-remote"
	// Conflict: both sides changed. Exec renames local Path to a local-only conflict copy
	// beside it (unless its content equals the remote's), then downloads remote Path to To.
	Conflict Op = "conflict"
	// ConflictUpload: both sides changed, but the cloud's change may be this engine's own
	// interrupted upload (Node.MaybePartial). Exec keeps the cloud version of To as a
	// local-only conflict copy beside local Path, then uploads Path over To.
	ConflictUpload Op = "conflict-upload"
	// Record: both sides already agree; write the base for To.
	Record Op = "record"
	// Forget: drop base item Key (both sides gone).
	Forget Op = "forget"
	// Exclude: item Key left the sync on one side; keep it as an excluded tombstone.
	Exclude Op = "exclude"
	// MarkGone: one side deleted, the other kept by the options; the item shows Reason
	// (target_deleted) until the user acts or the kept side is edited.
	MarkGone Op = "mark-gone"
	// Fail: the item cannot be synced for Reason; nothing is touched.
	Fail Op = "fail"
	// Meta: both sides hold the same content at To; only the metadata differs. Exec sets
	// Action.Meta on the side(s) whose snapshot Meta differs (re-checking the local item
	// first), transferring no content, then records the base as Record does.
	Meta Op = "meta"
)

// Action is one step of a plan.
//
// Paths are expressed as they are when the action runs, that is after every action it
// depends on (After) has run: a download of "B/x" after a remote move "A" → "B" reads the
// remote at "B/x".
type Action struct {
	ID  int
	Op  Op
	Key string // base item key; empty for an item new on both sides of this pass
	// Path is where the item is now on the side read from (source) or acted upon.
	Path string
	// To is the item's path after the action, on the side written to (for Record/Forget/
	// Fail/MarkGone, the item's path).
	To     string
	IsDir  bool
	Local  *Node // the item's local snapshot entry, nil when absent
	Remote *Node // the item's remote snapshot entry, nil when absent
	Reason remote.Reason
	// BaseHash, for a Conflict of a trusted base, is the content hash both sides had at the
	// last sync ("" when unknown). A cloud version whose content still has it changed only
	// in metadata (a move, a title, a property-triggered version): exec then uploads the
	// local edit instead of making a conflict copy.
	BaseHash string
	// Meta is the metadata the item must have on both sides once the action succeeded
	// (Upload, Download, Conflict, ConflictUpload, MkdirLocal, MkdirRemote, Record, Meta): exec
	// writes it where a side differs, and the engine records it as the base. nil: the action
	// leaves metadata alone (not synced for this item, or unknown on a side).
	Meta *remote.Meta
	// Note is a short human explanation ("edited on both sides", "deleted locally").
	Note string
	// After lists the IDs of actions that must complete (successfully) before this one.
	// An action whose dependency failed is skipped for this pass.
	After []int
}

// Plan is the ordered result of Reconcile. Actions appear in an order that satisfies
// After, but any order that satisfies After gives the same result.
type Plan struct {
	Actions []Action
}

// Deletes counts the items the plan deletes on either side: the delete actions, and the
// items removed with a deleted folder (the Forget actions that wait for a delete), so that
// a mass-delete guard sees a folder's whole subtree although it is one action.
func (p Plan) Deletes() (local, remote int) {
	op := make(map[int]Op, len(p.Actions))
	for _, a := range p.Actions {
		op[a.ID] = a.Op
		switch a.Op {
		case DeleteLocal:
			local++
		case DeleteRemote:
			remote++
		case Forget:
			for _, d := range a.After {
				switch op[d] {
				case DeleteLocal:
					local++
				case DeleteRemote:
					remote++
				}
			}
		}
	}
	return
}
