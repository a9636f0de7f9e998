package syncer

import (
	"context"
	"log/slog"
	"time"

	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/registry"
)

// Secrets is where account secrets live (the OS keyring in production; see package
// credentials). Get returns an error when the account has no secret.
type Secrets interface {
	Set(account, secret string) error
	Get(account string) (string, error)
	Delete(account string) error
}

// WatchEvent is a local change notice for one set root: set-relative paths that changed,
// or Rescan when the watcher lost track (overflow) or its periodic rescan is due.
type WatchEvent struct {
	Paths  []string
	Rescan bool
}

// WatchFunc starts watching root until ctx ends. rescan is the periodic full-rescan
// interval (the watcher may shorten it for network file systems).
type WatchFunc func(ctx context.Context, root string, includeSubfolders bool, rescan time.Duration) (<-chan WatchEvent, error)

// Config wires the engine to its seams. Store, Secrets, LocalFS and Dial (or Remotes) are
// required.
type Config struct {
	Store   model.Store
	Secrets Secrets
	// SecretsWhere says where Secrets keeps passwords ("the OS keyring", or memory when
	// there is none), for Status and so for `account add` to tell the user.
	SecretsWhere string
	// Dial builds the remote of an account. It must not do network I/O itself; the engine
	// checks credentials with remote.Checker (or ReadDir("")) when it needs to.
	// Nil: Remotes.Dial builds it by the account's type.
	Dial func(a model.Account, secret string) (remote.Remote, error)
	// Remotes is the registry of remote types (package backends builds it): AddAccount
	// accepts only its types and Browse marks the fixed levels of their trees (Alfresco's
	// networks and sites). Nil: any type Dial builds is accepted and no level is marked.
	Remotes *registry.Registry
	// LocalFS opens the local tree of a set root.
	LocalFS func(root string) exec.LocalFS
	// Watch is optional; without it only polling and rescans see local changes.
	Watch WatchFunc
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	// PollInterval is how often remotes are listed (default 30 s); RescanInterval how often
	// local trees are fully rescanned (default 10 min). When set here they win over the
	// stored General settings; when zero, the stored settings (or the defaults) apply.
	PollInterval   time.Duration
	RescanInterval time.Duration
	// StallTimeout abandons a transfer or listing that moves no byte for that long (default
	// 1 min, remote.DefaultStallTimeout). When set here it wins over the stored setting.
	StallTimeout time.Duration
	// UploadLimit and DownloadLimit are engine-wide bandwidth limits in bytes per second;
	// when set (> 0) they win over the stored General settings, like the intervals.
	UploadLimit, DownloadLimit int64
	// Parallel bounds concurrent transfers (uploads, downloads) across all sets: one
	// engine-wide limit (default 4). A pass runs twice as many actions at once, so that
	// folders, moves and deletions go on beside the transfers; with 1 it runs one action at
	// a time, in plan order (a reproducible run: the simulation's seeds).
	Parallel int
	// MemoryLimit, when set, is given the soft memory limit the engine wants for the items
	// it syncs (memory.go), whenever that changes much; the host passes it to
	// runtime/debug.SetMemoryLimit.
	MemoryLimit func(bytes int64)
	// Chunk is the number of changes from which a pass plans and runs them in chunks of
	// folders of about that size, so that it holds one chunk at a time (default 2,000).
	Chunk int
	// MassDeleteRatio and MassDeleteMin: a pass deleting more than ratio of a set's items
	// and more than min items waits for confirmation (defaults 0.5 and 10).
	MassDeleteRatio float64
	MassDeleteMin   int

	// Protected are the absolute local folders cloudsync keeps its own files in (its
	// configuration, state and log folders) and the desktop trash. A set that contains one
	// or lies inside one is refused; a set that comes to contain one never syncs it.
	Protected []string

	Log *slog.Logger
	// ShowWindow is set by the GUI so that a second `cloudsync` start can open a window.
	ShowWindow func(name string) error
}

func (c *Config) defaults() {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 30 * time.Second
	}
	if c.RescanInterval <= 0 {
		c.RescanInterval = 10 * time.Minute
	}
	if c.Parallel <= 0 {
		c.Parallel = 4
	}
	if c.Chunk <= 0 {
		c.Chunk = defaultChunk
	}
	if c.MassDeleteRatio <= 0 {
		c.MassDeleteRatio = 0.5
	}
	if c.MassDeleteMin <= 0 {
		c.MassDeleteMin = 10
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// actionsAtOnce is the number of actions a pass runs at once (see Parallel).
func (c Config) actionsAtOnce() int {
	if c.Parallel == 1 {
		return 1
	}
	return 2 * c.Parallel
}
