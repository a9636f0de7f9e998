//go:build linux && !android

package desktopapp

import (
	"bytes"
	"image/png"
	"log/slog"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/systray"
)

// openCommand opens a folder in the desktop's file manager.
const openCommand = "xdg-open"

// sysTray is the tray on Linux: a StatusNotifierItem with a com.canonical.dbusmenu menu,
// driven through fyne.io/systray directly rather than through fyne's tray, which creates
// an OpenGL window to run it. A menu whose structure did not change is updated in place
// (labels, enabled), so D-Bus item ids stay and a menu open at that moment stays open
// while the progress line ticks; only a new structure (a Sign in item appearing) rebuilds
// it.
type sysTray struct {
	log *slog.Logger
	run func(func()) // where the UI's state lives (lazyMain.do)

	mu      sync.Mutex
	started bool
	end     func()
	menu    *fyne.Menu // the menu last given
	shape   string     // its structure: separators and item count
	items   []*systray.MenuItem
	titles  []string
	actions []func()
	gen     chan struct{} // closed when the items are replaced (stops their click loops)
	icons   map[string][]byte
	icon    []byte
	tooltip string
}

func newTray(a fyne.App, log *slog.Logger, run func(func())) trayer {
	return &sysTray{log: log, run: run, icons: map[string][]byte{}}
}

// needsLoop: this tray runs over D-Bus, without fyne's loop.
func (t *sysTray) needsLoop() bool { return false }

// start registers the tray on the session bus.
func (t *sysTray) start() {
	start, end := systray.RunWithExternalLoop(func() {
		systray.SetTitle(AppName)
		t.mu.Lock()
		defer t.mu.Unlock()
		t.started = true
		if t.icon != nil {
			systray.SetIcon(t.icon)
		}
		systray.SetTooltip(t.tooltip)
		if t.menu != nil {
			t.rebuildLocked(t.menu)
		}
	}, nil)
	t.end = end
	start()
}

func (t *sysTray) stop() {
	if t.end != nil {
		t.end()
	}
}

// SetSystemTrayIcon shows icon, rasterised once per resource (the tray protocol carries
// pixels; no OpenGL is needed to draw an SVG in software).
func (t *sysTray) SetSystemTrayIcon(icon fyne.Resource) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.icons[icon.Name()]
	if !ok {
		b = rasterise(icon)
		t.icons[icon.Name()] = b
	}
	t.icon = b
	if t.started && b != nil {
		systray.SetIcon(b)
	}
}

// SetTooltip shows s when the pointer rests on the icon (the progress in full).
func (t *sysTray) SetTooltip(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tooltip = s
	if t.started {
		systray.SetTooltip(s)
	}
}

// SetSystemTrayMenu shows m, in place when its structure is the one shown.
func (t *sysTray) SetSystemTrayMenu(m *fyne.Menu) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.menu = &fyne.Menu{Label: m.Label, Items: append([]*fyne.MenuItem(nil), m.Items...)}
	if !t.started {
		return
	}
	if shapeOf(t.menu) != t.shape {
		t.rebuildLocked(t.menu)
		return
	}
	for i, it := range t.menu.Items {
		if it.IsSeparator {
			continue
		}
		si := t.items[i]
		if it.Label != t.titles[i] {
			if it.Label != "" {
				si.SetTitle(it.Label)
			}
			showItem(si, it.Label != "", t.titles[i] != "")
			t.titles[i] = it.Label
		}
		if it.Disabled && !si.Disabled() {
			si.Disable()
		} else if !it.Disabled && si.Disabled() {
			si.Enable()
		}
		t.actions[i] = it.Action
	}
}

// rebuildLocked replaces the tray's items with m's.
func (t *sysTray) rebuildLocked(m *fyne.Menu) {
	if t.gen != nil {
		close(t.gen)
	}
	t.gen = make(chan struct{})
	systray.ResetMenu()
	t.shape = shapeOf(m)
	t.items = make([]*systray.MenuItem, len(m.Items))
	t.actions = make([]func(), len(m.Items))
	t.titles = make([]string, len(m.Items))
	for i, it := range m.Items {
		if it.IsSeparator {
			systray.AddSeparator()
			continue
		}
		si := systray.AddMenuItem(it.Label, "")
		// systray hands a click over with a send that gives up when nobody receives at
		// that instant (an unbuffered channel): a click on an item whose goroutine had
		// not started yet, or was running the previous click's action, was lost (a Quit
		// that did nothing, on a loaded machine). One buffered click is never lost. The
		// item was created just now; no click can name its id before a menu read shows it.
		si.ClickedCh = make(chan struct{}, 1)
		if it.Disabled {
			si.Disable()
		}
		showItem(si, it.Label != "", true)
		t.items[i], t.actions[i], t.titles[i] = si, it.Action, it.Label
		go t.clicks(i, si.ClickedCh, t.gen)
	}
}

// showItem hides an item with an empty label (the progress line while nothing syncs).
func showItem(si *systray.MenuItem, show, shown bool) {
	switch {
	case show && !shown:
		si.Show()
	case !show && shown:
		si.Hide()
	}
}

// clicks runs item i's action, where the UI's state lives, for each click, as long as the
// item is in the menu: a removed item's channel is closed (a receive that would run the
// action of the new menu's item at the same place), and a click that arrives as the
// menu is replaced runs nothing.
func (t *sysTray) clicks(i int, ch <-chan struct{}, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case _, ok := <-ch:
			if !ok {
				return
			}
			t.mu.Lock()
			var f func()
			select {
			case <-done: // replaced meanwhile: t.actions are the new menu's
			default:
				f = t.actions[i]
			}
			t.mu.Unlock()
			if f != nil {
				t.run(f)
			}
		}
	}
}

func shapeOf(m *fyne.Menu) string {
	b := make([]byte, len(m.Items))
	for i, it := range m.Items {
		b[i] = 'i'
		if it.IsSeparator {
			b[i] = '-'
		}
	}
	return string(b)
}

// rasterise draws an icon resource (an SVG) into a 64×64 PNG in software.
func rasterise(r fyne.Resource) []byte {
	img := canvas.NewImageFromResource(r)
	c := software.NewTransparentCanvas()
	c.SetPadded(false)
	c.SetContent(img)
	c.Resize(fyne.NewSquareSize(64))
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.Capture()); err != nil {
		return nil
	}
	return buf.Bytes()
}
