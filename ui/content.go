package ui

import (
	"context"
	"fmt"
	"image/color"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
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
	ActionOpenFolder  = "Open folder"
)

// Labels of the Synced content filter.
var filterLabels = []string{"All items", "Waiting to sync", "With errors"}

// contentWindow is Synced content: the synced items with a status icon, searchable and
// sortable by column, filtered to the items waiting to sync or to Synced with errors, with
// the progress of the transfer under way.
type contentWindow struct {
	u        *UI
	w        fyne.Window
	m        itemsModel
	f        contentFilter
	list     *widget.List
	filter   *widget.RadioGroup
	search   *widget.Entry
	summary  *widget.Label
	headers  []*widget.Button
	buttons  []*widget.Button
	progBar  *widget.ProgressBar
	progText *widget.Label
	progBox  *fyne.Container
	toolbar  *fyne.Container
	root     *fyne.Container

	loading, again bool // a reload is under way; another was asked for meanwhile
}

// showContent opens (or raises) Synced content with filter f.
func (u *UI) showContent(f contentFilter) {
	u.window("synced", "Synced content", fyne.NewSize(860, 560), func(w fyne.Window) {
		c := &contentWindow{u: u, w: w, f: f}
		u.content = c
		w.SetContent(c.build())
		w.SetOnClosed(func() { delete(u.wins, "synced"); u.content = nil })
		c.showProgress(u.view.st.Progress, u.waitLine())
	})
	c := u.content
	if c.filter.Selected != filterLabels[f] {
		c.filter.SetSelected(filterLabels[f]) // reloads
	} else {
		c.reload()
	}
}

func (c *contentWindow) build() fyne.CanvasObject {
	c.filter = widget.NewRadioGroup(filterLabels, func(s string) {
		for i, l := range filterLabels {
			if l == s {
				c.f = contentFilter(i)
			}
		}
		c.reload()
	})
	c.filter.Horizontal = true
	c.filter.Required = true
	c.filter.Selected = filterLabels[c.f]
	c.search = widget.NewEntry()
	c.search.SetPlaceHolder("Search names and folders")
	c.search.OnChanged = func(q string) {
		c.m.setQuery(q)
		c.shown()
	}
	c.summary = widget.NewLabel("")
	c.list = widget.NewList(
		func() int { return c.m.len() },
		func() fyne.CanvasObject { return newItemRow(c) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < c.m.len() {
				o.(*itemRow).set(c.m.at(i))
			}
		})
	for _, col := range []struct {
		label string
		c     column
	}{{"Name", colName}, {"Folder", colFolder}, {"Status", colStatus}} {
		col := col
		b := widget.NewButton(col.label, func() { c.m.sortOn(col.c); c.shown() })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		c.headers = append(c.headers, b)
	}
	c.showSort()
	for _, a := range []string{ActionInfo, ActionRequestSync, ActionViewInCloud, ActionOpenFolder, ActionUnsync} {
		a := a
		b := widget.NewButton(a, func() {
			if r := c.m.selected(); r != nil {
				c.u.itemAction(c.w, a, *r.info)
			}
		})
		c.buttons = append(c.buttons, b)
	}
	c.buttons[0].Importance = widget.HighImportance
	c.updateButtons()
	refresh := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), c.reload)
	c.progBar = widget.NewProgressBar()
	c.progText = widget.NewLabel("")
	c.progText.Truncation = fyne.TextTruncateEllipsis
	c.progBox = container.NewVBox(c.progText, c.progBar)
	c.progBox.Hide()
	c.toolbar = container.NewBorder(nil, nil, c.filter, container.NewHBox(c.summary, refresh), c.search)
	header := container.New(&rowLayout{}, layoutSpacer(), c.headers[0], c.headers[1], c.headers[2])
	top := container.NewVBox(
		c.progBox,
		c.toolbar,
		header,
	)
	bar := container.NewHBox()
	for _, b := range c.buttons {
		bar.Add(b)
	}
	c.root = container.NewBorder(top, bar, nil, nil, c.list)
	return c.root
}

// showSort marks the sorted column's header with an arrow icon.
func (c *contentWindow) showSort() {
	for i, h := range c.headers {
		switch {
		case column(i) != c.m.sortBy:
			h.SetIcon(nil)
		case c.m.desc:
			h.SetIcon(theme.MenuDropDownIcon())
		default:
			h.SetIcon(theme.MenuDropUpIcon())
		}
	}
}

