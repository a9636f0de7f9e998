package ui

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

func TestSyncedContentListsFiltersAndOffersItemActions(t *testing.T) {
	api := newFakeAPI()
	api.items = []syncer.ItemInfo{
		{Path: "/h/P/a.txt", Status: model.StatusSynced, Cloud: syncer.Cloud{Account: "w", Location: "P/a.txt", URL: "https://cloud/P/a.txt"}},
		{Path: "/h/P/b.txt", Status: model.StatusFailed, Reason: remote.ReasonQuotaExceeded},
		{Path: "/h/P/c.txt", Status: model.StatusPending},
	}
	api.urls["/h/P/a.txt"] = "https://cloud/P/a.txt"
	u, h, _ := newTestUI(t, api)
	u.ShowWindow("synced")
	c := u.content
	if c.m.len() != 3 || c.f != filterAll {
		t.Fatalf("Synced content shows %d items (filter %v)", c.m.len(), c.f)
	}
	c.filter.SetSelected(filterLabels[filterErrors])
	if c.m.len() != 1 || c.m.at(0).info.Path != "/h/P/b.txt" || !api.called("ListItems errors") {
		t.Fatalf("errors filter shows %d items", c.m.len())
	}
	if got := c.m.at(0).status; got != "Cloud storage full" {
		t.Errorf("a failed row reads %q, want plain words", got)
	}
	// Point 12: a list of the items waiting to sync.
	u.ShowWindow("pending")
	if c.m.len() != 1 || c.m.at(0).info.Path != "/h/P/c.txt" || c.summary.Text != "1 item" {
		t.Fatalf("pending filter shows %d items, summary %q", c.m.len(), c.summary.Text)
	}
	c.filter.SetSelected(filterLabels[filterAll])

	w := u.Window("synced")
	row := newItemRow(c)
	row.set(c.m.at(0))
	w.SetContent(row) // a lone row on the canvas, to right-click it
	test.TapSecondary(row)
	texts := overlayTexts(w.Canvas())
	for _, want := range []string{ActionInfo, ActionRequestSync, ActionViewInCloud, ActionOpenFolder, ActionUnsync} {
		if !slices.Contains(texts, want) {
			t.Errorf("right-click menu lacks %q (has %q)", want, texts)
		}
	}
	m := u.itemMenu(w, api.items[0])
	act := func(label string) {
		for _, it := range m.Items {
			if it.Label == label {
				it.Action()
				return
			}
		}
		t.Fatalf("no menu item %q", label)
	}
	act(ActionViewInCloud)
	if !slices.Equal(h.opened, []string{"https://cloud/P/a.txt"}) {
		t.Errorf("View in Cloud opened %q", h.opened)
	}
	act(ActionOpenFolder)
	if !slices.Equal(h.folders, []string{"/h/P"}) {
		t.Errorf("Open folder opened %q", h.folders)
	}
	act(ActionRequestSync)
	if !api.called("RequestSync /h/P/a.txt") {
		t.Error("Request Sync did nothing")
	}
	act(ActionInfo)
	if u.Window("info") == nil {
		t.Error("Sync Info did not open")
	}
}

// TestSyncedContentSelectionFollowsTheItem: select data.csv, let the list grow (another
// set syncs), refresh, then Sync Info: it is data.csv's (issue 13 point 3).
func TestSyncedContentSelectionFollowsTheItem(t *testing.T) {
	api := newFakeAPI()
	api.items = []syncer.ItemInfo{{Path: "/h/P/data.csv", Status: model.StatusSynced}, {Path: "/h/P/x.txt", Status: model.StatusSynced}}
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("synced")
	c := u.content
	c.selectPath(c.m.at(0).info.Path)
	if c.m.at(0).info.Path != "/h/P/data.csv" {
		t.Fatalf("row 0 is %s", c.m.at(0).info.Path)
	}
	api.items = append([]syncer.ItemInfo{{Path: "/h/A/a1", Status: model.StatusSynced}, {Path: "/h/A/a2", Status: model.StatusSynced}}, api.items...)
	test.Tap(button(t, u.Window("synced").Canvas(), "")) // the refresh button
	if c.m.len() != 4 {
		t.Fatalf("after refresh %d items", c.m.len())
	}
	test.Tap(button(t, u.Window("synced").Canvas(), ActionInfo))
	if u.info == nil || u.info.path != "/h/P/data.csv" {
		t.Fatalf("Sync Info opened %+v, want data.csv", u.info)
	}
	// Searching and sorting keep it; an item that went away is not selected any more.
	test.Type(c.search, "x.t")
	if c.m.selected() != nil {
		t.Error("a hidden item stays selected")
	}
	c.search.SetText("")
	if r := c.m.selected(); r == nil || r.info.Path != "/h/P/data.csv" {
		t.Error("the selection did not come back when the search was cleared")
	}
	api.items = api.items[:2]
	c.reload()
	if c.m.selected() != nil || !c.buttons[0].Disabled() {
		t.Error("an item gone from the list stays selected with its actions enabled")
	}
}

