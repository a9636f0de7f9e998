package davlock

import (
	"errors"
	"regexp"
	"testing"
	"time"
)

// clock is a settable time for lock timeouts.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestManager() (*Manager, *clock) {
	c := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	return NewManager(c.now), c
}

// grant creates a lock and fails the test if it conflicts.
func grant(t *testing.T, m *Manager, l Lock, timeout time.Duration) Lock {
	t.Helper()
	var got Lock
	if err := m.Do(func(tx *Tx) (err error) { got, err = tx.Create(l, timeout); return err }); err != nil {
		t.Fatalf("Create(%+v): %v", l, err)
	}
	return got
}

func TestLockConflictsSharedCoexistExclusiveAlone(t *testing.T) {
	ex := func(root string, inf bool) Lock { return Lock{Root: root, Scope: Exclusive, Infinite: inf} }
	sh := func(root string, inf bool) Lock { return Lock{Root: root, Scope: Shared, Infinite: inf} }
	cases := []struct {
		name          string
		existing, new Lock
		conflict      bool
	}{
		{"exclusive then exclusive", ex("/f", false), ex("/f", false), true},
		{"shared then shared", sh("/f", false), sh("/f", false), false},
		{"shared then exclusive", sh("/f", false), ex("/f", false), true},
		{"exclusive then shared", ex("/f", false), sh("/f", false), true},
		{"infinite exclusive on the collection, a member", ex("/c", true), sh("/c/f", false), true},
		{"infinite shared on the collection, a shared member", sh("/c", true), sh("/c/f", false), false},
		{"infinite shared on the collection, an exclusive member", sh("/c", true), ex("/c/f", false), true},
		{"depth-0 lock on the collection leaves members free", ex("/c", false), ex("/c/f", false), false},
		{"a member's lock, then infinite exclusive on the collection", sh("/c/d/f", false), ex("/c", true), true},
		{"a member's lock, then depth-0 exclusive on the collection", ex("/c/f", false), ex("/c", false), false},
		{"a sibling sharing a prefix is not a member", ex("/ab", true), ex("/a", true), false},
		{"infinite on the root covers everything", ex("/", true), sh("/x/y", false), true},
		{"unrelated resources", ex("/a", true), ex("/b", true), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, _ := newTestManager()
			grant(t, m, c.existing, time.Hour)
			err := m.Do(func(tx *Tx) error { _, err := tx.Create(c.new, time.Hour); return err })
			var ce *ConflictError
			if c.conflict != (err != nil) || err != nil && (!errors.As(err, &ce) || ce.Lock == nil || ce.Lock.Root != c.existing.Root) {
				t.Fatalf("Create(%+v) beside %+v: %v, want conflict %v", c.new, c.existing, err, c.conflict)
			}
		})
	}
}

func TestMissingTokensFollowWhatAChangeReaches(t *testing.T) {
	type lk struct {
		root     string
		scope    Scope
		infinite bool
	}
	cases := []struct {
		name      string
		locks     []lk
		needs     []Need
		submit    []int // indexes into locks
		wantRoot  string
		wantToken int // index of the missing lock when several share a root
	}{
		{"unlocked", nil, []Need{{Path: "/f"}}, nil, "", 0},
		{"locked file without its token", []lk{{"/f", Exclusive, false}}, []Need{{Path: "/f"}}, nil, "/f", 0},
		{"locked file with its token", []lk{{"/f", Exclusive, false}}, []Need{{Path: "/f"}}, []int{0}, "", 0},
		{"a depth-0 collection lock protects its membership", []lk{{"/c", Exclusive, false}},
			[]Need{{Path: "/c/new", Member: true}}, nil, "/c", 0},
		{"… not the content of its members", []lk{{"/c", Exclusive, false}},
			[]Need{{Path: "/c/f"}}, nil, "", 0},
		{"an infinite collection lock protects member content", []lk{{"/c", Exclusive, true}},
			[]Need{{Path: "/c/d/f"}}, nil, "/c", 0},
		{"deleting a collection reaches the locks below it", []lk{{"/c/d/f", Exclusive, false}},
			[]Need{{Path: "/c", Member: true, Tree: true}}, nil, "/c/d/f", 0},
		{"… and needs their tokens", []lk{{"/c/d/f", Exclusive, false}},
			[]Need{{Path: "/c", Member: true, Tree: true}}, []int{0}, "", 0},
		{"any one shared lock's token lets its holder write", []lk{{"/f", Shared, false}, {"/f", Shared, false}},
			[]Need{{Path: "/f"}}, []int{1}, "", 0},
		{"a shared lock on the collection's tree counts for a member", []lk{{"/c", Shared, true}, {"/c/f", Shared, false}},
			[]Need{{Path: "/c/f"}}, []int{0}, "", 0},
		{"a token of another resource's lock does not count", []lk{{"/f", Exclusive, false}, {"/g", Exclusive, false}},
			[]Need{{Path: "/f"}}, []int{1}, "/f", 0},
		{"both resources of a MOVE", []lk{{"/src", Exclusive, false}, {"/dst", Exclusive, false}},
			[]Need{{Path: "/dst", Tree: true}, {Path: "/src", Member: true, Tree: true}}, []int{1}, "/src", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, _ := newTestManager()
			var toks []string
			for _, l := range c.locks {
				toks = append(toks, grant(t, m, Lock{Root: l.root, Scope: l.scope, Infinite: l.infinite}, time.Hour).Token)
			}
			var submitted []string
			for _, i := range c.submit {
				submitted = append(submitted, toks[i])
			}
			var got Lock
			var missing bool
			m.Do(func(tx *Tx) error { got, missing = tx.Missing(c.needs, submitted); return nil })
			if missing != (c.wantRoot != "") || got.Root != c.wantRoot {
				t.Fatalf("Missing(%+v, %d tokens) = %q, %v; want %q", c.needs, len(submitted), got.Root, missing, c.wantRoot)
			}
		})
	}
}

