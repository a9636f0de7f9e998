//go:build linux

package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco"
	"github.com/cloudsync/cloudsync/syncer/remote/alfresco/alfrescotest"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// Metadata end to end (SPEC §3, issue 14): the built daemon and CLI, a real local folder
// whose files take user extended attributes, and a real cloud that keeps metadata.

// metaCloud is one cloud for the metadata test: how to add it as an account, another
// client of it, and a count of the daemon's content requests to it.
type metaCloud struct {
	add      []string // `account add` arguments after the name, without the password
	password string
	to       string // the set's cloud folder
	other    remote.Remote
	prefix   string       // the set's folder as a path of other
	content  atomic.Int64 // uploads and downloads of content the daemon made
	// propfinds counts the daemon's PROPFINDs (WebDAV clouds), propfindsOpen those not
	// answered yet.
	propfinds, propfindsOpen atomic.Int64
	// fresh returns a new client of the cloud, which keeps no listing yet (WebDAV clouds).
	fresh func() (remote.Remote, error)
	// before, when set, sees each of the daemon's requests before the cloud serves it.
	before atomic.Pointer[func(*http.Request)]
	daemon *proc // started by syncWithDaemon
}

// countContent wraps h, counting requests that move content: a WebDAV GET or PUT, an
// Alfresco GET or PUT of nodes/{id}/content, a multipart upload; and PROPFINDs.
func (c *metaCloud) countContent(h http.Handler, isDAV bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "PROPFIND" {
			c.propfinds.Add(1)
			c.propfindsOpen.Add(1)
			defer c.propfindsOpen.Add(-1)
		}
		get, put := r.Method == http.MethodGet, r.Method == http.MethodPut
		if (get || put) && (isDAV || strings.HasSuffix(r.URL.Path, "/content")) ||
			r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			c.content.Add(1)
		}
		if f := c.before.Load(); f != nil {
			(*f)(r)
		}
		h.ServeHTTP(w, r)
	})
}

// davCloud is one of Debian's WebDAV servers (davtest: Apache mod_dav_fs keeps dead
// properties in its .DAV state files, lighttpd in sqlite, nginx none), reached through a
// counting proxy.
func davCloud(t *testing.T, name string) *metaCloud {
	srv := davtest.Own(t, name)
	base, _ := srv.NewFolder(t)
	target, _ := url.Parse(base)
	c := &metaCloud{password: davtest.Password, to: "Docs", prefix: "Docs/"}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	proxy.ErrorLog = log.New(io.Discard, "", 0) // (a daemon killed with SIGKILL cancels its requests)
	// The proxy's idle connections to the server close before the server's keep-alive
	// timeout (5 s on Apache and lighttpd) closes them: a PROPFIND or PUT sent on one the
	// server just closed is not sent again by net/http, and the daemon gets a 502 for it.
	// (The likely cause of a CI failure of TestKillDashNineDuringMetadataWalksLosesNothing:
	// right after a restart three items failed at once and waited for their back-off past
	// the test's end; the failure's reason was not logged then.)
	proxy.Transport = &http.Transport{IdleConnTimeout: time.Second}
	hs := httptest.NewServer(c.countContent(proxy, true))
	t.Cleanup(hs.Close)
	c.add = []string{"--type", "webdav", "--url", hs.URL + target.EscapedPath(), "--user", davtest.User}
	probe, err := webdav.New(webdav.Config{URL: base, User: davtest.User, Password: davtest.Password})
	if err != nil {
		t.Fatal(err)
	}
	caps, err := probe.Probe(t.Context())
	if err != nil || caps.DeadProperties != (name != davtest.Nginx) {
		t.Fatalf("%s's probe: %+v, %v", name, caps, err)
	}
	c.fresh = func() (remote.Remote, error) {
		// Its idle connections close long before the server's keep-alive timeout (5 s
		// on Apache and lighttpd) could close one as a PROPFIND, which net/http does not
		// send again, goes out on it.
		hc := &http.Client{Transport: &http.Transport{IdleConnTimeout: time.Second}}
		return webdav.New(webdav.Config{URL: base, User: davtest.User, Password: davtest.Password, Capabilities: &caps, HTTPClient: hc})
	}
	if c.other, err = c.fresh(); err != nil {
		t.Fatal(err)
	}
	return c
}

func apacheCloud(t *testing.T) *metaCloud   { return davCloud(t, davtest.Apache) }
func lighttpdCloud(t *testing.T) *metaCloud { return davCloud(t, davtest.Lighttpd) }

