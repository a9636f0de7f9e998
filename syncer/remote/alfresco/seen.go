package alfresco

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// seenSet is what the last List of a root returned (and what the Client itself wrote
// there since): node id → its Version (0 for folders, whose Version moves with any child),
// both as 64-bit FNV hashes to keep it small (about 40 bytes a node).
type seenSet map[uint64]uint64

func hash64(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

func seenVersion(e remote.Entry) uint64 {
	if e.IsDir {
		return 0
	}
	return hash64(e.Version)
}

func newSeen(entries []remote.Entry) seenSet {
	s := make(seenSet, len(entries))
	for _, e := range entries {
		s[hash64(e.ID)] = seenVersion(e)
	}
	return s
}

// noteSeen adds an entry the Client wrote at account-relative path full (an upload, a new
// folder, a move) to the seen sets of the roots above it.
func (c *Client) noteSeen(full string, e remote.Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for root, st := range c.rootSeen {
		if st.seen != nil && under(full, root) {
			st.seen[hash64(e.ID)] = seenVersion(e)
		}
	}
}

// seenFor returns the seen set of a listed root at or above account-relative path full.
func (c *Client) seenFor(full string) seenSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	for root, st := range c.rootSeen {
		if st.seen != nil && under(full, root) {
			return st.seen
		}
	}
	return nil
}

func under(p, root string) bool { return p == root || root == "" || strings.HasPrefix(p, root+"/") }

// recheckFolder makes sure that deleting folder id (at account-relative path full) trashes
// nothing the engine has not seen: it walks the folder's subtree afresh (no pruning) and
// returns ErrChanged when a node in it was not in the last listing of its root, or a file
// in it has another Version since. Alfresco's listings can lag behind changes (folder
// timestamps come late, see List), and a delete takes the whole subtree to the trashcan.
// A path no List covered (nothing was planned from a listing) is not checked.
func (c *Client) recheckFolder(ctx context.Context, l loc, id string) error {
	seen := c.seenFor(l.full)
	if seen == nil {
		return nil
	}
	todo := []string{id}
	paths := []string{l.full}
	for len(todo) > 0 {
		fid, p := todo[0], paths[0]
		todo, paths = todo[1:], paths[1:]
		_, kids, _, err := c.listFolder(ctx, l.network, fid, "", p, false)
		if err != nil {
			return err
		}
		for _, k := range kids {
			v, ok := seen[hash64(k.ID)]
			if !ok || v != seenVersion(k) {
				what := "was added"
				if ok {
					what = "changed"
				}
				return &remote.Error{Kind: remote.ErrChanged, Op: "DELETE nodes/{id}", Path: l.full,
					Message: fmt.Sprintf("%s %s in the cloud since the last listing; the folder was not deleted", k.Path, what)}
			}
			if k.IsDir && k.Unsupported == "" {
				todo, paths = append(todo, k.ID), append(paths, k.Path)
			}
		}
	}
	return nil
}
