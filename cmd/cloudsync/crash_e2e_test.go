package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"os"
	osexec "os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// The kill -9 layer of docs/TESTING.md: the built daemon is killed (SIGKILL) during a many-file
// first sync with a large upload and a large download in it, during a large download, and
// during a large upload replacing a synced file; both sides are edited while it is down;
// then it restarts. The cloud is Debian's `rclone serve webdav`, which writes uploads in
// place under the real name (a cut upload leaves its first bytes there) and, with
// --bwlimit, is slow enough for a transfer to be cut. After each restart: no lost write
// (every content written is still in the folder, the cloud or the desktop trash), no
// partial content under any name, no leftover temporary file, both sides converged, and
// every item `list --json` calls synced has the same content on both sides.

const (
	killBigSize = 12 << 20 // at 4 MB/s: about 3 s per large transfer, more than socket buffers hold
	killSmall   = 120      // small files on each side for the first sync
)

func TestKillDashNineDuringTransfersLosesNothing(t *testing.T) {
	bin := builtBinary(t)
	rclone, err := osexec.LookPath("rclone")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("rclone is not installed (make deps installs it)")
		}
		t.Skip("rclone is not installed; make deps installs it")
	}
	t.Parallel()
	base := t.TempDir()
	k := &killWorld{t: t, bin: bin, base: base, written: map[string]string{}, ever: map[string]bool{},
		root: filepath.Join(base, "Docs"), served: filepath.Join(base, "server")}
	cloud := filepath.Join(k.served, "Docs")
	for _, d := range []string{k.root, cloud} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	k.cloud = cloud
	url := k.startRclone(rclone)
	k.env = childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+filepath.Join(base, "cs"), "CLOUDSYNC_KEYRING=memory",
		"XDG_DATA_HOME="+filepath.Join(base, "xdg"))
	k.ctl = &cliCtl{bin: bin, env: k.env}

	// 1. A first sync both ways, killed while the large upload is half in the cloud.
	for i := range killSmall {
		k.write(k.root, fmt.Sprintf("local-%03d.txt", i), fmt.Sprintf("local file %d\n", i))
		k.write(cloud, fmt.Sprintf("cloud-%03d.txt", i), fmt.Sprintf("cloud file %d\n", i))
	}
	k.write(k.root, "big-up.bin", k.big("big upload, version 1"))
	k.write(cloud, "big-down.bin", k.big("big download"))
	k.startDaemon()
	mustRun(t, k.ctl, t.Context(), "wonderland\n", []string{"account", "add", "dav", "--type", "webdav", "--url", url,
		"--user", "alice", "--password-stdin"})
	mustRun(t, k.ctl, t.Context(), "", []string{"sync", k.root, "--account", "dav", "--to", "Docs"})
	k.killWhen("the large upload is half in the cloud", func() bool { return partial(filepath.Join(cloud, "big-up.bin")) })
	k.write(k.root, "local-001.txt", "local file 1, edited while the engine was down\n")
	k.write(k.root, "local-002.txt", "local file 2, edited while the engine was down\n")
	k.remove(k.root, "local-003.txt")
	k.write(k.root, "new-while-down.txt", "written while the engine was down\n")
	k.write(cloud, "cloud-004.txt", "cloud file 4, overwritten in the cloud while the engine was down\n")
	k.restartAndCheck()

	// 2. Killed during a large download: its temporary file must not stay behind.
	k.write(cloud, "big-down-2.bin", k.big("a second big download"))
	k.killWhen("a large download is under way", func() bool { return len(stagedFiles(k.root, 1)) > 0 })
	k.write(cloud, "cloud-005.txt", "cloud file 5, edited while the engine was down\n")
	k.cut("local-010.txt") // FAILURE-MODES 19: emptied by the crash, its mtime kept
	k.restartAndCheck()
	k.mustHave(cloud, "local-010.txt", "local file 10\n")
	k.mustHave(k.root, "local-010.txt", "local file 10\n")

	// 3. Killed during a large upload replacing a synced file, edits on both sides meanwhile.
	before := fileInfo(t, filepath.Join(cloud, "big-up.bin"))
	k.write(k.root, "big-up.bin", k.big("big upload, version 2"))
	k.killWhen("the new version is half in the cloud", func() bool {
		fi, err := os.Stat(filepath.Join(cloud, "big-up.bin"))
		return err == nil && fi.Size() < killBigSize && !fi.ModTime().Equal(before.ModTime())
	})
	k.write(k.root, "local-006.txt", "local file 6, edited while the engine was down\n")
	k.write(cloud, "cloud-007.txt", "cloud file 7, edited while the engine was down\n")
	k.restartAndCheck()
	k.mustHave(cloud, "big-up.bin", k.big("big upload, version 2"))
	k.mustHave(k.root, "big-up.bin", k.big("big upload, version 2"))
}

