//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// TestKillDashNineDuringMetadataWalksLosesNothing: on Apache and lighttpd, which keep dead
// properties but whose folder ETags do not cover their subtree, the daemon's polls walk
// every folder, keep the listings in memory between walks, read the titles on a rotation
// (webdav walkmeta.go) and list folders ahead of their parent (walkahead.go). A folder of
// 300 files in 24 subfolders, a fifth of them with a title, is synced. Then, in each of 4
// rounds, another client of the server edits content and titles (PUT, PROPPATCH) and the
// person edits files and titles locally, in two batches while the daemon polls every
// second, and the daemon is killed with SIGKILL after a random number of the PROPFINDs of
// its next walks (in a walk, or in the transfers after one); while it is down, both sides
// edit the same files (content on some, the title on others, a cloud description beside a
// local title on others); it restarts, settles, and every file `list --json` calls synced
// must have the same bytes and metadata on both sides. After a last round of edits
// without a kill (the cloud's titles arrive by the rotation of the walks since the
// restart, within 10 polls), both sides converge: no write is lost (each is in the folder,
// a conflict copy, the cloud or the trash), no file holds content nobody wrote, no
// temporary file is left or listed, every file's metadata is its last edit's on both sides
// (the cloud's where both sides edited the same field), nothing is failed or pending, and
// what `list --json` and `info` call synced is the same on both sides. The edits of the two
// sides touch disjoint files while the daemon runs (so that the test knows which version
// each write replaced) and the same files while it is down (so that each clash is one for
// the daemon). The seed is logged.
func TestKillDashNineDuringMetadataWalksLosesNothing(t *testing.T) {
	onRotatingClouds(t, killDuringMetadataWalks)
}

func killDuringMetadataWalks(t *testing.T, bin string, newCloud func(*testing.T) *metaCloud) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	base := t.TempDir()
	k := &killWorld{t: t, bin: bin, base: base, written: map[string]string{}, ever: map[string]bool{},
		root: filepath.Join(base, "Docs")}
	m := &metaKill{killWorld: k, dav: newCloud(t), rnd: rand.New(rand.NewPCG(uint64(seed), 0)), want: map[string]remote.Meta{}}
	k.env = childEnv(cloudsyncVars, "CLOUDSYNC_HOME="+filepath.Join(base, "cs"), "CLOUDSYNC_KEYRING=memory",
		"XDG_DATA_HOME="+filepath.Join(base, "xdg"))
	k.ctl = &cliCtl{bin: bin, env: k.env}
	m.seed()
	k.startDaemon()
	mustRun(t, k.ctl, t.Context(), m.dav.password+"\n", append([]string{"account", "add", "cloud"}, append(m.dav.add, "--password-stdin")...))
	mustRun(t, k.ctl, t.Context(), "", []string{"sync", k.root, "--account", "cloud", "--to", m.dav.to})
	m.converge("the first sync")
	for round := 1; round <= 4; round++ {
		m.touched = nil
		m.running(round, 1)
		time.Sleep(time.Duration(m.rnd.IntN(800)) * time.Millisecond)
		m.running(round, 2)
		after := m.dav.propfinds.Load() + 1 + int64(m.rnd.IntN(40))
		open := int64(0)
		k.killWhen(fmt.Sprintf("round %d, PROPFIND %d", round, after), func() bool {
			open = m.dav.propfindsOpen.Load()
			return m.dav.propfinds.Load() >= after
		})
		t.Logf("the daemon had %d PROPFINDs unanswered when it was killed", open)
		m.down(round)
		k.startDaemon()
		mustRun(t, k.ctl, t.Context(), m.dav.password+"\n", []string{"account", "sign-in", "cloud", "--password-stdin"})
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		_ = k.ctl.Wait(ctx)
		cancel()
		_ = m.checkSynced(fmt.Sprintf("round %d, after the restart", round), false)
	}
	// A last round without a kill: the cloud's titles reach the folder by the
	// rotation of the walks since the restart, over their kept listings.
	m.touched = nil
	m.running(5, 1)
	m.running(5, 2)
	m.converge("the end")
	local, cloud, _ := m.sides()
	k.checkHeld(map[string]map[string]string{k.root: local, "the cloud": cloud})
	if s := stagedFiles(k.root, 0); len(s) > 0 {
		t.Fatalf("temporary files of cut downloads left behind: %v", s)
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		u := m.checkSynced("the end", true)
		if len(u) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the end: not settled 20 s after converging: %v", u)
		}
		// Right after `wait` the watcher may still report what the last pass wrote
		// in the folder: pending until a pass looked (see prunedKill.check).
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		_ = k.ctl.Wait(ctx)
		cancel()
	}
}

