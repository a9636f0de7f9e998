package syncer_test

import (
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/state/memstore"
)

// cloudsync's own folders, as cmd/cloudsync passes them (config, state, logs, the desktop
// trash) for a user whose home is /home/u.
var ownFolders = []string{"/home/u/.config/cloudsync", "/home/u/.local/share/cloudsync/state",
	"/home/u/.local/share/cloudsync/logs", "/home/u/.local/share/Trash"}

// A folder that contains cloudsync's own config, state or log folder, or the desktop trash,
// or lies inside one, is refused with a clear error: `cloudsync sync ~` used to upload the
// live Badger store and logs (issue 9 point 5). A folder beside them is fine.
func TestCreateSetRefusesFoldersHoldingCloudsyncsOwnFiles(t *testing.T) {
	r := newRig(t, func(c *syncer.Config) { c.Protected = ownFolders })
	for _, root := range []string{"/home/u", "/home/u/.local", "/home/u/.local/share/cloudsync",
		"/home/u/.local/share/cloudsync/state", "/home/u/.local/share/cloudsync/logs/old", "/home/u/.local/share/Trash/files"} {
		r.setLocal(root, exec.NewMemFS())
		_, err := r.eng.CreateSet(r.ctx(), syncer.CreateSetRequest{Paths: []string{root}, Account: "cloud", To: "X", Options: model.DefaultOptions()})
		if err == nil || !strings.Contains(err.Error(), "cloudsync's own") {
			t.Errorf("sync %s: %v, want a refusal naming cloudsync's own files", root, err)
		}
	}
	// Documents chosen inside the state folder are refused too.
	state := "/home/u/.local/share/cloudsync/state"
	if err := r.locals[state].WriteFile("000001.vlog", []byte("live")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.eng.CreateSet(r.ctx(), syncer.CreateSetRequest{Paths: []string{state + "/000001.vlog"}, Account: "cloud", To: "X",
		Options: model.DefaultOptions()}); err == nil {
		t.Error("a document inside the state folder was accepted")
	}
	if sets, _ := r.store.ListSets(); len(sets) != 0 {
		t.Fatalf("refused folders became sets: %+v", sets)
	}
	if tree := r.rem.Tree(""); len(tree) != 0 {
		t.Fatalf("refused folders were uploaded: %v", tree)
	}
	r.write("a.txt", "a") // /home/u/Docs: beside cloudsync's folders
	r.syncFolder(model.DefaultOptions())
	if got, _ := r.rem.Get("Docs/a.txt"); string(got) != "a" {
		t.Fatalf("a folder beside cloudsync's own was not synced: %q", got)
	}
}

// A set whose root comes to contain cloudsync's own folders (created before the check
// existed, or the state moved into it) never uploads them, and never downloads into them
// what the cloud has at their place: the scan and the listing leave them out.
func TestOwnFoldersInsideASetAreNeverSynced(t *testing.T) {
	const home = "/home/u"
	r := newRig(t, func(c *syncer.Config) {
		c.Protected = ownFolders
		// A set of the whole home, as an older version accepted it.
		st := c.Store.(*memstore.Store)
		if err := st.PutSet(model.Set{ID: "0123456789ab", Kind: model.KindFolder, Account: "cloud", LocalRoot: home,
			RemoteRoot: "Home", Options: model.DefaultOptions(), Installation: "installation-1", Trusted: true}); err != nil {
			t.Fatal(err)
		}
	})
	local := exec.NewMemFS()
	r.setLocal(home, local)
	for p, data := range map[string]string{
		"notes.txt":                                 "mine",
		".local/share/cloudsync/state/MANIFEST":     "live store",
		".local/share/cloudsync/logs/cloudsync.log": "log",
		".config/cloudsync/settings.json":           "cfg",
		".local/share/Trash/files/old.txt":          "trashed",
	} {
		if err := local.WriteFile(p, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	r.rem.Put("Home/.local/share/cloudsync/state/EVIL", []byte("written by another machine"))
	r.wait()
	if got, _ := r.rem.Get("Home/notes.txt"); string(got) != "mine" {
		t.Fatalf("the rest of the set was not synced: %q", got)
	}
	for p := range r.rem.Tree("Home") {
		if strings.HasPrefix(p, ".config/cloudsync") || strings.HasPrefix(p, ".local/share/Trash") ||
			strings.HasPrefix(p, ".local/share/cloudsync/logs") ||
			strings.HasPrefix(p, ".local/share/cloudsync/state/") && p != ".local/share/cloudsync/state/EVIL" {
			t.Errorf("uploaded cloudsync's own file %s", p)
		}
	}
	if _, err := local.ReadFile(".local/share/cloudsync/state/EVIL"); err == nil {
		t.Error("downloaded a cloud file into the live state folder")
	}
}
