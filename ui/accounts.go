package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/backends"
	"github.com/cloudsync/cloudsync/syncer/remote/registry"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav"
	"github.com/cloudsync/cloudsync/ui/localcloud"
)

// remoteTypes is the registry of remote types the account form offers (package backends).
func remoteTypes() *registry.Registry { return backends.Registry() }

// accountTypes are the labels of the remote types, in the registry's order.
func accountTypes() []string {
	var out []string
	for _, b := range remoteTypes().All() {
		out = append(out, b.Label)
	}
	return out
}

// accountTypeName is the type name of a remote type's label.
func accountTypeName(label string) string {
	for _, b := range remoteTypes().All() {
		if b.Label == label {
			return b.Type
		}
	}
	return ""
}

// LabelAddAccount is the button that opens the account form while there are accounts.
const LabelAddAccount = "Add account…"

// LocalCloudAccount is the account name of the local cloud.
const LocalCloudAccount = localcloud.AccountName

// accountsTab is Preferences → Accounts: the accounts with their state (Sign in…,
// Remove…), and the form that adds one (shown at once while there is none; after an
// account was added it folds away behind "Add account…", so the list keeps its room).
type accountsTab struct {
	p        *prefsWindow
	accounts []model.Account
	list     *widget.List
	selName  string // the selected account; the selection follows the name
	signIn   *widget.Button
	remove   *widget.Button
	empty    *widget.Label
	showForm *widget.Button
	form     *fyne.Container
	formBox  *container.Scroll // the form, scrolled on its own below the list
	buttons  *fyne.Container
	tryLocal *fyne.Container
	root     *fyne.Container
	shown    bool // the accounts were shown once
	formUsed bool // an account was added or tried from the form

	name, url, user, password *widget.Entry
	kind                      *widget.Select
	result                    *widget.Label
	added                     *widget.Label // what the last add did, shown while the form is folded
	test, add                 *widget.Button
}

func (t *accountsTab) build() fyne.CanvasObject {
	t.list = rowList(&t.accounts, false, func(a model.Account, o fyne.CanvasObject) {
		line := typeLabel(a.Type) + ", " + a.URL + ", user " + a.User
		if a.Paused {
			line = "Sign-in needed. " + line
		}
		setTwoLineRow(o, theme.AccountIcon(), a.Name, line, "")
	}, func(a *model.Account) {
		t.selName = ""
		if a != nil {
			t.selName = a.Name
		}
		t.updateButtons()
	})
	t.signIn = widget.NewButtonWithIcon("Sign in…", theme.LoginIcon(), func() {
		if t.selName != "" {
			t.p.u.showSignIn(t.selName)
		}
	})
	t.remove = widget.NewButtonWithIcon("Remove account…", theme.DeleteIcon(), t.removeAccount)
	t.showForm = widget.NewButtonWithIcon(LabelAddAccount, theme.ContentAddIcon(), func() {
		t.setAdded("")
		t.form.Show()
		t.showForm.Hide()
		t.root.Refresh()
		t.formBox.ScrollToTop()
		t.p.w.Canvas().Focus(t.name)
	})
	t.added = widget.NewLabel("")
	t.added.Wrapping = fyne.TextWrapWord
	t.added.Hide()
	t.empty = widget.NewLabel("No account yet. Add the server you sync with below, or try a local cloud first.")
	t.empty.Wrapping = fyne.TextWrapWord
	t.updateButtons()

	t.name = widget.NewEntry()
	t.name.SetPlaceHolder("A short name, such as work")
	t.url = widget.NewEntry()
	t.user = widget.NewEntry()
	t.kind = widget.NewSelect(accountTypes(), t.showFields)
	t.kind.SetSelectedIndex(0)
	t.password = widget.NewPasswordEntry()
	t.password.OnSubmitted = func(string) { t.submit(false) }
	t.result = widget.NewLabel("")
	t.result.Wrapping = fyne.TextWrapWord
	for _, e := range []*widget.Entry{t.name, t.url, t.user, t.password} {
		e.OnChanged = func(string) { t.result.SetText("") }
	}
	t.test = widget.NewButtonWithIcon("Test connection", theme.SearchIcon(), func() { t.submit(true) })
	t.add = widget.NewButtonWithIcon("Add account", theme.ContentAddIcon(), func() { t.submit(false) })
	t.add.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem("Name", t.name),
		widget.NewFormItem("Type", t.kind),
		widget.NewFormItem("Address", t.url),
		widget.NewFormItem("User", t.user),
		widget.NewFormItem("Password", t.password),
	)
	form.Items[0].HintText = "Letters, digits, . _ - @"
	form.Items[4].HintText = "Kept in the system keyring"
	try := widget.NewButtonWithIcon("Try it with a local cloud", theme.ComputerIcon(), t.tryLocalCloud)
	t.tryLocal = container.NewVBox(widget.NewSeparator(),
		widget.NewLabel("No server yet? Start a small cloud on this computer and see sync work:"),
		container.NewHBox(try))
	t.form = container.NewVBox(
		widget.NewSeparator(),
		bold("Add an account"),
		form,
		container.NewHBox(t.test, t.add),
		t.result,
		t.tryLocal,
	)
	t.buttons = container.NewHBox(t.signIn, t.remove, layoutFill(), t.showForm)
	t.formBox = container.NewVScroll(t.form)
	t.root = container.New(&listOverForm{t: t}, t.empty, t.list, container.NewVBox(t.buttons, t.added), t.formBox)
	return t.root
}

