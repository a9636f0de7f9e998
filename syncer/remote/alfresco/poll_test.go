package alfresco_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote/alfresco/alfrescotest"
)

// TestNoChangePollCostFor10000Files measures what a poll with nothing changed costs for
// 10,000 files, spread over 100 folders and all in one folder: requests and response
// bytes of the first (full) List and of a List with prev. It fails if pruning stops
// working: a no-change poll must cost one request per folder (plus the root) and less
// than a tenth of the full walk's bytes.
func TestNoChangePollCostFor10000Files(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, tc := range []struct {
		name    string
		folders int
	}{{"100 folders of 100 files", 100}, {"one folder of 10000 files", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			// Validation of 10,000-entry listings is slow and adds nothing the conformance
			// suite does not check; this test measures the client.
			clock := alfrescotest.NewManualClock(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
			srv := alfrescotest.Start(t, alfrescotest.Options{NoContract: true, Clock: clock.Now})
			srv.AddUser(testUser, testPass)
			srv.AddSite(alfrescotest.DefaultNetwork, testSite, "Team", map[string]string{testUser: "SiteManager"})
			lib := srv.Library(alfrescotest.DefaultNetwork, testSite)
			for i := range 10000 {
				if err := lib.Write(fmt.Sprintf("sync/d%03d/f%05d.txt", i%tc.folders, i), []byte("x")); err != nil {
					t.Fatal(err)
				}
			}
			clock.Advance(time.Minute) // the folders' timestamps are not recent any more
			ctx := testCtx(t)
			c := newClient(t, srv, site+"/sync")
			if _, err := c.Stat(ctx, ""); err != nil { // login and the documentLibrary id
				t.Fatal(err)
			}
			r0, b0 := srv.TotalCalls()
			prev, err := c.List(ctx, "", nil)
			if err != nil || len(prev) != 10000+tc.folders {
				t.Fatalf("full List: %d entries, %v", len(prev), err)
			}
			r1, b1 := srv.TotalCalls()
			again, err := c.List(ctx, "", prev)
			if err != nil || len(again) != len(prev) {
				t.Fatalf("List with prev: %d entries, %v", len(again), err)
			}
			r2, b2 := srv.TotalCalls()
			full, poll := r1-r0, r2-r1
			t.Logf("10,000 files in %d folder(s): full walk %d requests / %d KiB; no-change poll %d requests / %d KiB",
				tc.folders, full, (b1-b0)>>10, poll, (b2-b1)>>10)
			if poll != tc.folders+1 {
				t.Errorf("no-change poll made %d requests, want %d (one per folder and the root)", poll, tc.folders+1)
			}
			if (b2 - b1) > (b1-b0)/10 {
				t.Errorf("no-change poll read %d bytes, the full walk %d: pruning saved too little", b2-b1, b1-b0)
			}
		})
	}
}
