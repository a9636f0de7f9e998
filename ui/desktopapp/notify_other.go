//go:build !linux || android

package desktopapp

import (
	"log/slog"

	"fyne.io/fyne/v2"

	"github.com/cloudsync/cloudsync/ui"
)

// fyneNotifier is fyne's notifications (no action buttons on these platforms yet).
type fyneNotifier struct{ a fyne.App }

func newNotifier(a fyne.App, log *slog.Logger, run func(func())) notifier { return fyneNotifier{a} }

func (n fyneNotifier) Notify(note ui.Notification) {
	n.a.SendNotification(fyne.NewNotification(note.Title, note.Body))
}

func (fyneNotifier) close() {}
