package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// Labels of the Sync to Cloud dialog (tests find widgets by them).
const (
	kindFolder    = "A folder"
	kindDocuments = "Documents"

	optSubfolders  = "Include subfolders"
	optLock        = "Lock on-premise copy (read-only until unsync)"
	optCloudDelete = "Allow deletion on cloud (a local delete deletes the cloud item)"
	optLocalDelete = "Delete on-premise when deleted on cloud (to the trash)"

	// Placeholders say what to type, and cannot be taken for a value.
	placeFolder   = "The folder to sync: type its full path, or press Choose…"
	placeDocument = "A document to sync: type its full path and press Enter, or Add file…"
)

// syncDialog is the Sync to Cloud dialog: what (a folder or documents), where (account
// and cloud folder, browsed through the engine), how (the options of SPEC §2).
type syncDialog struct {
	u *UI
	w fyne.Window

	kind     *widget.RadioGroup
	local    *widget.Entry
	docs     []string
	docsList *widget.Label
	choose   *widget.Button

	accounts []model.Account
	account  *widget.Select

	browseAt   string // account-relative folder shown in the browser
	browseKind string // kind of browseAt: "", "network", "site", "folder"
	entries    []syncer.BrowseEntry
	browser    *widget.List
	crumbs     *widget.Label
	up, mkdir  *widget.Button
	dest       *widget.Entry
	destEdited bool

	subfolders, lock, cloudDelete, localDelete *widget.Check

	result *widget.Label
	sync   *widget.Button
}

// showSyncToCloud opens (or raises) the Sync to Cloud dialog.
func (u *UI) showSyncToCloud() {
	u.window("sync-to-cloud", "Sync to Cloud", fyne.NewSize(720, 640), func(w fyne.Window) {
		d := &syncDialog{u: u, w: w}
		u.syncDlg = d
		w.SetContent(d.build())
		w.SetOnClosed(func() { delete(u.wins, "sync-to-cloud"); u.syncDlg = nil })
		w.Canvas().Focus(d.local)
		d.loadAccounts()
	})
}