const (
	mkFiles   = 300
	mkFolders = 24
)

// metaKill is the state of TestKillDashNineDuringMetadataWalksLosesNothing: the ledger of
// written contents (killWorld's) and the metadata each file must end with.
type metaKill struct {
	*killWorld
	dav     *metaCloud
	rnd     *rand.Rand
	perm    []int                  // the files by pool (see file)
	want    map[string]remote.Meta // file → the metadata it must end with
	touched []string               // the files the last round edited
}

// The files' roles: a running-phase edit touches one side's pool only, a down-phase edit
// both sides of a file of the clash pools.
const (
	poolCloudContent = iota
	poolLocalContent
	poolCloudTitle
	poolLocalTitle
	poolClashContent
	poolClashTitle
	poolMerge // a description in the cloud, a title locally
	pools
)

// file is the name of the i-th file of pool (40 files a pool, by the seed's permutation).
func (m *metaKill) file(pool int) string {
	return mkName(m.perm[pool*40+m.rnd.IntN(40)])
}

func mkName(i int) string {
	if d := i % (mkFolders + 1); d < mkFolders {
		sub := ""
		if d%2 == 1 {
			sub = "/sub"
		}
		return fmt.Sprintf("f%02d%s/n%03d.txt", d/2, sub, i)
	}
	return fmt.Sprintf("n%03d.txt", i)
}

// seed writes the folder to sync: every file, a title and author on every fifth.
func (m *metaKill) seed() {
	m.perm = m.rnd.Perm(mkFiles)
	for i := range mkFiles {
		p := mkName(i)
		m.write(m.root, p, p+": first version\n")
		if i == 0 {
			needUserXattrs(m.t, filepath.Join(m.root, p))
		}
		m.want[p] = remote.Meta{}
		if i%5 == 0 {
			m.localMeta(p, "title", "the first title of "+p, true)
			m.localMeta(p, "author", "Ann", true)
		}
	}
}

// running is one batch of edits made while the daemon runs, each side on its own files.
func (m *metaKill) running(round, batch int) {
	tag := fmt.Sprintf("round %d, batch %d", round, batch)
	for i := range 3 {
		theirs, mine := m.file(poolCloudContent), m.file(poolLocalContent)
		m.cloudWrite(theirs, "edited in the cloud, "+tag)
		m.localWrite(mine, "edited locally, "+tag)
		if i == 0 { // content and title of one file at once
			m.cloudMeta(theirs, "title", "the cloud's title with its content, "+tag, true)
			m.localMeta(mine, "title", "my title with my content, "+tag, true)
		}
		theirTitle, myTitle := "the cloud's title, "+tag, "my title, "+tag
		if i == 1 { // a title removed
			theirTitle, myTitle = "", ""
		}
		m.cloudMeta(m.file(poolCloudTitle), "title", theirTitle, true)
		m.localMeta(m.file(poolLocalTitle), "title", myTitle, true)
	}
	// New files with a title, in a new folder on each side (which no walk listed yet,
	// so none lists it ahead of its parent).
	dir := fmt.Sprintf("f%02d/cloud-r%d-%d", m.rnd.IntN(mkFolders/2), round, batch)
	if _, err := m.dav.other.Mkdir(m.t.Context(), m.dav.prefix+dir); err != nil {
		m.t.Fatal(err)
	}
	for _, p := range []string{dir + ".txt", dir + "/new.txt"} {
		m.cloudWrite(p, "new in the cloud, "+tag)
		m.cloudMeta(p, "title", "a new cloud file's title, "+tag, true)
	}
	dir = fmt.Sprintf("f%02d/sub/local-r%d-%d", m.rnd.IntN(mkFolders/2), round, batch)
	for _, p := range []string{dir + ".txt", dir + "/new.txt"} {
		m.localWrite(p, "new locally, "+tag)
		m.localMeta(p, "title", "a new local file's title, "+tag, true)
	}
}

// down is the edits made while the daemon is down: clashes on the same files, and one
// edit of each side alone.
func (m *metaKill) down(round int) {
	tag := fmt.Sprintf("round %d, while the daemon was down", round)
	for range 2 {
		p := m.file(poolClashContent)
		m.cloudWrite(p, "the cloud's edit, "+tag)
		m.localWrite(p, "my edit, kept as a conflict copy, "+tag)
		p = m.file(poolClashTitle)
		m.cloudMeta(p, "title", "the cloud's title, "+tag, true)
		m.localMeta(p, "title", "my title, lost to the cloud's, "+tag, false)
		p = m.file(poolMerge)
		m.cloudMeta(p, "description", "the cloud's description, "+tag, true)
		m.localMeta(p, "title", "my title beside the cloud's description, "+tag, true)
	}
	m.cloudWrite(m.file(poolCloudContent), "edited in the cloud, "+tag)
	m.localWrite(m.file(poolLocalContent), "edited locally, "+tag)
}

