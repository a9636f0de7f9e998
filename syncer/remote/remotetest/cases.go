package remotetest

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

type testCase struct {
	name string
	run  func(h *H)
	// needs returns why the case cannot run on a server with these abilities ("": it can).
	needs func(remote.Capabilities) string
}

// cases are the conformance cases, in the order Run runs them.
var cases = []testCase{
	{"StatFileAndFolder", statFileAndFolder, nil},
	{"ReadDirListsDirectChildrenOnly", readDirDirectChildren, nil},
	{"ListNestedTreeRelativeToRoot", listNestedTree, nil},
	{"ListEmptyFolderAndMissingRoot", listEmptyAndMissing, nil},
	{"ListWithPrevSeesDeepChange", listWithPrevSeesDeepChange, nil},
	{"UploadNewNeverOverwrites", uploadNewNeverOverwrites, nil},
	{"UploadIntoMissingFolderIsNotFound", uploadIntoMissingFolder, nil},
	{"UploadReplaceKeepsIDAndBumpsVersion", uploadReplaceKeepsID, nil},
	{"UploadReplaceOfStaleVersionKeepsNewerContent", uploadReplaceStale, nil},
	{"OpenWithOffset", openWithOffset, nil},
	{"MkdirParentMissingIsNotFound", mkdirParentMissing, nil},
	{"MkdirExistingIsNameClash", mkdirExisting, nil},
	{"MoveFileKeepsID", moveFileKeepsID, nil},
	{"MoveFolderMovesSubtree", moveFolderMovesSubtree, nil},
	{"MoveOntoExistingNameIsNameClashAndOverwritesNothing", moveOntoExisting, nil},
	{"MoveIntoMissingFolderIsNotFound", moveIntoMissingFolder, nil},
	{"CaseOnlyRename", caseOnlyRename, nil},
	{"DeleteFolderIsRecursive", deleteFolderRecursive, nil},
	{"DeleteMissingIsNotFound", deleteMissing, nil},
	{"AwkwardNamesRoundTrip", awkwardNames, nil},
	{"EmptyFile", emptyFile, nil},
	{"OneMiBFileRoundTrip", oneMiBRoundTrip, nil},
	{"CancelledContextFails", cancelledContext, nil},
	{"SameSizeRewriteChangesVersion", sameSizeRewrite, func(c remote.Capabilities) string {
		if !c.ETags {
			return "no ETags: a version is size and modification time to the second, so a rewrite of equal size within the same second is not seen"
		}
		return ""
	}},
	{"ClaimedAbilitiesHold", claimedAbilitiesHold, nil},
	{"MetadataRoundTrips", metadataRoundTrips, nil},
}

func statFileAndFolder(h *H) {
	h.Tree("a/", "a/f.txt")
	d := h.Stat("a")
	if !d.IsDir || d.ID == "" {
		h.Errorf("Stat(a) = %+v, want a folder with an id", d)
	}
	f := h.Stat("a/f.txt")
	if f.IsDir || f.Size != int64(len("content of a/f.txt")) || f.Version == "" || f.ID == "" {
		h.Errorf("Stat(a/f.txt) = %+v, want a file of size %d with id and version", f, len("content of a/f.txt"))
	}
	if f.IDIsPath && f.ID != "a/f.txt" {
		h.Errorf("path id = %q, want the account-relative path", f.ID)
	}
	if f.Name() != "f.txt" {
		h.Errorf("Name() = %q", f.Name())
	}
	h.WantGone("missing")
	h.WantGone("a/missing.txt")
	h.WantGone("missing/deeper.txt")
	h.WantGone("a/f.txt/below-a-file")
}

func readDirDirectChildren(h *H) {
	h.Tree("a/", "a/x.txt", "a/b/", "a/b/y.txt", "top.txt")
	if got, want := h.ReadDirPaths("a"), []string{"a/b", "a/x.txt"}; !equal(got, want) {
		h.Errorf("ReadDir(a) = %q, want %q", got, want)
	}
	if got, want := h.ReadDirPaths(""), []string{"a", "top.txt"}; !equal(got, want) {
		h.Errorf("ReadDir(\"\") = %q, want %q", got, want)
	}
	es, err := h.R.ReadDir(h.Ctx, "a")
	if err == nil {
		for _, e := range es {
			if e.IsDir != (e.Path == "a/b") {
				h.Errorf("ReadDir(a): %q IsDir = %v", e.Path, e.IsDir)
			}
		}
	}
	_, err = h.R.ReadDir(h.Ctx, "missing")
	h.WantKind("ReadDir(missing)", err, remote.ErrNotFound)
}

