package alfrescotest

import (
	"net/http"
	"strings"
)

// workingCopyLabel is Alfresco's English working copy label (coci_service.working_copy_label;
// other locales translate it, e.g. "(Arbeitskopie)").
const workingCopyLabel = "(Working Copy)"

// workingCopyName inserts the label before the extension, as
// CheckOutCheckInServiceImpl.createWorkingCopyName: "report.docx" → "report (Working Copy).docx".
func workingCopyName(name string) string {
	if i := strings.LastIndex(name, "."); i > 0 {
		return name[:i] + " " + workingCopyLabel + name[i:]
	}
	return name + " " + workingCopyLabel
}

// checkout checks file n out for user as CheckOutCheckInServiceImpl.checkout does: a copy
// named "NAME (Working Copy).EXT" (aspect cm:workingcopy, owned by user) appears in the same
// folder, and the original gets cm:checkedOut and a READ_ONLY_LOCK owned by user. The
// auditable behaviour of the original and of the folder is off meanwhile: neither's
// modifiedAt changes (the working copy itself is new). 409 when n is already checked out,
// is a working copy or is locked.
func (s *Server) checkout(user string, n *node) (*node, *apiError) {
	switch {
	case !n.isFile():
		return nil, errf(http.StatusBadRequest, "Node id %s does not represent a file", n.id)
	case !s.allowed(user, n, permCheckout):
		return nil, denied()
	case n.workingCopy != nil:
		return nil, errf(http.StatusConflict, "The node is already checked out.")
	case n.original != nil:
		return nil, errf(http.StatusConflict, "A working copy cannot be checked out.")
	case n.lockOwner != "":
		return nil, lockedErr(n)
	}
	name := workingCopyName(n.name)
	if _, taken := n.parent.children[strings.ToLower(name)]; taken {
		return nil, nameClash(name)
	}
	wc := s.newNode(n.parent, name, "cm:content", user)
	wc.content, wc.mime, wc.wcOwner, wc.original = append([]byte(nil), n.content...), n.mime, user, n
	wc.title, wc.description, wc.author, wc.titled, wc.authored = n.title, n.description, n.author, n.titled, n.authored
	n.workingCopy, n.lockOwner, n.lockFull = wc, user, true
	return wc, nil
}

// checkin copies the working copy's content onto the original, which gets a new version
// (when versionable) and a new modifiedAt, then deletes the working copy (a change of the
// folder's children) and unlocks the original (CheckOutCheckInServiceImpl.checkin).
func (s *Server) checkin(user string, wc *node) {
	n := wc.original
	n.content = wc.content
	if n.versionLabel() != "" {
		n.minor++
	}
	n.modified, n.modifiedBy = s.now(), user
	s.endCheckout(n)
}

// endCheckout removes n's working copy (without a trace in the trashcan) and unlocks n.
func (s *Server) endCheckout(n *node) {
	wc := n.workingCopy
	if wc == nil {
		return
	}
	if wc.live() {
		delete(wc.parent.children, strings.ToLower(wc.name))
		s.childChanged(wc.parent, nil, ownerOf(wc))
	}
	delete(s.nodes, wc.id)
	n.workingCopy, n.lockOwner, n.lockFull, wc.original = nil, "", false, nil
}

// putCheckedOut handles new content PUT to a checked-out original or to a working copy.
// Alfresco 7.x and 23.x refuse it (the original's READ_ONLY_LOCK: 409 NodeLockedException;
// the working copy's owner may write to it). From 26.2 (Options.CheckinOnPut) the content
// goes to the working copy, which is then checked in (NodesImpl.updateCheckedOutContent):
// whoever PUTs completes the checkout. handled false: not such a node.
func (s *Server) putCheckedOut(user string, n *node, data []byte) (handled bool, e *apiError) {
	wc := n.workingCopy
	if n.original != nil {
		wc = n
	}
	if wc == nil {
		return false, nil
	}
	if !s.opts.CheckinOnPut {
		if n.original != nil && user == wc.wcOwner {
			return false, nil // the owner writes to the working copy itself
		}
		return true, lockedErr(n)
	}
	if !s.allowed(user, wc, permWrite) && !s.allowed(user, wc.original, permWrite) {
		return true, denied()
	}
	wc.content = data
	s.checkin(user, wc)
	return true, nil
}
