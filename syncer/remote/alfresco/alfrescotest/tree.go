package alfrescotest

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// node is one repository node: a folder, a file, or a site / company-home container.
// Nodes live in Server.nodes by id; a deleted node stays there with archived set (the
// trashcan), keeps its id and its parent pointer (the original location).
type node struct {
	id       string
	name     string
	typ      string // cm:folder, cm:content, st:site, st:sites
	folder   bool
	parent   *node
	children map[string]*node // by lower-cased name: names are unique case-insensitively
	network  string

	content    []byte
	mime       string
	major      int // version label major.minor; 0.0 means unversioned
	minor      int
	created    time.Time
	modified   time.Time
	createdBy  string
	modifiedBy string
	lockOwner  string // non-empty: locked
	lockFull   bool   // READ_ONLY_LOCK: nobody may change it, not even the owner
	archived   bool   // top of a deleted subtree (in the trashcan)
	archivedAt time.Time
	title      string
}

// live reports whether n is reachable (not in the trashcan, nor under a deleted folder).
func (n *node) live() bool {
	for m := n; m != nil; m = m.parent {
		if m.archived {
			return false
		}
	}
	return true
}

// isFile reports whether n is content (cm:content).
func (n *node) isFile() bool { return !n.folder && n.typ == "cm:content" }

func (n *node) versionLabel() string {
	if n.major == 0 && n.minor == 0 {
		return ""
	}
	return fmt.Sprintf("%d.%d", n.major, n.minor)
}

// sortedChildren returns n's live children ordered by name (case-insensitively).
func (n *node) sortedChildren() []*node {
	out := make([]*node, 0, len(n.children))
	for _, c := range n.children {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *node) int { return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)) })
	return out
}

// ancestors returns the path elements from the network root down to n's parent.
func (n *node) ancestors() []*node {
	var out []*node
	for m := n.parent; m != nil; m = m.parent {
		out = append(out, m)
	}
	slices.Reverse(out)
	return out
}

// isAncestorOf reports whether n is m or one of m's ancestors.
func (n *node) isAncestorOf(m *node) bool {
	for x := m; x != nil; x = x.parent {
		if x == n {
			return true
		}
	}
	return false
}

// forbiddenName is the cm:filename constraint of Alfresco's content model: a name that
// matches it is refused with 422 (see NOTES §8).
var forbiddenName = regexp.MustCompile(`^(?:(.*["*\\><?/:|]+.*)|(.*[.]?.*[.]+$)|(.*[ ]+$))`)

// validName reports whether Alfresco accepts name for a node.
func validName(name string) bool { return name != "" && !forbiddenName.MatchString(name) }

// apiError is an Alfresco error reply.
type apiError struct {
	status int
	key    string
	msg    string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }

func errf(status int, format string, args ...any) *apiError {
	key := "framework.exception.ApiDefault"
	switch status {
	case http.StatusNotFound:
		key = "framework.exception.EntityNotFound"
	case http.StatusBadRequest:
		key = "framework.exception.InvalidArgument"
	case http.StatusForbidden:
		key = "framework.exception.PermissionDenied"
	}
	msg := fmt.Sprintf(format, args...)
	if status == http.StatusConflict {
		key = msg // Alfresco puts ConstraintViolatedException's message in errorKey
	}
	return &apiError{status: status, key: key, msg: msg}
}

func notFound(id string) *apiError {
	return errf(http.StatusNotFound, "The entity with id: %s was not found", id)
}

func nameClash(name string) *apiError {
	return errf(http.StatusConflict, "Duplicate child name not allowed: %s", name)
}

func lockedErr(n *node) *apiError {
	return errf(http.StatusConflict, "Cannot perform operation since the node (id:%s) is locked.", n.id)
}

