package syncer

import (
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// The request and answer types of the engine's API. The control socket (syncer/control)
// carries exactly these as JSON; the CLI prints them with --json; the UI shows them.

// AddAccountRequest adds (or, with Test, only checks) an account. Password travels only
// over the user-only control socket and is stored only in the OS keyring.
type AddAccountRequest struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	URL      string `json:"url"`
	User     string `json:"user"`
	Password string `json:"password"`
	WebUI    string `json:"web_ui,omitempty"`
	// Test: check the login and report, store nothing.
	Test bool `json:"test,omitempty"`
}

// CreateSetRequest is `cloudsync sync PATH... --account A --to FOLDER [options]`.
// One folder path makes a folder set; one or more file paths make a documents set.
type CreateSetRequest struct {
	Paths   []string      `json:"paths"`
	Account string        `json:"account"`
	To      string        `json:"to"`
	Options model.Options `json:"options"`
}

// Cloud is where an item lives in the cloud.
type Cloud struct {
	Account  string `json:"account"`
	Location string `json:"location"` // account-relative path (Alfresco: NETWORK/SITE/path)
	URL      string `json:"url"`      // View in Cloud URL
}

// ItemInfo is the Sync Info of one item (SPEC §5 `info --json` fields, plus context).
type ItemInfo struct {
	Path      string        `json:"path"` // absolute local path
	Set       string        `json:"set"`
	IsDir     bool          `json:"is_dir"`
	Status    model.Status  `json:"status"`
	Reason    remote.Reason `json:"reason"`
	Details   string        `json:"details"`
	Cloud     Cloud         `json:"cloud"`
	LastSync  string        `json:"last_sync"` // RFC 3339, empty when never synced
	Conflicts []string      `json:"conflicts"` // absolute paths of kept conflict copies
	NextRetry string        `json:"next_retry,omitempty"`
	// Message is the plain sentence of SPEC §4 for Reason (what happened, what the user can
	// do), shown before the code and the details; empty when the item did not fail.
	Message string `json:"message,omitempty"`
	// Metadata is the item's title, description and author as last synced (SPEC §3), where
	// its set syncs them; {} when none is set.
	Metadata *remote.Meta `json:"metadata,omitempty"`
	// MetadataNote says why the set does not sync them, when it does not (a local file
	// system without user extended attributes, a server without dead properties).
	MetadataNote string `json:"metadata_note,omitempty"`
	// Note says what the last sync of the item did that its owner should know although it
	// synced (a delete the cloud refused, undone by restoring the item); empty otherwise.
	Note string `json:"note,omitempty"`
}

// SetInfo describes a sync set for lists and the preferences window.
type SetInfo struct {
	model.Set
	State     string `json:"state"` // idle|syncing|paused|error|offline
	Items     int    `json:"items"`
	Pending   int    `json:"pending"`
	Failed    int    `json:"failed"`
	Conflicts int    `json:"conflicts"` // conflict copies kept (local_only)
	// Progress is what the set's running pass transfers; nil when it is not working.
	Progress *Progress `json:"progress,omitempty"`
	// LastPass is what the set's last finished pass looked at and how long it took; nil
	// before the first.
	LastPass *PassInfo `json:"last_pass,omitempty"`
}

// PassInfo describes one finished pass: when it started, how long it took, whether it
// listed the cloud, what it looked at locally ("all": the whole tree, "changes": what the
// watcher reported, "none"), and how many items its plan considered (the scope).
type PassInfo struct {
	Started time.Time `json:"started"`
	Seconds float64   `json:"seconds"`
	Cloud   bool      `json:"cloud"`
	Local   string    `json:"local"`
	Items   int       `json:"items"`
}

// Progress is what a running pass is doing (SPEC §6): the file being transferred, the
// bytes of file content moved of the pass's total, the items (actions doing work) left, and
// an estimate of the time left. Over several sets the counts add up.
type Progress struct {
	File       string `json:"file,omitempty"`        // absolute local path of the file moving bytes
	Bytes      int64  `json:"bytes"`                 // content bytes moved so far
	TotalBytes int64  `json:"total_bytes"`           // content bytes of the pass's uploads and downloads
	Items      int    `json:"items"`                 // actions of the pass that do work
	ItemsLeft  int    `json:"items_left"`            // of those, not finished yet
	ETASeconds int64  `json:"eta_seconds,omitempty"` // estimate from the rate so far; 0: unknown
}

// Status is `cloudsync status --json`.
type Status struct {
	State     string    `json:"state"` // idle|syncing|paused|error|offline
	Paused    bool      `json:"paused"`
	Sets      int       `json:"sets"`
	Items     int       `json:"items"`
	Pending   int       `json:"pending"`
	Syncing   int       `json:"syncing"`
	Failed    int       `json:"failed"`
	Conflicts int       `json:"conflicts"`
	Message   string    `json:"message,omitempty"` // one line for the tray's status line
	Keyring   string    `json:"keyring,omitempty"` // where account passwords are kept
	LastSync  string    `json:"last_sync,omitempty"`
	SetStates []SetInfo `json:"set_states,omitempty"`
	// Progress is what the running passes transfer (SPEC §6); nil when nothing is.
	Progress *Progress `json:"progress,omitempty"`
}

// Engine states, worst first when several sets differ.
const (
	StateError   = "error"
	StateOffline = "offline"
	StatePaused  = "paused"
	StateSyncing = "syncing"
	StateIdle    = "idle"
)

// BrowseEntry is one folder (or file) offered by the destination picker.
type BrowseEntry struct {
	Name  string `json:"name"`
	Path  string `json:"path"` // account-relative, usable as --to
	IsDir bool   `json:"is_dir"`
	Kind  string `json:"kind,omitempty"` // "network", "site", "folder", "file"
}

// Settings are the General preferences.
type Settings struct {
	PollInterval   Duration `json:"poll_interval"`
	RescanInterval Duration `json:"rescan_interval"`
	Notifications  bool     `json:"notifications"`
	StartAtLogin   bool     `json:"start_at_login"`
	// UploadLimit and DownloadLimit bound the engine's transfers, in bytes per second
	// (0: unlimited); a pause still stops every transfer.
	UploadLimit   int64 `json:"upload_limit,omitempty"`
	DownloadLimit int64 `json:"download_limit,omitempty"`
	// StallTimeout is how long a transfer or listing may go without moving a byte before it
	// is abandoned and retried with back-off (SPEC §4; default 1m).
	StallTimeout Duration `json:"stall_timeout,omitempty"`
}

// Event is something the UI may announce (a notification) or react to (refresh).
type Event struct {
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	// Kind is "failure", "conflict", "auth", "first_sync_done", "changed", or "restored" (a
	// local delete the cloud refused was undone: the item is back, Body says so).
	Kind    string `json:"kind"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	Path    string `json:"path,omitempty"`
	Account string `json:"account,omitempty"`
	// Reason is the failure reason of a "failure" event ("" for a set-wide stop without one).
	Reason remote.Reason `json:"reason,omitempty"`
}

// Duration is a time.Duration that marshals as a Go duration string ("10m0s").
type Duration time.Duration

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}
