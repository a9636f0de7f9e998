package alfrescotest

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// userHomes is the folder under Company Home holding the users' home folders (-my-).
const userHomes = "User Homes"

// home returns user's home folder (Company Home/User Homes/USER, the -my- alias), making it
// on first use, owned by user.
func (s *Server) home(nw *network, user string) *node {
	homes := child(nw.root, userHomes)
	if homes == nil {
		homes = s.newNode(nw.root, userHomes, "cm:folder", systemUser)
	}
	h := child(homes, user)
	if h == nil {
		h = s.newNode(homes, user, "cm:folder", systemUser)
		h.owner = user
	}
	return h
}

// deleted finds a node in the trashcan (the top of a deleted subtree) by id.
func (s *Server) deleted(id string) *node {
	for _, n := range s.trash {
		if n.id == id && s.nodes[id] == n {
			return n
		}
	}
	return nil
}

// mayUndelete: a user sees and restores what they deleted (DeletedNodesImpl lists the
// current user's deleted nodes; an administrator's would show everyone's).
func mayUndelete(user string, n *node) bool { return user == n.archivedBy || user == systemUser }

// trashOp serves the deleted-nodes (trashcan) API: list (most recently deleted first, only
// the tops of deleted subtrees), get, content, restore (to the original folder, or to
// targetParentId; 404 when the original folder is gone, 409 on a name clash) and purge.
func (s *Server) trashOp(q *request) *apiError {
	var body []byte
	if q.r.Method == http.MethodPost {
		body, _ = readAll(q.r)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	qv := q.r.URL.Query()
	inc := includes(qv.Get("include"))
	if q.tmpl == "GET /deleted-nodes" {
		skip, max, e := paging(qv)
		if e != nil {
			return e
		}
		var mine []*node
		for _, n := range s.trash {
			if s.nodes[n.id] == n && n.network == q.network.id && mayUndelete(q.user, n) {
				mine = append(mine, n)
			}
		}
		slices.SortStableFunc(mine, func(a, b *node) int { return b.archivedAt.Compare(a.archivedAt) })
		var all []any
		for _, n := range mine {
			all = append(all, map[string]any{"entry": s.deletedJSON(n, inc)})
		}
		entries, pg := page(all, skip, max)
		writeJSON(q.w, http.StatusOK, map[string]any{"list": map[string]any{"pagination": pg, "entries": nonNil(entries)}})
		return nil
	}
	n := s.deleted(q.seg[1])
	switch {
	case n == nil || n.network != q.network.id:
		return notFound(q.seg[1])
	case !mayUndelete(q.user, n):
		return denied()
	}
	switch q.tmpl {
	case "GET /deleted-nodes/{nodeId}":
		inc["properties"], inc["aspectNames"] = true, true
		writeJSON(q.w, http.StatusOK, map[string]any{"entry": s.deletedJSON(n, inc)})
	case "DELETE /deleted-nodes/{nodeId}":
		s.purge(n)
		q.w.WriteHeader(http.StatusNoContent)
	case "GET /deleted-nodes/{nodeId}/content":
		if !n.isFile() {
			return errf(http.StatusBadRequest, "NodeId of content is expected: %s", n.id)
		}
		h := q.w.Header()
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": n.name}))
		http.ServeContent(q.w, q.r, "", n.modified, bytes.NewReader(n.content))
	case "POST /deleted-nodes/{nodeId}/restore":
		return s.restore(q, n, body)
	}
	return nil
}

// restore puts n back. It keeps its modifiedAt (the archive store move copies the auditable
// values, AbstractNodeDAOImpl.moveNode); its folder's changes as for any new child.
func (s *Server) restore(q *request, n *node, body []byte) *apiError {
	var b struct {
		TargetParentID string `json:"targetParentId"`
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &b); err != nil {
			return errf(http.StatusBadRequest, "Could not read content from HTTP request body: %v", err)
		}
	}
	target := n.parent
	if b.TargetParentID != "" {
		t, e := s.lookup(q, b.TargetParentID)
		if e != nil {
			return e
		}
		target = t
	}
	switch {
	case target == nil || !target.live():
		return errf(http.StatusNotFound, "Invalid parent id %s", n.parent.id)
	case !target.folder:
		return errf(http.StatusBadRequest, "Invalid parent id %s", target.id)
	case !s.allowed(q.user, target, permCreate):
		return denied()
	}
	if _, taken := target.children[strings.ToLower(n.name)]; taken {
		return errf(http.StatusConflict, "Name already exists in target")
	}
	s.putBack(n, target, q.user)
	s.reply(q, http.StatusOK, n, includes(""))
	return nil
}

// putBack restores trashed n into folder target.
func (s *Server) putBack(n, target *node, user string) {
	n.archived, n.archivedBy, n.parent = false, "", target
	target.children[strings.ToLower(n.name)] = n
	s.trash = slices.DeleteFunc(s.trash, func(x *node) bool { return x == n })
	s.childChanged(target, n, user)
}

// deletedJSON renders a DeletedNode: a Node with archivedAt and archivedByUser; with
// include=path the path is the original location.
func (s *Server) deletedJSON(n *node, inc map[string]bool) map[string]any {
	m := s.nodeJSON(n, inc)
	m["archivedAt"] = n.archivedAt.Format(alfrescoTime)
	m["archivedByUser"] = s.userInfo(n.archivedBy)
	return m
}