func (d *syncDialog) build() fyne.CanvasObject {
	d.kind = widget.NewRadioGroup([]string{kindFolder, kindDocuments}, func(string) { d.kindChanged() })
	d.kind.Horizontal = true
	d.kind.Required = true
	d.local = widget.NewEntry()
	d.local.SetPlaceHolder(placeFolder)
	d.local.OnChanged = func(string) { d.suggestDest() }
	d.local.OnSubmitted = func(string) { d.submitLocal() }
	d.docsList = widget.NewLabel("")
	d.docsList.Wrapping = fyne.TextWrapWord
	d.choose = widget.NewButtonWithIcon("Choose…", theme.FolderOpenIcon(), d.chooseLocal)

	d.account = widget.NewSelect(nil, func(string) { d.browse("") })
	d.account.PlaceHolder = "Add an account in Preferences first"
	d.browser = widget.NewList(
		func() int { return len(d.entries) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.FolderIcon()), widget.NewLabel("folder"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(d.entries) {
				return
			}
			e := d.entries[i]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Icon).SetResource(kindIcon(e.Kind))
			label := e.Name
			if e.Kind == "network" || e.Kind == "site" {
				label += "  (" + e.Kind + ")"
			}
			c.Objects[1].(*widget.Label).SetText(label)
		})
	d.browser.OnSelected = func(i widget.ListItemID) {
		if i < len(d.entries) {
			e := d.entries[i]
			d.browser.UnselectAll()
			d.browse(e.Path)
		}
	}
	d.crumbs = widget.NewLabel("/")
	d.up = widget.NewButtonWithIcon("Up", theme.NavigateBackIcon(), func() { d.browse(parentFolder(d.browseAt)) })
	d.mkdir = widget.NewButtonWithIcon("New folder…", theme.FolderNewIcon(), d.newFolder)
	d.dest = widget.NewEntry()
	d.dest.OnChanged = func(string) { d.destEdited = true }
	d.dest.OnSubmitted = func(string) { d.submit() }

	def := model.DefaultOptions()
	d.subfolders = widget.NewCheck(optSubfolders, nil)
	d.subfolders.SetChecked(def.IncludeSubfolders)
	d.lock = widget.NewCheck(optLock, nil)
	d.lock.SetChecked(def.Lock)
	d.cloudDelete = widget.NewCheck(optCloudDelete, nil)
	d.cloudDelete.SetChecked(def.AllowCloudDelete)
	d.localDelete = widget.NewCheck(optLocalDelete, nil)
	d.localDelete.SetChecked(def.DeleteLocalOnCloudDelete)

	d.result = widget.NewLabel("")
	d.result.Wrapping = fyne.TextWrapWord
	d.sync = widget.NewButtonWithIcon("Sync", theme.ViewRefreshIcon(), d.submit)
	d.sync.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", d.w.Close)
	d.kind.SetSelected(kindFolder)

	what := container.NewVBox(
		bold("1. What to sync"), d.kind,
		container.NewBorder(nil, nil, nil, d.choose, d.local), d.docsList)
	where := container.NewBorder(
		container.NewVBox(bold("2. Where in the cloud"),
			widget.NewForm(widget.NewFormItem("Account", d.account)),
			container.NewBorder(nil, nil, d.up, d.mkdir, d.crumbs)),
		widget.NewForm(widget.NewFormItem("Cloud folder", d.dest)),
		nil, nil, d.browser)
	how := container.NewVBox(bold("3. Options"), d.subfolders, d.lock, d.cloudDelete, d.localDelete)
	bottom := container.NewVBox(how, d.result, container.NewBorder(nil, nil, nil, container.NewHBox(cancel, d.sync)))
	return container.NewBorder(what, bottom, nil, nil, where)
}

func bold(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func kindIcon(kind string) fyne.Resource {
	switch kind {
	case "network":
		return theme.StorageIcon()
	case "site":
		return theme.HomeIcon()
	case "file":
		return theme.FileIcon()
	}
	return theme.FolderIcon()
}

func parentFolder(f string) string {
	f = strings.Trim(f, "/")
	if i := strings.LastIndexByte(f, '/'); i >= 0 {
		return f[:i]
	}
	return ""
}

func (d *syncDialog) documents() bool { return d.kind.Selected == kindDocuments }

func (d *syncDialog) kindChanged() {
	if d.documents() {
		d.local.SetPlaceHolder(placeDocument)
		d.subfolders.Disable()
		d.choose.SetText("Add file…")
	} else {
		d.local.SetPlaceHolder(placeFolder)
		d.subfolders.Enable()
		d.choose.SetText("Choose…")
		d.docs = nil
	}
	d.showDocs()
	d.suggestDest()
}

func (d *syncDialog) showDocs() {
	if len(d.docs) == 0 {
		d.docsList.SetText("")
		d.docsList.Hide()
		return
	}
	names := make([]string, len(d.docs))
	for i, p := range d.docs {
		names[i] = filepath.Base(p)
	}
	d.docsList.SetText(fmt.Sprintf("%d document(s): %s", len(d.docs), strings.Join(names, ", ")))
	d.docsList.Show()
}

// submitLocal is Enter in the path entry: documents add the file; folders sync.
func (d *syncDialog) submitLocal() {
	if d.documents() {
		d.addDocument(strings.TrimSpace(d.local.Text))
		return
	}
	d.submit()
}

func (d *syncDialog) addDocument(p string) {
	if p == "" {
		return
	}
	for _, x := range d.docs {
		if x == p {
			return
		}
	}
	d.docs = append(d.docs, p)
	d.local.SetText("")
	d.showDocs()
	d.suggestDest()
}

func (d *syncDialog) chooseLocal() {
	if d.documents() {
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				r.Close()
				d.addDocument(r.URI().Path())
			}
		}, d.w)
		return
	}
	fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err == nil && u != nil {
			d.local.SetText(u.Path())
		}
	}, d.w)
	if home, err := os.UserHomeDir(); err == nil {
		if l, err := storage.ListerForURI(storage.NewFileURI(home)); err == nil {
			fd.SetLocation(l)
		}
	}
	fd.Show()
}