func listNestedTree(h *H) {
	h.Tree("a/", "a/1.txt", "a/b/", "a/b/2.txt", "a/b/c/", "a/b/c/3.txt", "a/e/", "z.txt")
	got, m, _ := h.List("", nil)
	want := []string{"a", "a/1.txt", "a/b", "a/b/2.txt", "a/b/c", "a/b/c/3.txt", "a/e", "z.txt"}
	if !equal(got, want) {
		h.Fatalf("List(\"\") = %q, want %q", got, want)
	}
	if e := m["a/b/c/3.txt"]; e.IsDir || e.Size != int64(len("content of a/b/c/3.txt")) || e.Version == "" || e.ID == "" {
		h.Errorf("List entry a/b/c/3.txt = %+v", e)
	}
	if e := m["a/e"]; !e.IsDir {
		h.Errorf("List entry a/e = %+v, want a folder", e)
	}
	got, m, _ = h.List("a/b", nil)
	if want := []string{"2.txt", "c", "c/3.txt"}; !equal(got, want) {
		h.Errorf("List(a/b) = %q, want %q (relative to the root, root excluded)", got, want)
	}
	// Ids do not depend on the listed root: the same node has the same id.
	if e, st := m["c/3.txt"], h.Stat("a/b/c/3.txt"); e.ID != st.ID || e.IDIsPath != st.IDIsPath {
		h.Errorf("List(a/b) id of c/3.txt = %q (path id %v), Stat says %q (%v)", e.ID, e.IDIsPath, st.ID, st.IDIsPath)
	}
}

func listEmptyAndMissing(h *H) {
	h.Mkdir("empty")
	if got, _, _ := h.List("empty", nil); len(got) != 0 {
		h.Errorf("List(empty) = %q, want nothing", got)
	}
	_, err := h.R.List(h.Ctx, "missing", nil)
	h.WantKind("List(missing)", err, remote.ErrNotFound)
}

func listWithPrevSeesDeepChange(h *H) {
	h.Tree("a/", "a/b/", "a/b/c/", "a/b/c/deep.txt", "a/b/c/gone.txt", "other/", "other/z.txt")
	_, before, prev := h.List("", nil)
	deep := h.Stat("a/b/c/deep.txt")
	if _, err := h.R.Upload(h.Ctx, "a/b/c/deep.txt", &deep, strings.NewReader("changed, and longer"), 19); err != nil {
		h.Fatalf("Upload(replace): %v", err)
	}
	h.Put("a/b/c/new.txt", "new")
	if err := h.R.Delete(h.Ctx, h.Stat("a/b/c/gone.txt")); err != nil {
		h.Fatalf("Delete: %v", err)
	}
	got, after, _ := h.List("", prev)
	want := []string{"a", "a/b", "a/b/c", "a/b/c/deep.txt", "a/b/c/new.txt", "other", "other/z.txt"}
	if !equal(got, want) {
		h.Fatalf("List with prev = %q, want %q", got, want)
	}
	if a, b := before["a/b/c/deep.txt"], after["a/b/c/deep.txt"]; a.Version == b.Version || b.Size != 19 {
		h.Errorf("deep change not seen: before %+v, after %+v", a, b)
	}
	if a, b := before["other/z.txt"], after["other/z.txt"]; a.Version != b.Version || a.ID != b.ID {
		h.Errorf("unchanged file changed: before %+v, after %+v", a, b)
	}
}

func uploadNewNeverOverwrites(h *H) {
	h.Put("f.txt", "original")
	_, err := h.R.Upload(h.Ctx, "f.txt", nil, strings.NewReader("intruder"), 8)
	h.WantKind("second Upload(f.txt, new)", err, remote.ErrNameClash)
	h.WantContent("f.txt", "original")
	h.Mkdir("d")
	_, err = h.R.Upload(h.Ctx, "d", nil, strings.NewReader("x"), 1)
	h.WantKind("Upload onto a folder", err, remote.ErrNameClash)
	if !h.Stat("d").IsDir {
		h.Errorf("folder d was replaced")
	}
}

