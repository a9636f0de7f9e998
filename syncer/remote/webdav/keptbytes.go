package webdav

import (
	"crypto/sha256"
	"unsafe"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

var _ remote.Keeper = (*Client)(nil)

// KeptBytes is about how much heap the listings kept for the next walks hold
// (listcache.go): their packed records and strings and their digests (remote.Keeper).
func (c *Client) KeptBytes() int64 {
	c.lists.mu.Lock()
	defer c.lists.mu.Unlock()
	var n int64
	for _, kept := range c.lists.roots {
		for p, l := range kept {
			n += int64(len(p)) + int64(len(l.text)) + int64(cap(l.recs))*int64(unsafe.Sizeof(packedEntry{})) +
				int64(cap(l.sums)+cap(l.canons)+cap(l.davSums)+cap(l.davCanons))*sha256.Size + int64(unsafe.Sizeof(*l))
		}
	}
	return n
}
