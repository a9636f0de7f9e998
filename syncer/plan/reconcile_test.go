package plan

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// One readable case per rule of the planner; the expected plans are in testdata/*.golden
// (go test ./syncer/plan -update rewrites them; review the diff).

func TestNothingChangedIsEmptyPlan(t *testing.T) {
	p := golden(t, Input{Options: trusted(),
		Base:   []Base{bd("k1", "A", "l1", "r1"), bf("k2", "A/x", "l2", "v1", "r2", "e1", "h1")},
		Local:  []Node{d("A", "l1"), f("A/x", "l2", "v1", "h1")},
		Remote: []Node{d("A", "r1"), f("A/x", "r2", "e1", "")}})
	if len(p.Actions) != 0 {
		t.Fatalf("want no action, got\n%s", p)
	}
}

func TestLocalRenameIsOneRemoteMove(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bf("k1", "a.txt", "l1", "v1", "r1", "e1", "h1")},
		Local:  []Node{f("b.txt", "l1", "v1", "h1")},
		Remote: []Node{f("a.txt", "r1", "e1", "")}})
}

func TestRemoteMoveIsOneLocalMove(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bd("k1", "A", "l1", "r1"), bf("k2", "x.txt", "l2", "v1", "r2", "e1", "h1")},
		Local:  []Node{d("A", "l1"), f("x.txt", "l2", "v1", "h1")},
		Remote: []Node{d("A", "r1"), f("A/y.txt", "r2", "e1", "")}})
}

func TestFolderRenameIsOneMove(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base: []Base{bd("k1", "A", "l1", "r1"), bf("k2", "A/x", "l2", "v", "r2", "e", "h"),
			bd("k3", "A/B", "l3", "r3"), bf("k4", "A/B/y", "l4", "v", "r4", "e", "h")},
		Local:  []Node{d("C", "l1"), f("C/x", "l2", "v", "h"), d("C/B", "l3"), f("C/B/y", "l4", "v", "h")},
		Remote: []Node{d("A", "r1"), f("A/x", "r2", "e", ""), d("A/B", "r3"), f("A/B/y", "r4", "e", "")}})
}

func TestBothMovedCloudWins(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bf("k1", "a", "l1", "v1", "r1", "e1", "h1")},
		Local:  []Node{f("b", "l1", "v1", "h1")},
		Remote: []Node{f("c", "r1", "e1", "")}})
}

func TestMoveAndEditOnOtherSide(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bd("k0", "A", "l0", "r0"), bf("k1", "a", "l1", "v1", "r1", "e1", "h1")},
		Local:  []Node{d("A", "l0"), f("A/b", "l1", "v1", "h1")},
		Remote: []Node{d("A", "r0"), f("a", "r1", "e2", "")}})
}

func TestCaseOnlyRename(t *testing.T) {
	opt := trusted()
	opt.FoldName = strings.ToLower
	golden(t, Input{Options: opt,
		Base:   []Base{bf("k1", "report.docx", "l1", "v1", "r1", "e1", "h1")},
		Local:  []Node{f("Report.docx", "l1", "v1", "h1")},
		Remote: []Node{f("report.docx", "r1", "e1", "")}})
}

func TestMtimeOnlyChangeIsRecordNotUpload(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bf("k1", "a", "l1", "v1", "r1", "e1", "h1")},
		Local:  []Node{f("a", "l1", "v2", "h1")},
		Remote: []Node{f("a", "r1", "e1", "")}})
}

func TestOneSideEditIsTransfer(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base: []Base{bf("k1", "up", "l1", "v1", "r1", "e1", "h1"),
			bf("k2", "down", "l2", "v1", "r2", "e1", "h2")},
		Local:  []Node{f("up", "l1", "v2", "h9"), f("down", "l2", "v1", "h2")},
		Remote: []Node{f("up", "r1", "e1", ""), f("down", "r2", "e2", "")}})
}

