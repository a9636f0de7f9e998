package ui

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// showInfo opens the Sync Info dialog of path (one at a time: a second call replaces it).
func (u *UI) showInfo(path string) {
	var info syncer.ItemInfo
	u.call(func(ctx context.Context) error {
		var err error
		info, err = u.api.Info(ctx, path)
		return err
	}, func(err error) {
		if old := u.wins["info"]; old != nil {
			old.Close()
		}
		u.window("info", "Sync Info — "+filepath.Base(path), fyne.NewSize(640, 460), func(w fyne.Window) {
			w.SetContent(u.infoContent(w, path, info, err))
		})
	})
}

// infoContent is the body of Sync Info: status, cloud location, last sync, the failure
// reason with expandable technical details, conflict copies, and the item actions.
func (u *UI) infoContent(w fyne.Window, path string, info syncer.ItemInfo, err error) fyne.CanvasObject {
	if err != nil {
		l := widget.NewLabel("No sync information: " + err.Error())
		l.Wrapping = fyne.TextWrapWord
		return container.NewVBox(l, container.NewHBox(widget.NewButton("Close", w.Close)))
	}
	val := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	status := statusText(info.Status)
	form := widget.NewForm(
		widget.NewFormItem("Item", val(info.Path)),
		widget.NewFormItem("Status", container.NewHBox(widget.NewIcon(statusIcon(info.Status)), widget.NewLabel(status))),
		widget.NewFormItem("Cloud location", val(cloudLocation(info.Cloud))),
		widget.NewFormItem("Last sync", val(lastSync(info.LastSync))),
	)
	if info.Reason != "" {
		form.Append("Problem", val(reasonText(info.Reason)))
	}
	if info.NextRetry != "" {
		form.Append("Next retry", val(lastSync(info.NextRetry)))
	}
	if len(info.Conflicts) > 0 {
		form.Append("Conflict copies", val(strings.Join(info.Conflicts, "\n")))
	}
	parts := []fyne.CanvasObject{form}
	if info.Details != "" {
		details := widget.NewLabel(info.Details)
		details.Wrapping = fyne.TextWrapWord
		details.TextStyle = fyne.TextStyle{Monospace: true}
		parts = append(parts, widget.NewAccordion(widget.NewAccordionItem("Technical details", details)))
	}
	var buttons []fyne.CanvasObject
	for _, a := range []string{ActionRequestSync, ActionViewInCloud, ActionUnsync} {
		a := a
		b := widget.NewButton(a, func() { u.itemAction(w, a, path) })
		if a == ActionViewInCloud && info.Cloud.URL == "" {
			b.Disable()
		}
		buttons = append(buttons, b)
	}
	buttons = append(buttons, widget.NewButton("Close", w.Close))
	return container.NewBorder(nil, container.NewHBox(buttons...), nil, nil, container.NewVScroll(container.NewVBox(parts...)))
}

func cloudLocation(c syncer.Cloud) string {
	if c.Account == "" {
		return "not in the cloud yet"
	}
	s := c.Account + ":/" + strings.TrimPrefix(c.Location, "/")
	if c.URL != "" {
		s += "\n" + c.URL
	}
	return s
}

// lastSync shows an RFC 3339 time in local time.
func lastSync(s string) string {
	if s == "" {
		return "never"
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// reasonText explains a failure reason of SPEC §4 in words, keeping its code.
func reasonText(r remote.Reason) string {
	words := map[remote.Reason]string{
		remote.ReasonNameClash:          "another item has the same name (differing only in case, or after normalisation)",
		remote.ReasonInvalidName:        "the name is not allowed on the other side",
		remote.ReasonMissingDestination: "the destination folder is missing",
		remote.ReasonTargetDeleted:      "the item was deleted in the cloud",
		remote.ReasonPermissionDenied:   "permission denied",
		remote.ReasonQuotaExceeded:      "the cloud storage is full",
		remote.ReasonTooLarge:           "the file is too large for the cloud",
		remote.ReasonAuthFailed:         "the sign-in was refused: enter the password again in Preferences",
		remote.ReasonLocked:             "the item is locked by someone else",
		remote.ReasonUnsupported:        "the cloud does not support this",
		remote.ReasonNetwork:            "the cloud cannot be reached; cloudsync retries",
		remote.ReasonLocalIO:            "the local file could not be read or written",
	}
	if w, ok := words[r]; ok {
		return w + " (" + string(r) + ")"
	}
	return string(r)
}
