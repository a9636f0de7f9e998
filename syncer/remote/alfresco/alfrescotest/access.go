package alfrescotest

import "net/http"

// perm is a permission the test server checks, named after Alfresco's permission groups
// (permissionDefinitions.xml): the API's operations need these (public-services-security-
// context.xml): reading; CreateChildren on a folder to create in it or move into it;
// Write (WriteContent, WriteProperties) for new content, a rename, a title; DeleteNode for
// a delete or a move out; CheckOut (on cm:lockable) for a checkout or a lock.
type perm int

const (
	permRead perm = iota
	permCreate
	permWrite
	permDelete
	permCheckout
)

// allowed reports whether user holds p on n.
//
// In a site, with Options.OwnerRoles, the site roles are Alfresco's permission groups
// (sitePermissionDefinitions.xml maps SiteManager to Coordinator and so on): a
// SiteConsumer (Consumer) reads; a SiteContributor (Consumer + AddChildren) creates, and
// changes or deletes only what it owns; a SiteCollaborator (Editor + Contributor) also
// edits, renames and checks out everyone's content but deletes or moves only what it owns;
// a SiteManager (Coordinator) does everything. The owner of a node (its creator,
// cm:ownable) has full control of it (ROLE_OWNER). Without OwnerRoles every member but a
// SiteConsumer may do everything, as before.
//
// Outside sites: a user's home folder (-my-) belongs to that user alone; elsewhere (Company
// Home, Shared) everyone may do everything. The System user (the Library helpers) may
// always.
func (s *Server) allowed(user string, n *node, p perm) bool {
	if user == systemUser {
		return true
	}
	site := s.siteOf(n)
	if site == nil {
		if h := homeOf(n); h != nil {
			return h.owner == user
		}
		return true
	}
	role, ok := site.members[user]
	switch {
	case !ok:
		return p == permRead && site.visibility != "PRIVATE"
	case p == permRead:
		return true
	case !s.opts.OwnerRoles:
		return role != "SiteConsumer"
	case role == "SiteManager", ownerOf(n) == user:
		return true
	case role == "SiteCollaborator":
		return p != permDelete
	case role == "SiteContributor":
		return p == permCreate
	}
	return false
}

// ownerOf is the node's owner; a working copy is owned by whoever checked it out.
func ownerOf(n *node) string {
	if n.wcOwner != "" {
		return n.wcOwner
	}
	return n.owner
}

// homeOf returns the user home folder n lies in (Company Home/User Homes/USER), or nil.
func homeOf(n *node) *node {
	for m := n; m != nil && m.parent != nil; m = m.parent {
		if p := m.parent; p.name == userHomes && p.parent != nil && p.parent.parent == nil {
			return m
		}
	}
	return nil
}

func denied() *apiError { return errf(http.StatusForbidden, "Permission was denied") }
