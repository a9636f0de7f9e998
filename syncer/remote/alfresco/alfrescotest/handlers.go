package alfrescotest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// alfrescoTime is Alfresco's timestamp layout: milliseconds and an offset without colon.
const alfrescoTime = "2006-01-02T15:04:05.000-0700"

func urlUnescape(s string) (string, error) { return url.PathUnescape(s) }

func (s *Server) dispatch(q *request) {
	if q.api == "authentication" {
		s.tickets1(q)
		return
	}
	var e *apiError
	switch q.tmpl {
	case "GET /people/{personId}/networks":
		e = s.listNetworks(q)
	case "GET /people/{personId}/sites":
		e = s.listSites(q)
	case "GET /sites/{siteId}/containers/{containerId}":
		e = s.container(q)
	case "GET /nodes/{nodeId}", "PUT /nodes/{nodeId}", "DELETE /nodes/{nodeId}",
		"GET /nodes/{nodeId}/children", "POST /nodes/{nodeId}/children", "POST /nodes/{nodeId}/move",
		"GET /nodes/{nodeId}/content", "PUT /nodes/{nodeId}/content", "POST /nodes/{nodeId}/lock",
		"POST /nodes/{nodeId}/unlock", "POST /nodes/{nodeId}/checkout", "POST /nodes/{nodeId}/cancel-checkout":
		e = s.nodeOp(q)
	case "GET /deleted-nodes", "GET /deleted-nodes/{nodeId}", "DELETE /deleted-nodes/{nodeId}",
		"GET /deleted-nodes/{nodeId}/content", "POST /deleted-nodes/{nodeId}/restore":
		e = s.trashOp(q)
	default:
		e = errf(http.StatusNotFound, "Unable to locate resource resource for %s", q.r.URL.Path)
		if q.tmpl != "" {
			e = errf(http.StatusMethodNotAllowed, "The operation is unsupported")
		}
	}
	if e != nil {
		writeErr(q.w, e)
	}
}

func (s *Server) tickets1(q *request) {
	switch q.tmpl {
	case "GET /tickets/{ticketId}":
		writeJSON(q.w, http.StatusOK, map[string]any{"entry": map[string]any{"id": ticketOf(q.r), "userId": q.user}})
	case "DELETE /tickets/{ticketId}":
		s.mu.Lock()
		delete(s.tickets, ticketOf(q.r))
		s.mu.Unlock()
		q.w.WriteHeader(http.StatusNoContent)
	default:
		writeErr(q.w, errf(http.StatusMethodNotAllowed, "The operation is unsupported"))
	}
}

func ticketOf(r *http.Request) string {
	if u, p, ok := r.BasicAuth(); ok && (u == "" || u == "ROLE_TICKET") {
		return p
	}
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic "); ok {
		if b, err := base64Decode(h); err == nil {
			return b
		}
	}
	return r.URL.Query().Get("alf_ticket")
}

// paging reads skipCount and maxItems (400 for values below their minimum).
func paging(q url.Values) (skip, max int, e *apiError) {
	skip, max = 0, 100
	var err error
	if v := q.Get("skipCount"); v != "" {
		if skip, err = strconv.Atoi(v); err != nil || skip < 0 {
			return 0, 0, errf(http.StatusBadRequest, "Invalid paging parameter skipCount:%s", v)
		}
	}
	if v := q.Get("maxItems"); v != "" {
		if max, err = strconv.Atoi(v); err != nil || max < 1 {
			return 0, 0, errf(http.StatusBadRequest, "Invalid paging parameter maxItems:%s", v)
		}
	}
	return skip, max, nil
}

func page[T any](all []T, skip, max int) ([]T, map[string]any) {
	end := min(skip+max, len(all))
	var out []T
	if skip < len(all) {
		out = all[skip:end]
	}
	return out, map[string]any{"count": len(out), "hasMoreItems": end < len(all), "totalItems": len(all), "skipCount": skip, "maxItems": max}
}

