package webdav

import (
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// A walk keeps the listings of about every folder of a tree between polls (listcache.go):
// at 100,000 files 101,011 entries. As remote.Entry values they were about 400,000 objects
// full of pointers (each entry's strings, and its slot in its folder's slice), which the
// garbage collector marked again on every cycle while a poll ran near the engine's memory
// limit: about half of the client's CPU in a no-change poll of that tree on Apache
// (issue 11). So a listing keeps its entries packed: one string holding all of their
// strings back to back, and records of fixed size that hold offsets into it, neither with
// a pointer the collector must follow. A walk that finds the listing unpacks the entries
// into a slice it reuses; their strings are parts of the listing's string, so unpacking
// allocates nothing but the Meta of an entry that has one.

// span is a part of a packed listing's text.
type span struct{ off, n uint32 }

// packedEntry is a remote.Entry in a packed listing, its strings as spans of the text.
type packedEntry struct {
	size                    int64
	sec                     int64 // ModTime, seconds since 1970 (unless packedZeroTime)
	nsec                    int32
	flags                   uint8
	id, path, version, hash span
	why                     span // Unsupported
	title, desc, author     span // Meta (when packedMeta)
}

const (
	packedIDIsPath uint8 = 1 << iota
	packedDir
	packedZeroTime
	packedMeta
)

// packed is a folder's listing packed: its own entry (recs[0]) and its children.
type packed struct {
	text string
	recs []packedEntry
}

// packResult packs res; ok false when an entry would not come back exactly as it is (a
// ModTime not in UTC, a text over 4 GB), and then nothing is to be kept.
func packResult(res propfindResult) (packed, bool) {
	n := 0
	count := func(e remote.Entry) {
		n += len(e.Path) + len(e.Version) + len(e.Hash) + len(e.Unsupported)
		if e.ID != e.Path {
			n += len(e.ID)
		}
		if e.Meta != nil {
			n += len(e.Meta.Title) + len(e.Meta.Description) + len(e.Meta.Author)
		}
	}
	count(res.self)
	for _, e := range res.children {
		count(e)
	}
	if n > 1<<31 {
		return packed{}, false
	}
	var b strings.Builder
	b.Grow(n)
	put := func(s string) span {
		sp := span{off: uint32(b.Len()), n: uint32(len(s))}
		b.WriteString(s)
		return sp
	}
	recs := make([]packedEntry, 0, 1+len(res.children))
	add := func(e remote.Entry) {
		r := packedEntry{size: e.Size, path: put(e.Path)}
		r.id = r.path
		if e.ID != e.Path {
			r.id = put(e.ID)
		}
		r.version, r.hash, r.why = put(e.Version), put(e.Hash), put(e.Unsupported)
		if e.IDIsPath {
			r.flags |= packedIDIsPath
		}
		if e.IsDir {
			r.flags |= packedDir
		}
		if e.ModTime.IsZero() {
			r.flags |= packedZeroTime
		} else {
			r.sec, r.nsec = e.ModTime.Unix(), int32(e.ModTime.Nanosecond())
		}
		if m := e.Meta; m != nil {
			r.flags |= packedMeta
			r.title, r.desc, r.author = put(m.Title), put(m.Description), put(m.Author)
		}
		recs = append(recs, r)
	}
	add(res.self)
	for _, e := range res.children {
		add(e)
	}
	p := packed{text: b.String(), recs: recs}
	// What is kept must give back exactly what was decoded: checked here, once per
	// decoded answer, so that no kind of entry is ever handed out altered.
	if !p.says(res) {
		return packed{}, false
	}
	return p, true
}

// entry unpacks record i.
func (p *packed) entry(i int) remote.Entry {
	r := &p.recs[i]
	s := func(sp span) string { return p.text[sp.off : sp.off+sp.n] }
	e := remote.Entry{ID: s(r.id), IDIsPath: r.flags&packedIDIsPath != 0, Path: s(r.path), IsDir: r.flags&packedDir != 0,
		Size: r.size, Version: s(r.version), Hash: s(r.hash), Unsupported: s(r.why)}
	if r.flags&packedZeroTime == 0 {
		e.ModTime = time.Unix(r.sec, int64(r.nsec)).UTC()
	}
	if r.flags&packedMeta != 0 {
		e.Meta = &remote.Meta{Title: s(r.title), Description: s(r.desc), Author: s(r.author)}
	}
	return e
}

// children unpacks the folder's children into buf (its room reused) and returns them.
func (p *packed) children(buf []remote.Entry) []remote.Entry {
	buf = buf[:0]
	for i := 1; i < len(p.recs); i++ {
		buf = append(buf, p.entry(i))
	}
	return buf
}

// says reports whether p holds exactly res's entries, field by field, in the same order.
func (p *packed) says(res propfindResult) bool {
	if len(p.recs) != 1+len(res.children) || !sameEntry(p.entry(0), res.self) {
		return false
	}
	for i, e := range res.children {
		if !sameEntry(p.entry(i+1), e) {
			return false
		}
	}
	return true
}
