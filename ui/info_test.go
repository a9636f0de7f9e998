package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestSyncInfoShowsThePlainSentenceFirstWithTheActionsThatFixIt (issue 13 point 2).
func TestSyncInfoShowsThePlainSentenceFirstWithTheActionsThatFixIt(t *testing.T) {
	api := newFakeAPI()
	api.items = []syncer.ItemInfo{{Path: "/h/P/plan.txt", Status: model.StatusFailed, Reason: remote.ReasonTargetDeleted,
		Message: syncer.Explain(remote.ReasonTargetDeleted), Details: "GET /P/plan.txt: 404 Not Found",
		NextRetry: "2026-12-01T11:00:00Z", Cloud: syncer.Cloud{Account: "w", Location: "P/plan.txt"},
		Conflicts: []string{"/h/P/plan (conflict copy 1).txt"}}}
	u, _, _ := newTestUI(t, api)
	u.showInfo("/h/P/plan.txt")
	c := u.Window("info").Canvas()
	for _, s := range []string{"Deleted in cloud, kept here", syncer.Explain(remote.ReasonTargetDeleted), "w: /P/plan.txt", "Never", "plan (conflict copy 1).txt"} {
		if !hasText(c, s) {
			t.Errorf("Sync Info does not show %q", s)
		}
	}
	for _, s := range []string{"target_deleted", "404 Not Found", "Next", "Failed"} {
		if hasText(c, s) {
			t.Errorf("Sync Info shows %q at first (codes and server messages belong under Technical details)", s)
		}
	}
	test.Tap(button(t, c, FixUploadAgain))
	if !api.called("RequestSync /h/P/plan.txt") {
		t.Error("Upload again did not request a sync")
	}
	button(t, c, ActionUnsync)
	if !button(t, c, ActionViewInCloud).Disabled() {
		t.Error("View in Cloud is enabled for an item not in the cloud")
	}
}

func TestSyncInfoOfASignInProblemOffersSignIn(t *testing.T) {
	api := newFakeAPI()
	api.accounts = []model.Account{{Name: "w", URL: "https://dav/", User: "ann", Paused: true}}
	api.items = []syncer.ItemInfo{{Path: "/h/P", Status: model.StatusFailed, Reason: remote.ReasonAuthFailed, Cloud: syncer.Cloud{Account: "w", Location: "P"}}}
	u, _, _ := newTestUI(t, api)
	u.refreshAll()
	u.showInfo("/h/P")
	c := u.Window("info").Canvas()
	if !hasText(c, syncer.Explain(remote.ReasonAuthFailed)) {
		t.Error("the sign-in sentence is missing")
	}
	test.Tap(button(t, c, FixSignIn))
	assertSignInWindow(t, u, api, "w")
}

// TestSyncInfoUpdatesAfterRequestSync: after Request Sync, and on every change the engine
// announces, Sync Info shows the item's new state (issue 13 point 9).
func TestSyncInfoUpdatesAfterRequestSync(t *testing.T) {
	api := newFakeAPI()
	api.items = []syncer.ItemInfo{{Path: "/h/P/a.txt", Status: model.StatusFailed, Reason: remote.ReasonNetwork}}
	api.onRequestSync = func(string) { api.items[0] = syncer.ItemInfo{Path: "/h/P/a.txt", Status: model.StatusSynced} }
	u, _, _ := newTestUI(t, api)
	u.showInfo("/h/P/a.txt")
	c := u.Window("info").Canvas()
	test.Tap(button(t, c, FixTryAgain))
	c = u.Window("info").Canvas()
	if !hasText(c, "Synced") || hasText(c, "Cloud not reachable") {
		t.Error("Sync Info still shows the failure after Request Sync")
	}
	api.items[0].Status = model.StatusPending
	u.handleEvents([]syncer.Event{{Kind: "changed"}})
	if !hasText(u.Window("info").Canvas(), "Waiting to sync") {
		t.Error("Sync Info did not follow a change the engine announced")
	}
}
