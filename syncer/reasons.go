package syncer

import "github.com/cloudsync/cloudsync/syncer/remote"

// Explain is the plain sentence of SPEC §4 for a failure reason of one item: what happened
// and what the user can do. The desktop app and `cloudsync info` show it before the code
// and the technical details. An unknown reason gives "".
func Explain(r remote.Reason) string {
	switch r {
	case remote.ReasonNameClash:
		return "Another item in the same folder has this name (perhaps differing only in upper and lower case), so this one was not synced and nothing was overwritten. Rename one of them."
	case remote.ReasonInvalidName:
		return "The name cannot be used on the other side (characters like : ? * \" < > |, a name ending in a dot or space, or a reserved name). Rename the item to sync it."
	case remote.ReasonMissingDestination:
		return "The folder this item goes into no longer exists. Request Sync creates it again; Unsync stops syncing the item."
	case remote.ReasonTargetDeleted:
		return "It was deleted in the cloud; your copy on this computer is kept. Request Sync uploads it again; Unsync stops syncing it."
	case remote.ReasonPermissionDenied:
		return "You are not allowed to change this item (in the cloud or on this computer). Ask for write access, then Request Sync; or Unsync it."
	case remote.ReasonQuotaExceeded:
		return "Your cloud storage is full. Free some space in the cloud; cloudsync tries again by itself."
	case remote.ReasonTooLarge:
		return "The file is larger than the cloud accepts. Make it smaller, or Unsync it."
	case remote.ReasonAuthFailed:
		return "The cloud refused the sign-in. Sign in again with your password; this account's syncing waits until then."
	case remote.ReasonLocked:
		return "Someone else has locked this item in the cloud (checked out or being edited). cloudsync tries again by itself."
	case remote.ReasonUnsupported:
		return "Symbolic links, shortcuts and special files are not synced. Nothing needs to be done."
	case remote.ReasonNetwork:
		return "The cloud could not be reached. cloudsync tries again by itself; check the network connection if this lasts."
	case remote.ReasonLocalIO:
		return "The file could not be read or written on this computer (it may be open in another program, or the disk is full or read-only). cloudsync tries again by itself."
	case remote.ReasonMovedOut:
		return "The document was moved out of its synced folder, so it is kept only on this computer and nothing was deleted in the cloud. Move it back to sync it again, or Unsync to forget it."
	}
	return ""
}

// ExplainSet is the plain sentence for a failure that stopped a whole sync set (its root
// item). Set-wide stops carry their own explanation in the details when they have one (a
// missing local folder, deletions held back), which the caller shows after this.
func ExplainSet(r remote.Reason, pendingDeletes int) string {
	switch {
	case pendingDeletes > 0:
		return "Syncing stopped because it would delete many items at once; nothing was deleted. If that is what you want, confirm with Request Sync."
	case r == remote.ReasonTargetDeleted, r == remote.ReasonMissingDestination:
		return "The cloud folder of this sync set was deleted or moved; your files here are kept. Request Sync creates the folder again and uploads them; Unsync stops syncing the folder."
	case r == remote.ReasonLocalIO:
		return "The folder on this computer is missing, not mounted, or could not be read, so syncing stopped and nothing was deleted. Reconnect the disk or share, or Unsync the folder."
	}
	return Explain(r)
}

// ExplainRefusedDelete is the plain sentence for a local delete the cloud refused (you may
// not delete the item there): the item was restored on this computer (FAILURE-MODES 21).
// It is no failure, so it does not ask for write access as permission_denied does.
func ExplainRefusedDelete(isDir bool) string {
	if isDir {
		return "The cloud refused to delete this folder (you do not have permission to delete it there), so the folder and its content were restored on this computer."
	}
	return "The cloud refused to delete this file (you do not have permission to delete it there), so the file was restored on this computer."
}
