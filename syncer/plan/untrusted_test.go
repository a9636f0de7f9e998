package plan

import (
	"strings"
	"testing"
	"time"
)

// Changes that are not what they look like (SPEC §4 safety rules): a local file that lost
// content in a way no edit explains, a cloud file that is this engine's own interrupted
// upload, and a cloud "move" on a server whose versions are only mtime+size.

var (
	tBase = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tNew  = tBase.Add(time.Hour)
)

// sized is a file node with its size and mtime.
func sized(p, id, ver, hash string, size int64, mtime time.Time) Node {
	n := f(p, id, ver, hash)
	n.Size, n.ModTime = size, mtime
	return n
}

// bsized is a synced file whose base knows the local size and mtime and the remote size.
func bsized(key, p, lid, lver, rid, rver, hash string, size int64, mtime time.Time) Base {
	b := bf(key, p, lid, lver, rid, rver, hash)
	b.LocalSize, b.LocalModTime, b.RemoteSize = size, mtime, size
	return b
}

// FAILURE-MODES 19: a file found empty after the engine was not running (a crash, a power
// loss) may be the damage, not an edit: it must not replace the cloud's good content.
func TestEmptiedWhileUnwatchedIsConflictNotUpload(t *testing.T) {
	opt := trusted()
	opt.WatchedSince = tNew.Add(time.Minute) // both files were emptied before the engine started
	pl := golden(t, Input{Options: opt,
		Base: []Base{bsized("k1", "doc.txt", "l1", "v1", "r1", "e1", "h1", 100, tBase),
			bsized("k2", "new-mtime.txt", "l2", "v1", "r2", "e1", "h2", 100, tBase)},
		Local: []Node{sized("doc.txt", "l1", "v2", "h0", 0, tBase), sized("new-mtime.txt", "l2", "v2", "h0", 0, tNew)},
		Remote: []Node{sized("doc.txt", "r1", "e1", "", 100, tBase),
			sized("new-mtime.txt", "r2", "e1", "", 100, tBase)}})
	for _, a := range pl.Actions {
		if a.BaseHash != "" {
			// exec uploads the local edit of a Conflict whose cloud content is the base's
			// (a metadata-only cloud change): that is this very case, and must not happen.
			t.Errorf("%s carries BaseHash %q: exec would upload the cut file over the cloud's content", a, a.BaseHash)
		}
	}
}

// While the engine runs and watches, emptying a file is an edit like any other (else a file
// could never be emptied), unless its mtime did not move: then no editor wrote it.
func TestEmptiedWhileWatchedIsUploadUnlessMtimeKept(t *testing.T) {
	opt := trusted()
	opt.WatchedSince = tBase.Add(time.Minute)
	golden(t, Input{Options: opt,
		Base: []Base{bsized("k1", "emptied.txt", "l1", "v1", "r1", "e1", "h1", 100, tBase),
			bsized("k2", "same-mtime.txt", "l2", "v1", "r2", "e1", "h2", 100, tBase)},
		Local: []Node{sized("emptied.txt", "l1", "v2", "h0", 0, tNew), sized("same-mtime.txt", "l2", "v2", "h0", 0, tBase)},
		Remote: []Node{sized("emptied.txt", "r1", "e1", "", 100, tBase),
			sized("same-mtime.txt", "r2", "e1", "", 100, tBase)}})
}

// A file shorter than at the last sync with the same mtime was cut (a torn write, a full
// disk): a conflict at any time. Shorter with a new mtime is an ordinary edit.
func TestShorterWithKeptMtimeIsConflict(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base: []Base{bsized("k1", "cut.txt", "l1", "v1", "r1", "e1", "h1", 100, tBase),
			bsized("k2", "edited.txt", "l2", "v1", "r2", "e1", "h2", 100, tBase)},
		Local:  []Node{sized("cut.txt", "l1", "v2", "h8", 40, tBase), sized("edited.txt", "l2", "v2", "h9", 40, tNew)},
		Remote: []Node{sized("cut.txt", "r1", "e1", "", 100, tBase), sized("edited.txt", "r2", "e1", "", 100, tBase)}})
}

// A cloud file the pass found to be this engine's own interrupted upload (a prefix of the
// local content, left by a crash on a server that writes uploads in place) is no cloud
// edit: the upload is redone over it, for a synced item and for a new one alike. The
// partial of a new file renamed since is removed (the file goes up under its new name).
func TestInterruptedUploadIsRedoneNotTakenForCloudEdit(t *testing.T) {
	partial := func(n Node) Node { n.Partial = true; return n }
	golden(t, Input{Options: trusted(),
		Base: []Base{bsized("k1", "big.iso", "l1", "v1", "r1", "e1", "h1", 100, tBase)},
		Local: []Node{sized("big.iso", "l1", "v2", "h2", 200, tNew),
			sized("new.iso", "l2", "v1", "h3", 200, tNew), sized("renamed.iso", "l3", "v1", "h4", 200, tNew)},
		Remote: []Node{partial(sized("big.iso", "r1", "e2", "", 80, tNew)),
			partial(sized("new.iso", "r2", "e3", "", 30, tNew)), partial(sized("moved.iso", "r3", "e4", "", 30, tNew))}})
}

