package ui

import (
	"context"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Labels of the actions Sync Info offers to fix a problem.
const (
	FixUploadAgain = "Upload again"
	FixTryAgain    = "Try again now"
	FixConfirm     = "Confirm and sync"
	FixSignIn      = "Sign in…"
	FixRename      = "Open folder to rename"
)

// infoWindow is Sync Info of one item. It re-reads the item when the engine announces a
// change, so it never shows a state that is over (a failure after the upload went
// through).
type infoWindow struct {
	u    *UI
	w    fyne.Window
	path string
}

// showInfo opens Sync Info of path (one at a time: a second call shows the other item).
func (u *UI) showInfo(path string) {
	if u.info == nil {
		u.window("info", "Sync Info — "+filepath.Base(path), fyne.NewSize(660, 480), func(w fyne.Window) {
			u.info = &infoWindow{u: u, w: w, path: path}
			w.SetOnClosed(func() { delete(u.wins, "info"); u.info = nil })
			w.SetContent(widget.NewLabel("Reading…"))
		})
	} else {
		u.info.w.Show()
		u.info.w.RequestFocus()
	}
	u.info.path = path
	u.info.w.SetTitle("Sync Info — " + filepath.Base(path))
	u.info.reload()
}

// reload re-reads the item and shows it.
func (iw *infoWindow) reload() {
	path := iw.path
	var info syncer.ItemInfo
	iw.u.call(func(ctx context.Context) error {
		var err error
		info, err = iw.u.api.Info(ctx, path)
		return err
	}, func(err error) {
		if iw.u.info != iw || iw.path != path {
			return
		}
		iw.w.SetContent(iw.content(info, err))
	})
}

// content is the body of Sync Info: the status and the plain sentence first, the actions
// that fix the problem as buttons, then the cloud location, the last sync and conflict
// copies, and the code and server message folded under Technical details.
func (iw *infoWindow) content(info syncer.ItemInfo, err error) fyne.CanvasObject {
	u, w := iw.u, iw.w
	if err != nil {
		l := widget.NewLabel("No sync information: " + err.Error())
		l.Wrapping = fyne.TextWrapWord
		return container.NewBorder(nil, container.NewHBox(layoutFill(), widget.NewButton("Close", w.Close)), nil, nil, l)
	}
	wrap := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	note := iw.context(info)
	status := itemStatus(info)
	if info.Status == model.StatusSynced && (strings.HasSuffix(note, "until it can.") || strings.HasSuffix(note, "until you sign in.")) {
		status += " at the last sync" // the cloud cannot say more now
	}
	head := widget.NewLabelWithStyle(status, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	parts := []fyne.CanvasObject{container.NewBorder(nil, nil, widget.NewIcon(statusIcon(info)), nil, head)}
	if msg := explain(info); msg != "" && info.Status == model.StatusFailed {
		parts = append(parts, wrap(msg))
	}
	if note != "" {
		parts = append(parts, wrap(note))
	}
	fixes := iw.fixes(info)
	if len(fixes) > 0 {
		parts = append(parts, container.NewHBox(fixes...))
	}
	form := widget.NewForm(
		widget.NewFormItem("Item", wrap(info.Path)),
		widget.NewFormItem("In the cloud", wrap(cloudLocation(info.Cloud))),
		widget.NewFormItem("Last synced", wrap(lastSync(info.LastSync))),
	)
	if len(info.Conflicts) > 0 {
		names := make([]string, len(info.Conflicts))
		for i, c := range info.Conflicts {
			names[i] = filepath.Base(c)
		}
		form.Append("Conflict copies", wrap(strings.Join(names, "\n")))
	}
	parts = append(parts, widget.NewSeparator(), form)
	if tech := technical(info); tech != "" {
		details := wrap(tech)
		details.TextStyle = fyne.TextStyle{Monospace: true}
		parts = append(parts, widget.NewAccordion(widget.NewAccordionItem("Technical details", details)))
	}
	var buttons []fyne.CanvasObject
	for _, a := range []string{ActionRequestSync, ActionViewInCloud, ActionOpenFolder, ActionUnsync} {
		if hasButton(fixes, a) {
			continue
		}
		a := a
		b := widget.NewButton(a, func() { u.itemAction(w, a, info) })
		if a == ActionViewInCloud && info.Cloud.URL == "" {
			b.Disable()
		}
		buttons = append(buttons, b)
	}
	buttons = append(buttons, layoutFill(), widget.NewButton("Close", w.Close))
	return container.NewBorder(nil, container.NewHBox(buttons...), nil, nil,
		container.NewVScroll(container.NewVBox(parts...)))
}

// context says what the item's status does not: its set cannot reach the cloud or
// waits for a sign-in (changes since the last sync wait), or a conflict kept a copy.
func (iw *infoWindow) context(info syncer.ItemInfo) string {
	var set *syncer.SetInfo
	for i, s := range iw.u.view.st.SetStates {
		if s.ID == info.Set {
			set = &iw.u.view.st.SetStates[i]
		}
	}
	switch {
	case info.Status == model.StatusFailed:
		return ""
	case set != nil && accountPaused(iw.u.view.accounts, set.Account):
		return "Sign-in needed for " + set.Account + ": changes made since the last sync wait until you sign in."
	case set != nil && set.State == syncer.StateOffline:
		return "The cloud cannot be reached right now: changes made since the last sync wait until it can."
	case len(info.Conflicts) > 0:
		return "This item was changed on this computer and in the cloud. The cloud version was kept; your version is kept beside it as a conflict copy (below): nothing was lost."
	}
	return ""
}

// fixes are the buttons that fix the item's problem (SPEC §4: the actions the plain
// sentence names).
func (iw *infoWindow) fixes(info syncer.ItemInfo) []fyne.CanvasObject {
	u, w := iw.u, iw.w
	if info.Status != model.StatusFailed {
		return nil
	}
	button := func(label string, do func(), main bool) *widget.Button {
		b := widget.NewButton(label, do)
		if main {
			b.Importance = widget.HighImportance
		}
		return b
	}
	sync := func() { u.requestSync(w, info.Path) }
	unsync := func() { u.itemAction(w, ActionUnsync, info) }
	folder := func() { u.itemAction(w, ActionOpenFolder, info) }
	isSet := iw.isSetRoot(info)
	switch {
	case info.Reason == remote.ReasonAuthFailed:
		account := info.Cloud.Account
		return []fyne.CanvasObject{button(FixSignIn, func() { u.showSignIn(account) }, true)}
	case isSet && info.Reason == "":
		return []fyne.CanvasObject{button(FixConfirm, sync, true), button(ActionUnsync, unsync, false)}
	}
	switch info.Reason {
	case remote.ReasonTargetDeleted, remote.ReasonMissingDestination:
		return []fyne.CanvasObject{button(FixUploadAgain, sync, true), button(ActionUnsync, unsync, false)}
	case remote.ReasonNameClash, remote.ReasonInvalidName:
		return []fyne.CanvasObject{button(FixRename, folder, true), button(ActionUnsync, unsync, false)}
	case remote.ReasonMovedOut, remote.ReasonTooLarge, remote.ReasonUnsupported:
		return []fyne.CanvasObject{button(ActionUnsync, unsync, false), button(ActionOpenFolder, folder, false)}
	}
	return []fyne.CanvasObject{button(FixTryAgain, sync, true)}
}

// isSetRoot reports whether info is the root of a sync set (a set-wide stop).
func (iw *infoWindow) isSetRoot(info syncer.ItemInfo) bool {
	for _, s := range iw.u.view.st.SetStates {
		if s.LocalRoot == info.Path {
			return true
		}
	}
	return false
}

func hasButton(objs []fyne.CanvasObject, label string) bool {
	for _, o := range objs {
		if b, ok := o.(*widget.Button); ok && b.Text == label {
			return true
		}
	}
	return false
}

// technical is what Technical details shows: the reason's code, the server's message,
// the next retry of a reason that is retried on a timer.
func technical(info syncer.ItemInfo) string {
	var lines []string
	if info.Reason != "" {
		lines = append(lines, "Reason: "+string(info.Reason))
	}
	if info.Details != "" {
		lines = append(lines, info.Details)
	}
	if info.NextRetry != "" && !attention(info.Reason) && info.Reason != remote.ReasonNameClash && info.Reason != remote.ReasonInvalidName {
		lines = append(lines, "Next automatic retry: "+lastSync(info.NextRetry))
	}
	return strings.Join(lines, "\n")
}

func cloudLocation(c syncer.Cloud) string {
	if c.Account == "" {
		return "Not in the cloud yet"
	}
	s := cloudPlace(c.Account, c.Location)
	if c.URL != "" {
		s += "\n" + c.URL
	}
	return s
}

// layoutFill is a spacer that pushes the following buttons to the right.
func layoutFill() fyne.CanvasObject { return layout.NewSpacer() }
