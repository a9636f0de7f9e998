package syncer

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestSnapshotsGiveBackTheNodePut: a scope's compact snapshots (nodes) give back each node
// field for field, whatever form its version and time have, and take less room than the
// plan.Nodes they stand for (issue 11: a first sync holds a million of them).
func TestSnapshotsGiveBackTheNodePut(t *testing.T) {
	mod := time.Unix(1733480000, 123456789)
	meta := &remote.Meta{Title: "t"}
	cases := []plan.Node{
		{Path: "a.txt", ID: "2049:17", Version: fmt.Sprintf("%d:%d", 4096, mod.UnixNano()), Size: 4096, ModTime: mod},
		{Path: "d", IsDir: true, ID: "2049:18"},
		{Path: "d/e.txt", ID: "/d/e.txt", Version: `"5f3a-1c"`, Size: 9, ModTime: time.Date(2026, 12, 6, 11, 0, 0, 0, time.UTC)},
		{Path: "f.txt", ID: "2049:19", Version: "4096:5", Size: 4096, ModTime: time.Unix(0, 6)}, // a version not of its size and time
		{Path: "g.txt", ID: "2049:20", Version: "0:0", Size: 0, ModTime: time.Unix(0, 0)},
		{Path: "h.txt", ID: "2049:21", Version: "7:1", Size: 7, ModTime: time.Unix(0, 1), Hash: "ab12", Meta: meta},
		{Path: "i", ID: "2049:22", Unsupported: true, Why: "a link"},
		{Path: "j.txt", ID: "x", Version: "v", Partial: true, MaybePartial: true, ModTime: time.Now()},            // a monotonic reading
		{Path: "k.txt", ID: "y", Version: "1:2", Size: 1, ModTime: time.Date(1500, 1, 1, 0, 0, 0, 0, time.Local)}, // beyond Unix ns
		{Path: "l.txt", ID: "z", ModTime: time.Time{}.In(time.FixedZone("X", 3600))},
		{Path: "m.txt", ID: "2049:23", Version: "-3:-4", Size: -3, ModTime: time.Unix(0, -4)},
	}
	m := newNodes()
	for _, n := range cases {
		m.put(n)
	}
	if m.len() != len(cases) {
		t.Fatalf("%d snapshots for %d nodes", m.len(), len(cases))
	}
	for _, n := range cases {
		got, ok := m.get(n.Path)
		if !ok || !reflect.DeepEqual(got, n) || got.ModTime != n.ModTime {
			t.Errorf("put %#v\ngot %#v", n, got)
		}
		if m.isDir(n.Path) != n.IsDir {
			t.Errorf("%s: isDir %v", n.Path, m.isDir(n.Path))
		}
	}
	seen := 0
	for n := range m.all() {
		seen++
		if want, _ := m.get(n.Path); !reflect.DeepEqual(n, want) {
			t.Errorf("all gave %#v for %#v", n, want)
		}
	}
	if seen != len(cases) {
		t.Errorf("all gave %d nodes", seen)
	}
	if _, ok := m.get("nowhere"); ok || m.isDir("nowhere") {
		t.Error("a path never put has a node")
	}
	// A local file's snapshot keeps no version string and no time beside its fixed fields.
	if s, _ := m.lookup("a.txt"); s.version != "" || s.more != nil {
		t.Errorf("a local file's snapshot keeps %q and %+v", s.version, s.more)
	}
	if size, node := reflect.TypeFor[snapNode]().Size(), reflect.TypeFor[plan.Node]().Size(); size > node/2 {
		t.Errorf("a snapshot takes %d bytes, a node %d", size, node)
	}
}
