// Package scenario holds cloudsync's scenario suite: one readable test per rule of SPEC §3
// and §4 and per row of docs/FAILURE-MODES.md, written once against an Env and run against every
// environment: the engine over in-memory doubles, over real WebDAV servers on 127.0.0.1
// (golang.org/x/net/webdav in-process and Debian's rclone), and the built cloudsync binary
// driven through its CLI and a running daemon (cmd/cloudsync). A scenario acts as a person
// (editing the local folder) and as another client of the cloud (editing the cloud folder),
// lets the engine converge, and checks the outcome and the oracle of docs/TESTING.md: no lost
// write, convergence, containment.
//
// It may import syncer, syncer/exec, syncer/model, syncer/remote and syncer/remote/memremote
// of this module; its tests, any package of this module.
package scenario

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// Tree is one side of a sync set as a person or another client sees it. Paths are
// slash-separated and relative to the set's root on that side; "" is the root itself.
// Methods fail the test on error.
type Tree interface {
	Write(p, data string)
	Read(p string) (string, bool)
	Mkdir(p string)
	Rename(from, to string)
	Remove(p string)
	// Files maps every path below the root to its content; folders map to "/".
	Files() map[string]string
	// ID is a stable identity of p on this side (inode, node id), "" when p is absent.
	ID(p string) string
}

// Ctl is the part of the engine API the scenarios drive. *syncer.Engine, the control
// socket client and the CLI adapter of cmd/cloudsync all provide it.
type Ctl interface {
	CreateSet(ctx context.Context, r syncer.CreateSetRequest) (model.Set, error)
	ListItems(ctx context.Context, errorsOnly bool) ([]syncer.ItemInfo, error)
	Info(ctx context.Context, path string) (syncer.ItemInfo, error)
	RequestSync(ctx context.Context, path string) error
	Unsync(ctx context.Context, path string, removeFromCloud bool) error
	Pause(ctx context.Context, set string) error
	Resume(ctx context.Context, set string) error
	Status(ctx context.Context) (syncer.Status, error)
	Wait(ctx context.Context) error
}

// Env is one environment a scenario runs in: a local folder, a cloud folder on one account,
// and an engine. Optional abilities are nil where an environment cannot offer them; a
// scenario needing one skips with a message saying so.
type Env struct {
	T     testing.TB
	Local Tree // the set's local root (for documents sets: the folder holding them)
	Cloud Tree // the set's cloud folder
	Ctl   Ctl
	// Root is the absolute local root path; Account and CloudFolder name the destination.
	Root, Account, CloudFolder string

	// Calls counts the remote requests of a kind made so far ("upload", "move", "delete",
	// "mkdir", "download"); nil when the environment cannot count.
	Calls func(op string) int
	// Fault makes the cloud fail requests: f gets the kind and cloud path and returns an
	// HTTP-like status (0 = no fault). nil removes it.
	Fault func(f func(op, p string) int)
	// Events returns what the engine announced (notifications); nil when not observable.
	Events func() []syncer.Event
	// HideLocalRoot makes the local root vanish (unmounted share) or come back.
	HideLocalRoot func(hidden bool)
	// LocalTrash lists the contents of what the engine moved to the desktop trash.
	LocalTrash func() []string
	// ForgetInstallation makes the state look copied from another machine (restart with a
	// new installation id); nil when not possible.
	ForgetInstallation func()
	// Symlink makes p a symbolic link; nil when the local side cannot have one.
	Symlink func(p, target string)
	// Mode returns p's permission bits locally; nil when not observable.
	Mode func(p string) uint32
	// MoveOut moves local file p out of the local root, to a sibling folder of it, keeping
	// its identity (a rename); MoveBack moves it back to p. nil when not possible.
	MoveOut, MoveBack func(p string)
	// TrashLocal deletes local p the way a file manager does: into the desktop trash.
	TrashLocal func(p string)
	// CutLocal truncates local file p to size bytes and puts its modification time back,
	// as a crash or a power loss can leave a file. nil when not possible.
	CutLocal func(p string, size int64)
	// Restart stops the engine (what it persisted stays: store, folders, keyring), runs
	// whileDown (may be nil) while no engine runs, and starts a new engine; Ctl is then the
	// new one. nil when the environment cannot.
	Restart func(whileDown func())
	// CutUploads, while on, breaks the connection of every upload halfway through its body,
	// as a crash or a network failure does; what the server keeps is up to it (rclone and
	// x/net/webdav keep the first half under the real name). nil when not possible.
	CutUploads func(on bool)
	// CloudMtime gives cloud file p the modification time of cloud file like (on servers
	// whose ETags are mtime and size, two such files of one size share a version). nil
	// when not possible.
	CloudMtime func(p, like string)
}

// Scenario is one named rule.
type Scenario struct {
	Name string
	Run  func(e *Env)
}

// Timeout bounds every wait for convergence.
const Timeout = 60 * time.Second