func (s *Server) me(q *request) *apiError {
	if p := q.seg[1]; p != "-me-" && p != q.user {
		return errf(http.StatusNotFound, "The entity with id: %s was not found", p)
	}
	return nil
}

// myPage checks that a -me- request is about the signed-in user and reads its paging.
func (s *Server) myPage(q *request) (skip, max int, e *apiError) {
	if e := s.me(q); e != nil {
		return 0, 0, e
	}
	return paging(q.r.URL.Query())
}

func (s *Server) listNetworks(q *request) *apiError {
	skip, max, e := s.myPage(q)
	if e != nil {
		return e
	}
	s.mu.Lock()
	var all []any
	for i, id := range s.users[q.user].networks {
		all = append(all, map[string]any{"entry": map[string]any{"id": id, "homeNetwork": i == 0, "isEnabled": true,
			"createdAt": s.networks[id].created.Format(alfrescoTime)}})
	}
	s.mu.Unlock()
	entries, pg := page(all, skip, max)
	writeJSON(q.w, http.StatusOK, map[string]any{"list": map[string]any{"pagination": pg, "entries": nonNil(entries)}})
	return nil
}

func (s *Server) listSites(q *request) *apiError {
	skip, max, e := s.myPage(q)
	if e != nil {
		return e
	}
	s.mu.Lock()
	var mine []*site
	for _, st := range s.sites {
		if _, ok := st.members[q.user]; ok && st.network == q.network.id {
			mine = append(mine, st)
		}
	}
	slices.SortFunc(mine, func(a, b *site) int { return strings.Compare(a.title, b.title) })
	var all []any
	for _, st := range mine {
		role := st.members[q.user]
		all = append(all, map[string]any{"entry": map[string]any{"id": st.id, "guid": st.node.id, "role": role,
			"site": map[string]any{"id": st.id, "guid": st.node.id, "title": st.title, "visibility": st.visibility, "preset": "site-dashboard", "role": role}}})
	}
	s.mu.Unlock()
	entries, pg := page(all, skip, max)
	writeJSON(q.w, http.StatusOK, map[string]any{"list": map[string]any{"pagination": pg, "entries": nonNil(entries)}})
	return nil
}

func (s *Server) container(q *request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.sites[q.network.id+"/"+q.seg[1]]
	if st == nil || st.members[q.user] == "" && st.visibility == "PRIVATE" {
		return errf(http.StatusNotFound, "The entity with id: %s was not found", q.seg[1])
	}
	if q.seg[3] != "documentLibrary" {
		return errf(http.StatusNotFound, "The entity with id: %s was not found", q.seg[3])
	}
	writeJSON(q.w, http.StatusOK, map[string]any{"entry": map[string]any{"id": st.doclib.id, "folderId": "documentLibrary"}})
	return nil
}

// lookup finds a live node by id or alias in the request's network.
func (s *Server) lookup(q *request, id string) (*node, *apiError) {
	var n *node
	switch id {
	case "-root-":
		n = q.network.root
	case "-my-":
		n = s.home(q.network, q.user)
	case "-shared-":
		n = child(q.network.root, "Shared")
	default:
		n = s.nodes[id]
	}
	if n == nil || !n.live() || n.network != q.network.id {
		return nil, notFound(id)
	}
	if !s.allowed(q.user, n, permRead) {
		return nil, denied()
	}
	return n, nil
}

