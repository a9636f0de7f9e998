package exec

import (
	"regexp"
	"strings"
)

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

// stagedName matches the whole name of a temp file OSFS.Stage creates.
var stagedName = regexp.MustCompile(`^` + regexp.QuoteMeta(tempPrefix) + `[0-9a-f]{16}` + regexp.QuoteMeta(tempSuffix) + `$`)

// isStagedName reports whether name is exactly the name of one of Stage's temp files (a
// user's file merely starting with ".cloudsync-" is not).
func isStagedName(name string) bool { return stagedName.MatchString(name) }

// conflictCopyName matches the tag FreeName puts in a conflict copy's name:
// "report (conflict copy 2026-11-22 101500).docx", "… 101500 2).docx".
var conflictCopyName = regexp.MustCompile(` \(conflict copy \d{4}-\d{2}-\d{2} \d{6}( \d+)?\)`)

// IsConflictCopyName reports whether name has the form FreeName gives conflict copies. The
// engine keeps such files local-only until the user renames them (SPEC §3), even when it
// lost track of which copy belongs to which item (a crash, a restored state).
func IsConflictCopyName(name string) bool { return conflictCopyName.MatchString(name) }
