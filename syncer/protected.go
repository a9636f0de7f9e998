package syncer

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/model"
)

// cloudsync never syncs its own files (SPEC §4): its configuration, its live Badger state,
// its logs, and the desktop trash its deletions go to (Config.Protected). A cloud edit of
// the state folder, or a second machine syncing the same cloud folder, would write into the
// live store. Two lines of defence: CreateSet refuses a set that contains or lies inside
// one of these folders, and a pass leaves them out of the local scan, the cloud listing
// and the watcher's changes, for a set that comes to contain one later (created by an
// older version, or the folders moved).

// checkProtected refuses set s when its folder (or one of its documents) holds one of
// cloudsync's own folders or lies inside one.
func (e *Engine) checkProtected(s model.Set) error {
	for _, own := range e.cfg.Protected {
		own = filepath.Clean(own)
		if within(s.LocalRoot, own) {
			return fmt.Errorf("%s is inside %s, which holds cloudsync's own files; choose a folder outside it", s.LocalRoot, own)
		}
		if s.Kind == model.KindFolder && within(own, s.LocalRoot) {
			return fmt.Errorf("%s contains %s, which holds cloudsync's own files (never synced); choose a folder that does not contain it",
				s.LocalRoot, own)
		}
	}
	return nil
}

// ownPrefixes returns the set-relative paths of the protected folders inside root.
func ownPrefixes(root string, protected []string) []string {
	var out []string
	for _, own := range protected {
		own = filepath.Clean(own)
		if own != root && within(own, root) {
			if rel, err := filepath.Rel(root, own); err == nil {
				out = append(out, filepath.ToSlash(rel))
			}
		}
	}
	return out
}

// isOwn reports whether set-relative path rel is one of the prefixes or below one.
func isOwn(rel string, prefixes []string) bool {
	for _, p := range prefixes {
		if rel == p || strings.HasPrefix(rel, p+"/") {
			return true
		}
	}
	return false
}
