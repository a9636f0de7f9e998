package scenario

import (
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// passSample is what the process had done at one moment, for passDiag.
type passSample struct {
	at       time.Time
	minflt   int64
	gcs      uint64
	released uint64 // heap bytes given back to the OS
	heapIdle uint64 // heap bytes free, not given back
	ports    map[string]bool
}

// passDiag samples the process every time status is read while poll passes run, and
// says for one pass what changed between the samples around it: minor page faults, GC
// cycles, heap released to the OS before it, and connections to hostPort opened.
type passDiag struct {
	hostPort string
	samples  []passSample
}

func (d *passDiag) sample() {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	m := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/memory/classes/heap/released:bytes"}, {Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(m)
	d.samples = append(d.samples, passSample{at: time.Now(), minflt: ru.Minflt, gcs: m[0].Value.Uint64(),
		released: m[1].Value.Uint64(), heapIdle: m[2].Value.Uint64(), ports: clientPorts(d.hostPort)})
}

// pass describes the pass that started at start and took took.
func (d *passDiag) pass(start time.Time, took time.Duration) string {
	var before, after *passSample
	for i := range d.samples {
		s := &d.samples[i]
		if s.at.Before(start) {
			before = s
		}
		if after == nil && s.at.After(start.Add(took)) {
			after = s
		}
	}
	if before == nil || after == nil {
		return "no samples"
	}
	opened := 0
	for p := range after.ports {
		if !before.ports[p] {
			opened++
		}
	}
	return fmt.Sprintf("%v: minflt %d, gc %d, released before %.1f MB, free before %.1f MB, conns before %d, opened %d",
		took.Round(time.Millisecond), after.minflt-before.minflt, after.gcs-before.gcs, float64(before.released)/1e6, float64(before.heapIdle)/1e6, len(before.ports), opened)
}

// clientPorts are the local ports of established TCP connections to hostPort (an IPv4
// 127.0.0.1:port).
func clientPorts(hostPort string) map[string]bool {
	out := map[string]bool{}
	_, port, _ := strings.Cut(hostPort, ":")
	p, err := strconv.Atoi(port)
	if err != nil {
		return out
	}
	want := fmt.Sprintf("0100007F:%04X", p)
	b, _ := os.ReadFile("/proc/net/tcp")
	for _, line := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) > 3 && f[2] == want && f[3] == "01" {
			out[f[1]] = true
		}
	}
	return out
}