func invalidName(name string) *apiError {
	return errf(http.StatusUnprocessableEntity, "Found 1 integrity violations:\nInvalid property value: \n   Node: workspace://SpacesStore/x\n   Name: {http://www.alfresco.org/model/content/1.0}name\n   Value: %s\n   Constraint: 'cm:filename'", name)
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// The tree operations below run with Server.mu held. user is the acting user; checks
// follow Alfresco: 403 without write permission, 409 for clashes and locks, 422 for names.

// now returns a strictly increasing millisecond timestamp, so every change is visible in
// modifiedAt even when two happen within one millisecond.
func (s *Server) now() time.Time {
	t := time.Now().UTC().Truncate(time.Millisecond)
	if !t.After(s.last) {
		t = s.last.Add(time.Millisecond)
	}
	s.last = t
	return t
}

func (s *Server) newNode(parent *node, name, typ, user string) *node {
	t := s.now()
	n := &node{id: newID(), name: name, typ: typ, folder: typ != "cm:content", created: t, modified: t,
		createdBy: user, modifiedBy: user, parent: parent}
	if n.folder {
		n.children = map[string]*node{}
	}
	if parent != nil {
		n.network = parent.network
		parent.children[strings.ToLower(name)] = n
	}
	s.nodes[n.id] = n
	return n
}

// touch records a change of n's child list in n's modifiedAt (Alfresco's timestamp
// propagation of cm:contains: one level, not recursive).
func (s *Server) touch(n *node, user string) {
	if n != nil {
		n.modified, n.modifiedBy = s.now(), user
	}
}

// canWrite reports whether user may change nodes under n: site members with a role above
// SiteConsumer may; outside sites everyone may (the test server has no other ACLs).
func (s *Server) canWrite(user string, n *node) bool {
	site := s.siteOf(n)
	if site == nil || user == systemUser {
		return true
	}
	role, ok := site.members[user]
	return ok && role != "SiteConsumer"
}

func (s *Server) checkLock(user string, n *node) *apiError {
	if n.lockOwner != "" && (n.lockFull || n.lockOwner != user) {
		return lockedErr(n)
	}
	return nil
}

func (s *Server) create(user string, parent *node, name, typ string, content []byte, autoRename bool) (*node, *apiError) {
	switch {
	case !parent.folder:
		return nil, errf(http.StatusBadRequest, "Could not locate parent folder: %s is not a folder", parent.id)
	case !s.canWrite(user, parent):
		return nil, errf(http.StatusForbidden, "Permission was denied")
	case !validName(name):
		return nil, invalidName(name)
	}
	if _, taken := parent.children[strings.ToLower(name)]; taken {
		if !autoRename {
			return nil, nameClash(name)
		}
		name = s.uniqueName(parent, name)
	}
	if typ == "cm:content" {
		if e := s.checkSpace(int64(len(content)), 0); e != nil {
			return nil, e
		}
	}
	n := s.newNode(parent, name, typ, user)
	if typ == "cm:content" {
		n.content, n.mime, n.major = content, mimeOf(name), 1
	}
	s.touch(parent, user)
	return n, nil
}

// uniqueName finds name-1.ext, name-2.ext, … as autoRename does.
func (s *Server) uniqueName(parent *node, name string) string {
	base, ext := name, ""
	if i := strings.LastIndex(name, "."); i > 0 {
		base, ext = name[:i], name[i:]
	}
	for i := 1; ; i++ {
		cand := fmt.Sprintf("%s-%d%s", base, i, ext)
		if _, taken := parent.children[strings.ToLower(cand)]; !taken {
			return cand
		}
	}
}

// checkSpace applies the per-file limit and the storage quota to a write of size bytes
// replacing old bytes.
func (s *Server) checkSpace(size, old int64) *apiError {
	if s.opts.MaxFileSize > 0 && size > s.opts.MaxFileSize {
		return errf(http.StatusRequestEntityTooLarge, "The file can't be uploaded because it's larger than the maximum upload size")
	}
	if s.opts.Quota > 0 && s.usedBytes()-old+size > s.opts.Quota {
		return errf(http.StatusInsufficientStorage, "The file upload exceeds the content storage allowance")
	}
	return nil
}

func (s *Server) usedBytes() int64 {
	var n int64
	for _, x := range s.nodes {
		n += int64(len(x.content))
	}
	return n
}

func (s *Server) setContent(user string, n *node, data []byte, major bool) *apiError {
	switch {
	case !n.isFile():
		return errf(http.StatusBadRequest, "Node id %s does not represent a file", n.id)
	case !s.canWrite(user, n):
		return errf(http.StatusForbidden, "Permission was denied")
	}
	if e := s.checkLock(user, n); e != nil {
		return e
	}
	if e := s.checkSpace(int64(len(data)), int64(len(n.content))); e != nil {
		return e
	}
	n.content = data
	switch {
	case major || n.major == 0 && n.minor == 0:
		n.major, n.minor = n.major+1, 0
	default:
		n.minor++
	}
	n.modified, n.modifiedBy = s.now(), user
	return nil
}

// move renames and/or moves n under target (target == n.parent for a rename). The old and
// new parents' modifiedAt change; n's own only when its name changes.
func (s *Server) move(user string, n, target *node, name string) *apiError {
	switch {
	case n.parent == nil || n.typ != "cm:content" && n.typ != "cm:folder":
		return errf(http.StatusForbidden, "Permission was denied: node %s cannot be moved", n.id)
	case !target.folder:
		return errf(http.StatusBadRequest, "Target %s is not a folder", target.id)
	case n.isAncestorOf(target):
		return errf(http.StatusBadRequest, "Cannot move a folder into itself or one of its subfolders")
	case !s.canWrite(user, n) || !s.canWrite(user, target):
		return errf(http.StatusForbidden, "Permission was denied")
	case !validName(name):
		return invalidName(name)
	}
	if e := s.checkLock(user, n); e != nil {
		return e
	}
	if other, taken := target.children[strings.ToLower(name)]; taken && other != n {
		if target == n.parent {
			return nameClash(name)
		}
		return errf(http.StatusConflict, "Name already exists in target parent: %s", name)
	}
	old := n.parent
	delete(old.children, strings.ToLower(n.name))
	if name != n.name {
		n.name = name
		n.modified, n.modifiedBy = s.now(), user
	}
	n.parent = target
	target.children[strings.ToLower(name)] = n
	s.touch(old, user)
	if target != old {
		s.touch(target, user)
	}
	return nil
}

// remove moves n (with its subtree) to the trashcan, or purges it with permanent.
func (s *Server) remove(user string, n *node, permanent bool) *apiError {
	switch {
	case n.parent == nil || n.typ != "cm:content" && n.typ != "cm:folder":
		return errf(http.StatusForbidden, "Permission was denied: node %s cannot be deleted", n.id)
	case !s.canWrite(user, n):
		return errf(http.StatusForbidden, "Permission was denied")
	}
	if e := s.checkLock(user, n); e != nil {
		return e
	}
	delete(n.parent.children, strings.ToLower(n.name))
	s.touch(n.parent, user)
	if permanent {
		s.purge(n)
		return nil
	}
	n.archived, n.archivedAt = true, s.now()
	s.trash = append(s.trash, n)
	return nil
}

func (s *Server) purge(n *node) {
	delete(s.nodes, n.id)
	for _, c := range n.children {
		s.purge(c)
	}
}

// child returns parent's live child called name (case-insensitively, as Alfresco's
// getChildByName does).
func child(parent *node, name string) *node {
	if parent == nil || !parent.folder {
		return nil
	}
	return parent.children[strings.ToLower(name)]
}

// resolve follows a relativePath below n.
func resolve(n *node, rel string) (*node, *apiError) {
	for _, el := range strings.Split(strings.Trim(rel, "/"), "/") {
		if el == "" {
			continue
		}
		c := child(n, el)
		if c == nil {
			return nil, errf(http.StatusNotFound, "The entity with relativePath: %s was not found.", rel)
		}
		n = c
	}
	return n, nil
}

func mimeOf(name string) string {
	switch strings.ToLower(name[strings.LastIndex(name, ".")+1:]) {
	case "txt":
		return "text/plain"
	case "pdf":
		return "application/pdf"
	case "docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	}
	return "application/octet-stream"
}
