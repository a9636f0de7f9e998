package ui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Labels of the actions Sync Info offers to fix a problem beside the item actions
// (ActionRequestSync, ActionUnsync, ActionOpenFolder): those a plain sentence names carry
// the sentence's words (sentenceActions).
const (
	FixTryAgain = "Try again now" // for a reason cloudsync retries by itself
	FixSignIn   = "Sign in…"
	FixRename   = "Open folder to rename"
)

// sentenceActions are the actions the plain sentences of SPEC §4 (syncer.Explain) name,
// by the words they use, with the button that does it: a sentence that says "Request Sync
// uploads it again" shows a button "Request Sync", never one worded otherwise.
var sentenceActions = []struct{ words, label string }{
	{"Sign in", FixSignIn},
	{"Request Sync", ActionRequestSync},
	{"Unsync", ActionUnsync},
	{"Open folder", ActionOpenFolder},
}

// fixSameAs is the item action a fix button does under another label; the item actions
// at the bottom leave it out so that no two buttons do one thing.
var fixSameAs = map[string]string{FixTryAgain: ActionRequestSync, FixRename: ActionOpenFolder}

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
	for _, n := range []string{note, sentence(info.Note)} {
		if n != "" {
			parts = append(parts, wrap(n))
		}
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
		if slices.ContainsFunc(fixes, func(o fyne.CanvasObject) bool {
			b, ok := o.(*widget.Button)
			return ok && (b.Text == a || fixSameAs[b.Text] == a)
		}) {
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

// fixes are the buttons that fix the item's problem: every action its plain sentence
// names (SPEC §4), with the sentence's words, the first one highlighted; and what else
// helps with that reason (Try again now for one cloudsync retries by itself).
func (iw *infoWindow) fixes(info syncer.ItemInfo) []fyne.CanvasObject {
	if info.Status != model.StatusFailed {
		return nil
	}
	u, w := iw.u, iw.w
	do := map[string]func(){
		FixSignIn:         func() { u.showSignIn(info.Cloud.Account) },
		ActionRequestSync: func() { u.requestSync(w, info.Path) },
		FixTryAgain:       func() { u.requestSync(w, info.Path) },
		ActionUnsync:      func() { u.itemAction(w, ActionUnsync, info) },
		ActionOpenFolder:  func() { u.itemAction(w, ActionOpenFolder, info) },
		FixRename:         func() { u.itemAction(w, ActionOpenFolder, info) },
	}
	var out []fyne.CanvasObject
	for i, label := range fixLabels(info, explain(info), iw.isSetRoot(info)) {
		b := widget.NewButton(label, do[label])
		if i == 0 && label != ActionUnsync && label != ActionOpenFolder {
			b.Importance = widget.HighImportance
		}
		out = append(out, b)
	}
	return out
}

// fixLabels are the labels of the fix buttons of a failed item whose plain sentence is
// msg, the main one first.
func fixLabels(info syncer.ItemInfo, msg string, isSet bool) []string {
	var labels []string
	add := func(ls ...string) {
		for _, l := range ls {
			if !slices.Contains(labels, l) {
				labels = append(labels, l)
			}
		}
	}
	rename := info.Reason == remote.ReasonNameClash || info.Reason == remote.ReasonInvalidName
	if rename {
		add(FixRename) // the sentence asks for a rename, which the file manager does
	}
	for _, a := range sentenceActions {
		if strings.Contains(msg, a.words) {
			add(a.label)
		}
	}
	switch {
	case info.Reason == remote.ReasonAuthFailed:
	case rename:
		add(ActionUnsync)
	case info.Reason == remote.ReasonMovedOut, info.Reason == remote.ReasonTooLarge, info.Reason == remote.ReasonUnsupported:
		add(ActionUnsync, ActionOpenFolder)
	default:
		if !slices.Contains(labels, ActionRequestSync) {
			labels = append([]string{FixTryAgain}, labels...)
		}
		if isSet {
			add(ActionUnsync)
		}
	}
	return labels
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