// shown refreshes what depends on the shown rows (after a search, a sort or a reload).
func (c *contentWindow) shown() {
	c.showSort()
	c.list.Refresh()
	c.updateButtons()
	n, all := c.m.len(), len(c.m.rows)
	var s string
	switch {
	case all == 0 && c.f == filterErrors:
		s = "No errors"
	case all == 0 && c.f == filterPending:
		s = "Nothing waits to sync"
	case all == 0:
		s = "Nothing synced yet"
	case n == all:
		s = plural(all, "item", "items")
	default:
		s = number(n) + " of " + plural(all, "item", "items")
	}
	if s != c.summary.Text {
		c.summary.SetText(s)
		c.toolbar.Refresh() // the summary's width changed
	}
}

func (c *contentWindow) updateButtons() {
	r := c.m.selected()
	for i, b := range c.buttons {
		switch {
		case r == nil:
			b.Disable()
		case i == 2 && r.info.Cloud.URL == "": // View in Cloud
			b.Disable()
		default:
			b.Enable()
		}
	}
}

// selectPath selects the item at path (the highlight follows it across reloads).
func (c *contentWindow) selectPath(p string) {
	c.m.selPath = p
	c.list.Refresh()
	c.updateButtons()
}

// showProgress shows the transfer under way at the top of the window; without one, why
// syncing waits (wait, the tray's line: offline, paused, sign-in needed), if it does.
func (c *contentWindow) showProgress(p *syncer.Progress, wait string) {
	if (p != nil || wait != "") != c.progBox.Visible() {
		defer c.root.Refresh() // the list moves down or up
	}
	if p == nil {
		c.progText.SetText(wait)
		c.progBar.Hide()
		if wait == "" {
			c.progBox.Hide()
		} else {
			c.progBox.Show()
		}
		return
	}
	c.progBar.Show()
	line := "Syncing " + plural(p.ItemsLeft, "item", "items")
	if t := timeLeft(p.ETASeconds); t != "" {
		line += ", " + t
	}
	if pl := progressLine(p, 60); pl != "" {
		line += ": " + pl
	}
	c.progText.SetText(line)
	switch {
	case p.TotalBytes > 0:
		c.progBar.SetValue(float64(p.Bytes) / float64(p.TotalBytes))
	case p.Items > 0:
		c.progBar.SetValue(float64(p.Items-p.ItemsLeft) / float64(p.Items))
	}
	c.progBox.Show()
}

// reload re-reads the items; reloads asked for while one runs become one more.
func (c *contentWindow) reload() {
	if c.loading {
		c.again = true
		return
	}
	c.loading = true
	f := c.f
	var items []syncer.ItemInfo
	c.u.call(func(ctx context.Context) error {
		var err error
		items, err = c.u.api.ListItems(ctx, f == filterErrors)
		return err
	}, func(err error) {
		c.loading = false
		if c.u.content != c {
			return
		}
		if err != nil {
			c.summary.SetText("Could not list the items: " + err.Error())
		} else if f == c.f {
			c.m.set(items, f, c.u.setRoots())
			c.shown()
		}
		if c.again || f != c.f {
			c.again = false
			c.reload()
		}
	})
}

// itemMenu is the right-click menu of an item.
func (u *UI) itemMenu(w fyne.Window, it syncer.ItemInfo) *fyne.Menu {
	var items []*fyne.MenuItem
	for _, a := range []string{ActionInfo, ActionRequestSync, ActionViewInCloud, ActionOpenFolder, ActionUnsync} {
		a := a
		mi := fyne.NewMenuItem(a, func() { u.itemAction(w, a, it) })
		mi.Disabled = a == ActionViewInCloud && it.Cloud.URL == ""
		items = append(items, mi)
	}
	return fyne.NewMenu("", items...)
}

// itemAction runs one item action; errors are shown on w.
func (u *UI) itemAction(w fyne.Window, action string, it syncer.ItemInfo) {
	path := it.Path
	show := func(err error) {
		if err != nil {
			dialog.ShowError(err, w)
		}
	}
	switch action {
	case ActionInfo:
		u.showInfo(path)
	case ActionRequestSync:
		u.requestSync(w, path)
	case ActionViewInCloud:
		u.call(func(ctx context.Context) error {
			url, err := u.api.ViewURL(ctx, path)
			if err != nil {
				return err
			}
			return u.host.OpenURL(ctx, url)
		}, show)
	case ActionOpenFolder:
		folder := filepath.Dir(path)
		if it.IsDir {
			folder = path
		}
		u.call(func(ctx context.Context) error { return u.host.OpenFolder(ctx, folder) }, show)
	case ActionUnsync:
		u.confirmUnsync(w, path, false)
	}
}

// requestSync asks the engine to sync path now; the windows update from the events it
// causes, and once at once.
func (u *UI) requestSync(w fyne.Window, path string) {
	u.call(func(ctx context.Context) error { return u.api.RequestSync(ctx, path) }, func(err error) {
		if err != nil {
			dialog.ShowError(err, w)
		}
		u.refreshNow()
		if u.info != nil {
			u.info.reload()
		}
	})
}

