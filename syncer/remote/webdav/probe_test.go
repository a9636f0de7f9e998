package webdav

import (
	"errors"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// TestProbeFindsWhatEachServerOffers probes every real server and the ownCloud-like one
// and compares with what each is known to do (SERVERS.md).
func TestProbeFindsWhatEachServerOffers(t *testing.T) {
	want := map[string]remote.Capabilities{
		davtest.Apache:   {ETags: true, DeadProperties: true, Locking: true},
		davtest.Lighttpd: {ETags: true, DeadProperties: true, Locking: true},
		davtest.Nginx:    {HidesDotFiles: true},
		davtest.Rclone:   {ETags: true, Locking: true},
		davtest.XNet:     {ETags: true, Locking: true},
		"owncloud-like":  {FileIDs: true, ETags: true, FolderETags: true, Checksums: true, Locking: true, Quota: true},
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var base string
			if name == "owncloud-like" {
				base = newOCServer(t).url
			} else {
				base, _ = davtest.Shared(t, name).NewFolder(t)
			}
			got, err := newTestClient(t, base, nil).Probe(testCtx(t))
			if err != nil {
				t.Fatal(err)
			}
			if got.ProbedAt.IsZero() {
				t.Errorf("ProbedAt not set")
			}
			w.Server, w.ProbedAt = got.Server, got.ProbedAt
			if got != w {
				t.Errorf("Probe = %+v\n want %+v", got, w)
			}
			if name != davtest.XNet && name != davtest.Rclone && name != "owncloud-like" && got.Server == "" {
				t.Errorf("no server name")
			}
		})
	}
}

func TestProbeWithWrongPasswordIsAuth(t *testing.T) {
	c, err := New(Config{URL: newXNetServer(t, nil, nil), User: testUser, Password: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Probe(testCtx(t)); !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("Probe with a wrong password = %v, want ErrAuth", err)
	}
}

// TestDotNamesAreUnsupportedWhereListingsHideThem: on nginx a file named ".x" would look
// deleted right after its upload; the client refuses it as unsupported, with a reason.
func TestDotNamesAreUnsupportedWhereListingsHideThem(t *testing.T) {
	c := newProbedClient(t, func() string { u, _ := davtest.Shared(t, davtest.Nginx).NewFolder(t); return u }())
	err := c.ValidateName(".gitignore")
	if !errors.Is(err, remote.ErrUnsupported) || !strings.Contains(err.Error(), "dot") {
		t.Fatalf("ValidateName(.gitignore) on nginx = %v, want unsupported with a reason", err)
	}
	if err := c.ValidateName("a.b"); err != nil {
		t.Fatalf("ValidateName(a.b) = %v", err)
	}
	if err := newProbedClient(t, newXNetServer(t, nil, nil)).ValidateName(".gitignore"); err != nil {
		t.Fatalf("ValidateName(.gitignore) on a server that lists dot-files = %v", err)
	}
}
