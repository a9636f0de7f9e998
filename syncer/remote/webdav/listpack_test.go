package webdav

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/internal/alone"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// packable is a folder's answer with every kind of entry a listing decodes to.
func packable() propfindResult {
	t := time.Date(2026, 12, 6, 13, 50, 7, 0, time.UTC)
	return propfindResult{
		self:     remote.Entry{ID: "d", IDIsPath: true, Path: "d", IsDir: true, ModTime: t, Version: `"f00-1"`},
		weakETag: true,
		children: []remote.Entry{
			{ID: "d/a.txt", IDIsPath: true, Path: "d/a.txt", Size: 4096, ModTime: t, Version: `"1000-5f0"`},
			{ID: "00000042ocabc", Path: "d/b.txt", Size: 1 << 40, ModTime: t.Add(123456789), Version: `"abc"`, Hash: "sha256:00ff"},
			{ID: "d/c", IDIsPath: true, Path: "d/c", IsDir: true, Version: "size-mtime:0-0"}, // no date
			{ID: "d/m.txt", IDIsPath: true, Path: "d/m.txt", ModTime: t, Version: `"m"`, Meta: &remote.Meta{Title: "T", Author: "ä ü"}},
			{ID: "d/e.txt", IDIsPath: true, Path: "d/e.txt", ModTime: t, Version: `"e"`, Meta: &remote.Meta{}},
			{ID: "d/x", IDIsPath: true, Path: "d/x", Unsupported: "a link"},
			{ID: "", Path: "", Version: ""},
			{ID: "d/b.txt", IDIsPath: true, Path: "d/b.txt", ModTime: time.Unix(-1, 999_999_999).UTC()},
		},
	}
}

// TestAKeptListingGivesBackWhatWasDecoded: a packed listing unpacks to exactly the entries
// it was made from, field by field (times as values and in their representation, metadata
// set, empty or absent), its unpacking into a slice it was given allocates nothing for
// entries without metadata, and an entry it could not give back exactly (a time in a zone
// other than UTC) leaves the answer not kept.
func TestAKeptListingGivesBackWhatWasDecoded(t *testing.T) {
	res := packable()
	l := (*listing)(nil).next([32]byte{1}, [32]byte{2}, res)
	if l == nil {
		t.Fatal("the answer was not kept")
	}
	got := l.result(nil)
	if !reflect.DeepEqual(got, res) {
		t.Fatalf("kept listing gave\n%+v\nwant\n%+v", got, res)
	}
	if !l.says(res) {
		t.Error("the kept listing does not say what it was made from")
	}
	other := packable()
	other.children[1].Version = `"abd"`
	if l.says(other) {
		t.Error("the kept listing says what an answer with another ETag says")
	}
	other = packable()
	other.children[3].Meta.Description = "x"
	if l.says(other) {
		t.Error("the kept listing says what an answer with another description says")
	}
	other = packable()
	other.weakETag = false
	if l.says(other) || l.next([32]byte{3}, [32]byte{4}, other).weakETag {
		t.Error("the kept listing says what an answer with a strong ETag says")
	}
	if n := l.next([32]byte{3}, [32]byte{4}, packable()); n.text != l.text || len(n.sums) != 2 {
		t.Errorf("an answer that says the same was not kept as another digest of the listing: %d digests", len(n.sums))
	}

	plain := propfindResult{self: res.self, children: res.children[:3]}
	p := (*listing)(nil).next([32]byte{1}, [32]byte{2}, plain)
	buf := p.result(nil).children
	if a := testing.AllocsPerRun(100, func() { buf = p.result(buf).children }); a != 0 {
		t.Errorf("unpacking a kept listing into a slice of its size made %.0f allocations, want 0", a)
	}

	zoned := packable()
	zoned.children[0].ModTime = zoned.children[0].ModTime.In(time.FixedZone("X", 3600))
	if (*listing)(nil).next([32]byte{1}, [32]byte{2}, zoned) != nil {
		t.Error("an entry whose time is not in UTC was kept packed (it would come back in UTC)")
	}
}

