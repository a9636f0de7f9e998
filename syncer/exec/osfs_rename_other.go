//go:build !linux && !darwin && !windows

package exec

// renameExcl has no atomic no-replace rename on this system; the caller falls back to
// link + unlink for files and a checked rename for folders.
func renameExcl(from, to string) error { return errNoExclRename }
