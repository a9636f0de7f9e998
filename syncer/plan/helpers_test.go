package plan

import (
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current plans")

// Snapshot builders: f is a file, d a folder; ids and versions are given literally so a
// golden file shows exactly which node an action carries.
func f(p, id, ver, hash string) Node { return Node{Path: p, ID: id, Version: ver, Hash: hash} }
func d(p, id string) Node            { return Node{Path: p, ID: id, IsDir: true} }

// bf is a synced file: local id/version, remote id/version, content hash.
func bf(key, p, lid, lver, rid, rver, hash string) Base {
	return Base{Key: key, Path: p, LocalID: lid, LocalVersion: lver, RemoteID: rid, RemoteVersion: rver, Hash: hash}
}

// bd is a synced folder.
func bd(key, p, lid, rid string) Base {
	return Base{Key: key, Path: p, IsDir: true, LocalID: lid, RemoteID: rid}
}

// trusted are the default options of SPEC §2 with a trusted base.
func trusted() Options { return Options{AllowCloudDelete: true, TrustBase: true} }

// golden checks the plan of in against testdata/<test name>.golden (rewritten with
// -update), checks the plan's structure, and that shuffled inputs give the same plan.
func golden(t *testing.T, in Input) Plan {
	t.Helper()
	p := Reconcile(in)
	got := p.String()
	checkStructure(t, p)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		sh := Input{Options: in.Options,
			Base:   append([]Base(nil), in.Base...),
			Local:  append([]Node(nil), in.Local...),
			Remote: append([]Node(nil), in.Remote...)}
		rng.Shuffle(len(sh.Base), func(i, j int) { sh.Base[i], sh.Base[j] = sh.Base[j], sh.Base[i] })
		rng.Shuffle(len(sh.Local), func(i, j int) { sh.Local[i], sh.Local[j] = sh.Local[j], sh.Local[i] })
		rng.Shuffle(len(sh.Remote), func(i, j int) { sh.Remote[i], sh.Remote[j] = sh.Remote[j], sh.Remote[i] })
		if again := Reconcile(sh).String(); again != got {
			t.Fatalf("shuffled input gives another plan:\n%s\nwant:\n%s", again, got)
		}
	}
	file := filepath.Join("testdata", strings.ReplaceAll(t.Name(), "/", "_")+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("plan differs from %s\ngot:\n%s\nwant:\n%s", file, got, want)
	}
	return p
}

// checkStructure checks what exec relies on: ids 1..n in order, After naming earlier
// actions only, and the snapshot an Op needs.
func checkStructure(t *testing.T, p Plan) {
	t.Helper()
	for i, a := range p.Actions {
		if a.ID != i+1 {
			t.Fatalf("action %d has ID %d", i+1, a.ID)
		}
		for _, dep := range a.After {
			if dep < 1 || dep >= a.ID {
				t.Fatalf("action %v depends on %d, not an earlier action", a, dep)
			}
		}
		switch a.Op {
		case Download, Conflict, MoveRemote, DeleteRemote, MkdirLocal, Exclude, ConflictUpload:
			if a.Remote == nil {
				t.Fatalf("action %v has no remote snapshot", a)
			}
		}
		switch a.Op {
		case Upload, MoveLocal, DeleteLocal, MkdirRemote, MarkGone, ConflictUpload:
			if a.Local == nil {
				t.Fatalf("action %v has no local snapshot", a)
			}
		}
	}
}
