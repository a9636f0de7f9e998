//go:build !unix && !windows

package exec

import (
	"fmt"
	"io/fs"
	"os"
	"runtime"
)

// fileID: this system gives no stable file ids, so OSFS cannot track items on it.
func fileID(full string, _ fs.FileInfo, _ *os.File) (string, error) {
	return "", fmt.Errorf("%s: file ids are not supported on %s", full, runtime.GOOS)
}

func deviceOf(fs.FileInfo) (uint64, bool) { return 0, false }

func openNoFollow(full string) (*os.File, error) { return os.Open(full) }

func syncDir(string) {}

func trashUnsupported() error {
	return fmt.Errorf("moving to the trash is not supported on %s: %w", runtime.GOOS, errNoTrash)
}

// ownerOf is not available from this system's FileInfo.
func ownerOf(fs.FileInfo) (int, bool) { return 0, false }
