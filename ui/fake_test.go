package ui

import (
	"context"
	"errors"
	"path"
	"sort"
	"strings"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// fakeAPI is an in-memory control.API recording what the UI asked.
type fakeAPI struct {
	mu        sync.Mutex
	accounts  []model.Account
	passwords map[string]string // what AddAccount received (the engine puts it in the keyring)
	tested    []syncer.AddAccountRequest
	folders   map[string]map[string]bool // account → folder set
	created   []syncer.CreateSetRequest
	sets      []syncer.SetInfo
	items     []syncer.ItemInfo
	status    syncer.Status
	settings  syncer.Settings
	calls     []string
	events    []syncer.Event
	urls      map[string]string
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{passwords: map[string]string{}, folders: map[string]map[string]bool{},
		settings: syncer.Settings{PollInterval: syncer.Duration(30e9), RescanInterval: syncer.Duration(600e9), Notifications: true},
		status:   syncer.Status{State: syncer.StateIdle}, urls: map[string]string{}}
}

func (f *fakeAPI) record(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

func (f *fakeAPI) called(prefix string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.calls {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

func (f *fakeAPI) AddAccount(_ context.Context, r syncer.AddAccountRequest) (model.Account, error) {
	if r.Password == "wrong" {
		return model.Account{}, errors.New("authentication failed (401)")
	}
	if r.Test {
		f.tested = append(f.tested, r)
		return model.Account{Name: r.Name}, nil
	}
	a := model.Account{Name: r.Name, Type: r.Type, URL: r.URL, User: r.User}
	f.accounts = append(f.accounts, a)
	f.passwords[r.Name] = r.Password
	if f.folders[r.Name] == nil {
		f.folders[r.Name] = map[string]bool{"Projects": true, "Projects/2025": true, "Shared": true}
	}
	return a, nil
}
func (f *fakeAPI) ListAccounts(context.Context) ([]model.Account, error) {
	return append([]model.Account(nil), f.accounts...), nil
}
func (f *fakeAPI) RemoveAccount(_ context.Context, name string) error {
	f.record("RemoveAccount " + name)
	for i, a := range f.accounts {
		if a.Name == name {
			f.accounts = append(f.accounts[:i], f.accounts[i+1:]...)
			delete(f.passwords, name)
			return nil
		}
	}
	return errors.New("no account " + name)
}
func (f *fakeAPI) CreateSet(_ context.Context, r syncer.CreateSetRequest) (model.Set, error) {
	f.created = append(f.created, r)
	s := model.Set{ID: "s1", Account: r.Account, RemoteRoot: r.To, LocalRoot: r.Paths[0], Options: r.Options, Kind: model.KindFolder}
	f.sets = append(f.sets, syncer.SetInfo{Set: s, State: syncer.StateIdle})
	return s, nil
}
func (f *fakeAPI) ListSets(context.Context) ([]syncer.SetInfo, error) {
	return append([]syncer.SetInfo(nil), f.sets...), nil
}
func (f *fakeAPI) ListItems(_ context.Context, errorsOnly bool) ([]syncer.ItemInfo, error) {
	f.record("ListItems " + map[bool]string{true: "errors", false: "all"}[errorsOnly])
	var out []syncer.ItemInfo
	for _, it := range f.items {
		if !errorsOnly || it.Status == model.StatusFailed {
			out = append(out, it)
		}
	}
	return out, nil
}
func (f *fakeAPI) Info(_ context.Context, p string) (syncer.ItemInfo, error) {
	for _, it := range f.items {
		if it.Path == p {
			return it, nil
		}
	}
	return syncer.ItemInfo{}, errors.New("no sync set contains " + p)
}
func (f *fakeAPI) RequestSync(_ context.Context, p string) error {
	f.record("RequestSync " + p)
	return nil
}
func (f *fakeAPI) Unsync(_ context.Context, p string, rm bool) error {
	f.record("Unsync " + p + map[bool]string{true: " remove", false: ""}[rm])
	return nil
}
func (f *fakeAPI) ViewURL(_ context.Context, p string) (string, error) {
	if u, ok := f.urls[p]; ok {
		return u, nil
	}
	return "", errors.New(p + " is not in the cloud yet")
}
func (f *fakeAPI) Pause(_ context.Context, set string) error {
	f.record("Pause " + set)
	if set == "" {
		f.status.Paused, f.status.State = true, syncer.StatePaused
	}
	return nil
}
func (f *fakeAPI) Resume(_ context.Context, set string) error {
	f.record("Resume " + set)
	if set == "" {
		f.status.Paused, f.status.State = false, syncer.StateIdle
	}
	return nil
}
func (f *fakeAPI) Status(context.Context) (syncer.Status, error) { return f.status, nil }
func (f *fakeAPI) Wait(context.Context) error                    { return nil }
func (f *fakeAPI) Browse(_ context.Context, account, folder string) ([]syncer.BrowseEntry, error) {
	f.record("Browse " + account + " " + folder)
	dirs, ok := f.folders[account]
	if !ok {
		return nil, errors.New("no account " + account)
	}
	folder = strings.Trim(folder, "/")
	var out []syncer.BrowseEntry
	for d := range dirs {
		parent := path.Dir(d)
		if parent == "." {
			parent = ""
		}
		if parent == folder {
			out = append(out, syncer.BrowseEntry{Name: path.Base(d), Path: d, IsDir: true, Kind: "folder"})
		}
	}
	out = append(out, syncer.BrowseEntry{Name: "notes.txt", Path: path.Join(folder, "notes.txt"), Kind: "file"})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
func (f *fakeAPI) MakeFolder(_ context.Context, account, folder string) error {
	f.record("MakeFolder " + account + " " + folder)
	f.folders[account][folder] = true
	return nil
}
func (f *fakeAPI) GetSettings(context.Context) (syncer.Settings, error) { return f.settings, nil }
func (f *fakeAPI) PutSettings(_ context.Context, s syncer.Settings) error {
	f.settings = s
	return nil
}
func (f *fakeAPI) Events(_ context.Context, after int64) ([]syncer.Event, int64, error) {
	var out []syncer.Event
	for _, e := range f.events {
		if e.Seq > after {
			out = append(out, e)
		}
	}
	return out, int64(len(f.events)), nil
}
func (f *fakeAPI) SignIn(_ context.Context, account, password string) error {
	f.record("SignIn " + account)
	if password == "wrong" {
		return errors.New("sign-in refused: wrong password")
	}
	f.passwords[account] = password
	for i := range f.accounts {
		if f.accounts[i].Name == account {
			f.accounts[i].Paused = false
		}
	}
	return nil
}
func (f *fakeAPI) ShowWindow(context.Context, string) error { return errors.New("no GUI") }

// fakeHost records notifications, opened URLs and the autostart switch.
type fakeHost struct {
	notes     []string
	opened    []string
	autostart []bool
	quit      bool
}

func (h *fakeHost) OpenURL(_ context.Context, u string) error {
	h.opened = append(h.opened, u)
	return nil
}
func (h *fakeHost) Notify(title, body string) { h.notes = append(h.notes, title+": "+body) }
func (h *fakeHost) LocalCloud(context.Context) (string, string, string, error) {
	return "http://127.0.0.1:4918/", "cloudsync", "generated-secret", nil
}
func (h *fakeHost) SetStartAtLogin(on bool) error { h.autostart = append(h.autostart, on); return nil }
func (h *fakeHost) Quit()                         { h.quit = true }

// fakeTray records the tray's menu and icon.
type fakeTray struct {
	menu  *fyne.Menu
	icon  fyne.Resource
	menus int
}

func (t *fakeTray) SetSystemTrayMenu(m *fyne.Menu)    { t.menu = m; t.menus++ }
func (t *fakeTray) SetSystemTrayIcon(r fyne.Resource) { t.icon = r }

func (t *fakeTray) labels() []string {
	var out []string
	for _, it := range t.menu.Items {
		if !it.IsSeparator {
			out = append(out, it.Label)
		}
	}
	return out
}

func (t *fakeTray) item(label string) *fyne.MenuItem {
	for _, it := range t.menu.Items {
		if it.Label == label {
			return it
		}
	}
	return nil
}
