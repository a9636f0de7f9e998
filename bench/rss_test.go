package main

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestStopReportsTheDaemonsOwnPeakRSS: the peak RSS stop reports is the daemon's, not this
// process's. Here this process touches 96 MB, then starts and stops a small program in its
// place: stop must report well under that (it reported at least 96 MB with ru_maxrss,
// which inherits the parent's high-water mark through vfork).
func TestStopReportsTheDaemonsOwnPeakRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	big := make([]byte, 96<<20)
	for i := range big {
		if i%4096 == 0 {
			big[i] = 1
		}
	}
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	e := &engine{cmd: cmd}
	deadline := time.Now().Add(10 * time.Second)
	for { // until the child runs sleep, not the copy of this process
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/cmdline")
		if strings.HasPrefix(string(b), "sleep") || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	peak, _ := e.stop() // sleep ends by SIGTERM: Wait's error is expected
	runtime.KeepAlive(big)
	if self := procHWM(os.Getpid()); self < 96<<20 {
		t.Fatalf("this process's peak RSS is %d bytes, not above the 96 MB it touched", self)
	}
	if peak <= 0 || peak >= 32<<20 {
		t.Errorf("stop reported a peak RSS of %.1f MB for sleep (this process's is %.1f MB)", float64(peak)/1e6, float64(procHWM(os.Getpid()))/1e6)
	}
}