func (e *Env) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), Timeout)
}

// Sync waits until the engine converged.
func (e *Env) Sync() {
	e.T.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	if err := e.Ctl.Wait(ctx); err != nil {
		e.T.Fatalf("wait for sync: %v", err)
	}
}

// SyncFolder pairs the local root with the cloud folder as a folder set and syncs.
func (e *Env) SyncFolder(o model.Options) model.Set {
	e.T.Helper()
	return e.create(syncer.CreateSetRequest{Paths: []string{e.Root}, Account: e.Account, To: e.CloudFolder, Options: o})
}

// SyncDocuments pairs the named local documents (root-relative) as a documents set.
func (e *Env) SyncDocuments(o model.Options, docs ...string) model.Set {
	e.T.Helper()
	paths := make([]string, len(docs))
	for i, d := range docs {
		paths[i] = e.Abs(d)
	}
	return e.create(syncer.CreateSetRequest{Paths: paths, Account: e.Account, To: e.CloudFolder, Options: o})
}

func (e *Env) create(r syncer.CreateSetRequest) model.Set {
	e.T.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	s, err := e.Ctl.CreateSet(ctx, r)
	if err != nil {
		e.T.Fatalf("create set: %v", err)
	}
	e.Sync()
	return s
}

// Abs is the absolute local path of root-relative p.
func (e *Env) Abs(p string) string {
	if p == "" {
		return e.Root
	}
	return strings.TrimSuffix(e.Root, "/") + "/" + p
}

// Info returns the Sync Info of root-relative p.
func (e *Env) Info(p string) syncer.ItemInfo {
	e.T.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	info, err := e.Ctl.Info(ctx, e.Abs(p))
	if err != nil {
		e.T.Fatalf("info %s: %v", p, err)
	}
	return info
}

// Errors returns Synced with errors.
func (e *Env) Errors() []syncer.ItemInfo {
	e.T.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	l, err := e.Ctl.ListItems(ctx, true)
	if err != nil {
		e.T.Fatalf("list --errors: %v", err)
	}
	return l
}

// Status returns the engine status.
func (e *Env) Status() syncer.Status {
	e.T.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	st, err := e.Ctl.Status(ctx)
	if err != nil {
		e.T.Fatalf("status: %v", err)
	}
	return st
}

// Do runs an engine call that must succeed.
func (e *Env) Do(what string, f func(ctx context.Context) error) {
	e.T.Helper()
	ctx, cancel := e.ctx()
	defer cancel()
	if err := f(ctx); err != nil {
		e.T.Fatalf("%s: %v", what, err)
	}
}

// Need skips the scenario when the environment lacks an ability.
func (e *Env) Need(ok bool, what string) {
	e.T.Helper()
	if !ok {
		e.T.Skipf("this environment cannot %s", what)
	}
}

// Converged checks that both sides hold the same tree, ignoring paths for which skip
// returns true (conflict copies and other local-only files).
func (e *Env) Converged(skip func(p string) bool) {
	e.T.Helper()
	l, c := e.Local.Files(), e.Cloud.Files()
	if skip != nil {
		maps.DeleteFunc(l, func(p, _ string) bool { return skip(p) })
		maps.DeleteFunc(c, func(p, _ string) bool { return skip(p) })
	}
	if !maps.Equal(l, c) {
		e.T.Fatalf("sides differ:\nlocal: %v\ncloud: %v", show(l), show(c))
	}
}

// Has checks that a side holds file p with content data.
func (e *Env) Has(side Tree, name, p, data string) {
	e.T.Helper()
	got, ok := side.Read(p)
	switch {
	case !ok:
		e.T.Fatalf("%s: %s is missing; it has %v", name, p, show(side.Files()))
	case got != data:
		e.T.Fatalf("%s: %s = %q, want %q", name, p, got, data)
	}
}

// Lacks checks that a side does not hold p.
func (e *Env) Lacks(side Tree, name, p string) {
	e.T.Helper()
	if _, ok := side.Files()[p]; ok {
		e.T.Fatalf("%s: %s still exists", name, p)
	}
}

// ConflictCopies returns the local paths whose name marks a conflict copy.
func (e *Env) ConflictCopies() []string {
	var out []string
	for p := range e.Local.Files() {
		if IsConflictCopy(p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// IsConflictCopy reports whether p names a conflict copy.
func IsConflictCopy(p string) bool { return strings.Contains(p, "(conflict copy ") }

func show(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		v := m[k]
		if len(v) > 20 {
			v = v[:20] + "…"
		}
		b.WriteString(k + "=" + v)
	}
	b.WriteString("}")
	return b.String()
}

// Run runs every scenario in its own fresh environment.
func Run(t *testing.T, newEnv func(t *testing.T) *Env, only ...string) {
	for _, sc := range All() {
		if len(only) > 0 && !slices.Contains(only, sc.Name) {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			sc.Run(newEnv(t))
		})
	}
}
