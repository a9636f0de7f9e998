package scenario

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// TestMovesIntoANewFolderAskNothingPerFile (issue 11): files moved into a new folder cost
// one MKCOL and a MOVE each, also when the pass runs in chunks (here of 4 changes; the
// daemon's are 2,000, and 1,000 files moved are 2,001 changes): the folder is made by one
// chunk and filled by another, and each MOVE still goes without asking whether its name is
// free and its folder there. Without the chunks sharing what they made, each move asked 3
// PROPFINDs on Apache. On servers whose MOVE answer is trusted (201 Created: Apache,
// rclone, x/net/webdav); nginx and lighttpd are checked after each move (ops.go).
func TestMovesIntoANewFolderAskNothingPerFile(t *testing.T) {
	for _, name := range []string{davtest.Apache, davtest.Rclone, davtest.XNet} {
		for _, chunk := range []int{4, 0} {
			t.Run(fmt.Sprintf("%s/chunk%d", name, chunk), func(t *testing.T) {
				t.Parallel()
				e := webdavEnv(t, davtest.Shared(t, name), func(c *syncer.Config) { c.Chunk = chunk })
				const n = 12
				for i := range n {
					e.Local.Write(fmt.Sprintf("src%d/f%02d.txt", i%3, i), strings.Repeat("m", i+1))
				}
				e.SyncFolder(defaults())
				lists := calls(e, "list")
				e.Sync()
				idle := calls(e, "list") - lists
				e.Local.Mkdir("moved")
				for i := range n {
					e.Local.Rename(fmt.Sprintf("src%d/f%02d.txt", i%3, i), fmt.Sprintf("moved/f%02d.txt", i))
				}
				lists, moves, up := calls(e, "list"), calls(e, "move"), calls(e, "upload")
				e.Sync() // a pass that moves, and one that finds nothing to do
				if got := calls(e, "move") - moves; got != n {
					t.Fatalf("%d MOVEs for %d moved files", got, n)
				}
				if got := calls(e, "upload") - up; got != 0 {
					t.Fatalf("%d uploads for %d moved files", got, n)
				}
				// Two passes' listings, and the new folder's: its look before the MKCOL, a
				// Stat after it (2 on Apache: a redirect to the slash) and its listing.
				if got := calls(e, "list") - lists; got > 2*idle+4 {
					t.Fatalf("moving %d files into a new folder asked %d PROPFINDs (a pass with nothing to do: %d)", n, got, idle)
				}
				e.Has(e.Cloud, "cloud", "moved/f11.txt", strings.Repeat("m", 12))
				e.Converged(nil)
			})
		}
	}
}
