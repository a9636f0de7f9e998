//go:build !linux

package watcher

// networkFS has no detection outside Linux: the caller's base interval applies.
func networkFS(string) bool { return false }