// onRotatingClouds runs test as a parallel subtest on each cloud whose walks read the
// metadata on a rotation (webdav walkmeta.go): Apache and lighttpd.
func onRotatingClouds(t *testing.T, test func(t *testing.T, bin string, newCloud func(*testing.T) *metaCloud)) {
	bin := builtBinary(t)
	for name, newCloud := range map[string]func(*testing.T) *metaCloud{"apache": apacheCloud, "lighttpd": lighttpdCloud} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, bin, newCloud)
		})
	}
}

// alfrescoCloud is the Alfresco test server (every request checked against the API
// definition when it is present), as realistic as it gets.
func alfrescoCloud(t *testing.T) *metaCloud {
	s := alfrescotest.Start(t, alfrescotest.Realistic())
	s.AddUser("bob", "bob-pw")
	s.AddSite(alfrescotest.DefaultNetwork, "team", "Team", map[string]string{"bob": "SiteManager"})
	c := &metaCloud{password: "bob-pw", to: alfrescotest.DefaultNetwork + "/team/Docs", prefix: alfrescotest.DefaultNetwork + "/team/Docs/"}
	hs := httptest.NewServer(c.countContent(s, false))
	t.Cleanup(hs.Close)
	c.add = []string{"--type", "alfresco", "--url", hs.URL, "--user", "bob"}
	var err error
	if c.other, err = alfresco.New(alfresco.Config{URL: s.URL, User: "bob", Password: "bob-pw"}); err != nil {
		t.Fatal(err)
	}
	return c
}

// syncWithDaemon starts the daemon (state under base/cs), adds the cloud as an account and
// syncs root to it, and waits for the first pass.
func (c *metaCloud) syncWithDaemon(t *testing.T, bin, base, root string) *cliCtl {
	t.Helper()
	env := childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+filepath.Join(base, "cs"), "CLOUDSYNC_KEYRING=memory",
		"XDG_DATA_HOME="+filepath.Join(base, "xdg"))
	c.daemon = startDaemon(t, bin, env, "--poll-interval", "1h")
	ctl := &cliCtl{bin: bin, env: env}
	mustRun(t, ctl, t.Context(), c.password+"\n", append([]string{"account", "add", "cloud"}, append(c.add, "--password-stdin")...))
	mustRun(t, ctl, t.Context(), "", []string{"sync", root, "--account", "cloud", "--to", c.to})
	mustRun(t, ctl, t.Context(), "", []string{"wait", "--timeout", "60s"})
	return ctl
}

func (c *metaCloud) meta(t *testing.T, p string) (remote.Entry, remote.Meta) {
	t.Helper()
	e, err := c.other.Stat(t.Context(), c.prefix+p)
	if err != nil {
		t.Fatal(err)
	}
	if e.Meta == nil {
		return e, remote.Meta{}
	}
	return e, *e.Meta
}

func (c *metaCloud) setMeta(t *testing.T, p string, m remote.Meta) {
	t.Helper()
	e, _ := c.meta(t, p)
	if _, err := c.other.(remote.MetaKeeper).SetMeta(t.Context(), e, m); err != nil {
		t.Fatal(err)
	}
}

var xattrNames = [3]string{"user.dublincore.title", "user.dublincore.description", "user.dublincore.creator"}

// syncOneFile syncs a folder holding a.txt with content to the cloud newCloud makes, with
// the daemon, and returns the cloud, the CLI and a.txt's path. It skips t where the folder
// keeps no user extended attributes.
func syncOneFile(t *testing.T, bin string, newCloud func(*testing.T) *metaCloud, content string) (*metaCloud, *cliCtl, string) {
	t.Helper()
	base := t.TempDir()
	a := filepath.Join(base, "Docs", "a.txt")
	writeFile(t, a, content)
	needUserXattrs(t, a)
	cloud := newCloud(t)
	return cloud, cloud.syncWithDaemon(t, bin, base, filepath.Dir(a)), a
}

// needUserXattrs skips t when the file system of file p keeps no user extended attributes.
func needUserXattrs(t *testing.T, p string) {
	t.Helper()
	if err := unix.Lsetxattr(p, "user.cloudsync-test", []byte("1"), 0); err != nil {
		t.Skipf("the test folder's file system keeps no user extended attributes: %v", err)
	}
	unix.Lremovexattr(p, "user.cloudsync-test")
}

func localMeta(t *testing.T, p string) remote.Meta {
	t.Helper()
	var v [3]string
	for i, name := range xattrNames {
		buf := make([]byte, 4096)
		n, err := unix.Lgetxattr(p, name, buf)
		switch {
		case errors.Is(err, unix.ENODATA):
		case err != nil:
			t.Fatalf("getxattr %s %s: %v", p, name, err)
		default:
			v[i] = string(buf[:n])
		}
	}
	return remote.Meta{Title: v[0], Description: v[1], Author: v[2]}
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// eventually polls cond for up to 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("30 s later: %s", what)
		}
	}
}

