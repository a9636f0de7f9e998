package scenario

import (
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// TestMain runs four scenarios at a time unless -test.parallel says otherwise (an
// environment mostly waits: on its server, on fsync, on the engine's passes), and stops the
// WebDAV servers the environments shared (davtest.Shared).
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", strconv.Itoa(max(4, runtime.GOMAXPROCS(0))))
	}
	os.Exit(davtest.Main(m))
}

// TestScenariosXNetWebDAV runs every scenario with the real engine, the real local file
// system, the Badger store and the WebDAV remote against golang.org/x/net/webdav on
// 127.0.0.1 (over a real folder).
func TestScenariosXNetWebDAV(t *testing.T) { runOnServer(t, davtest.XNet) }

// TestScenariosRcloneWebDAV runs every scenario against Debian's `rclone serve webdav`.
func TestScenariosRcloneWebDAV(t *testing.T) { runOnServer(t, davtest.Rclone) }

// TestScenariosApache runs every scenario against Debian's Apache 2.4 with mod_dav_fs and
// Basic auth (ETags from size and mtime, weak in the second after a write).
func TestScenariosApache(t *testing.T) { runOnServer(t, davtest.Apache) }

// TestScenariosLighttpd runs every scenario against Debian's lighttpd with mod_webdav.
func TestScenariosLighttpd(t *testing.T) { runOnServer(t, davtest.Lighttpd) }

// TestScenariosNginx runs every scenario against Debian's nginx with the dav and dav-ext
// modules (no ETags, no PROPPATCH or LOCK, dot-files left out of listings).
func TestScenariosNginx(t *testing.T) { runOnServer(t, davtest.Nginx) }

// TestScenariosOwnCloudLike runs every scenario against the ownCloud/Nextcloud-like server
// of davtest (oc:fileid, folder ETags that follow their subtree, oc:checksums): the engine
// with file ids and listings that reuse unchanged subtrees. Its tree lives in memory; the
// cloud side changes it through the server's file system, keeping ids as the server does.
func TestScenariosOwnCloudLike(t *testing.T) {
	t.Parallel()
	Run(t, func(t *testing.T) *Env {
		t.Parallel()
		meter := &Meter{}
		srv := davtest.ServeOC(t, meter.Wrap)
		cloud := FSTree{T: t, FS: srv.FileSystem(), Root: "/Docs", IDOf: srv.ID}
		return davEnv(t, t.TempDir(), srv.URL, cloud, meter)
	})
}

// runOnServer runs the scenarios in parallel, each in its own folder of the shared server.
func runOnServer(t *testing.T, name string) {
	if testing.Short() && name != davtest.XNet {
		t.Skipf("-short: skipping the %s scenarios", name)
	}
	t.Parallel()
	srv := davtest.Shared(t, name)
	t.Logf("%s at %s", srv.Version, srv.URL)
	Run(t, func(t *testing.T) *Env {
		t.Parallel()
		return webdavEnv(t, srv)
	})
}

// webdavEnv is an environment whose cloud is a fresh folder of srv, reached through a
// metering proxy; the cloud side acts on the served folder directly, as another client of
// the server would.
func webdavEnv(t testing.TB, srv *davtest.Server, tweak ...func(*syncer.Config)) *Env {
	base := t.TempDir()
	folderURL, served := srv.NewFolder(t)
	meter := &Meter{}
	target, err := url.Parse("http://" + srv.Host + "/")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(folderURL)
	if err != nil {
		t.Fatal(err)
	}
	proxied := strings.TrimSuffix(serve(t, meter.Wrap(Proxy(t, target))), "/") + u.EscapedPath()
	return davEnv(t, base, proxied, DirTree{T: t, Root: filepath.Join(served, "Docs"), Adopt: srv.Adopt}, meter, tweak...)
}

// davEnv is an environment syncing with the WebDAV folder at url (behind meter), whose
// "Docs" subfolder is cloud; tweak, when given, changes the engine's configuration.
func davEnv(t testing.TB, base, url string, cloud Tree, meter *Meter, tweak ...func(*syncer.Config)) *Env {
	c := osCloud{
		tweak: tweak,
		dial: func(a model.Account, secret string) (remote.Remote, error) {
			return webdav.New(webdav.Config{URL: a.URL, User: a.User, Password: secret, Capabilities: a.Capabilities})
		},
		account: syncer.AddAccountRequest{Name: "dav", Type: "webdav", URL: url,
			User: davtest.User, Password: davtest.Password},
		tree:        cloud,
		cloudFolder: "Docs",
		calls:       meter.Calls,
		fault:       meter.SetFault,
		cut:         meter.CutUploads,
	}
	if d, ok := cloud.(DirTree); ok { // a served folder: its files' mtimes are the server's
		c.setMtime = func(p string, mt time.Time) {
			if err := os.Chtimes(d.abs(p), mt, mt); err != nil {
				t.Fatal(err)
			}
		}
		c.mtime = func(p string) time.Time {
			fi, err := os.Stat(d.abs(p))
			if err != nil {
				t.Fatal(err)
			}
			return fi.ModTime()
		}
	}
	return osEnv(t, base, c)
}