func (m *metaKill) localWrite(p, data string) {
	m.write(m.root, p, p+": "+data+"\n")
	m.touched = append(m.touched, p)
	if _, ok := m.want[p]; !ok {
		m.want[p] = remote.Meta{}
	}
}

// cloudWrite writes cloud file p as another client does; the version it replaces leaves
// the ledger (the server keeps no versions).
func (m *metaKill) cloudWrite(p, data string) {
	m.t.Helper()
	data = p + ": " + data + "\n"
	ctx, full := m.t.Context(), m.dav.prefix+p
	var replace *remote.Entry
	if e, err := m.dav.other.Stat(ctx, full); err == nil {
		delete(m.written, sum(m.read(m.dav.other, e)))
		replace = &e
	} else if !errors.Is(err, remote.ErrNotFound) {
		m.t.Fatal(err)
	}
	if _, err := m.dav.other.Upload(ctx, full, replace, strings.NewReader(data), int64(len(data))); err != nil {
		m.t.Fatal(err)
	}
	m.written[sum(data)] = "the cloud's " + p
	m.ever[sum(data)] = true
	m.touched = append(m.touched, p)
	if _, ok := m.want[p]; !ok {
		m.want[p] = remote.Meta{}
	}
}

// cloudMeta sets one metadata field of cloud file p (PROPPATCH; v empty: removes it), and
// makes it what the file must end with when wins.
func (m *metaKill) cloudMeta(p, field, v string, wins bool) {
	_, cur := m.dav.meta(m.t, p)
	m.dav.setMeta(m.t, p, cur.Set(field, v))
	if wins {
		m.want[p] = m.want[p].Set(field, v)
	}
	m.touched = append(m.touched, p)
}

// localMeta sets one metadata field of local file p (setxattr, as `setfattr` does; v
// empty: removes it), and makes it what the file must end with when wins.
func (m *metaKill) localMeta(p, field, v string, wins bool) {
	name, full := xattrNames[slices.Index([]string{"title", "description", "author"}, field)], filepath.Join(m.root, p)
	if v == "" {
		if err := unix.Lremovexattr(full, name); err != nil && !errors.Is(err, unix.ENODATA) {
			m.t.Fatal(err)
		}
	} else if err := unix.Lsetxattr(full, name, []byte(v), 0); err != nil {
		m.t.Fatal(err)
	}
	if wins {
		m.want[p] = m.want[p].Set(field, v)
	}
	m.touched = append(m.touched, p)
}

// read reads cloud file e through r (its version then, or a later one).
func (m *metaKill) read(r remote.Remote, e remote.Entry) string {
	m.t.Helper()
	e.Version = ""
	rc, err := r.Open(m.t.Context(), e, 0)
	if err != nil {
		m.t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		m.t.Fatal(err)
	}
	return string(b)
}

// sides reads both sides: the local files (conflict copies and temporary files too), the
// cloud's files (by a new client, which reads every title) and their metadata.
func (m *metaKill) sides() (local, cloud map[string]string, meta map[string]remote.Meta) {
	m.t.Helper()
	r, err := m.dav.fresh()
	if err != nil {
		m.t.Fatal(err)
	}
	root := strings.TrimSuffix(m.dav.prefix, "/")
	entries, err := r.List(m.t.Context(), root, nil)
	if err != nil {
		m.t.Fatal(err)
	}
	cloud, meta = map[string]string{}, map[string]remote.Meta{}
	for _, e := range entries {
		if e.IsDir {
			continue
		}
		e.Path = remote.Join(root, e.Path)
		p := strings.TrimPrefix(e.Path, m.dav.prefix)
		cloud[p] = m.read(r, e)
		if e.Meta != nil {
			meta[p] = *e.Meta
		}
	}
	return tree(m.root), cloud, meta
}

func isCopy(p string) bool {
	return strings.Contains(p, "(conflict copy ") || strings.HasPrefix(filepath.Base(p), ".cloudsync-")
}