// confirmUnsync asks before unsyncing path, offering "remove from cloud".
func (u *UI) confirmUnsync(w fyne.Window, path string, isSet bool) {
	remove := widget.NewCheck("Also remove it from the cloud", nil)
	msg := widget.NewLabel(fmt.Sprintf("Stop syncing %s?\nThe copy on this computer stays (and is unlocked).", shortPath(path, 60)))
	if isSet {
		msg.SetText(fmt.Sprintf("Stop syncing %s with the cloud?\nThe files on this computer stay (and are unlocked).", shortPath(path, 60)))
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
			if u.info != nil && u.info.w != w {
				u.info.w.Close()
			}
			if u.prefs != nil {
				u.prefs.forgetSet(path)
			}
			u.refreshNow()
			if u.content != nil {
				u.content.reload()
			}
		})
	}, w)
}

// itemRow is one line of Synced content: status icon, name, folder, status; a click
// selects it, a right-click opens the item menu, a double-click Sync Info.
type itemRow struct {
	widget.BaseWidget
	c      *contentWindow
	data   *itemRowData
	bg     *canvas.Rectangle
	icon   *widget.Icon
	name   *widget.Label
	where  *widget.Label
	status *widget.Label
}

func newItemRow(c *contentWindow) *itemRow {
	r := &itemRow{c: c, bg: canvas.NewRectangle(color.Transparent), icon: widget.NewIcon(nil),
		name: widget.NewLabel(""), where: widget.NewLabel(""), status: widget.NewLabel("")}
	for _, l := range []*widget.Label{r.name, r.where, r.status} {
		l.Truncation = fyne.TextTruncateEllipsis
	}
	r.ExtendBaseWidget(r)
	return r
}

func (r *itemRow) set(d *itemRowData) {
	r.data = d
	r.icon.SetResource(statusIcon(*d.info))
	r.name.SetText(d.name)
	r.where.SetText(d.folder)
	r.status.SetText(d.status)
	if d.info.Path == r.c.m.selPath {
		r.bg.FillColor = theme.Color(theme.ColorNameSelection)
	} else {
		r.bg.FillColor = color.Transparent
	}
	r.bg.Refresh()
}

func (r *itemRow) CreateRenderer() fyne.WidgetRenderer {
	row := container.New(&rowLayout{}, r.icon, r.name, r.where, r.status)
	return widget.NewSimpleRenderer(container.NewStack(r.bg, row))
}

// Tapped selects the item.
func (r *itemRow) Tapped(*fyne.PointEvent) {
	if r.data != nil {
		r.c.selectPath(r.data.info.Path)
	}
}

// TappedSecondary selects the item and opens its menu at the pointer.
func (r *itemRow) TappedSecondary(e *fyne.PointEvent) {
	if r.data == nil {
		return
	}
	r.c.selectPath(r.data.info.Path)
	cv := fyne.CurrentApp().Driver().CanvasForObject(r)
	if cv == nil {
		return
	}
	widget.ShowPopUpMenuAtPosition(r.c.u.itemMenu(r.c.w, *r.data.info), cv, e.AbsolutePosition)
}

// DoubleTapped opens Sync Info.
func (r *itemRow) DoubleTapped(*fyne.PointEvent) {
	if r.data != nil {
		r.c.selectPath(r.data.info.Path)
		r.c.u.showInfo(r.data.info.Path)
	}
}

// rowLayout lays out an icon and three columns (name 36 %, folder 32 %, status 32 %), so
// the header's buttons line up with the rows.
type rowLayout struct{}

func (rowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(theme.IconInlineSize()+300, h)
}

func (rowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	icon := theme.IconInlineSize()
	x := pad
	objs[0].Resize(fyne.NewSquareSize(icon))
	objs[0].Move(fyne.NewPos(x, (size.Height-icon)/2))
	x += icon + pad
	rest := size.Width - x
	widths := []float32{rest * 0.36, rest * 0.32, rest * 0.32}
	for i, o := range objs[1:] {
		o.Resize(fyne.NewSize(widths[i], size.Height))
		o.Move(fyne.NewPos(x, 0))
		x += widths[i]
	}
}

// layoutSpacer stands for the icon column in the header.
func layoutSpacer() fyne.CanvasObject { return canvas.NewRectangle(color.Transparent) }

// setRoots maps the sets' ids to their local roots, as last read.
func (u *UI) setRoots() map[string]string {
	roots := make(map[string]string, len(u.view.st.SetStates))
	for _, s := range u.view.st.SetStates {
		roots[s.ID] = s.LocalRoot
	}
	return roots
}
