package alfrescotest

import (
	"sync"
	"time"
)

// defaultFolderDelay is how late a folder's modifiedAt follows its children with
// Options.LateFolderTimestamps when FolderDelay is not set.
const defaultFolderDelay = 50 * time.Millisecond

// propagation is a pending update of a folder's modifiedAt after a change of its children.
type propagation struct {
	folder *node
	child  *node // nil for a child that was deleted
	user   string
	due    time.Time
}

// childChanged records that folder's child list changed (child created, moved in or out,
// renamed, restored; nil: deleted), which Alfresco propagates to the folder's modifiedAt
// (cm:contains has propagateTimestamps; DbNodeServiceImpl.propagateTimeStamps).
//
// Without Options.LateFolderTimestamps the folder is touched at once. With it, as Alfresco
// does: the update is made after the change's transaction committed, in a transaction of
// its own (here: FolderDelay later, applied by settle), with the time of that moment; it
// is skipped when the folder is already newer than the child's modifiedAt ("another child
// got there first"), and merged to 1-second steps: nothing changes while the folder's
// modifiedAt is within 1 s of the new time (AbstractNodeDAOImpl.setModifiedProperties →
// AuditablePropertiesEntity.setAuditModified(date, 1000L)). With NoTimestampPropagation
// (system.enableTimestampPropagation=false) nothing is propagated.
func (s *Server) childChanged(folder, child *node, user string) {
	switch {
	case folder == nil || s.opts.NoTimestampPropagation:
	case !s.opts.LateFolderTimestamps:
		folder.modified, folder.modifiedBy = s.now(), user
	default:
		d := s.opts.FolderDelay
		if d <= 0 {
			d = defaultFolderDelay
		}
		s.pending = append(s.pending, propagation{folder: folder, child: child, user: user, due: s.clock().Add(d)})
	}
}

// settle applies the pending folder updates that are due (all of them with all). It runs
// with s.mu held, before each request is served.
func (s *Server) settle(all bool) {
	if len(s.pending) == 0 {
		return
	}
	now := s.clock()
	keep := s.pending[:0]
	for _, p := range s.pending {
		if !all && p.due.After(now) {
			keep = append(keep, p)
			continue
		}
		s.propagate(p)
	}
	clear(s.pending[len(keep):])
	s.pending = keep
}

func (s *Server) propagate(p propagation) {
	f := p.folder
	if !f.live() {
		return // the folder has gone away
	}
	date := s.now()
	childMod := date
	if p.child != nil && p.child.live() {
		childMod = p.child.modified
	}
	if f.modified.After(childMod) {
		return // the folder was modified more recently
	}
	if !f.modified.Add(time.Second).Before(date) {
		return // within the 1-second tolerance: merged with the folder's last change
	}
	f.modified, f.modifiedBy = date, p.user
}

// Settle makes every pending folder timestamp update happen now (Options.LateFolderTimestamps),
// as if the post-commit transactions had all run.
func (s *Server) Settle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle(true)
}

// ManualClock is a clock for Options.Clock that moves only when told to.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewManualClock returns a clock standing at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock d forward.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
