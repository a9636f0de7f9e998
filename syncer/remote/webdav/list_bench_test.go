package webdav

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/webdav/davtest"
)

// BenchmarkListTree lists a tree of files in folders of 100 (the end-to-end benchmark's
// shape; CLOUDSYNC_BENCH_LIST_FILES files, default 10,000) on rclone (as the end-to-end
// benchmark runs it, with its directory cache) and Apache on 127.0.0.1, the way a poll
// does (Walk), and beside it the server alone: the same PROPFINDs with the same body over
// the same transport, n at a time, their answers read and thrown away (server-pN). The
// difference is what the client adds (decoding, entries). server-p4-<props> asks the
// server for other property sets: what each costs it.
func BenchmarkListTree(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("CLOUDSYNC_BENCH_LIST_FILES")); err == nil && v > 0 {
		n = v
	}
	for _, name := range []string{davtest.RcloneCached, davtest.Apache} {
		b.Run(name, func(b *testing.B) {
			srv := davtest.Own(b, name)
			folders := benchTree(b, filepath.Join(srv.Dir, "tree"), n)
			c := newProbedClient(b, srv.URL)
			b.Logf("%s: %d files, %d folders, body %d bytes", srv.Version, n, len(folders), len(c.propfindBody()))
			ctx := context.Background()
			for _, par := range []int{2, 4, 8} {
				b.Run(fmt.Sprintf("walk-p%d", par), func(b *testing.B) {
					defer func(old int) { listParallel = old }(listParallel)
					listParallel = par
					cpu0, srv0 := davtest.CPUTime(), davtest.ServerCPU(srv.Dir)
					defer func() {
						b.ReportMetric(float64((davtest.CPUTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
						b.ReportMetric(float64((davtest.ServerCPU(srv.Dir)-srv0).Microseconds())/1000/float64(b.N), "server-cpu-ms/op")
					}()
					for b.Loop() {
						got := 0
						if err := c.Walk(ctx, "tree", func(remote.Entry) error { got++; return nil }); err != nil {
							b.Fatal(err)
						}
						if got != n+len(folders)-1 {
							b.Fatalf("listed %d entries, want %d", got, n+len(folders)-1)
						}
					}
				})
			}
			for _, par := range []int{1, 2, 4, 8} {
				b.Run(fmt.Sprintf("server-p%d", par), func(b *testing.B) {
					srv0 := davtest.ServerCPU(srv.Dir)
					defer func() {
						b.ReportMetric(float64((davtest.ServerCPU(srv.Dir)-srv0).Microseconds())/1000/float64(b.N), "server-cpu-ms/op")
					}()
					for b.Loop() {
						rawPropfinds(b, c, folders, par, c.propfindBody())
					}
				})
			}
			for name, body := range map[string]string{"all": ocMetaPropfindBody, "dav+dc": davMetaPropfindBody, "dav": davPropfindBody, "allprop": allpropBody,
				"type+etag": propfindXML("", "<d:resourcetype/><d:getetag/>")} {
				b.Run("server-p4-"+name, func(b *testing.B) {
					srv0 := davtest.ServerCPU(srv.Dir)
					defer func() {
						b.ReportMetric(float64((davtest.ServerCPU(srv.Dir)-srv0).Microseconds())/1000/float64(b.N), "server-cpu-ms/op")
					}()
					for b.Loop() {
						rawPropfinds(b, c, folders, 4, body)
					}
				})
			}
		})
	}
}

// benchTree writes n small files in folders of 100 below dir and returns the folders'
// paths relative to the base ("tree" first).
func benchTree(b *testing.B, dir string, n int) []string {
	folders := []string{"tree"}
	for i := range n {
		d := fmt.Sprintf("d%04d", i/100)
		if i%100 == 0 {
			if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
				b.Fatal(err)
			}
			folders = append(folders, "tree/"+d)
		}
		if err := os.WriteFile(filepath.Join(dir, d, fmt.Sprintf("f%07d.bin", i)), []byte(strings.Repeat("x", 64)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return folders
}

// rawPropfinds sends the Depth 1 PROPFIND of each folder, par at a time, and reads and
// discards each answer.
func rawPropfinds(b *testing.B, c *Client, folders []string, par int, body string) {
	next := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				req, err := c.newRequest(context.Background(), "PROPFIND", f, true, strings.NewReader(body))
				if err == nil {
					req.Header.Set("Depth", "1")
					req.Header.Set("Content-Type", "application/xml; charset=utf-8")
					var resp *http.Response
					if resp, err = c.hc.Do(req); err == nil {
						_, err = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusMultiStatus {
							err = fmt.Errorf("PROPFIND %s: %s", f, resp.Status)
						}
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
				}
			}
		}()
	}
	for _, f := range folders {
		next <- f
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// allpropBody is what some clients send; cloudsync never does (propfind.go).
const allpropBody = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>`