func uploadIntoMissingFolder(h *H) {
	_, err := h.R.Upload(h.Ctx, "nope/f.txt", nil, strings.NewReader("x"), 1)
	h.WantKind("Upload(nope/f.txt)", err, remote.ErrNotFound)
	h.WantGone("nope")
}

func uploadReplaceKeepsID(h *H) {
	h.Mkdir("d")
	e1 := h.Put("d/f.txt", "one")
	e2, err := h.R.Upload(h.Ctx, "d/f.txt", &e1, strings.NewReader("second version"), 14)
	if err != nil {
		h.Fatalf("Upload(replace): %v", err)
	}
	if e2.Version == e1.Version || e2.Size != 14 || e2.Path != "d/f.txt" {
		h.Errorf("after replace %+v, before %+v: want a new version of size 14", e2, e1)
	}
	h.WantID("Upload(replace)", e1, e2)
	h.WantContent("d/f.txt", "second version")
}

// uploadReplaceStale replaces with an entry listed before another write. A backend that
// can detect it must say ErrChanged and keep the newer content; one that cannot must at
// least store what it was given.
func uploadReplaceStale(h *H) {
	e1 := h.Put("f.txt", "one")
	e2, err := h.R.Upload(h.Ctx, "f.txt", &e1, strings.NewReader("two, from another client"), 24)
	if err != nil {
		h.Fatalf("Upload(replace): %v", err)
	}
	_, err = h.R.Upload(h.Ctx, "f.txt", &e1, strings.NewReader("three"), 5)
	switch {
	case err == nil:
		h.Logf("remote does not detect stale replaces (allowed by the contract)")
		h.WantContent("f.txt", "three")
	case errors.Is(err, remote.ErrChanged):
		h.WantContent("f.txt", "two, from another client")
		if st := h.Stat("f.txt"); st.Version != e2.Version {
			h.Errorf("version moved from %q to %q after a refused upload", e2.Version, st.Version)
		}
	default:
		h.Errorf("stale replace: %v, want nil or ErrChanged", err)
	}
}

func openWithOffset(h *H) {
	h.Put("f.txt", "0123456789")
	for _, tc := range []struct {
		off  int64
		want string
	}{{0, "0123456789"}, {4, "456789"}, {9, "9"}} {
		if got := h.Read("f.txt", tc.off); got != tc.want {
			h.Errorf("Open(offset %d) = %q, want %q", tc.off, got, tc.want)
		}
	}
	_, err := h.R.Open(h.Ctx, remote.Entry{ID: "f-missing", IDIsPath: true, Path: "missing.txt"}, 0)
	h.WantKind("Open(missing)", err, remote.ErrNotFound)
}

func mkdirParentMissing(h *H) {
	_, err := h.R.Mkdir(h.Ctx, "nope/child")
	h.WantKind("Mkdir(nope/child)", err, remote.ErrNotFound)
	h.WantGone("nope")
}

func mkdirExisting(h *H) {
	h.Tree("d/", "d/keep.txt", "f.txt")
	_, err := h.R.Mkdir(h.Ctx, "d")
	h.WantKind("Mkdir(existing folder)", err, remote.ErrNameClash)
	_, err = h.R.Mkdir(h.Ctx, "f.txt")
	h.WantKind("Mkdir(existing file)", err, remote.ErrNameClash)
	h.WantContent("d/keep.txt", "content of d/keep.txt")
	h.WantContent("f.txt", "content of f.txt")
}

func moveFileKeepsID(h *H) {
	t := h.Tree("a/", "a/f.txt", "b/")
	e, err := h.R.Move(h.Ctx, t["a/f.txt"], "b/g.txt")
	if err != nil {
		h.Fatalf("Move: %v", err)
	}
	if e.Path != "b/g.txt" || e.IsDir {
		h.Errorf("Move returned %+v, want file b/g.txt", e)
	}
	h.WantID("Move(file)", t["a/f.txt"], e)
	st := h.Stat("b/g.txt")
	h.WantID("Stat after Move(file)", t["a/f.txt"], st)
	if e.ID != st.ID || e.Version != st.Version || e.Size != st.Size {
		h.Errorf("Move returned %+v, Stat gives %+v: the entry of the moved file is the one listed", e, st)
	}
	h.WantGone("a/f.txt")
	h.WantContent("b/g.txt", "content of a/f.txt")
}