// listRows is how many accounts the list shows at least while the form is open.
const listRows = 4

// listOverForm lays out the accounts tab from the top: the no-account hint, the list,
// the account buttons, then the form. The list keeps room for listRows accounts; a form
// taller than what is left scrolls on its own (as a mature client's settings pane does),
// so opening "Add account…" does not squeeze the list to two rows. Without accounts the
// list needs no room and the form gets it all.
type listOverForm struct{ t *accountsTab }

// heights are the heights of the four parts in a tab size high.
func (l *listOverForm) heights(objs []fyne.CanvasObject, height float32) (h [4]float32) {
	pad := theme.Padding()
	for _, i := range []int{0, 2} {
		if objs[i].Visible() {
			h[i] = objs[i].MinSize().Height
			height -= h[i] + pad
		}
	}
	form := float32(0)
	if l.t.form.Visible() {
		form = l.t.form.MinSize().Height + pad
	}
	h[1] = max(l.listMin(), height-form, 0)
	h[1] = min(h[1], max(height, 0))
	h[3] = max(height-h[1]-pad, 0)
	return h
}

// listMin is the height of listRows accounts, or 0 while there is none.
func (l *listOverForm) listMin() float32 {
	if len(l.t.accounts) == 0 {
		return 0
	}
	return listRows*l.t.list.CreateItem().MinSize().Height + (listRows-1)*theme.Padding()
}

func (l *listOverForm) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	h := l.heights(objs, size.Height)
	y := float32(0)
	for i, o := range objs {
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h[i]))
		if o.Visible() {
			y += h[i] + theme.Padding()
		}
	}
}

func (l *listOverForm) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(0, l.listMin())
	for i, o := range objs {
		if i != 1 && o.Visible() {
			m := o.MinSize()
			s = fyne.NewSize(max(s.Width, m.Width), s.Height+m.Height+theme.Padding())
		}
	}
	return s
}

// showFields shows the form fields of the remote type labelled label, as its registry
// entry describes them.
func (t *accountsTab) showFields(label string) {
	b, _ := remoteTypes().Lookup(accountTypeName(label))
	for key, e := range map[string]*widget.Entry{registry.FieldURL: t.url, registry.FieldUser: t.user} {
		f, _ := b.Field(key)
		e.SetPlaceHolder(f.Placeholder)
	}
}

func typeLabel(t string) string {
	if b, ok := remoteTypes().Lookup(t); ok {
		return b.Label
	}
	return t
}

func (t *accountsTab) updateButtons() {
	a, ok := t.selected()
	if !ok {
		t.signIn.Disable()
		t.remove.Disable()
		return
	}
	t.remove.Enable()
	if a.Paused {
		t.signIn.Enable()
	} else {
		t.signIn.Disable()
	}
}

