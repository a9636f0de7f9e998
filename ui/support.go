package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/debugarchive"
	"github.com/cloudsync/cloudsync/setsfile"
)

// supportRow is the General tab's row of buttons that carry the setup elsewhere: the sync
// sets' definitions (Export…, Import…, package setsfile) and a debug archive for a bug
// report.
func (p *prefsWindow) supportRow() fyne.CanvasObject {
	export := widget.NewButtonWithIcon("Export…", theme.UploadIcon(), p.exportSets)
	imp := widget.NewButtonWithIcon("Import…", theme.DownloadIcon(), p.importSets)
	archive := widget.NewButtonWithIcon("Debug archive…", theme.DocumentSaveIcon(), p.saveDebugArchive)
	return container.NewHBox(export, imp, archive)
}

// exportSets saves the accounts (without passwords) and sync sets to a file.
func (p *prefsWindow) exportSets() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		var n [2]int
		p.u.call(func(ctx context.Context) error {
			f, err := setsfile.Export(ctx, p.u.api, time.Now())
			if err == nil {
				n = [2]int{len(f.Accounts), len(f.Sets)}
				err = setsfile.Encode(w, f)
			}
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			return err
		}, func(err error) {
			if err != nil {
				p.generalResult.SetText("Export failed: " + err.Error())
				return
			}
			p.generalResult.SetText(fmt.Sprintf("Exported %d account(s) and %d sync set(s) to %s (no passwords).", n[0], n[1], w.URI().Name()))
		})
	}, p.w)
	d.SetFileName("cloudsync-sets.json")
	d.Show()
}

// importSets reads a file of `cloudsync export`, checks it against this machine (one
// clear error, nothing changed), asks for each new account's password, and imports.
func (p *prefsWindow) importSets() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			p.generalResult.SetText("Import: " + err.Error())
			return
		}
		p.u.importData(r.URI().Name(), data, func(accts []setsfile.Account, answer func(map[string]string)) {
			p.askPasswords(accts, answer)
		}, p.generalResult.SetText)
	}, p.w)
}

// importData imports an export file's data: ask gets the new accounts and answers with
// their passwords (or not at all, to cancel); say reports the outcome in one sentence.
func (u *UI) importData(name string, data []byte, ask func([]setsfile.Account, func(map[string]string)), say func(string)) {
	f, err := setsfile.Parse(data)
	if err != nil {
		say("Import of " + name + " failed: " + err.Error())
		return
	}
	var plan *setsfile.Plan
	u.call(func(ctx context.Context) error {
		plan, err = setsfile.Check(ctx, u.api, f, os.Stat)
		return err
	}, func(err error) {
		if err != nil {
			say("Import of " + name + " failed: " + err.Error())
			return
		}
		ask(plan.NewAccounts, func(passwords map[string]string) {
			var created int
			u.call(func(ctx context.Context) error {
				sets, err := setsfile.Apply(ctx, u.api, plan, passwords)
				created = len(sets)
				return err
			}, func(err error) {
				if err != nil {
					say("Import of " + name + " failed, nothing was imported: " + err.Error())
					return
				}
				say(fmt.Sprintf("Imported %d account(s) and %d sync set(s) from %s; they start as new sets "+
					"(differences become conflict copies, nothing is deleted).", len(plan.NewAccounts), created, name))
				u.refreshNow()
			})
		})
	})
}

// askPasswords asks for the passwords of the accounts an import adds, in one form.
func (p *prefsWindow) askPasswords(accts []setsfile.Account, answer func(map[string]string)) {
	if len(accts) == 0 {
		answer(map[string]string{})
		return
	}
	entries := make([]*widget.Entry, len(accts))
	var items []*widget.FormItem
	for i, a := range accts {
		entries[i] = widget.NewPasswordEntry()
		it := widget.NewFormItem(a.Name, entries[i])
		it.HintText = fmt.Sprintf("password of %s at %s", a.User, a.URL)
		items = append(items, it)
	}
	dialog.ShowForm("Passwords of the imported accounts", "Import", "Cancel", items, func(ok bool) {
		if !ok {
			p.generalResult.SetText("Import cancelled; nothing was changed.")
			return
		}
		pw := map[string]string{}
		for i, a := range accts {
			pw[a.Name] = entries[i].Text
		}
		answer(pw)
	}, p.w)
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
