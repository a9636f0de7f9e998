package syncer_test

import (
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// Membership is fixed at creation: a document that moved inside its home (into a folder
// that becomes an item of the set too) does not leave its old path to a new file there, and
// Unsync of the set's last document ends the set.
func TestUnsyncOfTheLastDocumentEndsTheSet(t *testing.T) {
	r := newRig(t, nil)
	r.write("memo.txt", "m")
	if _, err := r.eng.CreateSet(r.ctx(), syncer.CreateSetRequest{Paths: []string{testRoot + "/memo.txt"}, Account: "cloud",
		To: "Docs", Options: model.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	r.wait()
	if err := r.local().MkdirAll("archive"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.local().Rename("memo.txt", "archive/memo.txt"); err != nil {
		t.Fatal(err)
	}
	r.wait()
	if got, _ := r.rem.Get("Docs/archive/memo.txt"); string(got) != "m" {
		t.Fatalf("the document did not move in the cloud: %q", got)
	}
	r.write("memo.txt", "a new file where the document was: not the chosen one")
	r.wait()
	if r.rem.Exists("Docs/memo.txt") {
		t.Fatal("a new file at the path the document left became a member")
	}
	if err := r.eng.Unsync(r.ctx(), testRoot+"/archive/memo.txt", false); err != nil {
		t.Fatal(err)
	}
	if sets, _ := r.store.ListSets(); len(sets) != 0 {
		t.Fatalf("the set of no document is still there: %+v", sets)
	}
}
