package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestLogRotatesBySizeKeepingTheNewest: writes past the size start a new file; the old
// ones shift to .1, .2, …; the oldest beyond keep goes; no record is split or lost among
// the kept files, every file stays 0600 and within the size.
func TestLogRotatesBySizeKeepingTheNewest(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, logName)
	var warn bytes.Buffer
	r, err := openRotating(name, 1000, 2, &warn)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				fmt.Fprintf(r, "record g%d-%02d %s\n", g, i, strings.Repeat("x", 40))
			}
		}()
	}
	wg.Wait()
	final := "record g9-99 " + strings.Repeat("y", 40) + "\n"
	fmt.Fprint(r, final)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write([]byte("late\n")); err == nil {
		t.Error("a write after Close succeeded")
	}
	files := logFiles(dir)
	if len(files) != 3 || warn.Len() > 0 {
		t.Fatalf("files %v (want the log and 2 old ones), warnings %q", files, warn.String())
	}
	var all string
	for i := len(files) - 1; i >= 0; i-- {
		st, err := os.Stat(files[i])
		if err != nil || st.Mode().Perm() != 0o600 || st.Size() > 1000 {
			t.Errorf("%s: %v, mode %v, size %d", files[i], err, st.Mode(), st.Size())
		}
		b, _ := os.ReadFile(files[i])
		all += string(b)
	}
	lines := strings.Split(strings.TrimSuffix(all, "\n"), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "record g") || len(l) != len("record g0-00 ")+40 {
			t.Fatalf("split record %q", l)
		}
	}
	// 101 records of 54 bytes: 18 per 1000-byte file, so the 3 kept files hold the last
	// 37..54, the newest at the end of the live log.
	if len(lines) < 37 || len(lines) > 54 || !strings.HasSuffix(all, final) {
		t.Errorf("%d records kept, ending %q", len(lines), lines[len(lines)-1])
	}
}

func TestLogLevelFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	e := &env{stderr: &stderr, getenv: func(k string) string {
		return map[string]string{"CLOUDSYNC_LOG_LEVEL": "debug"}[k]
	}}
	log, closeLog, err := openLog(dir, e)
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("a debug line")
	closeLog()
	b, _ := os.ReadFile(filepath.Join(dir, logName))
	if !strings.Contains(string(b), "a debug line") || !strings.Contains(stderr.String(), "a debug line") {
		t.Errorf("CLOUDSYNC_LOG_LEVEL=debug: file %q, stderr %q", b, stderr.String())
	}
	e.getenv = func(k string) string { return map[string]string{"CLOUDSYNC_LOG_LEVEL": "warn"}[k] }
	log, closeLog, _ = openLog(dir, e)
	log.Info("an info line")
	closeLog()
	if b, _ := os.ReadFile(filepath.Join(dir, logName)); strings.Contains(string(b), "an info line") {
		t.Error("CLOUDSYNC_LOG_LEVEL=warn logged an info line")
	}
	e.getenv = func(k string) string { return map[string]string{"CLOUDSYNC_LOG_LEVEL": "loud"}[k] }
	if _, _, err := openLog(dir, e); err == nil || !strings.Contains(err.Error(), "use debug, info, warn or error") {
		t.Errorf("CLOUDSYNC_LOG_LEVEL=loud: %v", err)
	}
}
