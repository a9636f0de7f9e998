package ui

import (
	"context"
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/syncer"
)

// Item actions (right-click menu, Sync Info buttons).
const (
	ActionInfo        = "Sync Info"
	ActionRequestSync = "Request Sync"
	ActionViewInCloud = "View in Cloud"
	ActionUnsync      = "Unsync…"
	filterErrors      = "Only items with errors (Synced with errors)"
)

// contentWindow is Synced content: every synced item with a status icon, or with the
// filter on, Synced with errors.
type contentWindow struct {
	u       *UI
	w       fyne.Window
	items   []syncer.ItemInfo
	list    *widget.List
	filter  *widget.Check
	summary *widget.Label
	sel     int
	buttons []*widget.Button
}

// showContent opens (or raises) Synced content, filtered to errors when errorsOnly.
func (u *UI) showContent(errorsOnly bool) {
	u.window("synced", "Synced content", fyne.NewSize(820, 520), func(w fyne.Window) {
		c := &contentWindow{u: u, w: w, sel: -1}
		u.content = c
		w.SetContent(c.build())
		w.SetOnClosed(func() { delete(u.wins, "synced"); u.content = nil })
	})
	c := u.content
	if c.filter.Checked != errorsOnly {
		c.filter.SetChecked(errorsOnly) // reloads
	} else {
		c.reload()
	}
}

func (c *contentWindow) build() fyne.CanvasObject {
	c.filter = widget.NewCheck(filterErrors, func(bool) { c.sel = -1; c.list.UnselectAll(); c.reload() })
	c.summary = widget.NewLabel("")
	c.list = widget.NewList(
		func() int { return len(c.items) },
		func() fyne.CanvasObject { return newItemRow(c) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(c.items) {
				o.(*itemRow).set(i, c.items[i])
			}
		})
	c.list.OnSelected = func(i widget.ListItemID) { c.sel = i; c.updateButtons() }
	c.list.OnUnselected = func(widget.ListItemID) { c.sel = -1; c.updateButtons() }
	for _, a := range []string{ActionInfo, ActionRequestSync, ActionViewInCloud, ActionUnsync} {
		a := a
		b := widget.NewButton(a, func() {
			if c.sel >= 0 && c.sel < len(c.items) {
				c.u.itemAction(c.w, a, c.items[c.sel].Path)
			}
		})
		c.buttons = append(c.buttons, b)
	}
	c.buttons[0].Importance = widget.HighImportance
	c.updateButtons()
	refresh := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), c.reload)
	top := container.NewBorder(nil, nil, nil, refresh, container.NewHBox(c.filter, c.summary))
	bar := container.NewHBox()
	for _, b := range c.buttons {
		bar.Add(b)
	}
	hint := widget.NewLabelWithStyle("Right-click an item for its actions.", fyne.TextAlignTrailing, fyne.TextStyle{Italic: true})
	return container.NewBorder(top, container.NewBorder(nil, nil, bar, hint), nil, nil, c.list)
}

