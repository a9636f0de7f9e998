//go:build linux && !android

package desktopapp

import (
	"log/slog"
	"strconv"
	"sync"

	"fyne.io/fyne/v2"
	"github.com/godbus/dbus/v5"

	"github.com/cloudsync/cloudsync/ui"
)

// busNotifier sends notifications over the freedesktop Desktop Notifications protocol
// (org.freedesktop.Notifications on the session bus) itself, rather than through fyne,
// for what fyne's notifications lack: the app's name as the sender ("cloudsync", not its
// id), the app's desktop entry and icon, and action buttons ("Open folder", "Sync Info",
// "Sign in…"), whose ActionInvoked signals run the action on fyne's main goroutine.
type busNotifier struct {
	log  *slog.Logger
	conn *dbus.Conn
	run  func(func()) // where the UI's state lives (lazyMain.do)

	mu      sync.Mutex
	actions map[uint32][]ui.NotificationAction
}

const (
	notifyDest  = "org.freedesktop.Notifications"
	notifyPath  = "/org/freedesktop/Notifications"
	notifyIface = "org.freedesktop.Notifications"
)

func newNotifier(a fyne.App, log *slog.Logger, run func(func())) notifier {
	n := &busNotifier{log: log, run: run, actions: map[uint32][]ui.NotificationAction{}}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		log.Warn("notifications off: no session bus", "err", err)
		return n
	}
	n.conn = conn
	for _, member := range []string{"ActionInvoked", "NotificationClosed"} {
		if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(notifyPath), dbus.WithMatchInterface(notifyIface),
			dbus.WithMatchMember(member)); err != nil {
			log.Warn("notification actions off", "err", err)
		}
	}
	ch := make(chan *dbus.Signal, 16)
	conn.Signal(ch)
	go n.signals(ch)
	return n
}

// Notify shows n; its actions run when their button is clicked.
func (n *busNotifier) Notify(note ui.Notification) {
	if n.conn == nil {
		return
	}
	var actions []string
	for i, a := range note.Actions {
		key := strconv.Itoa(i)
		if i == 0 {
			key = "default" // also what clicking the notification itself does
		}
		actions = append(actions, key, a.Label)
	}
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant(AppID)}
	var id uint32
	err := n.conn.Object(notifyDest, notifyPath).Call(notifyIface+".Notify", 0,
		AppName, uint32(0), AppID, note.Title, note.Body, actions, hints, int32(-1)).Store(&id)
	if err != nil {
		n.log.Warn("notification not shown", "title", note.Title, "err", err)
		return
	}
	if len(note.Actions) > 0 {
		n.mu.Lock()
		n.actions[id] = note.Actions
		n.mu.Unlock()
	}
}

// signals runs the actions the notification server reports clicked.
func (n *busNotifier) signals(ch <-chan *dbus.Signal) {
	for s := range ch {
		if len(s.Body) < 2 {
			continue
		}
		id, _ := s.Body[0].(uint32)
		switch s.Name {
		case notifyIface + ".ActionInvoked":
			key, _ := s.Body[1].(string)
			n.mu.Lock()
			acts := n.actions[id]
			n.mu.Unlock()
			i := 0
			if key != "default" {
				i, _ = strconv.Atoi(key)
			}
			if i >= 0 && i < len(acts) {
				n.run(acts[i].Do)
			}
		case notifyIface + ".NotificationClosed":
			n.mu.Lock()
			delete(n.actions, id)
			n.mu.Unlock()
		}
	}
}

func (n *busNotifier) close() {
	if n.conn != nil {
		n.conn.Close()
	}
}
