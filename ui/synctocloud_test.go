package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// openSyncDialog opens Sync to Cloud over a fake engine with one WebDAV account.
func openSyncDialog(t *testing.T) (*UI, *fakeAPI, *syncDialog) {
	t.Helper()
	api := newFakeAPI()
	api.AddAccount(t.Context(), syncer.AddAccountRequest{Name: "work", Type: "webdav", URL: "https://dav/", User: "u", Password: "p"})
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("sync-to-cloud")
	w := u.Window("sync-to-cloud")
	if w == nil {
		t.Fatal("Sync to Cloud did not open")
	}
	return u, api, u.syncDlg
}

func TestSyncToCloudOffersTheOptionsOfSpec2WithTheirDefaults(t *testing.T) {
	_, _, d := openSyncDialog(t)
	def := model.DefaultOptions()
	for _, c := range []struct {
		name string
		got  bool
		want bool
	}{
		{optSubfolders, d.subfolders.Checked, def.IncludeSubfolders},
		{optLock, d.lock.Checked, def.Lock},
		{optCloudDelete, d.cloudDelete.Checked, def.AllowCloudDelete},
		{optLocalDelete, d.localDelete.Checked, def.DeleteLocalOnCloudDelete},
	} {
		if c.got != c.want {
			t.Errorf("%s defaults to %v, want %v", c.name, c.got, c.want)
		}
	}
	if d.kind.Selected != kindFolder || d.account.Selected != "work" {
		t.Errorf("kind %q, account %q", d.kind.Selected, d.account.Selected)
	}
}

func TestSyncToCloudBrowsesMakesAFolderAndCreatesTheSet(t *testing.T) {
	u, api, d := openSyncDialog(t)
	var names []string
	for _, e := range d.entries {
		names = append(names, e.Name)
	}
	if !slices.Equal(names, []string{"Projects", "Shared"}) {
		t.Fatalf("root lists %q, want the folders only", names)
	}
	if !d.up.Disabled() {
		t.Error("Up is enabled at the root")
	}
	d.browser.Select(0) // Projects
	if d.browseAt != "Projects" || d.crumbs.Text != "work:/Projects" || len(d.entries) != 1 {
		t.Fatalf("after entering Projects: at %q (%q), %d entries", d.browseAt, d.crumbs.Text, len(d.entries))
	}

	test.Type(d.local, "/home/ann/Reports")
	if d.dest.Text != "Projects/Reports" {
		t.Errorf("suggested cloud folder = %q, want Projects/Reports", d.dest.Text)
	}

	test.Tap(d.mkdir)
	c := u.Window("sync-to-cloud").Canvas()
	name := d.w.Canvas().Focused()
	if name == nil {
		t.Fatal("the New folder dialog did not focus its name field")
	}
	test.Type(name, "2026")
	test.Tap(button(t, c, "Create"))
	if !api.called("MakeFolder work Projects/2026") {
		t.Fatalf("calls = %q", api.calls)
	}
	if d.browseAt != "Projects/2026" || d.dest.Text != "Projects/2026/Reports" {
		t.Errorf("after New folder: at %q, destination %q", d.browseAt, d.dest.Text)
	}

	test.Tap(d.lock)
	test.Tap(d.sync)
	want := syncer.CreateSetRequest{Paths: []string{"/home/ann/Reports"}, Account: "work", To: "Projects/2026/Reports",
		Options: model.Options{IncludeSubfolders: true, Lock: true, AllowCloudDelete: true}}
	if len(api.created) != 1 || !slices.Equal(api.created[0].Paths, want.Paths) || api.created[0].To != want.To ||
		api.created[0].Options != want.Options || api.created[0].Account != want.Account {
		t.Fatalf("created %+v, want %+v", api.created, want)
	}
	// It says what it did and where to follow it instead of closing without a word.
	w := u.Window("sync-to-cloud")
	if w == nil || !hasText(w.Canvas(), "Syncing /home/ann/Reports with work: /Projects/2026/Reports.") {
		t.Fatal("after Sync the dialog does not confirm what it set up")
	}
	test.Tap(button(t, w.Canvas(), "Show Synced content"))
	if u.Window("sync-to-cloud") != nil || u.Window("synced") == nil {
		t.Error("Show Synced content did not lead to Synced content")
	}
}

// TestSyncToCloudPlaceholdersCannotBeTakenForValues: a placeholder says what to type.
func TestSyncToCloudPlaceholdersCannotBeTakenForValues(t *testing.T) {
	_, _, d := openSyncDialog(t)
	for _, kind := range []string{kindFolder, kindDocuments} {
		d.kind.SetSelected(kind)
		if p := d.local.PlaceHolder; strings.HasPrefix(p, "/") || !strings.Contains(p, "type its full path") {
			t.Errorf("%s: placeholder %q looks like a value", kind, p)
		}
	}
}

func TestSyncToCloudDocumentsAndTypedDestination(t *testing.T) {
	_, api, d := openSyncDialog(t)
	d.kind.SetSelected(kindDocuments)
	if !d.subfolders.Disabled() {
		t.Error("Include subfolders applies to folders only")
	}
	test.Type(d.local, "/home/ann/a.odt")
	d.local.OnSubmitted(d.local.Text)
	test.Type(d.local, "/home/ann/b.odt")
	d.local.OnSubmitted(d.local.Text)
	d.dest.SetText("Shared/Docs")
	d.submit()
	if len(api.created) != 1 {
		t.Fatal("no set created")
	}
	r := api.created[0]
	if !slices.Equal(r.Paths, []string{"/home/ann/a.odt", "/home/ann/b.odt"}) || r.To != "Shared/Docs" || r.Options.IncludeSubfolders {
		t.Errorf("created %+v", r)
	}
}

func TestSyncToCloudExplainsWhatIsMissing(t *testing.T) {
	tests := []struct{ local, want string }{
		{"", "Choose the folder to sync."},
		{"relative/dir", "relative/dir: give the full path (starting with /)."},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			_, api, d := openSyncDialog(t)
			d.local.SetText(tc.local)
			d.submit()
			if d.result.Text != tc.want || len(api.created) != 0 {
				t.Errorf("result %q (created %d), want %q", d.result.Text, len(api.created), tc.want)
			}
		})
	}
}
