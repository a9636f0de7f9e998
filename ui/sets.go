package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// setsTab is Preferences → Sync sets: every set with its folder, cloud place and state,
// and Sync to Cloud…, Pause/Resume, Sync Info and Unsync… for the selected one. The
// selection follows the set (its id), not the row number.
type setsTab struct {
	p        *prefsWindow
	sets     []syncer.SetInfo
	accounts []model.Account
	list     *widget.List
	selID    string
	pause    *widget.Button
	info     *widget.Button
	unsync   *widget.Button
	empty    *widget.Label
	root     *fyne.Container
}

func (t *setsTab) build() fyne.CanvasObject {
	t.list = rowList(&t.sets, true, func(s syncer.SetInfo, o fyne.CanvasObject) {
		state := setState(s, t.accounts)
		if s.Items > 0 && s.Progress == nil {
			state += ", " + plural(s.Items, "item", "items")
		}
		setTwoLineRow(o, TrayIcon(setIconState(s, t.accounts)), setTitle(s),
			s.LocalRoot+" with "+cloudPlace(s.Account, s.RemoteRoot), state)
	}, func(s *syncer.SetInfo) {
		t.selID = ""
		if s != nil {
			t.selID = s.ID
		}
		t.updateButtons()
	})
	u := t.p.u
	add := widget.NewButtonWithIcon("Sync to Cloud…", theme.ContentAddIcon(), u.showSyncToCloud)
	add.Importance = widget.HighImportance
	t.pause = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), t.togglePause)
	t.info = widget.NewButtonWithIcon("Sync Info", theme.InfoIcon(), func() {
		if s, ok := t.selected(); ok {
			u.showInfo(s.LocalRoot)
		}
	})
	t.unsync = widget.NewButtonWithIcon("Unsync…", theme.CancelIcon(), func() {
		if s, ok := t.selected(); ok {
			u.confirmUnsync(t.p.w, s.LocalRoot, true)
		}
	})
	t.empty = widget.NewLabel("Nothing is synced yet. Choose Sync to Cloud… to pair a folder with the cloud.")
	t.empty.Wrapping = fyne.TextWrapWord
	t.updateButtons()
	t.root = container.NewBorder(t.empty, container.NewHBox(add, t.pause, t.info, t.unsync), nil, nil, t.list)
	return t.root
}

// setIconState is the tray state whose icon stands for a set.
func setIconState(s syncer.SetInfo, accounts []model.Account) string {
	switch {
	case accountPaused(accounts, s.Account), s.Error != "", s.PendingDeletes > 0:
		return syncer.StateError
	case s.Paused:
		return syncer.StatePaused
	case s.Progress != nil:
		return syncer.StateSyncing
	}
	return s.State
}

func (t *setsTab) selected() (syncer.SetInfo, bool) {
	for _, s := range t.sets {
		if s.ID == t.selID {
			return s, true
		}
	}
	return syncer.SetInfo{}, false
}

// show shows the sets; the selection stays on the same set, or is cleared when it is gone.
func (t *setsTab) show(sets []syncer.SetInfo, accounts []model.Account) {
	t.sets, t.accounts = sets, accounts
	idx := -1
	for i, s := range sets {
		if s.ID == t.selID {
			idx = i
		}
	}
	if idx < 0 && t.selID != "" {
		t.selID = ""
		t.list.UnselectAll()
	}
	t.list.Refresh()
	if (len(sets) == 0) != t.empty.Visible() {
		t.empty.Hidden = len(sets) > 0
		t.root.Refresh()
	}
	t.updateButtons()
}

// forget drops the selection of the set at root (it was unsynced).
func (t *setsTab) forget(root string) {
	if s, ok := t.selected(); ok && s.LocalRoot == root {
		t.selID = ""
		t.list.UnselectAll()
		t.updateButtons()
	}
}

func (t *setsTab) updateButtons() {
	s, ok := t.selected()
	if !ok {
		t.pause.Disable()
		t.info.Disable()
		t.unsync.Disable()
		return
	}
	t.pause.Enable()
	t.info.Enable()
	t.unsync.Enable()
	if s.Paused {
		t.pause.SetText("Resume")
		t.pause.SetIcon(theme.MediaPlayIcon())
	} else {
		t.pause.SetText("Pause")
		t.pause.SetIcon(theme.MediaPauseIcon())
	}
}

func (t *setsTab) togglePause() {
	s, ok := t.selected()
	if !ok {
		return
	}
	u := t.p.u
	u.call(func(ctx context.Context) error {
		if s.Paused {
			return u.api.Resume(ctx, s.ID)
		}
		return u.api.Pause(ctx, s.ID)
	}, func(err error) {
		if err != nil {
			dialog.ShowError(err, t.p.w)
		}
		t.p.reload()
		u.refreshNow()
	})
}
