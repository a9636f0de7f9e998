package exec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

var _ remote.MetaKeeper = (*fakeRemote)(nil)

// MetaUnsupported implements remote.MetaKeeper: the fake keeps metadata.
func (f *fakeRemote) MetaUnsupported() string { return "" }

// SetMeta implements remote.MetaKeeper. Like Alfresco, it moves the item's version.
func (f *fakeRemote) SetMeta(ctx context.Context, e remote.Entry, m remote.Meta) (remote.Entry, error) {
	if err := f.enter(ctx, "setmeta", e.Path); err != nil {
		f.exit()
		return remote.Entry{}, err
	}
	defer f.exit()
	f.mu.Lock()
	defer f.mu.Unlock()
	it := f.items[e.Path]
	if it == nil {
		return remote.Entry{}, fakeErr(remote.ErrNotFound, "setmeta", e.Path)
	}
	it.meta = m
	f.seq++
	it.version = fmt.Sprintf("etag-%d", f.seq)
	return f.entryOf(e.Path, it), nil
}

func (f *fakeRemote) metaOf(p string) remote.Meta {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.items[p].meta
}

func (h *harness) localMeta(p string) remote.Meta {
	h.t.Helper()
	m, err := h.fs.ReadMeta(p)
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

// withMeta returns a copy of n carrying m (as a scan with ScanOptions.Meta gives).
func withMeta(n *plan.Node, m remote.Meta) *plan.Node { c := *n; c.Meta = &m; return &c }

func TestMetaActionWritesOnlyTheSideThatDiffersAndMovesNoContent(t *testing.T) {
	h := newHarness(t)
	l := h.local("a.txt", "same")
	r := h.remote("a.txt", "same")
	want := remote.Meta{Title: "Report", Author: "Ann"}
	if err := h.fs.WriteMeta("a.txt", want); err != nil {
		t.Fatal(err)
	}
	res := h.runOne(plan.Action{Op: plan.Meta, Path: "a.txt", To: "a.txt", Key: "k1",
		Local: withMeta(l, want), Remote: withMeta(r, remote.Meta{}), Meta: &want})
	mustOK(t, res)
	if got := h.rem.metaOf(remote.Join(testRoot, "a.txt")); got != want {
		t.Fatalf("cloud metadata %+v, want %+v", got, want)
	}
	if n := h.rem.callCount("upload") + h.rem.callCount("open"); n != 0 {
		t.Fatalf("a metadata action transferred content (%d calls)", n)
	}
	if res.Remote == nil || res.Remote.Version == r.Version {
		t.Fatalf("result remote %+v: want the version after the metadata change (it moved)", res.Remote)
	}
	if res.Local == nil || res.Local.ID != l.ID || res.Hash != l.Hash {
		t.Fatalf("result local %+v hash %q, want the re-checked local file", res.Local, res.Hash)
	}
}

func TestMetaActionRefusesALocalItemWhoseMetadataChanged(t *testing.T) {
	h := newHarness(t)
	l := h.local("a.txt", "same")
	r := h.remote("a.txt", "same")
	want := remote.Meta{Title: "From the cloud"}
	if err := h.fs.WriteMeta("a.txt", remote.Meta{Title: "typed just now"}); err != nil {
		t.Fatal(err)
	}
	res := h.runOne(plan.Action{Op: plan.Meta, Path: "a.txt", To: "a.txt", Key: "k1",
		Local: withMeta(l, remote.Meta{}), Remote: withMeta(r, want), Meta: &want})
	if !errors.Is(res.Err, ErrLocalChanged) || !errors.Is(res.Err, ErrMetaFailed) {
		t.Fatalf("err %v, want ErrLocalChanged (and ErrMetaFailed)", res.Err)
	}
	if got := h.localMeta("a.txt"); got.Title != "typed just now" {
		t.Fatalf("the person's new title was overwritten: %+v", got)
	}
}

// TestDownloadCarriesMetaInTheStagedFile: the downloaded file appears with its metadata (set
// on the staged file before the rename); the final file is not written afterwards.
func TestDownloadCarriesMetaInTheStagedFile(t *testing.T) {
	h := newHarness(t)
	r := h.remote("new.txt", "cloud content")
	want := remote.Meta{Description: "from the cloud"}
	var finalWrites []string
	h.fs.Fault = func(op, p string) error {
		if op == "setmeta" {
			finalWrites = append(finalWrites, p)
		}
		return nil
	}
	res := h.runOne(plan.Action{Op: plan.Download, Path: "new.txt", To: "new.txt", Remote: withMeta(r, want), Meta: &want})
	mustOK(t, res)
	if got := h.localMeta("new.txt"); got != want {
		t.Fatalf("local metadata %+v, want %+v", got, want)
	}
	if len(finalWrites) != 0 {
		t.Fatalf("metadata written after the commit: %v", finalWrites)
	}
}

// TestUploadOfANewFileSetsItsCloudMetaAfterTheContent: a new cloud file has none, so the
// metadata follows the upload; an empty one costs no request.
func TestUploadOfANewFileSetsItsCloudMetaAfterTheContent(t *testing.T) {
	h := newHarness(t)
	want := remote.Meta{Title: "T"}
	l := withMeta(h.local("a.txt", "x"), want)
	p := withMeta(h.local("plain.txt", "y"), remote.Meta{})
	none := remote.Meta{}
	res := h.run(context.Background(),
		plan.Action{ID: 1, Op: plan.Upload, Path: "a.txt", To: "a.txt", Local: l, Meta: &want},
		plan.Action{ID: 2, Op: plan.Upload, Path: "plain.txt", To: "plain.txt", Local: p, Meta: &none})
	mustOK(t, res[1])
	mustOK(t, res[2])
	if got := h.rem.metaOf(remote.Join(testRoot, "a.txt")); got != want {
		t.Fatalf("cloud metadata %+v, want %+v", got, want)
	}
	calls := slices.Clone(h.rem.calls)
	if n := h.rem.callCount("setmeta"); n != 1 {
		t.Fatalf("%d metadata requests, want 1 (none for the file without metadata): %v", n, calls)
	}
	if i, j := slices.Index(calls, "upload "+remote.Join(testRoot, "a.txt")), slices.Index(calls, "setmeta "+remote.Join(testRoot, "a.txt")); i < 0 || j < i {
		t.Fatalf("calls %v: want the upload, then the metadata", calls)
	}
}

// TestMetaFailureAfterContentKeepsTheContentResult: the content is in the cloud; the result
// says so (for the base) and fails with the metadata's reason.
func TestMetaFailureAfterContentKeepsTheContentResult(t *testing.T) {
	h := newHarness(t)
	want := remote.Meta{Title: "T"}
	l := withMeta(h.local("a.txt", "x"), remote.Meta{})
	h.rem.fault = func(op, p string) error {
		if op == "setmeta" {
			return fakeErr(remote.ErrPermission, op, p)
		}
		return nil
	}
	res := h.runOne(plan.Action{Op: plan.Upload, Path: "a.txt", To: "a.txt", Local: l, Meta: &want})
	if !errors.Is(res.Err, ErrMetaFailed) || res.Reason != remote.ReasonPermissionDenied {
		t.Fatalf("err %v reason %q, want ErrMetaFailed with permission_denied", res.Err, res.Reason)
	}
	if res.Remote == nil || res.Local == nil || res.Hash == "" || h.remoteContent("a.txt") != "x" {
		t.Fatalf("the content result is lost: local %+v remote %+v hash %q", res.Local, res.Remote, res.Hash)
	}
}

// TestConflictCopyKeepsTheLocalMetadata: the copy is the local file itself (a hard link),
// with its attributes; the item takes the merged metadata.
func TestConflictCopyKeepsTheLocalMetadata(t *testing.T) {
	h := newHarness(t)
	mine := remote.Meta{Title: "mine"}
	l := h.local("a.txt", "local edit")
	if err := h.fs.WriteMeta("a.txt", mine); err != nil {
		t.Fatal(err)
	}
	r := h.remote("a.txt", "cloud edit")
	merged := remote.Meta{Title: "theirs"}
	res := h.runOne(plan.Action{Op: plan.Conflict, Path: "a.txt", To: "a.txt", Key: "k1",
		Local: withMeta(l, mine), Remote: withMeta(r, merged), Meta: &merged})
	mustOK(t, res)
	if !strings.Contains(res.ConflictCopy, "conflict copy") {
		t.Fatalf("no conflict copy: %+v", res)
	}
	if got := h.localMeta(res.ConflictCopy); got != mine {
		t.Fatalf("conflict copy metadata %+v, want the local version's %+v", got, mine)
	}
	if got := h.localMeta("a.txt"); got != merged {
		t.Fatalf("item metadata %+v, want %+v", got, merged)
	}
}
