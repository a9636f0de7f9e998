package ui

import (
	"context"
	"io"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/debugarchive"
)

// supportRow is the General tab's row of buttons that save what a person takes elsewhere:
// a debug archive for a bug report.
func (p *prefsWindow) supportRow() fyne.CanvasObject {
	archive := widget.NewButtonWithIcon("Debug archive…", theme.DocumentSaveIcon(), p.saveDebugArchive)
	return container.NewHBox(archive)
}

// saveDebugArchive asks where to save the archive of `cloudsync debug-archive` and writes
// it there, saying in the General tab what happened.
func (p *prefsWindow) saveDebugArchive() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		p.u.call(func(ctx context.Context) error {
			return p.u.writeDebugArchive(ctx, w)
		}, func(err error) {
			if err != nil {
				p.generalResult.SetText("The debug archive could not be written: " + err.Error())
				return
			}
			p.generalResult.SetText("Saved the debug archive " + w.URI().Name() +
				": it holds no password and no file content, but file names and server addresses.")
		})
	}, p.w)
	d.SetFileName("cloudsync-debug-" + time.Now().Format("20060102-150405") + ".zip")
	d.Show()
}

// writeDebugArchive writes the debug archive (package debugarchive) to w and closes it.
func (u *UI) writeDebugArchive(ctx context.Context, w io.WriteCloser) error {
	var logs []string
	if u.opt.LogFiles != nil {
		logs = u.opt.LogFiles()
	}
	err := debugarchive.Write(ctx, u.api, w, debugarchive.Options{LogFiles: logs, Version: u.opt.Version, Getenv: os.Getenv})
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}