func moveFolderMovesSubtree(h *H) {
	t := h.Tree("d/", "d/x.txt", "d/sub/", "d/sub/y.txt", "e/")
	e, err := h.R.Move(h.Ctx, t["d"], "e/d2")
	if err != nil {
		h.Fatalf("Move: %v", err)
	}
	if e.Path != "e/d2" || !e.IsDir {
		h.Errorf("Move returned %+v, want folder e/d2", e)
	}
	h.WantID("Move(folder)", t["d"], e)
	h.WantID("child after Move(folder)", t["d/sub/y.txt"], h.Stat("e/d2/sub/y.txt"))
	h.WantGone("d")
	h.WantContent("e/d2/sub/y.txt", "content of d/sub/y.txt")
	if got, want := h.ReadDirPaths("e/d2"), []string{"e/d2/sub", "e/d2/x.txt"}; !equal(got, want) {
		h.Errorf("ReadDir(e/d2) = %q, want %q", got, want)
	}
}

func moveOntoExisting(h *H) {
	t := h.Tree("a.txt", "b.txt", "d1/", "d1/in1.txt", "d2/", "d2/in2.txt")
	_, err := h.R.Move(h.Ctx, t["a.txt"], "b.txt")
	h.WantKind("Move(a.txt → existing b.txt)", err, remote.ErrNameClash)
	h.WantContent("a.txt", "content of a.txt")
	h.WantContent("b.txt", "content of b.txt")
	_, err = h.R.Move(h.Ctx, t["d1"], "d2")
	h.WantKind("Move(d1 → existing d2)", err, remote.ErrNameClash)
	h.WantContent("d1/in1.txt", "content of d1/in1.txt")
	h.WantContent("d2/in2.txt", "content of d2/in2.txt")
	_, err = h.R.Move(h.Ctx, t["a.txt"], "d2")
	h.WantKind("Move(file → existing folder name)", err, remote.ErrNameClash)
	h.WantContent("d2/in2.txt", "content of d2/in2.txt")
}

func moveIntoMissingFolder(h *H) {
	t := h.Tree("f.txt")
	_, err := h.R.Move(h.Ctx, t["f.txt"], "nope/f.txt")
	h.WantKind("Move into a missing folder", err, remote.ErrNotFound)
	h.WantContent("f.txt", "content of f.txt")
}

func caseOnlyRename(h *H) {
	t := h.Tree("report.txt", "dir/")
	e, err := h.R.Move(h.Ctx, t["report.txt"], "Report.txt")
	if err != nil {
		h.Fatalf("case-only Move of a file: %v", err)
	}
	h.WantID("case-only Move", t["report.txt"], e)
	d, err := h.R.Move(h.Ctx, t["dir"], "Dir")
	if err != nil {
		h.Fatalf("case-only Move of a folder: %v", err)
	}
	h.WantID("case-only Move of a folder", t["dir"], d)
	if got, want := h.ReadDirPaths(""), []string{"Dir", "Report.txt"}; !equal(got, want) {
		h.Errorf("after case-only renames ReadDir = %q, want %q", got, want)
	}
	h.WantContent("Report.txt", "content of report.txt")
}

func deleteFolderRecursive(h *H) {
	t := h.Tree("d/", "d/x.txt", "d/sub/", "d/sub/y.txt", "keep.txt")
	if err := h.R.Delete(h.Ctx, t["d"]); err != nil {
		h.Fatalf("Delete(d): %v", err)
	}
	h.WantGone("d")
	h.WantGone("d/sub/y.txt")
	if got, want := h.ReadDirPaths(""), []string{"keep.txt"}; !equal(got, want) {
		h.Errorf("after Delete ReadDir = %q, want %q", got, want)
	}
}

func deleteMissing(h *H) {
	t := h.Tree("f.txt", "d/")
	for _, p := range []string{"f.txt", "d"} {
		if err := h.R.Delete(h.Ctx, t[p]); err != nil {
			h.Fatalf("Delete(%s): %v", p, err)
		}
		h.WantKind("second Delete("+p+")", h.R.Delete(h.Ctx, t[p]), remote.ErrNotFound)
	}
}

