package syncer_test

import (
	"fmt"
	"sync"
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

// A documents set's pass reads only the folders its documents are in; the rest of a large
// home is walked only when a document is missing from its place (it may have moved inside
// the home), on the watcher's rescans, and at start.
func TestDocumentsSetWalksItsHomeOnlyWhenADocumentIsMissing(t *testing.T) {
	r := newRig(t, nil)
	r.write("memo.txt", "m")
	for i := range 5 {
		r.write(fmt.Sprintf("photos/p%d.jpg", i), "jpg")
		r.write(fmt.Sprintf("music/m%d.ogg", i), "ogg")
	}
	var mu sync.Mutex
	walked := map[string]int{}
	r.local().Fault = func(op, p string) error {
		if op == "scan" && p != "" {
			mu.Lock()
			walked[p]++
			mu.Unlock()
		}
		return nil
	}
	count := func(p string) int {
		mu.Lock()
		defer mu.Unlock()
		n := walked[p]
		walked[p] = 0
		return n
	}
	if _, err := r.eng.CreateSet(r.ctx(), syncer.CreateSetRequest{Paths: []string{testRoot + "/memo.txt"}, Account: "cloud",
		To: "Docs", Options: model.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	r.wait()
	count("photos")
	count("music")
	r.wait()
	r.wait()
	if n, m := count("photos"), count("music"); n != 0 || m != 0 {
		t.Fatalf("passes with every document in place walked photos %d and music %d times, want 0", n, m)
	}
	if _, err := r.local().Rename("memo.txt", "photos/memo.txt"); err != nil {
		t.Fatal(err)
	}
	r.wait()
	if got, _ := r.rem.Get("Docs/photos/memo.txt"); string(got) != "m" {
		t.Fatalf("the document moved into another folder of its home was not found: cloud has %q", got)
	}
	count("photos")
	count("music")
	r.wait()
	if n, m := count("photos"), count("music"); n == 0 || m != 0 {
		t.Fatalf("with the document in photos, a pass walked photos %d and music %d times; want photos only", n, m)
	}
}