// differences lists where the two sides differ from each other or from the metadata each
// file must end with.
func (m *metaKill) differences() []string {
	local, cloud, cmeta := m.sides()
	var out []string
	for _, p := range slices.Sorted(maps.Keys(m.want)) {
		lv, here := local[p]
		cv, there := cloud[p]
		switch {
		case !here || !there || lv != cv:
			out = append(out, fmt.Sprintf("%s: content (local %q, cloud %q)", p, lv, cv))
		case localMeta(m.t, filepath.Join(m.root, p)) != m.want[p] || cmeta[p] != m.want[p]:
			out = append(out, fmt.Sprintf("%s: metadata (local %+v, cloud %+v, want %+v)", p,
				localMeta(m.t, filepath.Join(m.root, p)), cmeta[p], m.want[p]))
		}
	}
	for p := range local {
		if _, ok := m.want[p]; !ok && !isCopy(p) {
			out = append(out, p+": a local file nobody wrote")
		}
	}
	for p := range cloud {
		if _, ok := m.want[p]; !ok {
			out = append(out, p+": a cloud file nobody wrote")
		}
	}
	return out
}

// converge asks for passes until both sides hold what they must (within 45 s).
func (m *metaKill) converge(what string) {
	m.t.Helper()
	start := time.Now()
	for deadline := start.Add(45 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(m.t.Context(), 20*time.Second)
		_ = m.ctl.Wait(ctx)
		cancel()
		d := m.differences()
		if len(d) == 0 {
			m.t.Logf("%s: converged in %s", what, time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("%s: not converged within 45 s; %d differences: %v", what, len(d), d)
		}
	}
}

// checkSynced: every file `list --json` (and `info`, for 8 of the files the last round touched)
// says is synced has the same bytes and metadata on both sides, and no temporary file is
// listed. At the end (final), nothing is failed, and it returns what is not settled yet:
// every file must be synced but conflict copies, which are local_only, and status must
// have nothing pending or syncing.
func (m *metaKill) checkSynced(what string, final bool) (unsettled []string) {
	m.t.Helper()
	items, err := m.ctl.ListItems(m.t.Context(), false)
	if err != nil {
		m.t.Fatal(err)
	}
	local, cloud, cmeta := m.sides()
	same := func(p string) bool {
		lv, here := local[p]
		cv, there := cloud[p]
		return here && there && lv == cv && localMeta(m.t, filepath.Join(m.root, p)) == cmeta[p]
	}
	for _, it := range items {
		rel, ok := strings.CutPrefix(it.Path, m.root+string(filepath.Separator))
		if !ok || it.IsDir {
			continue
		}
		switch {
		case strings.HasPrefix(filepath.Base(rel), ".cloudsync-"):
			m.t.Fatalf("%s: a temporary file is listed: %s (%s)", what, rel, it.Status)
		case it.Status == model.StatusSynced && !same(rel):
			m.t.Fatalf("%s: %s is reported synced, but the folder holds %q with %+v and the cloud %q with %+v",
				what, rel, local[rel], localMeta(m.t, filepath.Join(m.root, rel)), cloud[rel], cmeta[rel])
		case final && it.Status == model.StatusFailed:
			m.t.Fatalf("%s: %s failed (%s): %s", what, rel, it.Reason, it.Message)
		case final && isCopy(rel) != (it.Status == model.StatusLocalOnly), final && !isCopy(rel) && it.Status != model.StatusSynced:
			unsettled = append(unsettled, fmt.Sprintf("%s is %s", rel, it.Status))
		}
	}
	slices.Sort(m.touched)
	touched := slices.Compact(m.touched)
	m.rnd.Shuffle(len(touched), func(i, j int) { touched[i], touched[j] = touched[j], touched[i] })
	for _, p := range touched[:min(len(touched), 8)] { // (a CLI process each)
		info, err := m.ctl.Info(m.t.Context(), filepath.Join(m.root, p))
		if err != nil {
			m.t.Fatalf("%s: info %s: %v", what, p, err)
		}
		if info.Status == model.StatusSynced && (!same(p) || info.Metadata != nil && *info.Metadata != cmeta[p]) {
			m.t.Fatalf("%s: info says %s is synced with %+v, but the folder holds %q with %+v and the cloud %q with %+v",
				what, p, info.Metadata, local[p], localMeta(m.t, filepath.Join(m.root, p)), cloud[p], cmeta[p])
		}
	}
	if !final {
		return nil
	}
	st, err := m.ctl.Status(m.t.Context())
	switch {
	case err != nil:
		m.t.Fatal(err)
	case st.Failed != 0:
		m.t.Fatalf("%s: status says %d failed; want none", what, st.Failed)
	case st.Pending != 0 || st.Syncing != 0:
		unsettled = append(unsettled, fmt.Sprintf("status: %d pending, %d syncing", st.Pending, st.Syncing))
	}
	return unsettled
}
