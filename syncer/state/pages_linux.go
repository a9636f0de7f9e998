package state

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// releaseTablePages asks the kernel to reclaim the pages of the store's table files
// (dir/*.sst) that this process has mapped, and returns how many bytes of mappings it
// advised. Badger maps every table file; a table built (written through its mapping),
// merged by a compaction, or read whole (loadIndex reads every item at start) stays
// resident and counts in the process's RSS although nothing reads it again soon: at
// 200,000 items that was the whole store, 44 MB, about 220 bytes per item (issue 11,
// TestTablesPagesLeaveTheRSS).
//
// MADV_PAGEOUT (Linux 5.4) is nondestructive: a page reclaimed is read again from the file
// when touched, a dirty one is written back first, so nothing Badger wrote or will read
// changes, and what was made durable by fsync stays durable. It is also harmless where a
// table was unmapped (or its range reused) between reading /proc/self/maps and the call:
// the advice only moves pages out, it never drops their contents. On kernels without it
// the call fails and nothing happens.
func releaseTablePages(dir string) int64 {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return 0
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0
	}
	prefix := []byte(abs + string(filepath.Separator))
	var advised int64
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		// "start-end perms offset dev inode path"
		f := bytes.Fields(sc.Bytes())
		if len(f) != 6 || !bytes.HasPrefix(f[5], prefix) || !bytes.HasSuffix(f[5], []byte(".sst")) {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		_, _, errno := unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_PAGEOUT)
		if errno != 0 {
			return advised
		}
		advised += int64(end - start)
	}
	return advised
}