// TestAPackedEntryHoldsNoPointer: the records a kept listing holds per entry have no
// pointer for the garbage collector to follow (listpack.go); the strings are parts of the
// listing's one text.
func TestAPackedEntryHoldsNoPointer(t *testing.T) {
	var walk func(reflect.Type) []string
	walk = func(ty reflect.Type) (ptrs []string) {
		switch ty.Kind() {
		case reflect.Struct:
			for i := range ty.NumField() {
				for _, p := range walk(ty.Field(i).Type) {
					ptrs = append(ptrs, ty.Field(i).Name+"."+p)
				}
			}
		case reflect.Array:
			return walk(ty.Elem())
		case reflect.Pointer, reflect.String, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
			return []string{ty.String()}
		}
		return ptrs
	}
	if p := walk(reflect.TypeFor[packedEntry]()); len(p) > 0 {
		t.Errorf("packedEntry holds pointers: %s", strings.Join(p, ", "))
	}
}

// TestKeptListingsAreFewObjects: the listings a walk keeps of 10,000 files in folders of
// 100 (the benchmark's names and Apache's ETags) are a few heap objects per folder, not
// per entry (the collector's marking cost, issue 11), and about 130 bytes an entry.
func TestKeptListingsAreFewObjects(t *testing.T) {
	if !alone.InChild(t) { // (it measures the heap)
		return
	}
	const folders, per = 100, 100
	mod := time.Date(2026, 12, 6, 13, 50, 7, 0, time.UTC)
	answer := func(d int) propfindResult {
		dir := fmt.Sprintf("Docs/d%04d", d)
		res := propfindResult{self: remote.Entry{ID: dir, IDIsPath: true, Path: dir, IsDir: true, ModTime: mod, Version: `"1000-5f0a1b2c3d4e5"`}}
		for f := range per {
			p := fmt.Sprintf("%s/f%07d.bin", dir, d*per+f)
			res.children = append(res.children, remote.Entry{ID: p, IDIsPath: true, Path: p, Size: 4096, ModTime: mod,
				Version: fmt.Sprintf(`"1000-5f0a1b2c%05d"`, d*per+f)})
		}
		return res
	}
	kept := make([]*listing, folders)
	var before, after runtime.MemStats
	runtime.GC() // (twice: what pools of earlier tests hold goes in the second)
	runtime.GC()
	runtime.ReadMemStats(&before)
	for d := range kept {
		kept[d] = (*listing)(nil).next([32]byte{byte(d)}, [32]byte{byte(d)}, answer(d))
		// As a walk that reads the metadata on a rotation keeps it (walkmeta.go): with
		// when its metadata was read, and the digests of an answer without it.
		l := *kept[d]
		l.read = metaRead{walk: 1, tick: 1}
		kept[d] = l.alsoDAV([32]byte{1, byte(d)}, [32]byte{2, byte(d)})
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	objects := float64(int64(after.HeapObjects)-int64(before.HeapObjects)) / folders
	bytes := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (folders * (per + 1))
	t.Logf("kept: %.1f heap objects per folder, %.0f bytes per entry", objects, bytes)
	if objects > 8 {
		t.Errorf("a kept listing of %d files is %.1f heap objects, want at most 8", per, objects)
	}
	if bytes > 160 {
		t.Errorf("a kept listing costs %.0f bytes per entry, want at most 160", bytes)
	}
	// What the Client says it keeps (KeptBytes, which the engine's memory limit counts) is
	// what the heap holds.
	c, byDir := &Client{}, map[string]*listing{}
	for d, l := range kept {
		byDir[fmt.Sprintf("Docs/d%04d", d)] = l
	}
	c.lists.put("Docs", byDir)
	got, heap := float64(c.KeptBytes()), float64(after.HeapAlloc-before.HeapAlloc)
	t.Logf("KeptBytes %.0f, heap %.0f", got, heap)
	if got < 0.8*heap || got > 1.25*heap {
		t.Errorf("KeptBytes says %.0f bytes, the heap holds %.0f more", got, heap)
	}
}