func (t *accountsTab) selected() (model.Account, bool) {
	for _, a := range t.accounts {
		if a.Name == t.selName {
			return a, true
		}
	}
	return model.Account{}, false
}

// show shows the accounts; the selection stays on the same account, or is cleared when
// that account is gone.
func (t *accountsTab) show(accts []model.Account) {
	first := !t.shown
	t.shown = true
	t.accounts = accts
	t.list.Refresh()
	idx := -1
	for i, a := range accts {
		if a.Name == t.selName {
			idx = i
		}
	}
	if idx < 0 {
		t.selName = ""
		t.list.UnselectAll()
	}
	t.updateButtons()
	// The form shows while there is no account; once there is one, behind "Add account…"
	// (it stays open while it is in use; an add that worked folds it, see added).
	if len(accts) == 0 {
		t.empty.Show()
		t.added.Hide()
		t.form.Show()
		t.showForm.Hide()
		t.buttons.Hide()
	} else {
		t.empty.Hide()
		t.buttons.Show()
		if first && !t.formUsed {
			t.form.Hide()
			t.showForm.Show()
		}
	}
	if hasAccount(accts, LocalCloudAccount) {
		t.tryLocal.Hide()
	} else {
		t.tryLocal.Show()
	}
	t.root.Refresh() // shown or hidden parts change the layout
}

// request reads the form; the password goes only into the request, which the engine
// stores in the OS keyring.
func (t *accountsTab) request(test bool) (syncer.AddAccountRequest, error) {
	r := syncer.AddAccountRequest{
		Name:     strings.TrimSpace(t.name.Text),
		Type:     accountTypeName(t.kind.Selected),
		URL:      strings.TrimSpace(t.url.Text),
		User:     strings.TrimSpace(t.user.Text),
		Password: t.password.Text,
		Test:     test,
	}
	switch {
	case r.Name == "" && !test:
		return r, errors.New("Give the account a name.")
	case r.URL == "":
		return r, errors.New("Enter the server address.")
	case !strings.HasPrefix(r.URL, "http://") && !strings.HasPrefix(r.URL, "https://"):
		return r, errors.New("The address must start with https:// (or http://).")
	case r.User == "":
		return r, errors.New("Enter the user name.")
	case r.Password == "":
		return r, errors.New("Enter the password.")
	}
	if r.Name == "" {
		r.Name = r.User
	}
	return r, nil
}

// submit tests the login (test) or adds the account.
func (t *accountsTab) submit(test bool) {
	t.formUsed = true
	r, err := t.request(test)
	if err != nil {
		t.result.SetText(err.Error())
		return
	}
	t.result.SetText("Connecting to " + r.URL + "…")
	t.test.Disable()
	t.add.Disable()
	where := "the system keyring"
	u := t.p.u
	u.call(func(ctx context.Context) error {
		if _, err := u.api.AddAccount(ctx, r); err != nil {
			return err
		}
		if st, err := u.api.Status(ctx); err == nil && st.Keyring != "" {
			where = st.Keyring // the engine may keep it in memory when there is no keyring
		}
		return nil
	}, func(err error) {
		t.test.Enable()
		t.add.Enable()
		switch {
		case err != nil:
			t.result.SetText("Could not connect: " + err.Error())
		case test:
			t.result.SetText("The connection works.")
		default:
			u.notify.signedIn(r.Name)
			for _, e := range []*widget.Entry{t.name, t.url, t.user, t.password} {
				e.SetText("")
			}
			t.done("Account " + r.Name + " added. Its password is kept in " + where + ". Next: Sync sets, Sync to Cloud…")
			t.p.reload()
		}
	})
}

