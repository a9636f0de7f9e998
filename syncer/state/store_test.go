package state

import (
	"errors"
	"fmt"
	osexec "os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/model"
)

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

func openTemp(t *testing.T) *Store {
	t.Helper()
	s := open(t, filepath.Join(t.TempDir(), "state"))
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAccountsCRUD(t *testing.T) {
	s := openTemp(t)
	b := model.Account{Name: "b", Type: "webdav", URL: "https://dav.example/", User: "bob"}
	a := model.Account{Name: "a", Type: "alfresco", URL: "https://alf.example/", User: "alice", WebUI: "https://alf.example/share"}
	for _, acc := range []model.Account{b, a} {
		if err := s.PutAccount(acc); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetAccount("a")
	if err != nil || got != a {
		t.Fatalf("GetAccount(a) = %+v, %v; want %+v", got, err, a)
	}
	list, err := s.ListAccounts()
	if err != nil || !reflect.DeepEqual(list, []model.Account{a, b}) {
		t.Fatalf("ListAccounts = %+v, %v", list, err)
	}
	a.Paused = true
	if err := s.PutAccount(a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetAccount("a"); !got.Paused {
		t.Fatalf("update lost: %+v", got)
	}
	if err := s.DeleteAccount("a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAccount("a"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("GetAccount after delete: %v", err)
	}
	if list, _ := s.ListAccounts(); len(list) != 1 || list[0].Name != "b" {
		t.Fatalf("ListAccounts after delete = %+v", list)
	}
}

func TestSetsCRUD(t *testing.T) {
	s := openTemp(t)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s1 := model.Set{ID: "s1", Kind: model.KindFolder, Account: "a", Options: model.DefaultOptions(),
		LocalRoot: "/home/u/Docs", RemoteRoot: "Docs", Created: created, Installation: s.InstallationID()}
	s2 := model.Set{ID: "s2", Kind: model.KindDocuments, Account: "a", Documents: []string{"x.txt", "y.txt"},
		LocalRoot: "/home/u", RemoteRoot: "Shared", Created: created}
	for _, set := range []model.Set{s2, s1} {
		if err := s.PutSet(set); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.GetSet("s2")
	if err != nil || !reflect.DeepEqual(got, s2) {
		t.Fatalf("GetSet(s2) = %+v, %v", got, err)
	}
	list, err := s.ListSets()
	if err != nil || len(list) != 2 || list[0].ID != "s1" || list[1].ID != "s2" {
		t.Fatalf("ListSets = %+v, %v", list, err)
	}
	s1.Trusted = true
	s1.PendingDeletes = 7
	if err := s.PutSet(s1); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetSet("s1"); !got.Trusted || got.PendingDeletes != 7 {
		t.Fatalf("update lost: %+v", got)
	}
	if err := s.DeleteSet("s2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSet("s2"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("GetSet after delete: %v", err)
	}
}

func item(set, key, path string) model.Item {
	return model.Item{Set: set, Key: key, Path: path, HasBase: true, Status: model.StatusSynced,
		Hash: "h-" + key, Local: model.Side{ID: "1:" + key, Size: 3}, Remote: model.Side{ID: "r" + key, Version: "v1"}}
}

func listAll(t *testing.T, s *Store, set string) []model.Item {
	t.Helper()
	var out []model.Item
	if err := s.ListItems(set, func(it model.Item) bool { out = append(out, it); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestItems(t *testing.T) {
	s := openTemp(t)
	var keys []string
	for range 3 {
		k, err := s.NextKey("s1")
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	// Put in reverse order; listing must come back in key order.
	put := []model.Item{item("s1", keys[2], "c"), item("s1", keys[0], "a"), item("s1", keys[1], "b")}
	if err := s.PutItems("s1", put, nil); err != nil {
		t.Fatal(err)
	}
	// Another set's items must not show up in s1's listing.
	if err := s.PutItems("s10", []model.Item{item("s10", "000000000001", "other")}, nil); err != nil {
		t.Fatal(err)
	}
	got := listAll(t, s, "s1")
	if len(got) != 3 || got[0].Path != "a" || got[1].Path != "b" || got[2].Path != "c" {
		t.Fatalf("ListItems = %+v", got)
	}
	one, err := s.GetItem("s1", keys[1])
	if err != nil || !reflect.DeepEqual(one, put[2]) {
		t.Fatalf("GetItem = %+v, %v; want %+v", one, err, put[2])
	}

	// Update one, add one and delete one in the same call.
	k4, _ := s.NextKey("s1")
	upd := item("s1", keys[0], "a2")
	upd.Status = model.StatusFailed
	upd.Conflicts = []string{"a (conflict).txt"}
	if err := s.PutItems("s1", []model.Item{upd, item("s1", k4, "d")}, []string{keys[1]}); err != nil {
		t.Fatal(err)
	}
	got = listAll(t, s, "s1")
	var paths []string
	for _, it := range got {
		paths = append(paths, it.Path)
	}
	if strings.Join(paths, ",") != "a2,c,d" {
		t.Fatalf("paths after update = %v", paths)
	}
	if _, err := s.GetItem("s1", keys[1]); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("GetItem of deleted item: %v", err)
	}
	if got[0].Status != model.StatusFailed || len(got[0].Conflicts) != 1 {
		t.Fatalf("updated item = %+v", got[0])
	}

	// Put and delete of the same key in one call: the delete wins.
	if err := s.PutItems("s1", []model.Item{item("s1", keys[2], "c2")}, []string{keys[2]}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetItem("s1", keys[2]); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("put+delete in one call: %v", err)
	}
	// Set is forced to the call's set.
	if err := s.PutItems("s1", []model.Item{item("wrong", "x", "x")}, nil); err != nil {
		t.Fatal(err)
	}
	if it, err := s.GetItem("s1", "x"); err != nil || it.Set != "s1" {
		t.Fatalf("GetItem(x) = %+v, %v", it, err)
	}
	if err := s.PutItems("s1", []model.Item{{Path: "nokey"}}, nil); err == nil {
		t.Fatal("PutItems accepted an item without key")
	}
}

func TestListItemsStopEarly(t *testing.T) {
	s := openTemp(t)
	var put []model.Item
	for i := range 10 {
		put = append(put, item("s", fmt.Sprintf("%012d", i), fmt.Sprint(i)))
	}
	if err := s.PutItems("s", put, nil); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := s.ListItems("s", func(model.Item) bool { n++; return n < 3 }); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("fn called %d times, want 3", n)
	}
	n = 0
	if err := s.ListItems("none", func(model.Item) bool { n++; return true }); err != nil || n != 0 {
		t.Fatalf("ListItems of unknown set: n=%d err=%v", n, err)
	}
}

func TestNextKeyMonotonicAndPersisted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	prev := ""
	for i := 1; i <= 5; i++ {
		k, err := s.NextKey("s1")
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%012d", i); k != want {
			t.Fatalf("key %d = %q, want %q", i, k, want)
		}
		if k <= prev {
			t.Fatalf("key %q does not sort after %q", k, prev)
		}
		prev = k
	}
	if k, _ := s.NextKey("s2"); k != "000000000001" {
		t.Fatalf("other set's first key = %q", k)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	defer s.Close()
	k, err := s.NextKey("s1")
	if err != nil || k != "000000000006" {
		t.Fatalf("key after reopen = %q, %v", k, err)
	}
}

func TestNextKeyConcurrent(t *testing.T) {
	s := openTemp(t)
	const workers, each = 8, 25
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				k, err := s.NextKey("s")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[k] {
					t.Errorf("key %q handed out twice", k)
				}
				seen[k] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Fatalf("%d distinct keys, want %d", len(seen), workers*each)
	}
}

func TestInstallationID(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	id := s.InstallationID()
	if len(id) != 32 {
		t.Fatalf("installation id %q: want 32 hex chars", id)
	}
	s.Close()
	s = open(t, dir)
	if got := s.InstallationID(); got != id {
		t.Fatalf("id after reopen = %q, want %q", got, id)
	}
	s.Close()
	other := openTemp(t)
	if other.InstallationID() == id {
		t.Fatal("fresh state dir got the same installation id")
	}
}

func TestDeleteSetRemovesItems(t *testing.T) {
	s := openTemp(t)
	for _, id := range []string{"s1", "s2"} {
		if err := s.PutSet(model.Set{ID: id, Kind: model.KindFolder}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.NextKey(id); err != nil { // creates the set's counter
			t.Fatal(err)
		}
		var put []model.Item
		for i := range 2500 { // more than one deletion chunk
			k := fmt.Sprintf("%012d", i+1)
			put = append(put, item(id, k, "p"+k))
		}
		if err := s.PutItems(id, put, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSet("s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSet("s1"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("GetSet after DeleteSet: %v", err)
	}
	if n := len(listAll(t, s, "s1")); n != 0 {
		t.Fatalf("%d items left in deleted set", n)
	}
	if n := len(listAll(t, s, "s2")); n != 2500 {
		t.Fatalf("other set has %d items, want 2500", n)
	}
	if k, _ := s.NextKey("s1"); k != "000000000001" {
		t.Fatalf("counter of deleted set not reset: %q", k)
	}
	if err := s.DeleteSet("missing"); err != nil {
		t.Fatalf("DeleteSet of unknown set: %v", err)
	}
}

func TestConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	if _, err := s.GetConfig("poll"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("GetConfig of unset name: %v", err)
	}
	if err := s.PutConfig("poll", "30s"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutConfig("empty", ""); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, dir)
	defer s.Close()
	if v, err := s.GetConfig("poll"); err != nil || v != "30s" {
		t.Fatalf("GetConfig(poll) = %q, %v", v, err)
	}
	if v, err := s.GetConfig("empty"); err != nil || v != "" {
		t.Fatalf("GetConfig(empty) = %q, %v", v, err)
	}
}

func TestNotFound(t *testing.T) {
	s := openTemp(t)
	errs := map[string]error{}
	_, errs["account"] = s.GetAccount("x")
	_, errs["set"] = s.GetSet("x")
	_, errs["item"] = s.GetItem("x", "000000000001")
	_, errs["config"] = s.GetConfig("x")
	for what, err := range errs {
		if !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", what, err)
		}
	}
}

func TestPutItemsLarge(t *testing.T) {
	s := openTemp(t)
	const n = 5000
	put := make([]model.Item, n)
	for i := range put {
		put[i] = item("s", fmt.Sprintf("%012d", i), fmt.Sprintf("dir/sub/file-%05d.txt", i))
		put[i].Details = strings.Repeat("d", 100)
	}
	if err := s.PutItems("s", put, nil); err != nil {
		t.Fatal(err)
	}
	got := listAll(t, s, "s")
	if len(got) != n {
		t.Fatalf("listed %d items, want %d", len(got), n)
	}
	for i, it := range got {
		if it.Key != put[i].Key {
			t.Fatalf("item %d key %q, want %q", i, it.Key, put[i].Key)
		}
	}
}

func TestSecondOpenRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	s2, err := Open(dir)
	if err == nil {
		s2.Close()
		s.Close()
		t.Fatal("second Open of an open state dir succeeded")
	}
	if !strings.Contains(err.Error(), "in use by another cloudsync") {
		t.Fatalf("second Open error is not clear: %v", err)
	}
	s.Close()
	// Once closed, the dir opens again.
	s = open(t, dir)
	s.Close()
}

// TestCopiedStateDirGetsNewInstallationID: a state dir copied elsewhere (or restored from a
// backup, which recreates its files) must not pass for the original, or its stale bases
// would be trusted and turn into deletions (SPEC §4, FAILURE-MODES 5).
func TestCopiedStateDirGetsNewInstallationID(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s := open(t, dir)
	id := s.InstallationID()
	if err := s.PutConfig("k", "v"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	copyDir := filepath.Join(t.TempDir(), "restored")
	if out, err := osexec.Command("cp", "-a", dir, copyDir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	c := open(t, copyDir)
	if c.InstallationID() == id {
		t.Fatal("copied state dir kept the installation id")
	}
	if v, err := c.GetConfig("k"); err != nil || v != "v" {
		t.Fatalf("copied state lost its data: %q, %v", v, err)
	}
	newID := c.InstallationID()
	c.Close()
	c = open(t, copyDir)
	if c.InstallationID() != newID {
		t.Fatal("the copy's new installation id did not stick across reopen")
	}
	c.Close()
	s = open(t, dir)
	if s.InstallationID() != id {
		t.Fatal("the original state dir lost its installation id")
	}
}
