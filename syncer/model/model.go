// Package model holds the engine's persistent records (accounts' public data, sync sets,
// items with their base) and the Store contract that keeps them. It is plain data: no I/O,
// so the engine core, the Badger store (syncer/state), the control API and the UI can all
// share it without the engine importing a database: it exists so that syncer does not
// import syncer/state, which imports Badger.
//
// It may import syncer/remote of this module (for its value types).
package model

import (
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Account is a remote endpoint's public data. Its secret lives only in the OS keyring,
// under service "cloudsync" and user Name (see package credentials).
type Account struct {
	Name string `json:"name"`
	Type string `json:"type"` // a registered remote type (package registry): "webdav", "alfresco"
	URL  string `json:"url"`
	User string `json:"user"`
	// WebUI is the base of the web UI for View in Cloud (Alfresco: Share or the Content
	// App; WebDAV: a server UI), empty when unknown.
	WebUI string `json:"web_ui,omitempty"`
	// Paused is set when the account failed authentication; cleared by a successful login.
	Paused bool `json:"paused,omitempty"`
	// Capabilities are what the server offers, as `account add` probed it (see
	// remote.Prober); nil when not probed yet (accounts added before probing existed, or a
	// remote without a probe). The engine hands them back to the remote when it dials it.
	Capabilities *remote.Capabilities `json:"capabilities,omitempty"`
}

// Kind is the kind of a sync set (SPEC §1).
type Kind string

const (
	KindFolder    Kind = "folder"
	KindDocuments Kind = "documents"
)

// Options are the sync set options of SPEC §2.
type Options struct {
	IncludeSubfolders        bool `json:"include_subfolders"`
	Lock                     bool `json:"lock"`
	AllowCloudDelete         bool `json:"allow_cloud_delete"`
	DeleteLocalOnCloudDelete bool `json:"delete_local_on_cloud_delete"`
}

// DefaultOptions returns the defaults of SPEC §2.
func DefaultOptions() Options {
	return Options{IncludeSubfolders: true, AllowCloudDelete: true}
}

// Set is one sync set: a pairing created in one step.
type Set struct {
	ID      string  `json:"id"`
	Kind    Kind    `json:"kind"`
	Account string  `json:"account"`
	Options Options `json:"options"`
	// LocalRoot is the absolute local folder (folder sets) or the folder holding the
	// documents at creation (documents sets).
	LocalRoot string `json:"local_root"`
	// LocalRootID is the local root's file id ("dev:ino") when the set was created (or last
	// confirmed): a root that answers with another id was unmounted (the empty mount point
	// shows) or replaced, and the set stops instead of reading its emptiness as deletions.
	LocalRootID string `json:"local_root_id,omitempty"`
	// RemoteRoot is the cloud folder, relative to the account's base.
	RemoteRoot string `json:"remote_root"`
	// RemoteRootID is the cloud folder's stable id when the remote has ids.
	RemoteRootID string `json:"remote_root_id,omitempty"`
	// Documents lists the member paths, relative to LocalRoot, of a documents set as chosen
	// at creation. Membership after that lives in the items.
	Documents []string  `json:"documents,omitempty"`
	Paused    bool      `json:"paused,omitempty"`
	Created   time.Time `json:"created"`
	// Installation is the installation id the set's bases were written under; a mismatch
	// means the state dir was copied or restored, and bases are not trusted (SPEC §4).
	Installation string `json:"installation"`
	// Trusted is false until a clean pass ran under the current installation.
	Trusted bool `json:"trusted"`
	// Error is a set-wide failure (missing root, empty remote, mass delete awaiting
	// confirmation); the set does not sync while it is set.
	Error        remote.Reason `json:"error,omitempty"`
	ErrorDetails string        `json:"error_details,omitempty"`
	// PendingDeletes > 0 means a pass wanted to delete that many items, more than the
	// threshold, and waits for confirmation (request-sync on the set confirms).
	PendingDeletes int `json:"pending_deletes,omitempty"`
	// LastSync is the end of the last pass that completed without set-wide failure.
	LastSync time.Time `json:"last_sync,omitempty"`
}

// Status is an item's sync status as shown by `cloudsync info`.
type Status string

const (
	StatusSynced  Status = "synced"
	StatusPending Status = "pending"
	StatusSyncing Status = "syncing"
	StatusFailed  Status = "failed"
	StatusPaused  Status = "paused"
	// StatusLocalOnly is a conflict copy: kept beside its item, never uploaded unless the
	// user renames it (SPEC §3).
	StatusLocalOnly Status = "local_only"
	// StatusExcluded is an item the set's options or cloudsync's rules leave out: a file
	// in a subfolder of a set without subfolders, an office temp or lock file, cloudsync's
	// own files.
	StatusExcluded Status = "excluded"
)

// Side is the content state of an item on one side at its last successful sync.
type Side struct {
	ID      string    `json:"id"`                 // local "dev:ino", or the remote id
	Version string    `json:"version"`            // local: size+mtime; remote: ETag or equivalent
	Size    int64     `json:"size"`               //
	ModTime time.Time `json:"mtime,omitempty"`    //
	Mode    uint32    `json:"mode,omitempty"`     // local permission bits before a lock
	Extra   string    `json:"extra,omitempty"`    // backend-specific (e.g. Alfresco parent id)
	Gone    bool      `json:"gone,omitempty"`     // side deleted, item kept (e.g. target_deleted)
	Hash    string    `json:"hash,omitempty"`     // content hash known for this side
	Path    string    `json:"path,omitempty"`     // path on this side if it differs from Item.Path
	Locked  bool      `json:"locked,omitempty"`   // local copy made read-only by the lock option
	Excl    bool      `json:"excluded,omitempty"` // left the sync: ignore this id from now on
}

// Item is a file or folder inside a sync set, with its pairing and its base: the state
// both sides had at the last successful sync.
type Item struct {
	Set   string `json:"set"`
	Key   string `json:"key"`  // stable within the set; never reused
	Path  string `json:"path"` // relative to the set root, slash-separated, at last sync
	IsDir bool   `json:"is_dir"`
	// HasBase is true once the item synced at least once: only such items are bases for
	// the planner. An item without a base is a failure record for something never synced
	// (an invalid name, a refused upload); treating it as a base would read the missing
	// side as a deletion.
	HasBase bool `json:"has_base"`
	// Hash is the SHA-256 (hex) of the content at last sync (files only).
	Hash string `json:"hash,omitempty"`
	// Meta is the title, description and author both sides had at the last sync, where the
	// set syncs them (SPEC §3 "Metadata"); nil when unknown (never synced with metadata).
	Meta   *remote.Meta `json:"meta,omitempty"`
	Local  Side         `json:"local"`
	Remote Side         `json:"remote"`

	Status    Status        `json:"status"`
	Reason    remote.Reason `json:"reason,omitempty"`
	Details   string        `json:"details,omitempty"`
	Attempts  int           `json:"attempts,omitempty"`
	NextRetry time.Time     `json:"next_retry,omitempty"`
	// Waits is set for a failure no retry can fix (name_clash, invalid_name, …): what the
	// failing action saw of the item. There is no timer; the item is tried again when a
	// plan asks something else of it (it changed) or the user asks (Request Sync).
	Waits    string    `json:"waits,omitempty"`
	LastSync time.Time `json:"last_sync,omitempty"`
	// Conflicts are the set-relative paths of local-only conflict copies kept for this item.
	Conflicts []string `json:"conflicts,omitempty"`
	// Notified is true once a notification for the current failure was shown.
	Notified bool `json:"notified,omitempty"`
	// Restore is set when the cloud refused to delete the item (permission denied) after it
	// was deleted locally: the local delete is undone, the next pass downloads it again
	// (SPEC §4, FAILURE-MODES 21). A successful sync of the item clears it.
	Restore bool `json:"restore,omitempty"`
	// Note says what the engine did that the owner should know although the item syncs
	// (the refused delete it undid); shown by Sync Info until the item syncs again.
	Note string `json:"note,omitempty"`
}

// Brief is the part of the item ItemBriefLister lists (the rest zero, no empty
// Conflicts slice).
func (it Item) Brief() Item {
	side := func(s Side) Side { return Side{ID: s.ID, Version: s.Version, Gone: s.Gone, Excl: s.Excl} }
	b := Item{Key: it.Key, Path: it.Path, IsDir: it.IsDir, HasBase: it.HasBase, Meta: it.Meta, Status: it.Status,
		Local: side(it.Local), Remote: side(it.Remote)}
	if len(it.Conflicts) > 0 {
		b.Conflicts = it.Conflicts
	}
	return b
}

// IntentOp is the kind of transfer an Intent announces.
type IntentOp string

const (
	IntentUpload   IntentOp = "upload"
	IntentDownload IntentOp = "download"
)

// Intent is a transfer the engine is about to make, stored durably before the transfer
// starts and removed once its result is recorded (SPEC §4), so that after a crash the engine
// knows what was in flight: a partial upload a server exposes under the real name is then
// recognised as its own (not taken for a cloud edit) and redone, and the temporary file of
// a cut download is removed.
type Intent struct {
	// Path is the set-relative path the bytes go to: the cloud file of an upload, the local
	// file of a download.
	Path string   `json:"path"`
	Op   IntentOp `json:"op"`
	// Key is the item's key; empty for an item new on both sides.
	Key string `json:"key,omitempty"`
	// Size and Hash (SHA-256 hex, empty when unknown) describe the content an upload sends,
	// LocalID, LocalVersion and LocalModTime the local file it reads; RemoteVersion is the
	// version of the cloud file it replaces (empty for a new file).
	Size          int64     `json:"size,omitempty"`
	Hash          string    `json:"hash,omitempty"`
	LocalID       string    `json:"local_id,omitempty"`
	LocalVersion  string    `json:"local_version,omitempty"`
	LocalModTime  time.Time `json:"local_mtime,omitempty"`
	RemoteVersion string    `json:"remote_version,omitempty"`
	Started       time.Time `json:"started"`
}

// Store keeps accounts, sets and items durably. Every mutating call is durable when it
// returns (a crash after it returns loses nothing). Implementations are safe for
// concurrent use. Get* methods return ErrNotFound (wrapped) for unknown keys.
type Store interface {
	InstallationID() string

	PutAccount(a Account) error
	GetAccount(name string) (Account, error)
	ListAccounts() ([]Account, error)
	DeleteAccount(name string) error

	PutSet(s Set) error
	GetSet(id string) (Set, error)
	ListSets() ([]Set, error)
	// DeleteSet removes the set and all its items.
	DeleteSet(id string) error

	// PutItems writes items and deletes the items keyed by del, in one transaction.
	PutItems(set string, put []Item, del []string) error
	GetItem(set, key string) (Item, error)
	// ListItems calls fn for every item of the set in key order; fn returning false stops.
	ListItems(set string, fn func(Item) bool) error
	// NextKey returns a fresh item key for the set.
	NextKey(set string) (string, error)

	// PutIntents stores put as the set's batch of transfer intents named batch (replacing
	// a batch of that name; none when put is empty) and deletes the batches named in del,
	// at once (committed in chunks when large). A pass writes one batch before its
	// transfers and removes it after them: one write each, whatever the number of files.
	PutIntents(set, batch string, put []Intent, del []string) error
	// ListIntents calls fn for every transfer intent of the set, with its batch, in batch
	// order; fn returning false stops. DeleteSet removes a set's intents with it.
	ListIntents(set string, fn func(batch string, in Intent) bool) error

	// GetConfig / PutConfig keep small engine settings (poll interval, …) by name.
	GetConfig(name string) (string, error)
	PutConfig(name, value string) error

	Close() error
}

// ItemBriefLister is a Store that lists a set's items faster than ListItems by decoding
// only what a set's index and counters need (issue 11: the engine's start reads every
// item). ListItemBriefs calls fn for every item of the set in key order, as ListItems
// does, with at least Key, Path, IsDir, HasBase, Meta, Status, Conflicts and each side's
// ID, Version, Gone and Excl set as stored (Item.Brief); other fields may be zero. Every item is still
// read whole and must be well-formed; fn returning false stops.
type ItemBriefLister interface {
	ListItemBriefs(set string, fn func(Item) bool) error
}

// ErrNotFound is wrapped by Store getters for unknown keys.
var ErrNotFound = errNotFound{}

type errNotFound struct{}

func (errNotFound) Error() string { return "not found in state" }
