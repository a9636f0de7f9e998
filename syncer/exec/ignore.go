package exec

import "strings"

// tempPrefix and tempSuffix frame the names of OSFS's staged downloads
// (".cloudsync-<random>.part"); Ignored covers them so a scan never reports a download in
// progress, or one left behind by a crash, as a local file.
const (
	tempPrefix = ".cloudsync-"
	tempSuffix = ".part"
)

// Ignored reports whether a file or folder name is never synced (SPEC §3 "Not synced"):
// temporary and lock files of office programs and desktops (`~$*`, `.~lock.*#`, `*.tmp`,
// `._*`, `.DS_Store`, `Thumbs.db`, `desktop.ini`; the suffix and the fixed names match in
// any case) and the temporary files of cloudsync's own downloads. name is one path element,
// not a path. Scans leave ignored names and everything below them out.
func Ignored(name string) bool {
	l := strings.ToLower(name)
	switch {
	case strings.HasPrefix(name, "~$"),
		strings.HasPrefix(name, ".~lock.") && strings.HasSuffix(name, "#"),
		strings.HasSuffix(l, ".tmp"),
		strings.HasPrefix(name, "._"),
		l == ".ds_store", l == "thumbs.db", l == "desktop.ini",
		strings.HasPrefix(name, tempPrefix) && strings.HasSuffix(name, tempSuffix):
		return true
	}
	return false
}
