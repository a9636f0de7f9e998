package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

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
	test.Tap(button(t, c, ActionRequestSync))
	if !api.called("RequestSync /h/P/plan.txt") {
		t.Error("Request Sync did not request a sync")
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

// TestSyncInfoButtonsSayWhatItsSentenceSays: every action the plain sentence of a problem
// names (SPEC §4) is a button beside the sentence, labelled with the sentence's words, and
// the highlighted button is one the sentence names (issue 13: "Request Sync uploads it
// again" stood beside a button "Upload again"). Every reason, and the set-wide stops.
func TestSyncInfoButtonsSayWhatItsSentenceSays(t *testing.T) {
	// The app's actions, by the words a sentence uses for them.
	actions := map[string]string{"Request Sync": ActionRequestSync, "Unsync": ActionUnsync, "Sign in": FixSignIn,
		"View in Cloud": ActionViewInCloud, "Open folder": ActionOpenFolder, "Sync Info": ActionInfo}
	type problem struct {
		name string
		info syncer.ItemInfo
	}
	var problems []problem
	for _, r := range remote.AllReasons {
		problems = append(problems, problem{string(r), syncer.ItemInfo{Path: "/h/P/a.txt", Set: "s1", Status: model.StatusFailed,
			Reason: r, Message: syncer.Explain(r), Cloud: syncer.Cloud{Account: "w", Location: "P/a.txt"}}})
	}
	for _, stop := range []struct {
		r       remote.Reason
		deletes int
	}{{remote.ReasonTargetDeleted, 0}, {remote.ReasonMissingDestination, 0}, {remote.ReasonLocalIO, 0}, {"", 12}} {
		problems = append(problems, problem{fmt.Sprintf("set stopped: %q, %d deletes held", stop.r, stop.deletes),
			syncer.ItemInfo{Path: "/h/P", Set: "s1", IsDir: true, Status: model.StatusFailed, Reason: stop.r,
				Message: syncer.ExplainSet(stop.r, stop.deletes), Cloud: syncer.Cloud{Account: "w", Location: "P"}}})
	}
	for _, pr := range problems {
		t.Run(pr.name, func(t *testing.T) {
			api := newFakeAPI()
			api.accounts = []model.Account{{Name: "w", Type: "webdav", URL: "https://dav/", User: "ann"}}
			api.sets = []syncer.SetInfo{set("s1", "w", "/h/P", syncer.StateError)}
			api.items = []syncer.ItemInfo{pr.info}
			u, _, _ := newTestUI(t, api)
			u.refreshAll()
			u.showInfo(pr.info.Path)
			c := u.Window("info").Canvas()
			msg := pr.info.Message
			if !hasText(c, msg) {
				t.Fatalf("Sync Info does not show the sentence %q", msg)
			}
			fixes := bodyButtons(t, c)
			var labels []string
			for _, b := range fixes {
				labels = append(labels, b.Text)
			}
			for words, label := range actions {
				if strings.Contains(msg, words) && !slices.Contains(labels, label) {
					t.Errorf("the sentence names %s, but the buttons beside it are %q", words, labels)
				}
			}
			for _, b := range fixes {
				if b.Importance == widget.HighImportance && b.Text != FixTryAgain && b.Text != FixRename &&
					!strings.Contains(msg, strings.TrimSuffix(b.Text, "…")) {
					t.Errorf("the highlighted button %q is not what the sentence names: %q", b.Text, msg)
				}
			}
			all := map[string]int{}
			for _, o := range objects(c) {
				if b, ok := o.(*widget.Button); ok {
					all[b.Text]++
				}
			}
			for label, n := range all {
				if n > 1 {
					t.Errorf("%d buttons %q", n, label)
				}
			}
			if all[FixTryAgain] > 0 && all[ActionRequestSync] > 0 {
				t.Errorf("both %q and %q: two words for one action", FixTryAgain, ActionRequestSync)
			}
		})
	}
}

// bodyButtons are the visible buttons in Sync Info's scrolled body (beside the sentence),
// not the item actions at the bottom.
func bodyButtons(t *testing.T, c fyne.Canvas) []*widget.Button {
	t.Helper()
	for _, o := range objects(c) {
		if sc, ok := o.(*container.Scroll); ok {
			var out []*widget.Button
			for _, o := range objectsUnder(sc.Content) {
				if b, ok := o.(*widget.Button); ok {
					out = append(out, b)
				}
			}
			return out
		}
	}
	t.Fatal("Sync Info has no scrolled body")
	return nil
}

// TestSyncInfoShowsTheNoteOfARestoredItem: an item the engine restored because the cloud
// refused its delete is synced with a note (ItemInfo.Note, issue 12 point 3); Sync Info
// shows that note as a plain sentence, as `cloudsync info` prints it as Note:.
func TestSyncInfoShowsTheNoteOfARestoredItem(t *testing.T) {
	api := newFakeAPI()
	api.items = []syncer.ItemInfo{{Path: "/h/P/theirs.txt", Status: model.StatusSynced, LastSync: "2026-12-01T10:00:00Z",
		Note:  "deleted on this computer, but the cloud refused to delete it (permission denied), so the file was restored from the cloud",
		Cloud: syncer.Cloud{Account: "w", Location: "P/theirs.txt"}}}
	u, _, _ := newTestUI(t, api)
	u.showInfo("/h/P/theirs.txt")
	c := u.Window("info").Canvas()
	want := "Deleted on this computer, but the cloud refused to delete it (permission denied), so the file was restored from the cloud."
	if !hasText(c, want) {
		t.Errorf("Sync Info does not show the note as a sentence %q", want)
	}
	if !hasText(c, "Synced") {
		t.Error("Sync Info does not show the item as synced")
	}
}