func (s *Server) nodeOp(q *request) *apiError {
	// Bodies are read before taking the lock.
	var body []byte
	var form *multipartBody
	if q.r.Method != http.MethodGet && q.r.Method != http.MethodDelete {
		if mt, params, _ := mime.ParseMediaType(q.r.Header.Get("Content-Type")); strings.HasPrefix(mt, "multipart/") {
			if q.tmpl == "PUT /nodes/{nodeId}/content" {
				return errf(http.StatusUnsupportedMediaType, "Unsupported content type for new content: %s", mt)
			}
			f, err := readMultipart(q.r.Body, params["boundary"])
			if err != nil {
				return errf(http.StatusBadRequest, "Could not read content from HTTP request body: %v", err)
			}
			form = f
		} else {
			b, err := io.ReadAll(q.r.Body)
			if err != nil {
				return errf(http.StatusBadRequest, "Could not read the request body")
			}
			body = b
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, e := s.lookup(q, q.seg[1])
	if e != nil {
		return e
	}
	qv := q.r.URL.Query()
	if rel := qv.Get("relativePath"); rel != "" && (q.r.Method == http.MethodGet && (len(q.seg) == 2 || q.seg[2] == "children")) {
		if n, e = resolve(n, rel, s.opts.TrimRelativePath); e != nil {
			return e
		}
	}
	inc := includes(qv.Get("include"))
	switch q.tmpl {
	case "GET /nodes/{nodeId}":
		inc["properties"], inc["aspectNames"] = true, true
		s.reply(q, http.StatusOK, n, inc)
	case "GET /nodes/{nodeId}/children":
		return s.children(q, n, inc)
	case "POST /nodes/{nodeId}/children":
		return s.createChild(q, n, body, form, inc)
	case "PUT /nodes/{nodeId}":
		var b struct {
			Name       *string        `json:"name"`
			Properties map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(body, &b); err != nil {
			return errf(http.StatusBadRequest, "Could not read content from HTTP request body: %v", err)
		}
		if b.Name != nil && *b.Name != n.name {
			if e := s.move(q.user, n, n.parent, *b.Name); e != nil {
				return e
			}
		}
		if len(b.Properties) > 0 {
			if e := s.setProps(q.user, n, b.Properties); e != nil {
				return e
			}
		}
		s.reply(q, http.StatusOK, n, inc)
	case "POST /nodes/{nodeId}/move":
		var b struct {
			Target string  `json:"targetParentId"`
			Name   *string `json:"name"`
		}
		if err := json.Unmarshal(body, &b); err != nil || b.Target == "" {
			return errf(http.StatusBadRequest, "targetParentId is required")
		}
		target, e := s.lookup(q, b.Target)
		if e != nil {
			return e
		}
		name := n.name
		if b.Name != nil {
			name = *b.Name
		}
		if e := s.move(q.user, n, target, name); e != nil {
			return e
		}
		s.reply(q, http.StatusOK, n, inc)
	case "DELETE /nodes/{nodeId}":
		if e := s.remove(q.user, n, qv.Get("permanent") == "true"); e != nil {
			return e
		}
		q.w.WriteHeader(http.StatusNoContent)
	case "GET /nodes/{nodeId}/content":
		if !n.isFile() {
			return errf(http.StatusBadRequest, "NodeId of content is expected: %s", n.id)
		}
		h := q.w.Header()
		h.Set("Content-Type", "application/octet-stream") // the only type the definition lists
		h.Set("Cache-Control", "must-revalidate, max-age=0")
		if qv.Get("attachment") == "false" && !nonAttachTypes[n.mime] {
			// NodesImpl.getContent attaches anyway and logs a warning for each such request.
			s.calls[WarnAttachmentIgnored]++
		}
		if qv.Get("attachment") != "false" || !nonAttachTypes[n.mime] {
			h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": n.name}))
		}
		http.ServeContent(q.w, q.r, "", n.modified, bytes.NewReader(n.content))
	case "PUT /nodes/{nodeId}/content":
		if !n.isFile() {
			return errf(http.StatusBadRequest, "NodeId of content is expected: %s", n.id)
		}
		if done, e := s.putCheckedOut(q.user, n, body); done {
			if e != nil {
				return e
			}
			s.reply(q, http.StatusOK, n, inc)
			return nil
		}
		if name := qv.Get("name"); name != "" && name != n.name {
			if e := s.move(q.user, n, n.parent, name); e != nil {
				return e
			}
		}
		v := versioning{explicit: qv.Has("majorVersion") || qv.Has("comment"), major: qv.Get("majorVersion") == "true"}
		if e := s.setContent(q.user, n, body, v); e != nil {
			return e
		}
		s.reply(q, http.StatusOK, n, inc)
	case "POST /nodes/{nodeId}/checkout":
		wc, e := s.checkout(q.user, n)
		if e != nil {
			return e
		}
		s.reply(q, http.StatusOK, wc, inc)
	case "POST /nodes/{nodeId}/cancel-checkout":
		orig := n
		if n.original != nil {
			orig = n.original
		}
		switch {
		case orig.workingCopy == nil:
			return errf(http.StatusConflict, "Node %s is not checked out", n.id)
		case q.user != orig.workingCopy.wcOwner && !s.allowed(q.user, orig, permDelete):
			return denied()
		}
		s.endCheckout(orig)
		s.reply(q, http.StatusOK, orig, inc)
	case "POST /nodes/{nodeId}/lock":
		var b struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(body, &b)
		if !n.isFile() {
			return errf(http.StatusBadRequest, "Node id %s does not represent a file", n.id)
		}
		if !s.allowed(q.user, n, permCheckout) {
			return denied()
		}
		if n.lockOwner != "" && n.lockOwner != q.user {
			return errf(http.StatusUnprocessableEntity, "Cannot lock node %s: locked by another user", n.id)
		}
		n.lockOwner, n.lockFull = q.user, b.Type == "FULL"
		s.reply(q, http.StatusOK, n, inc)
	case "POST /nodes/{nodeId}/unlock":
		if n.lockOwner == "" || n.lockOwner != q.user {
			return errf(http.StatusUnprocessableEntity, "Cannot unlock node %s", n.id)
		}
		n.lockOwner, n.lockFull = "", false
		s.reply(q, http.StatusOK, n, inc)
	}
	return nil
}

func (s *Server) createChild(q *request, parent *node, body []byte, form *multipartBody, inc map[string]bool) *apiError {
	qv := q.r.URL.Query()
	var name, typ, rel string
	var content []byte
	autoRename := qv.Get("autoRename") == "true"
	overwrite := false
	if form != nil {
		name, typ, rel = form.field("name"), form.field("nodeType"), form.field("relativePath")
		autoRename = autoRename || strings.EqualFold(form.field("autoRename"), "true")
		overwrite = strings.EqualFold(form.field("overwrite"), "true")
		if !form.hasFile {
			return errf(http.StatusBadRequest, "Required parameter filedata is missing")
		}
		if name == "" {
			name = form.filename
		}
		if typ == "" {
			typ = "cm:content"
		}
		content = form.file
	} else {
		var b struct {
			Name         string `json:"name"`
			NodeType     string `json:"nodeType"`
			RelativePath string `json:"relativePath"`
		}
		if err := json.Unmarshal(body, &b); err != nil {
			return errf(http.StatusBadRequest, "Could not read content from HTTP request body: %v", err)
		}
		name, typ, rel = b.Name, b.NodeType, b.RelativePath
	}
	if autoRename && overwrite {
		return errf(http.StatusBadRequest, "Both 'overwrite' and 'autoRename' should not be true when uploading a file")
	}
	if typ != "cm:folder" && typ != "cm:content" {
		return errf(http.StatusBadRequest, "Invalid type: %s (the test server keeps cm:folder and cm:content)", typ)
	}
	for _, el := range strings.Split(strings.Trim(rel, "/"), "/") {
		if el == "" {
			continue
		}
		next := child(parent, el)
		if next == nil {
			var e *apiError
			if next, e = s.create(q.user, parent, el, "cm:folder", nil, false); e != nil {
				return e
			}
		}
		parent = next
	}
	if old := child(parent, name); old != nil && overwrite && old.isFile() && old.versionLabel() != "" {
		if e := s.setContent(q.user, old, content, versioning{explicit: true, major: strings.EqualFold(form.field("majorVersion"), "true")}); e != nil {
			return e
		}
		s.reply(q, http.StatusCreated, old, inc)
		return nil
	}
	n, e := s.create(q.user, parent, name, typ, content, autoRename)
	if e != nil {
		return e
	}
	if form != nil && (qv.Get("majorVersion") == "false" || strings.EqualFold(form.field("majorVersion"), "false")) {
		n.major, n.minor = 0, 1
	}
	if qv.Get("versioningEnabled") == "false" {
		n.major, n.minor = 0, 0
	}
	s.reply(q, http.StatusCreated, n, inc)
	return nil
}

func (s *Server) children(q *request, n *node, inc map[string]bool) *apiError {
	qv := q.r.URL.Query()
	if !n.folder && !n.isLink() {
		return errf(http.StatusBadRequest, "Node id %s does not represent a folder", n.id)
	}
	skip, max, e := paging(qv)
	if e != nil {
		return e
	}
	kids := n.sortedChildren()
	switch w := strings.ReplaceAll(qv.Get("where"), " ", ""); w {
	case "", "(isPrimary=true)":
	case "(isFolder=true)":
		kids = slices.DeleteFunc(kids, func(c *node) bool { return !c.folder })
	case "(isFile=true)":
		kids = slices.DeleteFunc(kids, func(c *node) bool { return !c.isFile() })
	case "(isPrimary=false)":
		kids = nil
	default:
		return errf(http.StatusBadRequest, "Invalid where clause (the test server knows isFolder, isFile, isPrimary): %s", w)
	}
	order := qv.Get("orderBy")
	if order == "" {
		order = "isFolder DESC,name ASC"
	}
	cmp, e := orderBy(order)
	if e != nil {
		return e
	}
	slices.SortStableFunc(kids, cmp)
	kids, pg := page(kids, skip, max)
	var entries []any
	for _, c := range kids {
		entries = append(entries, map[string]any{"entry": s.nodeJSONFor(q.user, c, inc)})
	}
	list := map[string]any{"pagination": pg, "entries": nonNil(entries)}
	if qv.Get("includeSource") == "true" {
		list["source"] = s.nodeJSON(n, map[string]bool{})
	}
	writeJSON(q.w, http.StatusOK, map[string]any{"list": list})
	return nil
}

// orderBy parses "field [ASC|DESC], …" into a comparison.
func orderBy(spec string) (func(a, b *node) int, *apiError) {
	type key struct {
		f    func(a, b *node) int
		desc bool
	}
	fields := map[string]func(a, b *node) int{
		"isFolder":   func(a, b *node) int { return boolCmp(a.folder, b.folder) },
		"name":       func(a, b *node) int { return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)) },
		"modifiedAt": func(a, b *node) int { return a.modified.Compare(b.modified) },
		"createdAt":  func(a, b *node) int { return a.created.Compare(b.created) },
		"sizeInBytes": func(a, b *node) int {
			return len(a.content) - len(b.content)
		},
		"nodeType": func(a, b *node) int { return strings.Compare(a.typ, b.typ) },
	}
	var keys []key
	for _, part := range strings.Split(spec, ",") {
		f := strings.Fields(part)
		if len(f) == 0 || len(f) > 2 || fields[f[0]] == nil || len(f) == 2 && f[1] != "ASC" && f[1] != "DESC" {
			return nil, errf(http.StatusBadRequest, "Invalid orderBy: %s", spec)
		}
		keys = append(keys, key{fields[f[0]], len(f) == 2 && f[1] == "DESC"})
	}
	return func(a, b *node) int {
		for _, k := range keys {
			if c := k.f(a, b); c != 0 {
				if k.desc {
					return -c
				}
				return c
			}
		}
		return 0
	}, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