func TestLocksExpireAndRefreshRestartsTheirTimeout(t *testing.T) {
	m, clk := newTestManager()
	l := grant(t, m, Lock{Root: "/f"}, 10*time.Second)
	if !regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(l.Token) {
		t.Fatalf("token %q is not a random urn:uuid", l.Token)
	}
	clk.t = clk.t.Add(8 * time.Second)
	m.Do(func(tx *Tx) error {
		if _, ok := tx.Refresh(l.Token, 10*time.Second); !ok {
			t.Fatal("refresh of a live lock failed")
		}
		return nil
	})
	clk.t = clk.t.Add(8 * time.Second) // 16 s after the grant, 8 after the refresh
	m.Do(func(tx *Tx) error {
		if _, ok := tx.Lookup(l.Token); !ok {
			t.Fatal("refreshed lock expired early")
		}
		if got := tx.Tokens("/f"); len(got) != 1 {
			t.Fatalf("tokens covering /f: %q", got)
		}
		return nil
	})
	clk.t = clk.t.Add(2 * time.Second)
	m.Do(func(tx *Tx) error {
		if _, ok := tx.Lookup(l.Token); ok {
			t.Fatal("lock outlived its timeout")
		}
		return nil
	})
	grant(t, m, Lock{Root: "/f", Scope: Exclusive}, time.Second) // nothing left in the way
}

func TestInfiniteTimeoutIsCappedAtMaxTimeout(t *testing.T) {
	m, clk := newTestManager()
	for _, d := range []time.Duration{0, -1, MaxTimeout + time.Hour} {
		l := grant(t, m, Lock{Root: "/f", Scope: Shared}, d)
		if got := l.Expires.Sub(clk.t); got != MaxTimeout {
			t.Errorf("timeout %v granted for %v, want %v", got, d, MaxTimeout)
		}
	}
}

func TestHoldsKeepOverlappingRequestsAndNewLocksOff(t *testing.T) {
	m, _ := newTestManager()
	var release func()
	if err := m.Do(func(tx *Tx) (err error) { release, err = tx.Hold(Hold{Path: "/c", Infinite: true}); return err }); err != nil {
		t.Fatal(err)
	}
	for _, h := range []Hold{{Path: "/c/f"}, {Path: "/c"}, {Path: "/", Infinite: true}} {
		if err := m.Do(func(tx *Tx) error { _, err := tx.Hold(h); return err }); err == nil {
			t.Errorf("hold %+v beside a request on /c's tree", h)
		}
	}
	var sibling func()
	if err := m.Do(func(tx *Tx) (err error) { sibling, err = tx.Hold(Hold{Path: "/cd"}); return err }); err != nil {
		t.Errorf("hold on a sibling: %v", err)
	} else {
		sibling()
	}
	if err := m.Do(func(tx *Tx) error { _, err := tx.Create(Lock{Root: "/c/f", Scope: Shared}, time.Hour); return err }); err == nil {
		t.Error("lock granted inside a request in progress")
	}
	release()
	grant(t, m, Lock{Root: "/c/f", Scope: Shared}, time.Hour)
	if err := m.Do(func(tx *Tx) error { _, err := tx.Hold(Hold{Path: "/c/f"}); return err }); err != nil {
		t.Errorf("a lock does not hold a request off (its tokens do): %v", err)
	}
}

func TestPruneDropsLocksWhoseRootsNoLongerMap(t *testing.T) {
	m, _ := newTestManager()
	a := grant(t, m, Lock{Root: "/c/a"}, time.Hour)
	b := grant(t, m, Lock{Root: "/c/b"}, time.Hour)
	c := grant(t, m, Lock{Root: "/cd"}, time.Hour)
	m.Do(func(tx *Tx) error {
		tx.Prune("/c", func(p string) bool { return p == "/c/b" })
		for _, l := range []struct {
			lock Lock
			want bool
		}{{a, false}, {b, true}, {c, true}} {
			if _, ok := tx.Lookup(l.lock.Token); ok != l.want {
				t.Errorf("lock on %s kept %v, want %v", l.lock.Root, ok, l.want)
			}
		}
		return nil
	})
}
