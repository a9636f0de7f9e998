//go:build !linux

package exec

import (
	"errors"
	"runtime"

	"github.com/cloudsync/cloudsync/syncer/plan"
	"github.com/cloudsync/cloudsync/syncer/remote"
)

// errNoMeta says why items' metadata is not kept off Linux.
var errNoMeta = errors.New("title, description and author are kept in Linux extended attributes (user.dublincore.*) only, not on " + runtime.GOOS)

// MetaSupport implements MetaFS: metadata is kept on Linux only.
func (o *OSFS) MetaSupport() error { return errNoMeta }

// SetMeta implements MetaFS: metadata is kept on Linux only.
func (o *OSFS) SetMeta(p string, expect plan.Node, m remote.Meta) error { return errNoMeta }

// metaOf reads nothing off Linux.
func (s *scanner) metaOf(n *plan.Node, full string) {}

// SetMeta implements MetaStaged: metadata is kept on Linux only.
func (s *osStaged) SetMeta(m remote.Meta) error { return errNoMeta }