func TestSyncedContentSortsNaturallyByColumnAndSearches(t *testing.T) {
	api := newFakeAPI()
	for _, n := range []string{"f100", "f1000", "f1020", "f2", "F10", "f1"} {
		api.items = append(api.items, syncer.ItemInfo{Path: "/h/P/" + n, Status: model.StatusSynced})
	}
	api.items = append(api.items, syncer.ItemInfo{Path: "/h/Q/zz", Status: model.StatusFailed, Reason: remote.ReasonLocked})
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("synced")
	c := u.content
	names := func() []string {
		var out []string
		for i := range c.m.len() {
			out = append(out, c.m.at(i).name)
		}
		return out
	}
	if got := names(); !slices.Equal(got, []string{"f1", "f2", "F10", "f100", "f1000", "f1020", "zz"}) {
		t.Errorf("sorted by name: %q", got)
	}
	w := u.Window("synced")
	for _, h := range []string{"Name", "Folder", "Status"} {
		button(t, w.Canvas(), h) // column headers
	}
	test.Tap(c.headers[0])
	if got := names(); got[0] != "zz" {
		t.Errorf("a second click on Name does not reverse: %q", got)
	}
	test.Tap(c.headers[2])
	if got := names(); got[0] != "zz" { // "Locked by someone else" before "Synced"
		t.Errorf("sorted by status: %q", got)
	}
	test.Type(c.search, "F10")
	if got := names(); !slices.Equal(got, []string{"F10", "f100", "f1000", "f1020"}) || c.summary.Text != "4 of 7 items" {
		t.Errorf("search F10: %q, summary %q", got, c.summary.Text)
	}
}

func TestNaturalCompare(t *testing.T) {
	in := []string{"b", "a10", "a2", "A1", "a02", "a", "x9y10", "x9y9", "10", "9"}
	sort.Slice(in, func(i, j int) bool { return naturalCompare(in[i], in[j]) < 0 })
	want := []string{"9", "10", "a", "A1", "a02", "a2", "a10", "b", "x9y9", "x9y10"}
	if !slices.Equal(in, want) {
		t.Errorf("natural order %q, want %q", in, want)
	}
}

func TestSyncedContentShowsTheProgress(t *testing.T) {
	api := newFakeAPI()
	api.status.Progress = &syncer.Progress{File: "/h/P/big.iso", Bytes: 20_000_000, TotalBytes: 40_000_000, Items: 2, ItemsLeft: 2, ETASeconds: 100}
	u, _, _ := newTestUI(t, api)
	u.refreshAll()
	u.ShowWindow("synced")
	c := u.content
	if !c.progBox.Visible() || c.progBar.Value != 0.5 {
		t.Fatalf("progress box visible %v, value %v", c.progBox.Visible(), c.progBar.Value)
	}
	if want := "Syncing 2 items, about 2 minutes left: big.iso — 20.0 MB of 40.0 MB"; c.progText.Text != want {
		t.Errorf("progress reads %q, want %q", c.progText.Text, want)
	}
	api.status.Progress = nil
	u.refreshAll()
	if c.progBox.Visible() {
		t.Error("the progress stays after the transfer")
	}
	// Offline with a change waiting: the window says so at its top, without a bar.
	api.sets = []syncer.SetInfo{set("s1", "work", "/h/P", syncer.StateOffline)}
	api.status = syncer.Status{State: syncer.StateOffline, Sets: 1, Pending: 1}
	u.refreshAll()
	if want := "Offline: the cloud cannot be reached — 1 change waits to sync"; !c.progBox.Visible() || c.progBar.Visible() || c.progText.Text != want {
		t.Errorf("offline, the top of Synced content shows %v %q (bar %v), want %q", c.progBox.Visible(), c.progText.Text, c.progBar.Visible(), want)
	}
}

// fakeItems makes n items in 100 folders, for the 100,000-item benchmark.
func fakeItems(n int) []syncer.ItemInfo {
	out := make([]syncer.ItemInfo, n)
	for i := range out {
		st := model.StatusSynced
		if i%1000 == 0 {
			st = model.StatusPending
		}
		out[i] = syncer.ItemInfo{Path: fmt.Sprintf("/home/ann/Projects/d%03d/file %d.txt", i%100, i), Status: st,
			Cloud: syncer.Cloud{Account: "work", Location: fmt.Sprintf("Projects/d%03d/file %d.txt", i%100, i)}}
	}
	return out
}

// BenchmarkSyncedContent100k measures Synced content over 100,000 items (issue 13: each
// step under 200 ms): opening the window (reading and sorting the items), sorting by
// another column, searching, and refreshing with a changed list, the selection kept.
func BenchmarkSyncedContent100k(b *testing.B) {
	items := fakeItems(100_000)
	api := newFakeAPI()
	api.items = items
	grown := append(fakeItems(100_000), syncer.ItemInfo{Path: "/home/ann/Projects/a new file.txt", Status: model.StatusPending})
	for _, step := range []string{"open", "sort", "search", "refresh"} {
		b.Run(step, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				a := test.NewTempApp(b)
				u := New(a, api, &fakeHost{}, nil, Options{Synchronous: true})
				api.items = items
				if step != "open" {
					u.ShowWindow("synced")
					u.content.selectPath(items[500].Path)
				}
				c := u.content
				b.StartTimer()
				switch step {
				case "open":
					u.ShowWindow("synced")
				case "sort":
					test.Tap(u.content.headers[colFolder])
				case "search":
					c.search.SetText("file 99") // one keystroke's work: the search runs on every change
				case "refresh":
					api.items = grown
					c.reload()
				}
				b.StopTimer()
				if c := u.content; c.m.len() == 0 || (step != "open" && step != "search" && (c.m.selected() == nil || c.m.selected().info.Path != items[500].Path)) {
					b.Fatalf("%s: %d rows, selection %v", step, c.m.len(), c.m.selected())
				}
				if step == "search" && !strings.Contains(u.content.summary.Text, " of 100,000 items") {
					b.Fatalf("search did not filter: %q", u.content.summary.Text)
				}
				u.Window("synced").Close()
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
		})
	}
}
