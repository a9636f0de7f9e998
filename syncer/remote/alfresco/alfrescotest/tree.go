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
	owner      string // cm:owner (the creator): full control with Options.OwnerRoles
	lockOwner  string // non-empty: locked
	lockFull   bool   // READ_ONLY_LOCK: nobody may change it, not even the owner
	archived   bool   // top of a deleted subtree (in the trashcan)
	archivedAt time.Time
	archivedBy string
	// cm:titled's cm:title and cm:description, cm:author's cm:author; titled and authored
	// say the aspect is on the node (added with its first property, never removed: a
	// property set to null stays as a null value, DbNodeServiceImpl.addAspectsAndProperties).
	title, description, author string
	titled, authored           bool

	// cm:versionable's cm:autoVersion and cm:autoVersionOnUpdateProps (VersionableAspect):
	// a content change, a property change creates a version.
	autoVersion, autoVersionProps bool
	linkTo                        *node // cm:destination of a link (cm:link, app:filelink, app:folderlink)
	workingCopy                   *node // of a checked-out original (cm:checkedOut)
	original                      *node // of a working copy (cm:workingcopy)
	wcOwner                       string
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

// isLink reports whether n is a cm:link or one of its subtypes.
func (n *node) isLink() bool { return linkTypes[n.typ] }

var linkTypes = map[string]bool{"cm:link": true, "app:filelink": true, "app:folderlink": true}

// apiKind is what the API reports as isFolder and isFile (NodesImpl.getType): an
// app:folderlink is a folder and an app:filelink a file although neither has children or
// content; a plain cm:link takes its destination's kind (neither when it is gone or is a
// link itself).
func (n *node) apiKind() (isFolder, isFile bool) {
	switch n.typ {
	case "app:folderlink":
		return true, false
	case "app:filelink":
		return false, true
	case "cm:link":
		t := n.linkTo
		if t == nil || !t.live() || t.isLink() {
			return false, false
		}
		return t.folder, t.isFile()
	}
	return n.folder, n.isFile()
}

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
// matches it is refused with 422 (see REAL-ALFRESCO.md §14).
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
	t := s.clock().UTC().Truncate(time.Millisecond)
	if !t.After(s.last) {
		t = s.last.Add(time.Millisecond)
	}
	s.last = t
	return t
}

func (s *Server) clock() time.Time {
	if s.opts.Clock != nil {
		return s.opts.Clock()
	}
	return time.Now()
}

func (s *Server) newNode(parent *node, name, typ, user string) *node {
	t := s.now()
	n := &node{id: newID(), name: name, typ: typ, folder: typ != "cm:content" && !linkTypes[typ], created: t, modified: t,
		createdBy: user, modifiedBy: user, owner: user, parent: parent}
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
	case !s.allowed(user, parent, permCreate):
		return nil, denied()
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
		n.autoVersion, n.autoVersionProps = !s.opts.NoAutoVersion, s.opts.AutoVersionOnUpdateProps
	}
	s.childChanged(parent, n, user)
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

// versioning says how a content write asks for a version: explicit (the API's
// majorVersion or comment parameter) and which kind.
type versioning struct{ explicit, major bool }

// setContent writes new content into file n. A versionable node gets a new version when its
// cm:autoVersion is on (VersionableAspect.onContentUpdate; the v1 API too since 26.2,
// NodesImpl.shouldCreateVersionOnContentUpdate); an unversioned one becomes versionable
// only when the API asked explicitly. Without a new version the label stays: only
// modifiedAt says the content changed.
func (s *Server) setContent(user string, n *node, data []byte, v versioning) *apiError {
	switch {
	case !n.isFile():
		return errf(http.StatusBadRequest, "Node id %s does not represent a file", n.id)
	case !s.allowed(user, n, permWrite):
		return denied()
	}
	if e := s.checkLock(user, n); e != nil {
		return e
	}
	if e := s.checkSpace(int64(len(data)), int64(len(n.content))); e != nil {
		return e
	}
	n.content = data
	switch {
	case n.versionLabel() == "" && v.explicit:
		n.major, n.minor = 1, 0
		n.autoVersion, n.autoVersionProps = !s.opts.NoAutoVersion, s.opts.AutoVersionOnUpdateProps
	case n.versionLabel() == "" || !n.autoVersion:
	case v.major:
		n.major, n.minor = n.major+1, 0
	default:
		n.minor++
	}
	n.modified, n.modifiedBy = s.now(), user
	return nil
}