// suggestDest proposes <browsed folder>/<local folder name> until the user edits it.
func (d *syncDialog) suggestDest() {
	if d.destEdited {
		return
	}
	name := ""
	if !d.documents() {
		if l := strings.TrimRight(strings.TrimSpace(d.local.Text), "/"); l != "" {
			name = filepath.Base(l)
		}
	}
	dest := strings.Trim(path.Join(d.browseAt, name), "/")
	d.dest.SetText(dest)
	d.destEdited = false
}

func (d *syncDialog) loadAccounts() {
	var accts []model.Account
	d.u.call(func(ctx context.Context) error {
		var err error
		accts, err = d.u.api.ListAccounts(ctx)
		return err
	}, func(err error) {
		if err != nil {
			d.result.SetText("Could not read the accounts: " + err.Error())
			return
		}
		d.accounts = accts
		names := make([]string, len(accts))
		for i, a := range accts {
			names[i] = a.Name
		}
		d.account.SetOptions(names)
		if len(names) > 0 {
			d.account.SetSelectedIndex(0) // browses the root
		} else {
			d.result.SetText("Add an account in Preferences → Accounts first.")
		}
	})
}

func (d *syncDialog) accountType() string {
	for _, a := range d.accounts {
		if a.Name == d.account.Selected {
			return a.Type
		}
	}
	return ""
}

// browse shows the folders under folder of the chosen account.
func (d *syncDialog) browse(folder string) {
	account := d.account.Selected
	if account == "" {
		return
	}
	var entries []syncer.BrowseEntry
	d.u.call(func(ctx context.Context) error {
		var err error
		entries, err = d.u.api.Browse(ctx, account, folder)
		return err
	}, func(err error) {
		if err != nil {
			d.result.SetText("Could not list the cloud folder: " + err.Error())
			return
		}
		d.result.SetText("")
		d.entries = d.entries[:0]
		for _, e := range entries {
			if e.IsDir || e.Kind == "network" || e.Kind == "site" {
				d.entries = append(d.entries, e)
			}
		}
		d.browseAt = strings.Trim(folder, "/")
		d.browseKind = d.levelKind()
		d.crumbs.SetText(account + ":/" + d.browseAt)
		d.browser.Refresh()
		if d.browseAt == "" {
			d.up.Disable()
		} else {
			d.up.Enable()
		}
		// Alfresco: folders can be made only inside a site's document library.
		if d.browseKind == "folder" {
			d.mkdir.Enable()
		} else {
			d.mkdir.Disable()
		}
		d.destEdited = false
		d.suggestDest()
	})
}

// levelKind is what browseAt is: "root" at the top of a type with fixed levels (for
// Alfresco: networks, then sites; registry.Backend.Levels), the level's kind within them,
// and "folder" below them, where folders can be made.
func (d *syncDialog) levelKind() string {
	b, _ := remoteTypes().Lookup(d.accountType())
	depth := 0
	if d.browseAt != "" {
		depth = len(strings.Split(d.browseAt, "/"))
	}
	switch {
	case b.CanMakeFolder(depth):
		return "folder"
	case depth == 0:
		return "root"
	}
	return b.EntryKind(depth - 1)
}

