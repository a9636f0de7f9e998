package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// notification is one Notify call received by the fake server: the app name, summary,
// body, and the actions as key → label.
type notification struct {
	ID                 uint32
	App, Summary, Body string
	Actions            map[string]string
}

// fakeNotifications owns org.freedesktop.Notifications on the session bus, records every
// Notify call, and can click a notification's action (the ActionInvoked signal).
type fakeNotifications struct {
	conn *dbus.Conn
	mu   sync.Mutex
	got  []notification
	next uint32
}

func (f *fakeNotifications) Notify(app string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	n := notification{ID: f.next, App: app, Summary: summary, Body: body, Actions: map[string]string{}}
	for i := 0; i+1 < len(actions); i += 2 {
		n.Actions[actions[i]] = actions[i+1]
	}
	f.got = append(f.got, n)
	return f.next, nil
}

// click invokes the action labelled label of n, as a person clicking its button.
func (f *fakeNotifications) click(t *testing.T, n notification, label string) {
	t.Helper()
	for key, l := range n.Actions {
		if l == label {
			if err := f.conn.Emit("/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked", n.ID, key); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("notification %q has no action %q (has %v)", n.Summary, label, n.Actions)
}

// find waits for a notification whose summary contains s.
func (f *fakeNotifications) find(t *testing.T, s string) notification {
	t.Helper()
	var n notification
	eventually(t, 60*time.Second, "a notification "+s, func() bool {
		for _, x := range f.all() {
			if strings.Contains(x.Summary, s) {
				n = x
				return true
			}
		}
		return false
	})
	return n
}

func (f *fakeNotifications) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body", "actions"}, nil
}

func (f *fakeNotifications) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "fake", "cloudsync-test", "1", "1.2", nil
}

func (f *fakeNotifications) CloseNotification(uint32) *dbus.Error { return nil }

func (f *fakeNotifications) all() []notification {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]notification(nil), f.got...)
}

func startFakeNotifications(t *testing.T) *fakeNotifications {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	f := &fakeNotifications{conn: conn}
	if err := conn.Export(f, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning org.freedesktop.Notifications: %v (%v)", err, reply)
	}
	return f
}

// tray reads and clicks the app's StatusNotifierItem menu.
type tray struct {
	conn *dbus.Conn
	name string
}

// findTray waits for the StatusNotifierItem of process pid.
func findTray(t *testing.T, pid int) *tray {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	prefix := fmt.Sprintf("org.kde.StatusNotifierItem-%d-", pid)
	var name string
	eventually(t, 30*time.Second, "the tray's StatusNotifierItem on the bus", func() bool {
		var names []string
		if err := conn.BusObject().Call("org.freedesktop.DBus.ListNames", 0).Store(&names); err != nil {
			return false
		}
		for _, n := range names {
			if strings.HasPrefix(n, prefix) {
				name = n
				return true
			}
		}
		return false
	})
	return &tray{conn: conn, name: name}
}

// menuItem is one entry of the dbusmenu layout.
type menuItem struct {
	ID      int32
	Label   string
	Enabled bool
}

// items reads the menu layout (GetLayout(0, -1, [])) and returns the top-level items.
func (tr *tray) items(t *testing.T) []menuItem {
	t.Helper()
	obj := tr.conn.Object(tr.name, "/StatusNotifierItem/menu")
	var rev uint32
	var layout []any
	call := obj.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		t.Fatalf("GetLayout: %v", call.Err)
	}
	if err := call.Store(&rev, &layout); err != nil {
		t.Fatalf("GetLayout answer: %v", err)
	}
	var out []menuItem
	children, _ := layout[2].([]dbus.Variant)
	for _, c := range children {
		f, ok := c.Value().([]any)
		if !ok || len(f) < 2 {
			continue
		}
		id, _ := f[0].(int32)
		props, _ := f[1].(map[string]dbus.Variant)
		it := menuItem{ID: id, Enabled: true}
		if v, ok := props["label"]; ok {
			it.Label, _ = v.Value().(string)
		}
		if v, ok := props["enabled"]; ok {
			it.Enabled, _ = v.Value().(bool)
		}
		if v, ok := props["visible"]; ok {
			if vis, _ := v.Value().(bool); !vis {
				continue
			}
		}
		if v, ok := props["type"]; ok && v.Value() == "separator" {
			continue
		}
		out = append(out, it)
	}
	return out
}

func (tr *tray) labels(t *testing.T) []string {
	var out []string
	for _, it := range tr.items(t) {
		out = append(out, it.Label)
	}
	return out
}

// id returns the id of the item labelled label.
func (tr *tray) id(t *testing.T, label string) int32 {
	t.Helper()
	for _, it := range tr.items(t) {
		if it.Label == label {
			return it.ID
		}
	}
	t.Fatalf("no tray item %q in %q", label, tr.labels(t))
	return 0
}

// click clicks the item labelled label (ids change on every refresh: read, then click).
func (tr *tray) click(t *testing.T, label string) {
	t.Helper()
	for _, it := range tr.items(t) {
		if it.Label == label {
			obj := tr.conn.Object(tr.name, "/StatusNotifierItem/menu")
			call := obj.Call("com.canonical.dbusmenu.Event", 0, it.ID, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix()))
			if call.Err != nil {
				t.Fatalf("clicking %q: %v", label, call.Err)
			}
			return
		}
	}
	t.Fatalf("no tray item %q in %q", label, tr.labels(t))
}

// tooltip returns the ToolTip property's text.
func (tr *tray) tooltip(t *testing.T) string {
	t.Helper()
	v, err := tr.conn.Object(tr.name, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.ToolTip")
	if err != nil {
		t.Fatalf("ToolTip: %v", err)
	}
	return fmt.Sprint(v.Value())
}

// line is the tray menu's first item, the status line.
func (tr *tray) line(t *testing.T) string {
	t.Helper()
	if l := tr.labels(t); len(l) > 0 {
		return l[0]
	}
	return ""
}

// icon returns the IconPixmap property, serialised for comparison.
func (tr *tray) icon(t *testing.T) string {
	t.Helper()
	v, err := tr.conn.Object(tr.name, "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.IconPixmap")
	if err != nil {
		t.Fatalf("IconPixmap: %v", err)
	}
	s := fmt.Sprint(v.Value())
	if len(s) < 100 {
		t.Fatalf("IconPixmap looks empty: %s", s)
	}
	return s
}

// eventually polls cond until it holds or d passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