func TestEditedOnBothSidesIsConflict(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base: []Base{bf("k1", "a", "l1", "v1", "r1", "e1", "h1"),
			bf("k2", "same", "l2", "v1", "r2", "e1", "h1")},
		Local:  []Node{f("a", "l1", "v2", "h2"), f("same", "l2", "v2", "h5")},
		Remote: []Node{f("a", "r1", "e2", "h3"), f("same", "r2", "e2", "h5")}})
}

func TestEditBeatsDelete(t *testing.T) {
	opt := trusted()
	opt.DeleteLocalOnCloudDelete = true
	golden(t, Input{Options: opt,
		Base: []Base{bf("k1", "edited-local", "l1", "v1", "r1", "e1", "h1"),
			bf("k2", "edited-cloud", "l2", "v1", "r2", "e1", "h1")},
		Local:  []Node{f("edited-local", "l1", "v2", "h2")},
		Remote: []Node{f("edited-cloud", "r2", "e2", "")}})
}

// TestRefusedDeleteIsRestored: an item whose delete the cloud refused (Base.Restore) and
// that is still missing locally is downloaded again (a folder with its content), never
// deleted in the cloud again; an unflagged sibling deleted locally is deleted.
func TestRefusedDeleteIsRestored(t *testing.T) {
	restore := func(b Base) Base { b.Restore = true; return b }
	golden(t, Input{Options: trusted(),
		Base: []Base{restore(bf("k1", "theirs.txt", "l1", "v1", "r1", "e1", "h1")),
			restore(bd("k2", "Shared", "l2", "r2")), restore(bf("k3", "Shared/in.txt", "l3", "v1", "r3", "e1", "h1")),
			bf("k4", "mine.txt", "l4", "v1", "r4", "e1", "h1")},
		Remote: []Node{f("theirs.txt", "r1", "e1", ""), d("Shared", "r2"), f("Shared/in.txt", "r3", "e1", ""),
			f("mine.txt", "r4", "e1", "")}})
}

func TestEditBeatsFolderDeleteRestoresParents(t *testing.T) {
	opt := trusted()
	opt.DeleteLocalOnCloudDelete = true
	golden(t, Input{Options: opt,
		Base: []Base{bd("k1", "A", "l1", "r1"), bd("k2", "A/B", "l2", "r2"),
			bf("k3", "A/B/edited", "l3", "v1", "r3", "e1", "h1"),
			bf("k4", "A/B/same", "l4", "v1", "r4", "e1", "h1"),
			bf("k5", "A/other", "l5", "v1", "r5", "e1", "h1"),
			bd("k6", "A/C", "l6", "r6"), bf("k7", "A/C/z", "l7", "v1", "r7", "e1", "h1")},
		Local: []Node{d("A", "l1"), d("A/B", "l2"), f("A/B/edited", "l3", "v2", "h2"),
			f("A/B/same", "l4", "v1", "h1"), f("A/other", "l5", "v1", "h1"), f("A/new", "l9", "v1", "h9"),
			d("A/C", "l6"), f("A/C/z", "l7", "v1", "h1")},
		Remote: nil})
}

func TestFolderDeleteIsOneAction(t *testing.T) {
	p := golden(t, Input{Options: trusted(),
		Base: []Base{bd("k1", "A", "l1", "r1"), bf("k2", "A/x", "l2", "v", "r2", "e", "h"),
			bd("k3", "A/B", "l3", "r3"), bf("k4", "A/B/y", "l4", "v", "r4", "e", "h"),
			bf("k5", "keep", "l5", "v", "r5", "e", "h")},
		Local:  []Node{f("keep", "l5", "v", "h")},
		Remote: []Node{d("A", "r1"), f("A/x", "r2", "e", ""), d("A/B", "r3"), f("A/B/y", "r4", "e", ""), f("keep", "r5", "e", "")}})
	// The mass-delete guard still sees the four items.
	if l, r := p.Deletes(); l != 0 || r != 4 {
		t.Fatalf("Deletes() = %d, %d; want 0, 4", l, r)
	}
}

func TestLocalDeleteWithoutCloudDeleteExcludes(t *testing.T) {
	opt := trusted()
	opt.AllowCloudDelete = false
	golden(t, Input{Options: opt,
		Base:   []Base{bd("k1", "A", "l1", "r1"), bf("k2", "A/x", "l2", "v", "r2", "e", "h")},
		Remote: []Node{d("A", "r1"), f("A/x", "r2", "e", "")}})
}

