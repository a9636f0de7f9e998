package ui

import (
	"context"
	"errors"
	"path"
	"sort"
	"strings"
	"sync"
	"testing"

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
	evWake    chan struct{} // closed and replaced when events are added
	urls      map[string]string
	// onRequestSync runs inside RequestSync (the engine syncing the item).
	onRequestSync func(path string)
	onUnsync      func(path string)
	statusCalls   int
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{passwords: map[string]string{}, folders: map[string]map[string]bool{},
		settings: syncer.Settings{PollInterval: syncer.Duration(30e9), RescanInterval: syncer.Duration(600e9), Notifications: true},
		status:   syncer.Status{State: syncer.StateIdle}, urls: map[string]string{}, evWake: make(chan struct{})}
}

// addEvents appends events (numbered after the last) and wakes a waiting Events call.
func (f *fakeAPI) addEvents(evs ...syncer.Event) {
	f.mu.Lock()
	for _, e := range evs {
		e.Seq = int64(len(f.events) + 1)
		f.events = append(f.events, e)
	}
	close(f.evWake)
	f.evWake = make(chan struct{})
	f.mu.Unlock()
}

func (f *fakeAPI) statusCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.statusCalls
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
	out := make([]syncer.ItemInfo, 0, len(f.items))
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
	if f.onRequestSync != nil {
		f.onRequestSync(p)
	}
	return nil
}
func (f *fakeAPI) Unsync(_ context.Context, p string, rm bool) error {
	f.record("Unsync " + p + map[bool]string{true: " remove", false: ""}[rm])
	if f.onUnsync != nil {
		f.onUnsync(p)
	}
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

// Status is the fixture status with the sets' states and counts, as the engine reports.
func (f *fakeAPI) Status(context.Context) (syncer.Status, error) {
	f.mu.Lock()
	f.statusCalls++
	st := f.status
	f.mu.Unlock()
	st.SetStates = append([]syncer.SetInfo(nil), f.sets...)
	st.Sets = len(f.sets)
	for _, s := range f.sets {
		st.Failed += s.Failed
		st.Pending += s.Pending
		st.Items += s.Items
	}
	return st, nil
}
func (f *fakeAPI) Wait(context.Context) error { return nil }
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

// Events long-polls like the engine: it answers at once when there are events after
// after (or after is beyond the last), else waits for one or the end of ctx.
func (f *fakeAPI) Events(ctx context.Context, after int64) ([]syncer.Event, int64, error) {
	for {
		f.mu.Lock()
		var out []syncer.Event
		for _, e := range f.events {
			if e.Seq > after {
				out = append(out, e)
			}
		}
		last, wake := int64(len(f.events)), f.evWake
		f.mu.Unlock()
		if len(out) > 0 || after > last {
			return out, last, nil
		}
		select {
		case <-ctx.Done():
			return nil, last, nil
		case <-wake:
		}
	}
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

// fakeHost records notifications, opened URLs and folders, and the autostart switch.
type fakeHost struct {
	notes     []Notification
	opened    []string
	folders   []string
	autostart []bool
	quit      bool
}

func (h *fakeHost) OpenURL(_ context.Context, u string) error {
	h.opened = append(h.opened, u)
	return nil
}
func (h *fakeHost) OpenFolder(_ context.Context, p string) error {
	h.folders = append(h.folders, p)
	return nil
}
func (h *fakeHost) Notify(n Notification) { h.notes = append(h.notes, n) }
func (h *fakeHost) LocalCloud(context.Context) (string, string, string, error) {
	return "http://127.0.0.1:4918/", "cloudsync", "generated-secret", nil
}
func (h *fakeHost) SetStartAtLogin(on bool) error { h.autostart = append(h.autostart, on); return nil }
func (h *fakeHost) Quit()                         { h.quit = true }

// texts are the notifications as "title: body" lines.
func (h *fakeHost) texts() []string {
	var out []string
	for _, n := range h.notes {
		out = append(out, n.Title+": "+n.Body)
	}
	return out
}

// action runs the action labelled label of notification i.
func (h *fakeHost) action(t *testing.T, i int, label string) {
	t.Helper()
	if i >= len(h.notes) {
		t.Fatalf("no notification %d (have %q)", i, h.texts())
	}
	for _, a := range h.notes[i].Actions {
		if a.Label == label {
			a.Do()
			return
		}
	}
	t.Fatalf("notification %q has no action %q", h.notes[i].Title, label)
}

// fakeTray records the tray's menu and icon. With lock set (an asynchronous UI), the
// test's reads take the UI's main lock.
type fakeTray struct {
	menu    *fyne.Menu
	icon    fyne.Resource
	menus   int
	tooltip string
	lock    *sync.Mutex
}

func (t *fakeTray) SetSystemTrayMenu(m *fyne.Menu)    { t.menu = m; t.menus++ }
func (t *fakeTray) SetSystemTrayIcon(r fyne.Resource) { t.icon = r }
func (t *fakeTray) SetTooltip(s string)               { t.tooltip = s }

func (t *fakeTray) labels() []string {
	if t.lock != nil {
		t.lock.Lock()
		defer t.lock.Unlock()
	}
	var out []string
	if t.menu == nil {
		return nil
	}
	for _, it := range t.menu.Items {
		if !it.IsSeparator && it.Label != "" { // an empty label is a hidden item
			out = append(out, it.Label)
		}
	}
	return out
}

// shape is the menu's structure: an item ('i') or a separator ('-') per entry (a tray
// rebuilds a menu whose structure changed: new D-Bus item ids).
func (t *fakeTray) shape() string {
	if t.lock != nil {
		t.lock.Lock()
		defer t.lock.Unlock()
	}
	var b strings.Builder
	for _, it := range t.menu.Items {
		b.WriteString(map[bool]string{true: "-", false: "i"}[it.IsSeparator])
	}
	return b.String()
}

func (t *fakeTray) item(label string) *fyne.MenuItem {
	for _, it := range t.menu.Items {
		if it.Label == label {
			return it
		}
	}
	return nil
}
