package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// moveFiles moves 1,000 synced files (the first ten folders) into a new folder while the
// daemon runs, and times until the server shows them all there and none at their old
// place. A re-upload would give the server's files new inodes; a MOVE keeps them.
func (s *site) moveFiles(ctx context.Context, curl time.Duration) {
	const n = 1000
	const figure = "1,000 files moved to a new folder"
	if s.n < n {
		return
	}
	inodes := make([]uint64, n)
	for i := range n {
		fi, err := os.Stat(s.cloud(treeFile(i)))
		if err != nil {
			s.fail(figure, err)
			return
		}
		inodes[i] = fi.Sys().(*syscall.Stat_t).Ino
	}
	dst := filepath.Join(s.local, "moved")
	t0 := time.Now()
	if err := os.Mkdir(dst, 0o755); err != nil {
		s.fail(figure, err)
		return
	}
	for i := range n {
		if err := os.Rename(filepath.Join(s.local, filepath.FromSlash(treeFile(i))), filepath.Join(dst, pathBase(treeFile(i)))); err != nil {
			s.fail(figure, err)
			return
		}
	}
	// Done when the new folder holds the n files and none is left at its old place.
	left := make([]string, n)
	for i := range left {
		left[i] = s.cloud(treeFile(i))
	}
	deadline := time.Now().Add(10 * time.Minute)
	for {
		for len(left) > 0 {
			if _, err := os.Lstat(left[len(left)-1]); err == nil {
				break
			}
			left = left[:len(left)-1]
		}
		if len(left) == 0 && countDir(s.cloud("moved")) == n {
			break
		}
		if time.Now().After(deadline) || sleepCtx(ctx, 5*time.Millisecond) != nil {
			s.fail(figure, fmt.Errorf("the moves were not all on the server after 10 minutes"))
			return
		}
	}
	took := time.Since(t0)
	same := 0
	for i := range n {
		fi, err := os.Stat(s.cloud("moved/" + pathBase(treeFile(i))))
		if err == nil && fi.Sys().(*syscall.Stat_t).Ino == inodes[i] {
			same++
		}
	}
	r := s.row(figure)
	r.CS, r.Ref, r.Ratio = secs(took), secs(curl), ratio(took, curl)
	r.Note = fmt.Sprintf("%d of %d moved on the server (not re-uploaded); curl: MKCOL + 1,000 MOVEs", same, n)
	r.Goal, r.Met = "≤ 1 s, no re-upload", met(took <= time.Second && same == n)
	s.add(r)
}

// countDir counts the entries of folder p (-1 when it cannot be read).
func countDir(p string) int {
	f, err := os.Open(p)
	if err != nil {
		return -1
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return -1
	}
	return len(names)
}

// transfers times 200 files of 1 MiB and then one 1 GiB file appearing in the local folder
// (renamed in from a staging folder, as a finished copy or download appears) until they
// are complete on the server, beside one curl process uploading the same files.
func (s *site) transfers(ctx context.Context) {
	if !s.b.big {
		return
	}
	stage := filepath.Join(s.dir, "stage")
	many := filepath.Join(stage, "big200")
	if err := os.MkdirAll(many, 0o755); err != nil {
		s.fail("200 × 1 MiB", err)
		return
	}
	var names []string
	for i := range 200 {
		name := fmt.Sprintf("m%03d.bin", i)
		names = append(names, name)
		if err := os.WriteFile(filepath.Join(many, name), content(1_000_000+i, 1<<20), 0o644); err != nil {
			s.fail("200 × 1 MiB", err)
			return
		}
	}
	curl, err := curlUpload(ctx, s.srv, s.dir, many, "ref200", nil, names)
	_ = s.srv.do(ctx, "DELETE", "ref200/", nil)
	if err != nil {
		s.b.logf("curl 200 × 1 MiB: %v", err)
	}
	t0 := time.Now()
	if err := os.Rename(many, filepath.Join(s.local, "big200")); err != nil {
		s.fail("200 × 1 MiB", err)
		return
	}
	at, err := s.awaitSizes(ctx, "big200", names, 1<<20, 30*time.Minute)
	if err != nil {
		s.fail("200 × 1 MiB", err)
	} else {
		took := time.Duration(at - t0.UnixNano())
		r := s.row("200 × 1 MiB")
		r.CS, r.Ref, r.Ratio = secs(took), secs(curl), ratio(took, curl)
		r.Goal, r.Met = "≤ 1.2× curl", met(curl > 0 && took.Seconds() <= 1.2*curl.Seconds())
		s.add(r)
	}

	const gib = 1 << 30
	big := filepath.Join(stage, "big1g.bin")
	sum, err := writeBig(big, gib)
	if err != nil {
		s.fail("one 1 GiB file", err)
		return
	}
	defer os.Remove(big)
	curl, err = curlPut(ctx, s.srv, s.dir, big, "ref1g.bin")
	_ = s.srv.do(ctx, "DELETE", "ref1g.bin", nil)
	if err != nil {
		s.b.logf("curl 1 GiB: %v", err)
	}
	t0 = time.Now()
	if err := os.Rename(big, filepath.Join(s.local, "big1g.bin")); err != nil {
		s.fail("one 1 GiB file", err)
		return
	}
	at, err = s.awaitSizes(ctx, "", []string{"big1g.bin"}, gib, time.Hour)
	if err == nil {
		var got [32]byte
		if got, err = hashFile(s.cloud("big1g.bin")); err == nil && got != sum {
			err = fmt.Errorf("the server's 1 GiB file differs from the local one")
		}
	}
	if err != nil {
		s.fail("one 1 GiB file", err)
		return
	}
	took := time.Duration(at - t0.UnixNano())
	r := s.row("one 1 GiB file")
	r.CS, r.Ref, r.Ratio = secs(took), secs(curl), ratio(took, curl)
	r.Goal, r.Met = "≤ 1.2× curl", met(curl > 0 && took.Seconds() <= 1.2*curl.Seconds())
	s.add(r)
	os.Remove(filepath.Join(s.local, "big1g.bin")) // the daemon deletes it on the server
}

// awaitSizes polls until every name in cloud folder dir has size bytes and returns the
// moment (Unix ns) it was first so.
func (s *site) awaitSizes(ctx context.Context, dir string, names []string, size int64, timeout time.Duration) (int64, error) {
	deadline := time.Now().Add(timeout)
	next := 0
	for {
		for next < len(names) {
			fi, err := os.Stat(s.cloud(joinURL(dir, names[next])))
			if err != nil || fi.Size() != size {
				break
			}
			next++
		}
		if next == len(names) {
			return nowNano(), nil
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%d of %d files complete on the server after %v", next, len(names), timeout)
		}
		if err := sleepCtx(ctx, 5*time.Millisecond); err != nil {
			return 0, err
		}
	}
}

// writeBig writes size bytes of varied content to p and returns their SHA-256.
func writeBig(p string, size int64) ([32]byte, error) {
	f, err := os.Create(p)
	if err != nil {
		return [32]byte{}, err
	}
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for off := int64(0); off < size; off += int64(len(buf)) {
		for i := 0; i < len(buf); i += 8 {
			v := uint64(off) + uint64(i)
			buf[i], buf[i+1], buf[i+2], buf[i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
			buf[i+4], buf[i+5], buf[i+6], buf[i+7] = byte(v>>32), 'c', 's', '\n'
		}
		h.Write(buf)
		if _, err := f.Write(buf); err != nil {
			f.Close()
			return [32]byte{}, err
		}
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, f.Close()
}

func hashFile(p string) ([32]byte, error) {
	var sum [32]byte
	f, err := os.Open(p)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}
