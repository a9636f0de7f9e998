package scenario

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav"
)

// TestScenariosXNetWebDAV runs every scenario with the real engine, the real local file
// system, the Badger store and the WebDAV remote against golang.org/x/net/webdav on
// 127.0.0.1.
func TestScenariosXNetWebDAV(t *testing.T) {
	Run(t, func(t *testing.T) *Env { return webdavEnv(t, StartXNetWebDAV) })
}

// TestScenariosRcloneWebDAV runs every scenario against Debian's `rclone serve webdav`.
func TestScenariosRcloneWebDAV(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the rclone scenarios")
	}
	Run(t, func(t *testing.T) *Env { return webdavEnv(t, StartRclone) })
}

type startServer func(t testing.TB, dir, user, pass string, m *Meter) string

func webdavEnv(t testing.TB, start startServer) *Env {
	base := t.TempDir()
	served := filepath.Join(base, "server")
	if err := os.MkdirAll(served, 0o755); err != nil {
		t.Fatal(err)
	}
	meter := &Meter{}
	url := start(t, served, "alice", "wonderland", meter)
	return osEnv(t, base, osCloud{
		dial: func(a model.Account, secret string) (remote.Remote, error) {
			return webdav.New(webdav.Config{URL: a.URL, User: a.User, Password: secret, Capabilities: a.Capabilities})
		},
		account:     syncer.AddAccountRequest{Name: "dav", Type: "webdav", URL: url, User: "alice", Password: "wonderland"},
		tree:        DirTree{T: t, Root: filepath.Join(served, "Docs")},
		cloudFolder: "Docs",
		calls:       meter.Calls,
		fault:       meter.SetFault,
	})
}