func TestExcludedTombstoneIgnoresCloudNode(t *testing.T) {
	b := bf("k1", "x", "l1", "v", "r1", "e", "h")
	b.Excluded = true
	gone := bf("k2", "y", "l2", "v", "r2", "e", "h")
	gone.Excluded = true
	golden(t, Input{Options: trusted(),
		Base:   []Base{b, gone},
		Local:  []Node{f("new", "l3", "v", "h3")},
		Remote: []Node{f("x", "r1", "e2", "")}})
}

func TestCloudDeleteMarksGoneByDefault(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:  []Base{bd("k1", "A", "l1", "r1"), bf("k2", "A/x", "l2", "v", "r2", "e", "h")},
		Local: []Node{d("A", "l1"), f("A/x", "l2", "v", "h")}})
}

func TestCloudDeleteTrashesLocalWhenAsked(t *testing.T) {
	opt := trusted()
	opt.DeleteLocalOnCloudDelete = true
	golden(t, Input{Options: opt,
		Base:  []Base{bd("k1", "A", "l1", "r1"), bf("k2", "A/x", "l2", "v", "r2", "e", "h")},
		Local: []Node{d("A", "l1"), f("A/x", "l2", "v", "h")}})
}

func TestGoneItemStaysUnsynced(t *testing.T) {
	kept := bf("k1", "kept", "l1", "v", "r1", "e", "h")
	kept.RemoteGone = true
	deleted := bf("k2", "deleted", "l2", "v", "r2", "e", "h")
	deleted.RemoteGone = true
	edited := bf("k3", "edited", "l3", "v", "r3", "e", "h")
	edited.RemoteGone = true
	golden(t, Input{Options: trusted(),
		Base:  []Base{kept, deleted, edited},
		Local: []Node{f("kept", "l1", "v", "h"), f("edited", "l3", "v2", "h2")}})
}

func TestUntrustedBaseNeverDeletes(t *testing.T) {
	opt := Options{AllowCloudDelete: true, DeleteLocalOnCloudDelete: true, TrustBase: false}
	p := golden(t, Input{Options: opt,
		Base: []Base{bf("k1", "no-local", "l1", "v", "r1", "e", "h"),
			bf("k2", "no-remote", "l2", "v", "r2", "e", "h"),
			bf("k3", "local-edit", "l3", "v", "r3", "e", "h"),
			bf("k4", "same", "l4", "v", "r4", "e", "h"),
			bd("k5", "D", "l5", "r5"), bf("k6", "D/x", "l6", "v", "r6", "e", "h")},
		Local: []Node{f("no-remote", "l2", "v", "h"), f("local-edit", "l3", "v2", "h2"), f("same", "l4", "v2", "h7"),
			d("D", "l5"), f("D/x", "l6", "v", "h")},
		Remote: []Node{f("no-local", "r1", "e", ""), f("local-edit", "r3", "e", ""), f("same", "r4", "e2", "h7")}})
	for _, a := range p.Actions {
		switch a.Op {
		case DeleteLocal, DeleteRemote, Exclude, MarkGone:
			t.Fatalf("untrusted base planned %v", a)
		}
	}
}

func TestSafeSaveUpdatesSameNode(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base: []Base{bf("k1", "report.docx", "l1", "v1", "r1", "e1", "h1"),
			bf("k2", "cloud.docx", "l2", "v1", "r2", "e1", "h1")},
		Local:  []Node{f("report.docx", "l9", "v2", "h2"), f("cloud.docx", "l2", "v1", "h1")},
		Remote: []Node{f("report.docx", "r1", "e1", ""), f("cloud.docx", "r8", "e5", "")}})
}

