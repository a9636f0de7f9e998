package control

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// fakeAPI is a test double of the engine: it records the arguments of every call and
// answers with the fixtures below, or with err when set.
type fakeAPI struct {
	mu  sync.Mutex
	got map[string]any
	err error

	// waitEnded is closed when a Wait call's ctx ended (it blocks until then).
	waitEnded chan struct{}
	// eventsLast is what a long-poll with no events answers as the last seq.
	eventsLast int64
}

func newFake() *fakeAPI {
	return &fakeAPI{got: map[string]any{}, waitEnded: make(chan struct{}), eventsLast: 7}
}

func (f *fakeAPI) record(method string, args any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got[method] = args
	return f.err
}

func (f *fakeAPI) args(method string) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.got[method]
}

var (
	t0         = time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC)
	fixAccount = model.Account{Name: "work", Type: "webdav", URL: "https://dav.example/files/a", User: "alice", WebUI: "https://dav.example/ui/{path}"}
	fixSet     = model.Set{ID: "a1b2c3d4e5f6", Kind: model.KindFolder, Account: "work", Options: model.DefaultOptions(),
		LocalRoot: "/home/alice/Docs", RemoteRoot: "Docs", Created: t0, Installation: "inst", Trusted: true}
	fixSetInfo = syncer.SetInfo{Set: fixSet, State: syncer.StateSyncing, Items: 12, Pending: 3, Failed: 1}
	fixItem    = syncer.ItemInfo{Path: "/home/alice/Docs/report.docx", Set: fixSet.ID, Status: model.StatusFailed,
		Reason: remote.ReasonQuotaExceeded, Details: "PUT Docs/report.docx: quota exceeded (HTTP 507)",
		Cloud:    syncer.Cloud{Account: "work", Location: "Docs/report.docx", URL: "https://dav.example/ui/Docs/report.docx"},
		LastSync: t0.Format(time.RFC3339), Conflicts: []string{"/home/alice/Docs/report (conflict copy 2026-11-22 101500).docx"},
		NextRetry: t0.Add(time.Minute).Format(time.RFC3339)}
	fixStatus = syncer.Status{State: syncer.StateSyncing, Sets: 1, Items: 12, Pending: 3, Syncing: 1, Failed: 1,
		Conflicts: 1, Message: "Syncing (3 left)", LastSync: t0.Format(time.RFC3339), SetStates: []syncer.SetInfo{fixSetInfo}}
	fixBrowse   = []syncer.BrowseEntry{{Name: "Docs", Path: "Docs", IsDir: true, Kind: "folder"}, {Name: "a.txt", Path: "a.txt", Kind: "file"}}
	fixSettings = syncer.Settings{PollInterval: syncer.Duration(45 * time.Second), RescanInterval: syncer.Duration(10 * time.Minute), Notifications: true}
	fixEvents   = []syncer.Event{{Seq: 5, Time: t0, Kind: "conflict", Title: "Conflict", Body: "kept a copy", Path: "/home/alice/Docs/x"}}
)

func (f *fakeAPI) AddAccount(ctx context.Context, r syncer.AddAccountRequest) (model.Account, error) {
	return fixAccount, f.record("AddAccount", r)
}

func (f *fakeAPI) ListAccounts(ctx context.Context) ([]model.Account, error) {
	return []model.Account{fixAccount}, f.record("ListAccounts", nil)
}

func (f *fakeAPI) RemoveAccount(ctx context.Context, name string) error {
	return f.record("RemoveAccount", name)
}

func (f *fakeAPI) CreateSet(ctx context.Context, r syncer.CreateSetRequest) (model.Set, error) {
	return fixSet, f.record("CreateSet", r)
}

func (f *fakeAPI) ListSets(ctx context.Context) ([]syncer.SetInfo, error) {
	return []syncer.SetInfo{fixSetInfo}, f.record("ListSets", nil)
}

func (f *fakeAPI) ListItems(ctx context.Context, errorsOnly bool) ([]syncer.ItemInfo, error) {
	return []syncer.ItemInfo{fixItem}, f.record("ListItems", errorsOnly)
}

func (f *fakeAPI) Info(ctx context.Context, path string) (syncer.ItemInfo, error) {
	return fixItem, f.record("Info", path)
}

func (f *fakeAPI) RequestSync(ctx context.Context, path string) error {
	return f.record("RequestSync", path)
}

func (f *fakeAPI) Unsync(ctx context.Context, path string, removeFromCloud bool) error {
	return f.record("Unsync", []any{path, removeFromCloud})
}

func (f *fakeAPI) ViewURL(ctx context.Context, path string) (string, error) {
	return fixItem.Cloud.URL, f.record("ViewURL", path)
}

func (f *fakeAPI) Pause(ctx context.Context, set string) error  { return f.record("Pause", set) }
func (f *fakeAPI) Resume(ctx context.Context, set string) error { return f.record("Resume", set) }

func (f *fakeAPI) Status(ctx context.Context) (syncer.Status, error) {
	return fixStatus, f.record("Status", nil)
}

// Wait blocks until ctx ends, like an engine that never converges.
func (f *fakeAPI) Wait(ctx context.Context) error {
	if err := f.record("Wait", nil); err != nil {
		return err
	}
	<-ctx.Done()
	close(f.waitEnded)
	return ctx.Err()
}

func (f *fakeAPI) Browse(ctx context.Context, account, folder string) ([]syncer.BrowseEntry, error) {
	return fixBrowse, f.record("Browse", []string{account, folder})
}

func (f *fakeAPI) MakeFolder(ctx context.Context, account, folder string) error {
	return f.record("MakeFolder", []string{account, folder})
}

func (f *fakeAPI) GetSettings(ctx context.Context) (syncer.Settings, error) {
	return fixSettings, f.record("GetSettings", nil)
}

func (f *fakeAPI) PutSettings(ctx context.Context, s syncer.Settings) error {
	return f.record("PutSettings", s)
}

// Events answers fixEvents after seq 0 and long-polls (like the engine) otherwise.
func (f *fakeAPI) Events(ctx context.Context, after int64) ([]syncer.Event, int64, error) {
	if err := f.record("Events", after); err != nil {
		return nil, 0, err
	}
	if after == 0 {
		return fixEvents, 5, nil
	}
	<-ctx.Done()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, f.eventsLast, nil
	}
	return nil, f.eventsLast, ctx.Err()
}

func (f *fakeAPI) SignIn(ctx context.Context, account, password string) error {
	return f.record("SignIn", []string{account, password})
}

func (f *fakeAPI) ShowWindow(ctx context.Context, name string) error {
	return f.record("ShowWindow", name)
}

var _ API = (*fakeAPI)(nil)

// shortDir returns a fresh folder with a short path (Unix socket paths are limited).
func shortDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "ctl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// serving runs Serve for api on a fresh socket and returns its path and a client; the
// server stops at the end of the test, and must stop promptly.
func serving(t *testing.T, api API) (string, *Client) {
	t.Helper()
	sock := filepath.Join(shortDir(t), "run", "control.sock")
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, api) }()
	c, err := Dial(sock)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after its ctx ended")
		}
	})
	return sock, c
}