// TestMetadataEndToEnd: a title and author set on a local file with setxattr (as `setfattr`
// does) reach the cloud without any content request; a description the cloud's other
// client adds reaches the local extended attributes without a download (the file keeps its
// inode); `info` and `info --json` show the three values; on Apache mod_dav_fs, lighttpd
// mod_webdav and the Alfresco test server.
func TestMetadataEndToEnd(t *testing.T) {
	bin := builtBinary(t)
	for name, newCloud := range map[string]func(*testing.T) *metaCloud{"apache": apacheCloud, "lighttpd": lighttpdCloud, "alfresco": alfrescoCloud} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cloud, ctl, a := syncOneFile(t, bin, newCloud, "content that must not travel again")
			root := filepath.Dir(a)
			before, ino := cloud.content.Load(), inode(t, a)
			cloudEntry, _ := cloud.meta(t, "a.txt")

			mine := remote.Meta{Title: "Quarterly report", Author: "Ann O'Neil"}
			for _, kv := range [][2]string{{xattrNames[0], mine.Title}, {xattrNames[2], mine.Author}} {
				if err := unix.Lsetxattr(a, kv[0], []byte(kv[1]), 0); err != nil {
					t.Fatal(err)
				}
			}
			eventually(t, "the local title and author are not in the cloud", func() bool {
				_, m := cloud.meta(t, "a.txt")
				return m == mine
			})
			mustRun(t, ctl, t.Context(), "", []string{"wait", "--timeout", "60s"})
			if n := cloud.content.Load() - before; n != 0 {
				t.Fatalf("a local metadata edit made %d content requests", n)
			}
			if e, _ := cloud.meta(t, "a.txt"); e.Size != cloudEntry.Size {
				t.Fatalf("the cloud file changed size: %d → %d", cloudEntry.Size, e.Size)
			}

			theirs := remote.Meta{Title: mine.Title, Description: "Figures for Q4,\nchecked", Author: mine.Author}
			cloud.setMeta(t, "a.txt", theirs)
			mustRun(t, ctl, t.Context(), "", []string{"request-sync", root})
			mustRun(t, ctl, t.Context(), "", []string{"wait", "--timeout", "60s"})
			eventually(t, "the cloud's description is not in the local extended attributes", func() bool {
				return localMeta(t, a) == theirs
			})
			if inode(t, a) != ino {
				t.Fatalf("a.txt was replaced (downloaded) for a metadata edit")
			}
			if n := cloud.content.Load() - before; n != 0 {
				t.Fatalf("metadata edits made %d content requests", n)
			}

			var info syncer.ItemInfo
			if err := ctl.runJSON(t.Context(), &info, "info", a, "--json"); err != nil {
				t.Fatal(err)
			}
			if info.Metadata == nil || *info.Metadata != theirs || info.Status != model.StatusSynced || info.MetadataNote != "" {
				t.Fatalf("info --json: status %s metadata %+v note %q; want synced with %+v", info.Status, info.Metadata, info.MetadataNote, theirs)
			}
			out := mustRun(t, ctl, t.Context(), "", []string{"info", a})
			for _, want := range []string{"Title:", "Quarterly report", "Description:", "Figures for Q4", "Author:", "Ann O'Neil"} {
				if !strings.Contains(out, want) {
					t.Errorf("info lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestMetadataOnAFileSystemWithoutUserXattrs: a synced folder on ramfs (which, like FAT or
// tmpfs before Linux 6.6, keeps no user extended attributes) syncs its content as always;
// `info` says in one sentence why titles are not synced, and the log says it once, while
// the cloud's title is left alone.
func TestMetadataOnAFileSystemWithoutUserXattrs(t *testing.T) {
	bin := builtBinary(t)
	t.Parallel()
	base := t.TempDir()
	root := filepath.Join(base, "Docs")
	os.Mkdir(root, 0o700)
	if out, err := exec.Command("mount", "-t", "ramfs", "-o", "mode=0700", "ramfs", root).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a ramfs here (needs root with CAP_SYS_ADMIN): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", root).Run() })
	writeFile(t, filepath.Join(root, "a.txt"), "local")
	cloud := alfrescoCloud(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := cloud.other.Mkdir(ctx, strings.TrimSuffix(cloud.prefix, "/")); err != nil {
		t.Fatal(err)
	}
	if _, err := cloud.other.Upload(ctx, cloud.prefix+"b.txt", nil, strings.NewReader("cloud"), 5); err != nil {
		t.Fatal(err)
	}
	cloud.setMeta(t, "b.txt", remote.Meta{Title: "cloud title"})
	ctl := cloud.syncWithDaemon(t, bin, base, root)
	mustRun(t, ctl, t.Context(), "", []string{"request-sync", root})
	mustRun(t, ctl, t.Context(), "", []string{"wait", "--timeout", "60s"})

	if b, err := os.ReadFile(filepath.Join(root, "b.txt")); err != nil || string(b) != "cloud" {
		t.Fatalf("b.txt = %q, %v; content must sync", b, err)
	}
	if _, m := cloud.meta(t, "a.txt"); !m.IsZero() {
		t.Fatalf("a.txt got metadata %+v in the cloud", m)
	}
	if _, m := cloud.meta(t, "b.txt"); m.Title != "cloud title" {
		t.Fatalf("the cloud's title was touched: %+v", m)
	}
	var info syncer.ItemInfo
	if err := ctl.runJSON(t.Context(), &info, "info", filepath.Join(root, "b.txt"), "--json"); err != nil {
		t.Fatal(err)
	}
	if info.Status != model.StatusSynced || info.Metadata != nil || !strings.Contains(info.MetadataNote, "extended attributes") {
		t.Fatalf("info: status %s metadata %+v note %q", info.Status, info.Metadata, info.MetadataNote)
	}
	out := mustRun(t, ctl, t.Context(), "", []string{"info", filepath.Join(root, "b.txt")})
	if !strings.Contains(out, "Metadata:") || !strings.Contains(out, "not synced") {
		t.Errorf("info does not say why metadata is not synced:\n%s", out)
	}
	if n := strings.Count(daemonLogs(t, base), "metadata not synced"); n != 1 {
		t.Errorf("the log says %d times that metadata is not synced, want once", n)
	}
}

// TestMetadataOnAServerWithoutDeadProperties: nginx refuses PROPPATCH. A folder whose files
// carry titles syncs its content there as always; `info` says in one sentence that the
// server does not store them, nothing about it is a failed item, the local extended
// attributes are left alone, and the log says it once, at info level (no fault of the
// person's).
func TestMetadataOnAServerWithoutDeadProperties(t *testing.T) {
	bin := builtBinary(t)
	t.Parallel()
	base := t.TempDir()
	root := filepath.Join(base, "Docs")
	a := filepath.Join(root, "a.txt")
	writeFile(t, a, "content")
	if err := unix.Lsetxattr(a, xattrNames[0], []byte("local title"), 0); err != nil {
		t.Skipf("the test folder's file system keeps no user extended attributes: %v", err)
	}
	cloud := davCloud(t, davtest.Nginx)
	ctl := cloud.syncWithDaemon(t, bin, base, root)
	mustRun(t, ctl, t.Context(), "", []string{"request-sync", root})
	mustRun(t, ctl, t.Context(), "", []string{"wait", "--timeout", "60s"})

	if e, _ := cloud.meta(t, "a.txt"); e.Size != int64(len("content")) {
		t.Fatalf("a.txt in the cloud: %+v", e)
	}
	var info syncer.ItemInfo
	if err := ctl.runJSON(t.Context(), &info, "info", a, "--json"); err != nil {
		t.Fatal(err)
	}
	if info.Status != model.StatusSynced || info.Metadata != nil || !strings.Contains(info.MetadataNote, "does not store") {
		t.Fatalf("info: status %s metadata %+v note %q", info.Status, info.Metadata, info.MetadataNote)
	}
	var errs []syncer.ItemInfo
	if err := ctl.runJSON(t.Context(), &errs, "list", "--errors", "--json"); err != nil || len(errs) != 0 {
		t.Fatalf("failed items: %+v, %v; want none", errs, err)
	}
	if m := localMeta(t, a); m != (remote.Meta{Title: "local title"}) {
		t.Fatalf("the local extended attributes changed: %+v", m)
	}
	if logs := daemonLogs(t, base); strings.Count(logs, "metadata not synced") != 1 || strings.Contains(logs, "level=WARN msg=\"metadata not synced\"") {
		t.Errorf("want one info line saying metadata is not synced:\n%s", logs)
	}
}

// daemonLogs returns the text of every log file below base/cs.
func daemonLogs(t *testing.T, base string) string {
	t.Helper()
	var all strings.Builder
	filepath.WalkDir(filepath.Join(base, "cs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".log") {
			b, _ := os.ReadFile(p)
			all.Write(b)
		}
		return nil
	})
	return all.String()
}