// tryLocalCloud starts the built-in WebDAV server, adds an account for it and opens the
// Sync to Cloud dialog.
func (t *accountsTab) tryLocalCloud() {
	t.formUsed = true
	t.result.SetText("Starting a local cloud on this computer…")
	u := t.p.u
	var name string
	u.call(func(ctx context.Context) error {
		url, user, password, err := u.host.LocalCloud(ctx)
		if err != nil {
			return err
		}
		a, err := u.api.AddAccount(ctx, syncer.AddAccountRequest{Name: LocalCloudAccount, Type: webdav.Type,
			URL: url, User: user, Password: password})
		name = a.Name
		return err
	}, func(err error) {
		if err != nil {
			t.result.SetText("Could not start the local cloud: " + err.Error())
			return
		}
		t.done("A local cloud runs on this computer as account " + name + ".")
		t.p.reload()
		u.showSyncToCloud()
	})
}

// done folds the form after an account was added (as mature clients do: the list keeps
// its room, "Add account…" opens the form again) and says what was done above it.
func (t *accountsTab) done(msg string) {
	t.result.SetText("")
	t.form.Hide()
	t.showForm.Show()
	t.buttons.Show()
	t.setAdded(msg)
}

// setAdded shows msg (what the last add did) under the account buttons; "" hides it.
func (t *accountsTab) setAdded(msg string) {
	t.added.SetText(msg)
	if msg == "" {
		t.added.Hide()
	} else {
		t.added.Show()
	}
	t.root.Refresh()
}

func (t *accountsTab) removeAccount() {
	a, ok := t.selected()
	if !ok {
		return
	}
	name := a.Name
	u := t.p.u
	dialog.ShowConfirm("Remove account",
		"Remove account "+name+" and its password from the keyring?\nUnsync its sync sets first.",
		func(ok bool) {
			if !ok {
				return
			}
			u.call(func(ctx context.Context) error { return u.api.RemoveAccount(ctx, name) },
				func(err error) {
					if err != nil {
						dialog.ShowError(err, t.p.w)
					}
					t.p.reload()
				})
		}, t.p.w)
}

func hasAccount(accts []model.Account, name string) bool {
	for _, a := range accts {
		if a.Name == name {
			return true
		}
	}
	return false
}

// showSignIn opens the sign-in window of account: only the password, checked by the
// engine before it replaces the old one (SPEC §6).
func (u *UI) showSignIn(account string) {
	if w := u.wins["sign-in"]; w != nil {
		w.Close()
	}
	var acct model.Account
	for _, a := range u.view.accounts {
		if a.Name == account {
			acct = a
		}
	}
	u.window("sign-in", "Sign in to "+account, fyne.NewSize(480, 240), func(w fyne.Window) {
		msg := "Enter the password of account " + account + "."
		if acct.URL != "" {
			msg = "cloudsync could not sign in to " + acct.URL + " as " + acct.User + ". Enter the password for this account; its syncing waits until then."
		}
		text := widget.NewLabel(msg)
		text.Wrapping = fyne.TextWrapWord
		pw := widget.NewPasswordEntry()
		pw.SetPlaceHolder("Password")
		result := widget.NewLabel("")
		result.Wrapping = fyne.TextWrapWord
		var ok *widget.Button
		submit := func() {
			if pw.Text == "" {
				result.SetText("Enter the password.")
				return
			}
			password := pw.Text
			ok.Disable()
			result.SetText("Signing in…")
			u.call(func(ctx context.Context) error { return u.api.SignIn(ctx, account, password) }, func(err error) {
				ok.Enable()
				switch {
				case errors.Is(err, remote.ErrAuth):
					result.SetText("The server refused this password. Check it and try again.")
				case err != nil:
					result.SetText("Could not sign in: " + err.Error())
				default:
					pw.SetText("")
					u.notify.signedIn(account)
					w.Close()
					u.refreshNow()
					if u.prefs != nil {
						u.prefs.reload()
					}
				}
			})
		}
		pw.OnSubmitted = func(string) { submit() }
		ok = widget.NewButtonWithIcon("Sign in", theme.LoginIcon(), submit)
		ok.Importance = widget.HighImportance
		w.SetContent(container.NewBorder(nil,
			container.NewHBox(layoutFill(), widget.NewButton("Cancel", w.Close), ok), nil, nil,
			container.NewVBox(text, pw, result)))
		w.Canvas().Focus(pw)
	})
}
