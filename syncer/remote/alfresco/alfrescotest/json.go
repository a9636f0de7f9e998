package alfrescotest

import (
	"io"
	"net/http"
	"strings"
)

func includes(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			m[f] = true
		}
	}
	return m
}

func readAll(r *http.Request) ([]byte, error) { return io.ReadAll(io.LimitReader(r.Body, 1<<20)) }

func (s *Server) reply(q *request, status int, n *node, inc map[string]bool) {
	writeJSON(q.w, status, map[string]any{"entry": s.nodeJSONFor(q.user, n, inc)})
}

func (s *Server) userInfo(id string) map[string]any {
	name := id
	if u := s.users[id]; u != nil {
		name = u.name
	}
	return map[string]any{"id": id, "displayName": name}
}

// setProps applies a PUT nodes/{id} properties change: cm:title, cm:description, cm:author
// (a string sets one, null unsets it: NodesImpl.updateNodeImpl, "null will unset the
// specified property"; setting one adds its aspect), and the versioning switches
// cm:autoVersion and cm:autoVersionOnUpdateProps. Others are ignored.
func (s *Server) setProps(user string, n *node, props map[string]any) *apiError {
	if !s.allowed(user, n, permWrite) {
		return denied()
	}
	if e := s.checkLock(user, n); e != nil {
		return e
	}
	for _, f := range []struct {
		name   string
		v      *string
		aspect *bool
	}{{"cm:title", &n.title, &n.titled}, {"cm:description", &n.description, &n.titled}, {"cm:author", &n.author, &n.authored}} {
		v, ok := props[f.name]
		if !ok {
			continue
		}
		switch v := v.(type) {
		case nil:
			*f.v = ""
		case string:
			*f.v = v
		default:
			return errf(http.StatusBadRequest, "Invalid property value for %s: %v", f.name, v)
		}
		*f.aspect = true
	}
	if v, ok := props["cm:autoVersion"].(bool); ok {
		n.autoVersion = v
	}
	if v, ok := props["cm:autoVersionOnUpdateProps"].(bool); ok {
		n.autoVersionProps = v
	}
	s.propsChanged(user, n)
	return nil
}

// nodeJSON renders a Node as the API does; inc names the optional fields to add.
func (s *Server) nodeJSON(n *node, inc map[string]bool) map[string]any {
	return s.nodeJSONFor("", n, inc)
}

// nodeJSONFor renders a Node for user (allowableOperations depend on the user).
func (s *Server) nodeJSONFor(user string, n *node, inc map[string]bool) map[string]any {
	isFolder, isFile := n.apiKind()
	m := map[string]any{
		"id": n.id, "name": n.name, "nodeType": n.typ, "isFolder": isFolder, "isFile": isFile,
		"createdAt": n.created.Format(alfrescoTime), "modifiedAt": n.modified.Format(alfrescoTime),
		"createdByUser": s.userInfo(n.createdBy), "modifiedByUser": s.userInfo(n.modifiedBy),
	}
	if n.parent != nil {
		m["parentId"] = n.parent.id
	}
	if n.isFile() {
		m["content"] = map[string]any{"mimeType": n.mime, "mimeTypeName": n.mime, "sizeInBytes": len(n.content), "encoding": "UTF-8"}
	}
	if inc["isLocked"] {
		m["isLocked"] = n.lockOwner != ""
	}
	if inc["isLink"] {
		m["isLink"] = n.isLink()
	}
	aspects := []string{"cm:auditable"}
	props := map[string]any{}
	// Empty values are left out, as null ones (NodesImpl.mapFromNodeProperties).
	for _, f := range []struct {
		aspect string
		on     bool
		props  [][2]string
	}{
		{"cm:titled", n.titled, [][2]string{{"cm:title", n.title}, {"cm:description", n.description}}},
		{"cm:author", n.authored, [][2]string{{"cm:author", n.author}}},
	} {
		if f.on {
			aspects = append(aspects, f.aspect)
		}
		for _, p := range f.props {
			if p[1] != "" {
				props[p[0]] = p[1]
			}
		}
	}
	if l := n.versionLabel(); l != "" {
		aspects = append(aspects, "cm:versionable")
		props["cm:versionLabel"] = l
		props["cm:versionType"] = map[bool]string{true: "MAJOR", false: "MINOR"}[n.minor == 0]
		props["cm:autoVersion"] = n.autoVersion
		props["cm:autoVersionOnUpdateProps"] = n.autoVersionProps
		props["cm:initialVersion"] = true
	}
	if n.lockOwner != "" {
		aspects = append(aspects, "cm:lockable")
		props["cm:lockOwner"] = s.userInfo(n.lockOwner)
		props["cm:lockType"] = map[bool]string{true: "READ_ONLY_LOCK", false: "WRITE_LOCK"}[n.lockFull]
		props["cm:lockLifetime"] = "PERSISTENT"
	}
	if n.workingCopy != nil {
		aspects = append(aspects, "cm:checkedOut")
	}
	if n.original != nil {
		aspects = append(aspects, "cm:workingcopy", "cm:lockable")
		props["cm:workingCopyOwner"] = s.userInfo(n.wcOwner)
		props["cm:workingCopyLabel"] = workingCopyLabel
	}
	if n.linkTo != nil {
		props["cm:destination"] = "workspace://SpacesStore/" + n.linkTo.id
	}
	if inc["aspectNames"] {
		m["aspectNames"] = aspects
	}
	if inc["properties"] && len(props) > 0 {
		m["properties"] = props
	}
	if inc["path"] {
		var names []string
		var els []any
		for _, a := range n.ancestors() {
			names = append(names, a.name)
			els = append(els, map[string]any{"id": a.id, "name": a.name, "nodeType": a.typ})
		}
		m["path"] = map[string]any{"name": "/" + strings.Join(names, "/"), "isComplete": true, "elements": nonNil(els)}
	}
	if inc["allowableOperations"] {
		ops := []string{}
		for _, op := range []struct {
			name string
			p    perm
		}{{"create", permCreate}, {"update", permWrite}, {"delete", permDelete}} {
			if (op.p != permCreate || n.folder) && (user == "" || s.allowed(user, n, op.p)) {
				ops = append(ops, op.name)
			}
		}
		m["allowableOperations"] = ops
	}
	return m
}

func nonNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}
