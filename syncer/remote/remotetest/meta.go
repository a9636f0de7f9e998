package remotetest

import (
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// metadataRoundTrips checks a remote that keeps metadata (remote.MetaKeeper, SPEC §3): set
// on files and folders, read back by Stat, ReadDir and List, kept by a new version and by
// moves, fields removed by setting them empty, and a missing item is ErrNotFound. Remotes
// that keep none are skipped with their reason.
func metadataRoundTrips(h *H) {
	mk, ok := remote.As[remote.MetaKeeper](h.R)
	if !ok {
		h.Skip("the remote keeps no metadata (no remote.MetaKeeper)")
	}
	if why := mk.MetaUnsupported(); why != "" {
		h.Skipf("the remote keeps no metadata: %s", why)
	}
	h.Tree("d/", "d/f.txt")
	if m := metaOf(h.Stat("d/f.txt")); !m.IsZero() {
		h.Fatalf("a new file has metadata %+v", m)
	}
	want := remote.Meta{Title: "Ünïcode & <markup> \"quoted\"", Description: "two\nlines", Author: "Ann O'Neil"}
	set := func(p string, m remote.Meta) remote.Entry {
		h.Helper()
		e, err := mk.SetMeta(h.Ctx, h.Stat(p), m)
		if err != nil {
			h.Fatalf("SetMeta(%q): %v", p, err)
		}
		if e.Path != p || e.ID == "" {
			h.Fatalf("SetMeta(%q) returned %+v, want the entry at that path", p, e)
		}
		if e.Meta != nil && *e.Meta != m {
			h.Errorf("SetMeta(%q) returned metadata %+v, want %+v", p, *e.Meta, m)
		}
		return e
	}
	check := func(what string, e remote.Entry, m remote.Meta) {
		h.Helper()
		if got := metaOf(e); got != m {
			h.Errorf("%s: metadata %+v, want %+v", what, got, m)
		}
	}
	set("d/f.txt", want)
	check("Stat(d/f.txt)", h.Stat("d/f.txt"), want)
	folder := remote.Meta{Title: "A folder"}
	set("d", folder)
	check("Stat(d)", h.Stat("d"), folder)
	_, listed, _ := h.List("", nil)
	check("List: d", listed["d"], folder)
	check("List: d/f.txt", listed["d/f.txt"], want)
	if es, err := h.R.ReadDir(h.Ctx, "d"); err != nil || len(es) != 1 {
		h.Errorf("ReadDir(d) = %v, %v", es, err)
	} else {
		check("ReadDir(d)", es[0], want)
	}

	f := h.Stat("d/f.txt")
	data := "a new version"
	if _, err := h.R.Upload(h.Ctx, "d/f.txt", &f, strings.NewReader(data), int64(len(data))); err != nil {
		h.Fatalf("Upload(replace): %v", err)
	}
	check("after a new version", h.Stat("d/f.txt"), want)
	if _, err := h.R.Move(h.Ctx, h.Stat("d/f.txt"), "d/g.txt"); err != nil {
		h.Fatalf("Move(file): %v", err)
	}
	if _, err := h.R.Move(h.Ctx, h.Stat("d"), "e"); err != nil {
		h.Fatalf("Move(folder): %v", err)
	}
	check("after moves: e", h.Stat("e"), folder)
	check("after moves: e/g.txt", h.Stat("e/g.txt"), want)

	only := remote.Meta{Title: "only a title"}
	set("e/g.txt", only)
	check("after removing two fields", h.Stat("e/g.txt"), only)
	set("e/g.txt", remote.Meta{})
	check("after removing every field", h.Stat("e/g.txt"), remote.Meta{})

	gone := h.Stat("e/g.txt")
	gone.Path = "e/missing.txt"
	if gone.IDIsPath {
		gone.ID = gone.Path
	} else {
		gone.ID = "no-such-id-" + gone.ID
	}
	_, err := mk.SetMeta(h.Ctx, gone, want)
	h.WantKind("SetMeta of a missing item", err, remote.ErrNotFound)
}

func metaOf(e remote.Entry) remote.Meta {
	if e.Meta == nil {
		return remote.Meta{}
	}
	return *e.Meta
}
