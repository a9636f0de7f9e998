package plan

import (
	"slices"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// Metadata rules (SPEC §3 "Metadata"); the plans are in testdata/TestMeta*.golden.

// mt is a Meta with a title, description and author ("" = not set).
func mt(title, desc, author string) *remote.Meta {
	return &remote.Meta{Title: title, Description: desc, Author: author}
}

// withMeta returns n carrying m.
func withMeta(n Node, m *remote.Meta) Node { n.Meta = m; return n }

// bm returns b with base metadata m.
func bm(b Base, m *remote.Meta) Base { b.Meta = m; return b }

func metaOpts() Options { o := trusted(); o.Meta = true; return o }

func TestMetaOnlyLocalEditIsOneMetaActionWithoutContent(t *testing.T) {
	p := golden(t, Input{Options: metaOpts(),
		Base:   []Base{bm(bf("k1", "a.txt", "l1", "v1", "r1", "e1", "h1"), mt("Old", "", ""))},
		Local:  []Node{withMeta(f("a.txt", "l1", "v1", "h1"), mt("New", "", "Ann"))},
		Remote: []Node{withMeta(f("a.txt", "r1", "e1", ""), mt("Old", "", ""))}})
	if len(p.Actions) != 1 || p.Actions[0].Op != Meta || *p.Actions[0].Meta != *mt("New", "", "Ann") {
		t.Fatalf("want one meta action setting the local values, got\n%s", p)
	}
}

func TestMetaOnlyCloudEditIsOneMetaAction(t *testing.T) {
	p := golden(t, Input{Options: metaOpts(),
		Base:   []Base{bm(bf("k1", "a.txt", "l1", "v1", "r1", "e1", "h1"), mt("T", "D", ""))},
		Local:  []Node{withMeta(f("a.txt", "l1", "v1", "h1"), mt("T", "D", ""))},
		Remote: []Node{withMeta(f("a.txt", "r1", "e1", ""), mt("T", "", "Bob"))}})
	if len(p.Actions) != 1 || p.Actions[0].Op != Meta || *p.Actions[0].Meta != *mt("T", "", "Bob") {
		t.Fatalf("want one meta action taking the cloud's values (description removed), got\n%s", p)
	}
}

func TestMetaEditedOnBothSidesCloudWinsPerField(t *testing.T) {
	p := golden(t, Input{Options: metaOpts(),
		Base:   []Base{bm(bf("k1", "a.txt", "l1", "v1", "r1", "e1", "h1"), mt("T", "D", "A"))},
		Local:  []Node{withMeta(f("a.txt", "l1", "v1", "h1"), mt("T local", "D local", "A"))},
		Remote: []Node{withMeta(f("a.txt", "r1", "e1", ""), mt("T cloud", "D", "A cloud"))}})
	// title: both changed, the cloud wins; description: local only; author: cloud only.
	if want := mt("T cloud", "D local", "A cloud"); len(p.Actions) != 1 || *p.Actions[0].Meta != *want {
		t.Fatalf("want one meta action with %+v, got\n%s", *want, p)
	}
}

func TestMetaTravelsWithContentTransfers(t *testing.T) {
	golden(t, Input{Options: metaOpts(),
		Base: []Base{bm(bf("k1", "up", "l1", "v1", "r1", "e1", "h1"), mt("", "", "")),
			bm(bf("k2", "down", "l2", "v1", "r2", "e1", "h2"), mt("T", "", "")),
			bm(bf("k3", "both", "l3", "v1", "r3", "e1", "h3"), mt("T", "D", ""))},
		Local: []Node{withMeta(f("up", "l1", "v2", "h9"), mt("Up", "", "")),
			withMeta(f("down", "l2", "v1", "h2"), mt("T", "", "")),
			withMeta(f("both", "l3", "v2", "h7"), mt("T mine", "D", ""))},
		Remote: []Node{withMeta(f("up", "r1", "e1", ""), mt("", "", "")),
			withMeta(f("down", "r2", "e2", ""), mt("T", "Down", "")),
			withMeta(f("both", "r3", "e2", "h8"), mt("T", "", "Z"))}})
}

func TestMetaNewItemsCarryTheirMeta(t *testing.T) {
	golden(t, Input{Options: metaOpts(),
		Local: []Node{withMeta(f("new-local", "l1", "v1", "h1"), mt("L", "", "")),
			withMeta(d("NewDir", "l2"), mt("", "Folder", "")),
			withMeta(f("plain", "l3", "v1", "h3"), mt("", "", ""))},
		Remote: []Node{withMeta(f("new-cloud", "r1", "e1", ""), mt("", "", "C"))}})
}

func TestMetaUnknownBaseMergesWithoutDeleting(t *testing.T) {
	golden(t, Input{Options: metaOpts(),
		Base: []Base{bf("k1", "local-only", "l1", "v1", "r1", "e1", "h1"),
			bf("k2", "cloud-only", "l2", "v1", "r2", "e1", "h1"),
			bf("k3", "clash", "l3", "v1", "r3", "e1", "h1"),
			bf("k4", "same", "l4", "v1", "r4", "e1", "h1"),
			bf("k5", "empty", "l5", "v1", "r5", "e1", "h1")},
		Local: []Node{withMeta(f("local-only", "l1", "v1", "h1"), mt("L", "", "")),
			withMeta(f("cloud-only", "l2", "v1", "h1"), mt("", "", "")),
			withMeta(f("clash", "l3", "v1", "h1"), mt("mine", "", "")),
			withMeta(f("same", "l4", "v1", "h1"), mt("S", "", "")),
			withMeta(f("empty", "l5", "v1", "h1"), mt("", "", ""))},
		Remote: []Node{withMeta(f("local-only", "r1", "e1", ""), mt("", "", "")),
			withMeta(f("cloud-only", "r2", "e1", ""), mt("", "D", "")),
			withMeta(f("clash", "r3", "e1", ""), mt("theirs", "", "")),
			withMeta(f("same", "r4", "e1", ""), mt("S", "", "")),
			withMeta(f("empty", "r5", "e1", ""), mt("", "", ""))}})
}

func TestMetaUntrustedBaseNeverDeletesAField(t *testing.T) {
	o := metaOpts()
	o.TrustBase = false
	p := golden(t, Input{Options: o,
		Base:   []Base{bm(bf("k1", "a.txt", "l1", "v1", "r1", "e1", "h1"), mt("T", "", ""))},
		Local:  []Node{withMeta(f("a.txt", "l1", "v1", "h1"), mt("", "", ""))},
		Remote: []Node{withMeta(f("a.txt", "r1", "e1", ""), mt("T", "", ""))}})
	if len(p.Actions) != 1 || p.Actions[0].Meta.Title != "T" {
		t.Fatalf("an untrusted base must not delete the title, got\n%s", p)
	}
}

func TestMetaUnknownOnOneSideOrOffIsLeftAlone(t *testing.T) {
	in := Input{Options: metaOpts(),
		Base:   []Base{bm(bf("k1", "a.txt", "l1", "v1", "r1", "e1", "h1"), mt("T", "", ""))},
		Local:  []Node{f("a.txt", "l1", "v1", "h1")},
		Remote: []Node{withMeta(f("a.txt", "r1", "e1", ""), mt("Other", "", ""))}}
	if p := Reconcile(in); len(p.Actions) != 0 {
		t.Fatalf("unknown local metadata must leave the item alone, got\n%s", p)
	}
	in.Local = []Node{withMeta(f("a.txt", "l1", "v1", "h1"), mt("Mine", "", ""))}
	in.Options.Meta = false
	if p := Reconcile(in); len(p.Actions) != 0 {
		t.Fatalf("with Options.Meta off metadata is ignored, got\n%s", p)
	}
}

// TestMetaNothingSetIsNoAction: a set whose items have no metadata on either side and no
// metadata base (every item of a set synced before metadata was synced) plans nothing: no
// Record per item.
func TestMetaNothingSetIsNoAction(t *testing.T) {
	p := Reconcile(Input{Options: metaOpts(),
		Base:   []Base{bd("k1", "A", "l1", "r1"), bf("k2", "A/x", "l2", "v1", "r2", "e1", "h1")},
		Local:  []Node{withMeta(d("A", "l1"), mt("", "", "")), withMeta(f("A/x", "l2", "v1", "h1"), mt("", "", ""))},
		Remote: []Node{withMeta(d("A", "r1"), mt("", "", "")), withMeta(f("A/x", "r2", "e1", ""), mt("", "", ""))}})
	if len(p.Actions) != 0 {
		t.Fatalf("want no action, got\n%s", p)
	}
}

func TestMetaSameEditOnBothSidesIsRecorded(t *testing.T) {
	p := golden(t, Input{Options: metaOpts(),
		Base:   []Base{bm(bf("k1", "a.txt", "l1", "v1", "r1", "e1", "h1"), mt("Old", "", ""))},
		Local:  []Node{withMeta(f("a.txt", "l1", "v1", "h1"), mt("New", "", ""))},
		Remote: []Node{withMeta(f("a.txt", "r1", "e1", ""), mt("New", "", ""))}})
	if len(p.Actions) != 1 || p.Actions[0].Op != Record {
		t.Fatalf("want a record of the new metadata, got\n%s", p)
	}
}

func TestMetaMovedAndEditedIsMoveThenMeta(t *testing.T) {
	p := golden(t, Input{Options: metaOpts(),
		Base:   []Base{bd("k0", "A", "l0", "r0"), bm(bf("k1", "a.txt", "l1", "v1", "r1", "e1", "h1"), mt("", "", ""))},
		Local:  []Node{withMeta(d("A", "l0"), mt("", "", "")), withMeta(f("A/b.txt", "l1", "v1", "h1"), mt("Moved", "", ""))},
		Remote: []Node{withMeta(d("A", "r0"), mt("", "", "")), withMeta(f("a.txt", "r1", "e1", ""), mt("", "", ""))}})
	ops := []Op{}
	for _, a := range p.Actions {
		ops = append(ops, a.Op)
	}
	if !slices.Equal(ops, []Op{MoveRemote, Meta}) || p.Actions[1].To != "A/b.txt" || !slices.Contains(p.Actions[1].After, 1) {
		t.Fatalf("want the move, then the metadata at the new path, got\n%s", p)
	}
}

func TestMergeMeta(t *testing.T) {
	for _, c := range []struct {
		name         string
		base         *remote.Meta
		local, cloud remote.Meta
		want         remote.Meta
		clash        []string
	}{
		{"unchanged", mt("T", "", ""), *mt("T", "", ""), *mt("T", "", ""), *mt("T", "", ""), nil},
		{"local edit", mt("T", "", ""), *mt("L", "", ""), *mt("T", "", ""), *mt("L", "", ""), nil},
		{"local removal", mt("T", "", ""), *mt("", "", ""), *mt("T", "", ""), *mt("", "", ""), nil},
		{"cloud removal", mt("T", "D", ""), *mt("T", "D", ""), *mt("T", "", ""), *mt("T", "", ""), nil},
		{"both edited", mt("T", "", ""), *mt("L", "", ""), *mt("C", "", ""), *mt("C", "", ""), []string{"title"}},
		{"both to the same", mt("T", "", ""), *mt("N", "", ""), *mt("N", "", ""), *mt("N", "", ""), nil},
		{"fields apart", mt("", "", ""), *mt("L", "", ""), *mt("", "", "C"), *mt("L", "", "C"), nil},
		{"no base fills", nil, *mt("L", "", ""), *mt("", "D", ""), *mt("L", "D", ""), nil},
		{"no base clash", nil, *mt("L", "", ""), *mt("C", "", ""), *mt("C", "", ""), []string{"title"}},
	} {
		m, clash := MergeMeta(c.base, c.local, c.cloud)
		if m != c.want || !slices.Equal(clash, c.clash) {
			t.Errorf("%s: MergeMeta = %+v %v, want %+v %v", c.name, m, clash, c.want, c.clash)
		}
	}
}