// oddNames are names that break naive URL or path handling.
var oddNames = []string{
	"with space.txt", "ünïcödé ✓ 日本.txt", "100% sure.txt", "hash#tag.txt", "question?.txt",
	"semi;colon,plus+amp&eq=.txt", "quote'\"s.txt", "a%2Fb.txt", "brackets [1] {2} (3).txt",
	"~tilde@at$dollar.txt", ".hidden", "trailing.dots..txt",
}

// acceptedNames returns the names of list the remote accepts: all of them, or for a
// remote.Namer (e.g. Alfresco, which refuses ? and ") those ValidateName lets through.
func acceptedNames(h *H, list []string) []string {
	n, ok := h.R.(remote.Namer)
	if !ok {
		return list
	}
	var out []string
	for _, name := range list {
		if n.ValidateName(name) == nil {
			out = append(out, name)
		} else {
			h.Logf("skipping %q: the remote's naming rules refuse it", name)
		}
	}
	return out
}

func awkwardNames(h *H) {
	dir := acceptedNames(h, []string{"dir with #, % and ?", "dir with #, % and &"})[0]
	h.Mkdir(dir)
	var want []string
	oddNames := acceptedNames(h, oddNames)
	for _, n := range oddNames {
		p := dir + "/" + n
		h.Put(p, "data of "+n)
		want = append(want, p)
	}
	slices.Sort(want)
	if got := h.ReadDirPaths(dir); !equal(got, want) {
		h.Errorf("ReadDir = %q, want %q", got, want)
	}
	got, _, _ := h.List("", nil)
	if len(got) != len(want)+1 {
		h.Errorf("List found %d entries, want %d: %q", len(got), len(want)+1, got)
	}
	for _, n := range oddNames {
		p := dir + "/" + n
		if st := h.Stat(p); st.Name() != n {
			h.Errorf("Stat(%q).Name() = %q", p, st.Name())
		}
		h.WantContent(p, "data of "+n)
	}
	src := h.Stat(dir + "/" + oddNames[0])
	moved, err := h.R.Move(h.Ctx, src, dir+"/moved #2 100%.txt")
	if err != nil {
		h.Fatalf("Move to an awkward name: %v", err)
	}
	h.WantID("Move to an awkward name", src, moved)
	h.WantContent(dir+"/moved #2 100%.txt", "data of "+oddNames[0])
	renamed, err := h.R.Move(h.Ctx, h.Stat(dir), "renamed ✓ #%")
	if err != nil {
		h.Fatalf("Move of the awkward folder: %v", err)
	}
	if got := h.ReadDirPaths(renamed.Path); len(got) != len(oddNames) {
		h.Errorf("after renaming the folder it holds %q", got)
	}
	if err := h.R.Delete(h.Ctx, renamed); err != nil {
		h.Fatalf("Delete of the awkward folder: %v", err)
	}
	h.WantGone(renamed.Path)
}

func emptyFile(h *H) {
	e := h.Put("empty.txt", "")
	if st := h.Stat("empty.txt"); st.Size != 0 || st.IsDir {
		h.Errorf("Stat(empty.txt) = %+v", st)
	}
	h.WantContent("empty.txt", "")
	e2, err := h.R.Upload(h.Ctx, "empty.txt", &e, strings.NewReader("now with content"), 16)
	if err != nil {
		h.Fatalf("replacing an empty file: %v", err)
	}
	h.WantID("replacing an empty file", e, e2)
	h.WantContent("empty.txt", "now with content")
}

func oneMiBRoundTrip(h *H) {
	data := make([]byte, 1<<20)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rnd.Uint32())
	}
	e, err := h.R.Upload(h.Ctx, "big.bin", nil, bytesReader(data), int64(len(data)))
	if err != nil {
		h.Fatalf("Upload 1 MiB: %v", err)
	}
	if e.Size != int64(len(data)) {
		h.Errorf("Upload returned size %d", e.Size)
	}
	rc, err := h.R.Open(h.Ctx, e, 0)
	if err != nil {
		h.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	sha := sha256.New()
	if _, err := io.Copy(sha, rc); err != nil {
		h.Fatalf("read: %v", err)
	}
	want := sha256.Sum256(data)
	if got := sha.Sum(nil); hex.EncodeToString(got) != hex.EncodeToString(want[:]) {
		h.Errorf("1 MiB round trip: content differs")
	}
	st := h.Stat("big.bin")
	if st.Hash != "" && st.Hash != hashAs(st.Hash, data) {
		h.Errorf("Hash = %q, does not match the content (%q)", st.Hash, hashAs(st.Hash, data))
	}
	if got := h.Read("big.bin", 1<<19); got != string(data[1<<19:]) {
		h.Errorf("Open at 512 KiB: content differs")
	}
}

