// Package control owns the local control socket: the server the engine runs, and the
// client the CLI and the desktop UI use. It carries the engine API (the API interface
// below, implemented by *syncer.Engine and by *Client) as JSON over HTTP on a Unix socket
// readable only by its user (0600 in a 0700 directory).
//
// It may import syncer, syncer/model and syncer/remote of this module.
package control

import (
	"context"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// API is everything the CLI and the UI can ask of the engine. Paths are absolute local
// paths; a set may be named by its id or by its local root.
//
// Errors: methods return errors whose message is meant for the user ("no sync set
// contains /x"); the client reproduces the message exactly and, as an *Error, the error
// kind it wrapped (errors.Is(err, remote.ErrAuth) holds on both sides of the socket).
type API interface {
	AddAccount(ctx context.Context, r syncer.AddAccountRequest) (model.Account, error)
	ListAccounts(ctx context.Context) ([]model.Account, error)
	RemoveAccount(ctx context.Context, name string) error
	// SignIn gives an existing account a new password (checked first) and resumes it.
	SignIn(ctx context.Context, account, password string) error

	CreateSet(ctx context.Context, r syncer.CreateSetRequest) (model.Set, error)
	ListSets(ctx context.Context) ([]syncer.SetInfo, error)
	// ListItems is Synced content; errorsOnly gives Synced with errors.
	ListItems(ctx context.Context, errorsOnly bool) ([]syncer.ItemInfo, error)
	Info(ctx context.Context, path string) (syncer.ItemInfo, error)
	RequestSync(ctx context.Context, path string) error
	Unsync(ctx context.Context, path string, removeFromCloud bool) error
	ViewURL(ctx context.Context, path string) (string, error)

	// Pause and Resume act on one set (by id or root path) or, with set == "", on all.
	Pause(ctx context.Context, set string) error
	Resume(ctx context.Context, set string) error
	Status(ctx context.Context) (syncer.Status, error)
	// Wait blocks until no set has pending work (or ctx ends).
	Wait(ctx context.Context) error

	Browse(ctx context.Context, account, folder string) ([]syncer.BrowseEntry, error)
	MakeFolder(ctx context.Context, account, folder string) error

	GetSettings(ctx context.Context) (syncer.Settings, error)
	PutSettings(ctx context.Context, s syncer.Settings) error

	// Events returns the events after seq (long-polling up to the ctx deadline when there
	// are none) and the last seq.
	Events(ctx context.Context, after int64) ([]syncer.Event, int64, error)

	// ShowWindow asks a running GUI to show a window ("preferences", "synced", "errors");
	// engines without a GUI return an error.
	ShowWindow(ctx context.Context, name string) error
}