// killWorld is the state of TestKillDashNineDuringTransfersLosesNothing.
type killWorld struct {
	t                   *testing.T
	bin, base           string
	root, served, cloud string
	env                 []string
	ctl                 *cliCtl
	daemon              *proc
	written             map[string]string // hash → who wrote it (content that must survive)
	ever                map[string]bool   // every content ever written (no file may hold another)
}

func sum(data string) string {
	s := sha256.Sum256([]byte(data))
	return hex.EncodeToString(s[:])
}

// big returns a large content starting with tag.
func (k *killWorld) big(tag string) string {
	line := tag + ": " + strings.Repeat("0123456789", 10) + "\n"
	return strings.Repeat(line, killBigSize/len(line))
}

// write writes dir/p as a person does. The version it replaces is the person's to lose
// (rclone keeps no version history, and the engine then replaces the other side's copy of
// it with the new version): it leaves the ledger.
func (k *killWorld) write(dir, p, data string) {
	k.destroying(filepath.Join(dir, p))
	writeFile(k.t, filepath.Join(dir, p), data)
	k.written[sum(data)] = dir + "/" + p
	k.ever[sum(data)] = true
}

func (k *killWorld) remove(dir, p string) {
	k.destroying(filepath.Join(dir, p))
	if err := os.Remove(filepath.Join(dir, p)); err != nil {
		k.t.Fatal(err)
	}
}

// cut empties local file p as a crash can, its mtime as before; what it held must survive.
func (k *killWorld) cut(p string) {
	full := filepath.Join(k.root, p)
	fi := fileInfo(k.t, full)
	if err := os.Truncate(full, 0); err != nil {
		k.t.Fatal(err)
	}
	if err := os.Chtimes(full, fi.ModTime(), fi.ModTime()); err != nil {
		k.t.Fatal(err)
	}
	k.ever[sum("")] = true
}

func (k *killWorld) destroying(full string) {
	if b, err := os.ReadFile(full); err == nil {
		delete(k.written, sum(string(b)))
	}
}

// startRclone serves k.served with rclone at 4 MB/s, the listing never cached (changes made
// in the folder directly show at once), and returns its URL.
func (k *killWorld) startRclone(bin string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		k.t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := startProc(k.t, bin, append(childEnv(nil), "RCLONE_USER=alice", "RCLONE_PASS=wonderland"), "", nil,
		"serve", "webdav", k.served, "--addr", addr, "--config", "/dev/null", "--dir-cache-time", "0s",
		"--bwlimit", "4M", "--log-level", "ERROR")
	p.failed = true // rclone ends on SIGTERM with "signal: terminated": not a failure
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			k.t.Fatalf("rclone did not listen on %s: %s", addr, p.stderr.String())
		}
	}
	return "http://" + addr + "/"
}

func (k *killWorld) startDaemon() { k.daemon = startDaemon(k.t, k.bin, k.env, "--poll-interval", "1s") }

// killWhen kills the daemon with SIGKILL as soon as cond holds (what says what it waits for).
func (k *killWorld) killWhen(what string, cond func() bool) {
	k.t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			k.t.Fatalf("waited 60 s for the moment to kill the daemon: %s", what)
		}
	}
	if err := k.daemon.cmd.Process.Kill(); err != nil {
		k.t.Fatal(err)
	}
	<-k.daemon.done
	k.daemon.failed = true
	k.t.Logf("killed the daemon (SIGKILL): %s", what)
}

// restartAndCheck starts the daemon again, signs in (the password lived in its memory),
// asks for a sync past the back-off of the cut transfers and checks the oracle once both
// sides agree (within 90 s).
func (k *killWorld) restartAndCheck() {
	k.t.Helper()
	k.startDaemon()
	mustRun(k.t, k.ctl, k.t.Context(), "wonderland\n", []string{"account", "sign-in", "dav", "--password-stdin"})
	deadline := time.Now().Add(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(k.t.Context(), 30*time.Second)
		_ = k.ctl.RequestSync(ctx, k.root)
		_ = k.ctl.Wait(ctx)
		cancel()
		if d := k.differences(); len(d) == 0 {
			break
		} else if time.Now().After(deadline) {
			k.t.Fatalf("not converged 90 s after the restart; differing: %v", d)
		}
	}
	k.checkNoLostWrite()
	if s := stagedFiles(k.root, 0); len(s) > 0 {
		k.t.Fatalf("temporary files of cut downloads left behind: %v", s)
	}
	k.checkTruthfulStatus()
}