// hashAs returns data's checksum in the algorithm named by the prefix of like.
func hashAs(like string, data []byte) string {
	algo, _, _ := strings.Cut(like, ":")
	var sum []byte
	switch algo {
	case "sha256":
		s := sha256.Sum256(data)
		sum = s[:]
	case "sha1":
		s := sha1.Sum(data)
		sum = s[:]
	case "md5":
		s := md5.Sum(data)
		sum = s[:]
	default:
		return "unknown algorithm " + algo
	}
	return algo + ":" + hex.EncodeToString(sum)
}

func cancelledContext(h *H) {
	h.Put("f.txt", "x")
	ctx, cancel := context.WithCancel(h.Ctx)
	cancel()
	if _, err := h.R.Stat(ctx, "f.txt"); !errors.Is(err, context.Canceled) {
		h.Errorf("Stat with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := h.R.List(ctx, "", nil); !errors.Is(err, context.Canceled) {
		h.Errorf("List with a cancelled context: %v, want context.Canceled", err)
	}
	_, err := h.R.Upload(ctx, "g.txt", nil, strings.NewReader("y"), 1)
	if !errors.Is(err, context.Canceled) {
		h.Errorf("Upload with a cancelled context: %v, want context.Canceled", err)
	}
	h.WantGone("g.txt")
}

// sameSizeRewrite replaces a file at once with other content of the same size: its version
// must change, or a cloud edit like that would never be downloaded.
func sameSizeRewrite(h *H) {
	e1 := h.Put("f.txt", "aaaa")
	e2, err := h.R.Upload(h.Ctx, "f.txt", &e1, strings.NewReader("bbbb"), 4)
	if err != nil {
		h.Fatalf("Upload(replace): %v", err)
	}
	if st := h.Stat("f.txt"); e2.Version == e1.Version || st.Version == e1.Version {
		h.Errorf("version after a same-size rewrite: %q (Stat %q), before %q", e2.Version, st.Version, e1.Version)
	}
}

// claimedAbilitiesHold checks what the probe said the server offers, where the Remote
// interface can see it.
func claimedAbilitiesHold(h *H) {
	if h.Caps == nil {
		h.Skip("the remote has no probe")
	}
	c := *h.Caps
	h.Tree("a/", "a/b/", "a/b/f.txt")
	f := h.Stat("a/b/f.txt")
	if c.FileIDs && (f.IDIsPath || f.ID == "") {
		h.Errorf("the probe found file ids, but Stat gives %+v", f)
	}
	if !c.FileIDs && !f.IDIsPath {
		h.Errorf("the probe found no file ids, but Stat gives id %q", f.ID)
	}
	if c.Checksums && f.Hash != hashAs(f.Hash, []byte("content of a/b/f.txt")) {
		h.Errorf("the probe found checksums, but Stat gives hash %q", f.Hash)
	}
	if c.FolderETags {
		before := h.Stat("a")
		if _, err := h.R.Upload(h.Ctx, "a/b/f.txt", &f, strings.NewReader("changed deep down"), 17); err != nil {
			h.Fatalf("Upload(replace): %v", err)
		}
		if after := h.Stat("a"); after.Version == before.Version {
			h.Errorf("the probe found folder ETags that follow their subtree, but a's version stayed %q", after.Version)
		}
	}
	n, isNamer := h.R.(remote.Namer)
	switch {
	case c.HidesDotFiles && (!isNamer || !errors.Is(n.ValidateName(".hidden"), remote.ErrUnsupported)):
		h.Errorf("the server hides dot-files, but the remote does not refuse them as unsupported")
	case !c.HidesDotFiles && (!isNamer || n.ValidateName(".hidden") == nil):
		h.Put("a/.hidden", "dot")
		if got := h.ReadDirPaths("a"); !slices.Contains(got, "a/.hidden") {
			h.Errorf("the probe says dot-files are listed, but ReadDir(a) = %q", got)
		}
	}
}
