package syncer_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/credentials"
	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/exec"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/backends"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
	"github.com/cloudsync/cloudsync/syncer/remote/registry"
	"github.com/cloudsync/cloudsync/syncer/state/memstore"
)

// TestEngineTakesItsRemoteTypesFromTheRegistry: the engine names no remote type — it accepts
// exactly the registered ones (a made-up type added by registration alone works, a real one
// left out is refused) and marks the fixed levels a type registers when browsing.
func TestEngineTakesItsRemoteTypesFromTheRegistry(t *testing.T) {
	mem := memremote.New()
	ctx := t.Context()
	for _, d := range []string{"north", "north/shop", "north/shop/docs"} {
		if _, err := mem.Mkdir(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	dial := func(model.Account, string, *slog.Logger) (remote.Remote, error) { return mem, nil }
	reg := registry.New(
		registry.Backend{Type: "flat", Label: "Flat", New: dial},
		registry.Backend{Type: "tiered", Label: "Tiered", Levels: []string{"region", "store"}, New: dial},
	)
	eng, err := syncer.New(syncer.Config{
		Store: memstore.New("i1"), Secrets: credentials.NewMemory(), Remotes: reg,
		LocalFS:      func(string) exec.LocalFS { return exec.NewMemFS() },
		PollInterval: time.Hour, RescanInterval: time.Hour, Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	add := func(name, typ string) error {
		_, err := eng.AddAccount(ctx, syncer.AddAccountRequest{Name: name, Type: typ, URL: "http://127.0.0.1:1/", User: "u", Password: "p"})
		return err
	}
	for _, typ := range reg.Types() {
		if err := add(typ, typ); err != nil {
			t.Errorf("registered type %s refused: %v", typ, err)
		}
	}
	if err := add("dav", "webdav"); err == nil || !strings.Contains(err.Error(), `use flat or tiered`) {
		t.Errorf("unregistered type webdav: %v, want refused naming flat or tiered", err)
	}
	kinds := func(account, folder string) string {
		es, err := eng.Browse(ctx, account, folder)
		if err != nil {
			t.Fatalf("browse %s:%s: %v", account, folder, err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Name+"="+e.Kind)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct{ account, folder, want string }{
		{"tiered", "", "north=region"},
		{"tiered", "north", "shop=store"},
		{"tiered", "north/shop", "docs=folder"},
		{"flat", "", "north=folder"},
	} {
		if got := kinds(c.account, c.folder); got != c.want {
			t.Errorf("browse %s:%q = %s, want %s", c.account, c.folder, got, c.want)
		}
	}

	// The real registry: the engine refuses any other type and names exactly the registered ones.
	real := backends.Registry()
	eng2, err := syncer.New(syncer.Config{Store: memstore.New("i1"), Secrets: credentials.NewMemory(), Remotes: real,
		LocalFS: func(string) exec.LocalFS { return exec.NewMemFS() }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eng2.AddAccount(ctx, syncer.AddAccountRequest{Name: "x", Type: "ftp", URL: "http://127.0.0.1:1/", User: "u", Password: "p"})
	if want := "use " + real.Choices(" or "); err == nil || !strings.HasSuffix(err.Error(), want) || len(real.Types()) < 2 {
		t.Errorf("type ftp: %v, want an error ending %q", err, want)
	}
}