// (b.txt's hash is known: a renamed file is paired by content, see
// TestPathIDMoveIsConfirmedByContent.)
func TestPathIDRemoteMoveIsLocalMove(t *testing.T) {
	opt := trusted()
	opt.RemoteIDsArePaths = true
	golden(t, Input{Options: opt,
		Base: []Base{bf("k1", "a.txt", "l1", "v1", "a.txt", "e1", "h1"),
			bd("k2", "D", "l2", "D"), bf("k3", "D/x", "l3", "v1", "D/x", "e3", "h1"),
			bf("k4", "gone.txt", "l4", "v1", "gone.txt", "e4", "h1")},
		Local: []Node{f("a.txt", "l1", "v1", "h1"), d("D", "l2"), f("D/x", "l3", "v1", "h1"),
			f("gone.txt", "l4", "v1", "h1")},
		Remote: []Node{f("b.txt", "b.txt", "e1", "h1"), d("E", "E"), f("E/x", "E/x", "e3", ""),
			f("other.txt", "other.txt", "e9", "")}})
}

func TestInvalidLocalNameFailsAndSkipsSubtree(t *testing.T) {
	opt := trusted()
	opt.ValidRemoteName = func(n string) error {
		if strings.ContainsAny(n, ":?") {
			return errors.New("contains : or ?")
		}
		return nil
	}
	golden(t, Input{Options: opt,
		Local: []Node{d("a:b", "l1"), f("a:b/x", "l2", "v", "h"), f("ok", "l3", "v", "h"), f("why?", "l4", "v", "h")}})
}

// TestNameTheServerCannotListIsUnsupported: a remote that takes a name but would not list
// it back (dot-files on nginx) refuses it with ErrUnsupported; the item fails as
// unsupported, not invalid_name, and is never uploaded.
func TestNameTheServerCannotListIsUnsupported(t *testing.T) {
	opt := trusted()
	opt.ValidRemoteName = func(n string) error {
		if strings.HasPrefix(n, ".") {
			return fmt.Errorf("%w: not listed by this server", remote.ErrUnsupported)
		}
		return nil
	}
	golden(t, Input{Options: opt,
		Local: []Node{f(".gitignore", "l1", "v", "h"), f("ok", "l2", "v", "h")}})
}

func TestInvalidRemoteNameFails(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Remote: []Node{d(`a\b`, "r1"), f(`a\b/x`, "r2", "e", ""), f("ok", "r3", "e", ""), f("..", "r4", "e", "")}})
}

func TestCaseClashFailsLaterName(t *testing.T) {
	opt := trusted()
	opt.FoldName = strings.ToLower
	golden(t, Input{Options: opt,
		Local: []Node{f("A.txt", "l1", "v", "h1"), f("a.txt", "l2", "v", "h2")}})
}

func TestRenameOntoTakenNameFails(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bf("k1", "a", "l1", "v", "r1", "e", "h")},
		Local:  []Node{f("b", "l1", "v", "h")},
		Remote: []Node{f("a", "r1", "e", ""), f("b", "r2", "e", "")}})
}

func TestUnsupportedIsNotADelete(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bf("k1", "link", "l1", "v", "r1", "e", "h")},
		Local:  []Node{{Path: "link", ID: "l9", Unsupported: true}, {Path: "fifo", ID: "l8", Unsupported: true}},
		Remote: []Node{f("link", "r1", "e", "")}})
}

// TestUnsupportedCloudNodesAreReportedNeverSynced: remote entries the backend cannot sync
// (an Alfresco link, a working copy) are failed as unsupported with the backend's reason:
// never downloaded, never deleted, and one that still carries a synced item's id is not
// read as that item's deletion; a local file of the same name is left alone.
func TestUnsupportedCloudNodesAreReportedNeverSynced(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:  []Base{bf("k1", "was-synced.txt", "l1", "v", "r1", "e", "h")},
		Local: []Node{f("was-synced.txt", "l1", "v", "h"), f("same name.txt", "l2", "v", "h2")},
		Remote: []Node{{Path: "was-synced.txt", ID: "r1", Version: "e", Unsupported: true, Why: "a working copy"},
			{Path: "file link.txt", ID: "r2", Unsupported: true, Why: "a link to a file"},
			{Path: "folder link", ID: "r3", IsDir: true, Unsupported: true, Why: "a link to a folder"},
			{Path: "same name.txt", ID: "r4", Unsupported: true, Why: "a link to a file"}}})
}