func (d *syncDialog) newFolder() {
	account := d.account.Selected
	parent := d.browseAt
	e := widget.NewEntry()
	e.SetPlaceHolder("folder name")
	fd := dialog.NewForm("New folder in "+account+":/"+parent, "Create", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Name", e)}, func(ok bool) {
			name := strings.TrimSpace(e.Text)
			if !ok || name == "" {
				return
			}
			if strings.ContainsAny(name, "/\\") {
				d.result.SetText("A folder name cannot contain / or \\.")
				return
			}
			folder := strings.Trim(path.Join(parent, name), "/")
			d.u.call(func(ctx context.Context) error { return d.u.api.MakeFolder(ctx, account, folder) },
				func(err error) {
					if err != nil {
						d.result.SetText("Could not create the folder: " + err.Error())
						return
					}
					d.browse(folder)
				})
		}, d.w)
	fd.Show()
	d.w.Canvas().Focus(e)
}

// request reads the dialog into a CreateSetRequest.
func (d *syncDialog) request() (syncer.CreateSetRequest, error) {
	r := syncer.CreateSetRequest{Account: d.account.Selected, To: strings.Trim(strings.TrimSpace(d.dest.Text), "/"),
		Options: model.Options{
			IncludeSubfolders:        d.subfolders.Checked,
			Lock:                     d.lock.Checked,
			AllowCloudDelete:         d.cloudDelete.Checked,
			DeleteLocalOnCloudDelete: d.localDelete.Checked,
		}}
	if d.documents() {
		if p := strings.TrimSpace(d.local.Text); p != "" {
			d.addDocument(p)
		}
		r.Paths = append(r.Paths, d.docs...)
		r.Options.IncludeSubfolders = false
		if len(r.Paths) == 0 {
			return r, errors.New("Choose one or more documents to sync.")
		}
	} else {
		p := strings.TrimSpace(d.local.Text)
		if p == "" {
			return r, errors.New("Choose the folder to sync.")
		}
		r.Paths = []string{p}
	}
	for i, p := range r.Paths {
		if !filepath.IsAbs(p) {
			return r, fmt.Errorf("%s: give the full path (starting with /).", p)
		}
		r.Paths[i] = filepath.Clean(p)
	}
	if r.Account == "" {
		return r, errors.New("Choose an account (add one in Preferences → Accounts).")
	}
	return r, nil
}

// submit creates the sync set and closes the dialog.
func (d *syncDialog) submit() {
	r, err := d.request()
	if err != nil {
		d.result.SetText(err.Error())
		return
	}
	d.result.SetText("Creating the sync set…")
	d.sync.Disable()
	var set model.Set
	d.u.call(func(ctx context.Context) error {
		var err error
		set, err = d.u.api.CreateSet(ctx, r)
		return err
	}, func(err error) {
		d.sync.Enable()
		if err != nil {
			d.result.SetText("Could not sync: " + err.Error())
			return
		}
		d.u.refreshNow()
		d.done(set)
	})
}

// done says what was set up, and where to follow it, instead of closing silently.
func (d *syncDialog) done(s model.Set) {
	what := s.LocalRoot
	if s.Kind == model.KindDocuments {
		what = plural(len(s.Documents), "document", "documents") + " in " + s.LocalRoot
	}
	msg := widget.NewLabel("Syncing " + what + " with " + cloudPlace(s.Account, s.RemoteRoot) + ".\n\n" +
		"The first sync runs now; the tray menu and Synced content show its progress. " +
		"From now on, changes on either side are synced by themselves.")
	msg.Wrapping = fyne.TextWrapWord
	show := widget.NewButton("Show Synced content", func() {
		d.w.Close()
		d.u.showContent(filterAll)
	})
	closeB := widget.NewButton("Close", d.w.Close)
	closeB.Importance = widget.HighImportance
	d.w.SetContent(container.NewBorder(
		container.NewBorder(nil, nil, widget.NewIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon())), nil, bold("Sync set created")),
		container.NewHBox(layoutFill(), show, closeB), nil, nil, msg))
	d.w.Canvas().Focus(nil)
}