func (c *contentWindow) updateButtons() {
	for _, b := range c.buttons {
		if c.sel >= 0 && c.sel < len(c.items) {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// reload re-reads the items.
func (c *contentWindow) reload() {
	errorsOnly := c.filter.Checked
	var items []syncer.ItemInfo
	c.u.call(func(ctx context.Context) error {
		var err error
		items, err = c.u.api.ListItems(ctx, errorsOnly)
		return err
	}, func(err error) {
		if c.u.content != c {
			return
		}
		if err != nil {
			c.summary.SetText("Could not list: " + err.Error())
			return
		}
		c.items = items
		if c.sel >= len(items) {
			c.sel = -1
			c.list.UnselectAll()
		}
		c.updateButtons()
		c.list.Refresh()
		if errorsOnly {
			c.summary.SetText(fmt.Sprintf("%d item(s) with errors", len(items)))
		} else {
			c.summary.SetText(fmt.Sprintf("%d item(s)", len(items)))
		}
	})
}

// itemMenu is the right-click menu of an item.
func (u *UI) itemMenu(w fyne.Window, path string) *fyne.Menu {
	var items []*fyne.MenuItem
	for _, a := range []string{ActionInfo, ActionRequestSync, ActionViewInCloud, ActionUnsync} {
		a := a
		items = append(items, fyne.NewMenuItem(a, func() { u.itemAction(w, a, path) }))
	}
	return fyne.NewMenu("", items...)
}

// itemAction runs one item action; errors are shown on w.
func (u *UI) itemAction(w fyne.Window, action, path string) {
	show := func(err error) {
		if err != nil {
			dialog.ShowError(err, w)
		}
	}
	switch action {
	case ActionInfo:
		u.showInfo(path)
	case ActionRequestSync:
		u.call(func(ctx context.Context) error { return u.api.RequestSync(ctx, path) }, func(err error) {
			show(err)
			u.refreshNow()
		})
	case ActionViewInCloud:
		u.call(func(ctx context.Context) error {
			url, err := u.api.ViewURL(ctx, path)
			if err != nil {
				return err
			}
			return u.host.OpenURL(ctx, url)
		}, show)
	case ActionUnsync:
		u.confirmUnsync(w, path, false)
	}
}

// confirmUnsync asks before unsyncing path, offering "remove from cloud".
func (u *UI) confirmUnsync(w fyne.Window, path string, isSet bool) {
	remove := widget.NewCheck("Also remove it from the cloud", nil)
	msg := widget.NewLabel(fmt.Sprintf("Stop syncing %s?\nThe local copy stays (and is unlocked).", shortPath(path, 60)))
	if isSet {
		msg.SetText(fmt.Sprintf("Stop syncing %s with the cloud?\nLocal files stay (and are unlocked).", shortPath(path, 60)))
	}
	dialog.ShowCustomConfirm("Unsync", "Unsync", "Cancel", container.NewVBox(msg, remove), func(ok bool) {
		if !ok {
			return
		}
		rm := remove.Checked
		u.call(func(ctx context.Context) error { return u.api.Unsync(ctx, path, rm) }, func(err error) {
			if err != nil {
				dialog.ShowError(err, w)
			}
			if iw := u.wins["info"]; iw != nil && iw != w {
				iw.Close()
			}
			u.refreshNow()
		})
	}, w)
}

// itemRow is one line of Synced content: status icon, name, folder, status; it opens the
// item menu on right-click and Sync Info on double-click.
type itemRow struct {
	widget.BaseWidget
	c      *contentWindow
	idx    int
	path   string
	icon   *widget.Icon
	name   *widget.Label
	where  *widget.Label
	status *widget.Label
}

func newItemRow(c *contentWindow) *itemRow {
	r := &itemRow{c: c, idx: -1, icon: widget.NewIcon(nil), name: widget.NewLabel(""),
		where: widget.NewLabel(""), status: widget.NewLabel("")}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.where.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

func (r *itemRow) set(i int, it syncer.ItemInfo) {
	r.idx, r.path = i, it.Path
	r.icon.SetResource(statusIcon(it.Status))
	name := filepath.Base(it.Path)
	if it.IsDir {
		name += "/"
	}
	r.name.SetText(name)
	r.where.SetText(shortPath(filepath.Dir(it.Path), 26))
	s := statusText(it.Status)
	if it.Reason != "" {
		s += ": " + string(it.Reason)
	}
	r.status.SetText(s)
}

func (r *itemRow) CreateRenderer() fyne.WidgetRenderer {
	grid := container.NewGridWithColumns(3, r.name, r.where, r.status)
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, r.icon, nil, grid))
}

// Tapped selects the row (the list's own selection is bypassed by this widget).
func (r *itemRow) Tapped(*fyne.PointEvent) {
	if r.idx >= 0 {
		r.c.list.Select(r.idx)
	}
}

// TappedSecondary opens the item menu at the pointer.
func (r *itemRow) TappedSecondary(e *fyne.PointEvent) {
	if r.idx < 0 {
		return
	}
	r.c.list.Select(r.idx)
	cv := fyne.CurrentApp().Driver().CanvasForObject(r)
	if cv == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(r.c.u.itemMenu(r.c.w, r.path), cv, e.AbsolutePosition)
}

// DoubleTapped opens Sync Info.
func (r *itemRow) DoubleTapped(*fyne.PointEvent) {
	if r.idx >= 0 {
		r.c.u.showInfo(r.path)
	}
}
