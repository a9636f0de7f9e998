package remote

import (
	"context"
	"time"
)

// Capabilities are what an account's server offers beyond the Remote contract, as a Prober
// found them once (`account add`). They are kept with the account's public data, shown by
// `account list --json`, and handed back to the backend when the engine dials it, so both
// adapt to what the server does instead of assuming it. The zero value promises nothing.
type Capabilities struct {
	// Server names the server software as it announced itself (HTTP Server header), or "".
	Server string `json:"server,omitempty"`
	// FileIDs: entries have ids that survive moves and new versions (WebDAV oc:fileid,
	// Alfresco node ids). Without them ids are paths and moves are recognised by version.
	FileIDs bool `json:"file_ids"`
	// ETags: files have a version from the server (an ETag, or modifiedAt for Alfresco).
	// Without (nginx) a version is size and modification time, to the second.
	ETags bool `json:"etags"`
	// FolderETags: a folder's version changes whenever anything below it changes
	// (ownCloud/Nextcloud ETag propagation), so a listing may reuse an unchanged subtree.
	FolderETags bool `json:"folder_etags"`
	// Checksums: the server reports content checksums in listings (oc:checksums).
	Checksums bool `json:"checksums"`
	// DeadProperties: the server stores properties a client sets (WebDAV PROPPATCH).
	DeadProperties bool `json:"dead_properties"`
	// Locking: the server takes write locks (WebDAV class 2 LOCK).
	Locking bool `json:"locking"`
	// SyncCollection: the server answers RFC 6578 sync-collection reports (a change feed).
	SyncCollection bool `json:"sync_collection"`
	// Quota: the server reports the space left (RFC 4331 quota-available-bytes).
	Quota bool `json:"quota"`
	// HidesDotFiles: folder listings leave out names starting with "." (nginx's dav-ext),
	// so such files cannot be synced there.
	HidesDotFiles bool `json:"hides_dot_files,omitempty"`
	// ProbedAt is when the probe ran.
	ProbedAt time.Time `json:"probed_at"`
}

// Prober is implemented by remotes that can find out what their server offers. Probe makes
// a few requests that leave nothing changed (WebDAV: OPTIONS and a PROPFIND of the base, and
// a PROPPATCH that sets and removes a property of its own in one request); it returns an
// error wrapping ErrAuth for a wrong password, and otherwise reports what it could learn.
type Prober interface {
	Probe(ctx context.Context) (Capabilities, error)
}