// propsChanged records a property change of n by user (a title, a name): modifiedAt moves,
// and a node with cm:autoVersionOnUpdateProps (and cm:autoVersion) gets a new version
// (VersionableAspect.onUpdateProperties).
func (s *Server) propsChanged(user string, n *node) {
	n.modified, n.modifiedBy = s.now(), user
	if n.versionLabel() != "" && n.autoVersion && n.autoVersionProps {
		n.minor++
	}
}

// movable reports whether n is a document-library node that may be moved or deleted.
func movable(n *node) bool {
	return n.parent != nil && (n.typ == "cm:content" || n.typ == "cm:folder" || n.isLink())
}

// move renames and/or moves n under target (target == n.parent for a rename). The old and
// new parents' modifiedAt change (see childChanged); n's own when its name changes (the
// name is set as a property first, FileFolderServiceImpl.moveOrCopy) and, with
// MoveTouchesNode, on any move (DbNodeServiceImpl.moveNode → touchNode). With
// PreserveAuditableOnMove a move touches neither n nor the folders.
//
// A rename needs WriteProperties on n (FileFolderService.rename); a move DeleteNode on n
// and CreateChildren on target (FileFolderService.moveFrom).
func (s *Server) move(user string, n, target *node, name string) *apiError {
	rename := target == n.parent
	switch {
	case !movable(n):
		return errf(http.StatusForbidden, "Permission was denied: node %s cannot be moved", n.id)
	case !target.folder:
		return errf(http.StatusBadRequest, "Target %s is not a folder", target.id)
	case n.isAncestorOf(target):
		return errf(http.StatusBadRequest, "Cannot move a folder into itself or one of its subfolders")
	case rename && !s.allowed(user, n, permWrite),
		!rename && (!s.allowed(user, n, permDelete) || !s.allowed(user, target, permCreate)):
		return denied()
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
	switch {
	case name != n.name:
		n.name = name
		s.propsChanged(user, n)
	case s.opts.MoveTouchesNode && !s.opts.PreserveAuditableOnMove:
		n.modified, n.modifiedBy = s.now(), user
	}
	n.parent = target
	target.children[strings.ToLower(name)] = n
	if s.opts.PreserveAuditableOnMove {
		return nil // the auditable behaviour is off during the move: no propagation either
	}
	s.childChanged(old, n, user)
	if target != old {
		s.childChanged(target, n, user)
	}
	return nil
}

// remove moves n (with its subtree) to the trashcan, or purges it with permanent. It needs
// DeleteNode on n only: Alfresco does not check the children (permissionDefinitions.xml,
// _DeleteNode). Deleting a checked-out original is refused (its lock); deleting a working
// copy cancels the checkout.
func (s *Server) remove(user string, n *node, permanent bool) *apiError {
	switch {
	case !movable(n):
		return errf(http.StatusForbidden, "Permission was denied: node %s cannot be deleted", n.id)
	case !s.allowed(user, n, permDelete):
		return denied()
	}
	if e := s.checkLock(user, n); e != nil {
		return e
	}
	if n.original != nil {
		s.endCheckout(n.original)
	}
	delete(n.parent.children, strings.ToLower(n.name))
	s.childChanged(n.parent, nil, user)
	if permanent {
		s.purge(n)
		return nil
	}
	n.archived, n.archivedAt, n.archivedBy = true, s.now(), user
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

// resolve follows a relativePath below n. With trim, each segment loses its leading and
// trailing spaces and control characters first, as NodesImpl.getPathElements does
// (String.trim), so a name that starts with a space cannot be reached by path.
func resolve(n *node, rel string, trim bool) (*node, *apiError) {
	for _, el := range strings.Split(strings.Trim(rel, "/"), "/") {
		if trim {
			el = javaTrim(el)
		}
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

// javaTrim is Java's String.trim: it removes leading and trailing characters up to U+0020.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}