// A cloud file that may be this engine's interrupted upload, when the local file changed
// again since and cannot show it, may as well be a cloud edit: both are kept, the local file
// keeping the name (a partial never takes it). With only the cloud's change proven a partial
// and the local file deleted, the delete is synced.
func TestUncheckableInterruptedUploadKeepsBoth(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base: []Base{bsized("k1", "doc.odt", "l1", "v1", "r1", "e1", "h1", 100, tBase),
			bsized("k2", "deleted.odt", "l2", "v1", "r2", "e1", "h2", 100, tBase)},
		Local: []Node{sized("doc.odt", "l1", "v3", "h3", 150, tNew)},
		Remote: []Node{{Path: "doc.odt", ID: "r1", Version: "e2", Size: 60, MaybePartial: true},
			{Path: "deleted.odt", ID: "r2", Version: "e2", Size: 60, Partial: true}}})
}

// On a server without file ids whose versions are mtime+size (x/net/webdav, Apache), "c
// deleted, d created" in one tick with equal sizes looks like a rename of c. Only a move
// confirmed by content is a move: with d's hash known and different, or unknown under
// another name, c is gone and d is new; a file keeping its name in another folder (a folder
// renamed) or with the same hash is moved.
func TestPathIDMoveIsConfirmedByContent(t *testing.T) {
	opt := trusted()
	opt.RemoteIDsArePaths = true
	golden(t, Input{Options: opt,
		Base: []Base{bf("k1", "c", "l1", "v1", "c", "e1", "h1"), bf("k2", "x", "l2", "v2", "x", "e2", "h2"),
			bd("k3", "A", "l3", "A"), bf("k4", "A/y", "l4", "v4", "A/y", "e4", "h4"),
			bf("k5", "z", "l5", "v5", "z", "e5", "h5")},
		Local: []Node{f("c", "l1", "v1", "h1"), f("x", "l2", "v2", "h2"), d("A", "l3"), f("A/y", "l4", "v4", "h4"),
			f("z", "l5", "v5", "h5")},
		Remote: []Node{f("d", "d", "e1", "h9"), f("w", "w", "e2", ""), d("B", "B"), f("B/y", "B/y", "e4", ""),
			f("z2", "z2", "e5", "h5")}})
}

// MoveCandidates names the files whose content must be hashed before Reconcile may pair
// them as moves: unhashed, new, with the version of a vanished file under another name.
func TestMoveCandidatesAreUnconfirmedRenames(t *testing.T) {
	opt := trusted()
	opt.RemoteIDsArePaths = true
	in := Input{Options: opt,
		Base: []Base{bf("k1", "c", "l1", "v1", "c", "e1", "h1"), bf("k2", "A/y", "l2", "v2", "A/y", "e2", "h2"),
			bf("k3", "kept", "l3", "v3", "kept", "e3", "h3")},
		Remote: []Node{f("d", "d", "e1", ""), f("hashed", "hashed", "e1", "h7"), f("B/y", "B/y", "e2", ""),
			f("kept", "kept", "e3", ""), f("other", "other", "e3", ""), f("e", "e", "e1", "")}}
	got := strings.Join(MoveCandidates(in), ",")
	if got != "d,e" {
		t.Errorf("MoveCandidates = %q, want d,e (unhashed new files with a vanished file's version under another name)", got)
	}
	in.Options.RemoteIDsArePaths = false
	if got := MoveCandidates(in); got != nil {
		t.Errorf("MoveCandidates with node ids = %v, want none (ids prove moves)", got)
	}
}

// A move done on one side whose record a crash lost leaves both sides at the new path and
// the base at the old one: the base is refreshed (else the item is listed as synced at a
// path where nothing is).
func TestMoveWhoseRecordWasLostIsRecorded(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bf("k1", "a", "l1", "v1", "r1", "e1", "h1"), bd("k2", "D", "l2", "r2")},
		Local:  []Node{f("A", "l1", "v1", "h1"), d("E", "l2")},
		Remote: []Node{f("A", "r1", "e1", ""), d("E", "r2")}})
}

// A snapshot may hold a node whose folder it lacks (the engine keeps the synced items below
// a folder it could not read as the base knows them): the node is left untouched, and
// Reconcile does not panic.
func TestNodeWithoutItsFolderIsLeftAlone(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bf("k1", "b/c.txt", "l1", "v1", "r1", "e1", "h1")},
		Local:  []Node{f("b/c.txt", "l1", "v1", "h1")},
		Remote: []Node{d("b", "r0"), f("b/c.txt", "r1", "e1", "")}})
}
