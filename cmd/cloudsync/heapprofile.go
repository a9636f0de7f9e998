package main

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// profileHeapPeaks writes the heap profile to path each time the heap in use reaches a new
// high (checked every second, a new high being an eighth above the last one written), and
// once more when ctx ends: the daemon's --heap-profile (issue 11: where memory goes). Off
// unless the flag is given; the profile goes to a file only, never to the network. The
// file is replaced whole (written beside it, then renamed), so a reader never sees half.
func profileHeapPeaks(ctx context.Context, path string) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			writeHeapProfile(path + ".end")
			return
		case <-t.C:
		}
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak+peak/8 {
			peak = v
			writeHeapProfile(path)
		}
	}
}

// writeHeapProfile writes the heap profile (as of the last garbage collection) to path.
func writeHeapProfile(path string) {
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return
	}
	runtime.GC() // the profile shows what the last collection found live
	err = pprof.Lookup("heap").WriteTo(f, 0)
	if cerr := f.Close(); err == nil && cerr == nil {
		_ = os.Rename(path+".tmp", path)
	}
}