// differences lists the paths where the folder and the cloud differ (conflict copies and
// staged temporary files are local-only; the latter are checked on their own).
func (k *killWorld) differences() []string {
	l, c := tree(k.root), tree(k.cloud)
	maps.DeleteFunc(l, func(p, _ string) bool {
		return strings.Contains(p, "(conflict copy ") || strings.HasPrefix(filepath.Base(p), ".cloudsync-")
	})
	var out []string
	for _, p := range slices.Sorted(maps.Keys(l)) {
		if c[p] != l[p] {
			out = append(out, p)
		}
	}
	for p := range c {
		if _, ok := l[p]; !ok {
			out = append(out, p)
		}
	}
	return out
}

// checkNoLostWrite: every content written is in the folder, the cloud or the desktop
// trash, and every file anywhere holds a complete written content.
func (k *killWorld) checkNoLostWrite() {
	k.t.Helper()
	k.checkHeld(map[string]map[string]string{k.root: tree(k.root), k.cloud: tree(k.cloud)})
}

// checkHeld: every content written is in one of trees (a place → its files' contents) or
// the desktop trash, and every file there holds a complete written content.
func (k *killWorld) checkHeld(trees map[string]map[string]string) {
	k.t.Helper()
	trash := filepath.Join(k.base, "xdg", "Trash", "files")
	trees[trash] = tree(trash)
	held := map[string]bool{}
	for dir, files := range trees {
		for p, data := range files {
			h := sum(data)
			held[h] = true
			if !k.ever[h] {
				k.t.Fatalf("%s/%s holds content nobody wrote (%d bytes): a partial transfer", dir, p, len(data))
			}
		}
	}
	for h, who := range k.written {
		if !held[h] {
			k.t.Fatalf("lost write: what %s held", who)
		}
	}
}

// checkTruthfulStatus: every item `list --json` reports synced has the same content on
// both sides.
func (k *killWorld) checkTruthfulStatus() {
	k.t.Helper()
	var items []syncer.ItemInfo
	if err := k.ctl.runJSON(k.t.Context(), &items, "list", "--json"); err != nil {
		k.t.Fatal(err)
	}
	l, c := tree(k.root), tree(k.cloud)
	n := 0
	for _, it := range items {
		rel, ok := strings.CutPrefix(it.Path, k.root+string(filepath.Separator))
		if !ok || it.IsDir || it.Status != model.StatusSynced {
			continue
		}
		n++
		if lv, cv := l[filepath.ToSlash(rel)], c[filepath.ToSlash(rel)]; lv != cv || lv == "" {
			k.t.Fatalf("%s is reported synced, but the folder holds %d bytes and the cloud %d", rel, len(lv), len(cv))
		}
	}
	if n < 2*killSmall {
		k.t.Fatalf("only %d files reported synced, want every file (%d+)", n, 2*killSmall)
	}
}

func (k *killWorld) mustHave(dir, p, data string) {
	k.t.Helper()
	if b, err := os.ReadFile(filepath.Join(dir, p)); err != nil || string(b) != data {
		k.t.Fatalf("%s/%s: %d bytes (%v), want the %d bytes written last", dir, p, len(b), err, len(data))
	}
}

// tree maps the regular files below dir (slash-separated relative paths) to their content.
func tree(dir string) map[string]string {
	out := map[string]string{}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, err := os.ReadFile(p); err == nil {
				rel, _ := filepath.Rel(dir, p)
				out[filepath.ToSlash(rel)] = string(b)
			}
		}
		return nil
	})
	return out
}

// partial reports whether file p exists with fewer bytes than a large file.
func partial(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Size() > 0 && fi.Size() < killBigSize
}

// stagedFiles lists the temporary files of downloads in dir (".cloudsync-*.part") that
// hold at least min bytes.
func stagedFiles(dir string, min int64) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".cloudsync-") && strings.HasSuffix(d.Name(), ".part") {
			if fi, err := d.Info(); err == nil && fi.Size() >= min {
				out = append(out, p)
			}
		}
		return nil
	})
	return out
}

func fileInfo(t *testing.T, p string) fs.FileInfo {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}
