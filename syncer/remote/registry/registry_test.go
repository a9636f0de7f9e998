package registry

import (
	"log/slog"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

func newRemote(model.Account, string, *slog.Logger) (remote.Remote, error) { return nil, nil }

func TestRegistryRefusesATypeRegisteredTwice(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a type registered twice was accepted")
		}
	}()
	New(Backend{Type: "a", Label: "A", New: newRemote}, Backend{Type: "a", Label: "A2", New: newRemote})
}

func TestUnknownTypeErrorNamesTheRegisteredOnes(t *testing.T) {
	r := New(Backend{Type: "a", Label: "A", New: newRemote}, Backend{Type: "b", Label: "B", New: newRemote},
		Backend{Type: "c", Label: "C", New: newRemote, Levels: []string{"net"}})
	if err := r.Check("b"); err != nil {
		t.Errorf("Check(b) = %v", err)
	}
	if err := r.Check("x"); err == nil || err.Error() != `unknown account type "x": use a, b or c` {
		t.Errorf("Check(x) = %v", err)
	}
	if _, err := r.Dial(nil)(model.Account{Type: "x"}, ""); err == nil {
		t.Error("Dial of an unknown type succeeded")
	}
	var none *Registry
	if none.Check("a") == nil || len(none.Types()) != 0 {
		t.Error("a nil registry has types")
	}
	c, _ := r.Lookup("c")
	if c.EntryKind(0) != "net" || c.EntryKind(1) != "folder" || c.CanMakeFolder(0) || !c.CanMakeFolder(1) {
		t.Errorf("levels of c: %q %q %v %v", c.EntryKind(0), c.EntryKind(1), c.CanMakeFolder(0), c.CanMakeFolder(1))
	}
}

type client struct{ remote.Remote }

func TestBuiltGivesANilRemoteForAFailedConstructor(t *testing.T) {
	var c *client
	if r, err := Built(c, remote.ErrAuth); r != nil || err == nil {
		t.Errorf("Built(nil *client, err) = %v, %v; want a nil interface and the error", r, err)
	}
}