// TestConflictCarriesTheBaseHash: exec needs the last sync's content hash to tell a cloud
// version that only moved metadata from an edit; an untrusted base gives none.
func TestConflictCarriesTheBaseHash(t *testing.T) {
	in := Input{Options: trusted(),
		Base:   []Base{bf("k1", "x.txt", "l1", "v", "r1", "e", "base-hash")},
		Local:  []Node{f("x.txt", "l1", "v2", "h2")},
		Remote: []Node{f("x.txt", "r1", "e2", "")}}
	for _, trust := range []bool{true, false} {
		in.Options.TrustBase = trust
		pl := Reconcile(in)
		if len(pl.Actions) != 1 || pl.Actions[0].Op != Conflict {
			t.Fatalf("trust=%v: %v", trust, pl)
		}
		if want := map[bool]string{true: "base-hash", false: ""}[trust]; pl.Actions[0].BaseHash != want {
			t.Errorf("trust=%v: BaseHash %q, want %q", trust, pl.Actions[0].BaseHash, want)
		}
	}
}

func TestFileFolderChangeIsConflict(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base: []Base{bf("k1", "x", "l1", "v", "r1", "e", "h"), bd("k2", "D", "l2", "r2"),
			bf("k3", "D/y", "l3", "v", "r3", "e", "h")},
		Local:  []Node{d("x", "l9"), f("x/inner", "l10", "v", "h5"), d("D", "l2"), f("D/y", "l3", "v", "h")},
		Remote: []Node{f("x", "r1", "e", ""), f("D", "r9", "e", "")}})
}

func TestNewItemsParentsFirst(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Local:  []Node{d("A", "l1"), d("A/B", "l2"), f("A/B/y", "l3", "v", "h"), f("A/x", "l4", "v", "h")},
		Remote: []Node{d("C", "r1"), f("C/z", "r2", "e", "")}})
}

func TestSwapRenamesUseTemporaryName(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bf("k1", "a", "l1", "v", "r1", "e", "h1"), bf("k2", "b", "l2", "v", "r2", "e", "h2")},
		Local:  []Node{f("b", "l1", "v", "h1"), f("a", "l2", "v", "h2")},
		Remote: []Node{f("a", "r1", "e", ""), f("b", "r2", "e", "")}})
}

func TestAlreadyEqualIsRecord(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Local:  []Node{d("A", "l1"), f("A/same", "l2", "v", "h1"), f("A/differ", "l3", "v", "h2")},
		Remote: []Node{d("A", "r1"), f("A/same", "r2", "e", "h1"), f("A/differ", "r3", "e", "")}})
}

func TestCloudMovesOutThenDeletesFolder(t *testing.T) {
	opt := trusted()
	opt.DeleteLocalOnCloudDelete = true
	golden(t, Input{Options: opt,
		Base: []Base{bd("k1", "A", "l1", "r1"), bf("k2", "A/x", "l2", "v", "r2", "e", "h"),
			bf("k3", "A/y", "l3", "v", "r3", "e", "h")},
		Local:  []Node{d("A", "l1"), f("A/x", "l2", "v", "h"), f("A/y", "l3", "v", "h")},
		Remote: []Node{f("x", "r2", "e", "")}})
}

func TestDeleteFreesNameForMove(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bf("k1", "a", "l1", "v", "r1", "e", "h1"), bf("k2", "b", "l2", "v", "r2", "e", "h2")},
		Local:  []Node{f("a", "l2", "v", "h2")},
		Remote: []Node{f("a", "r1", "e", ""), f("b", "r2", "e", "")}})
}

func TestCrossMovesIntoEachOtherBreakCycle(t *testing.T) {
	golden(t, Input{Options: trusted(),
		Base:   []Base{bd("k1", "A", "l1", "r1"), bd("k2", "B", "l2", "r2")},
		Local:  []Node{d("B", "l2"), d("B/A", "l1")},
		Remote: []Node{d("A", "r1"), d("A/B", "r2")}})
}
