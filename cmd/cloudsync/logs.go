package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// The log: <logs>/cloudsync.log, mode 0600, renamed to cloudsync.log.1 (.1 to .2, …) once it
// would pass logMaxSize, keeping logKeep old files: at most (logKeep+1)·logMaxSize on disk.
const (
	logName    = "cloudsync.log"
	logMaxSize = 10 << 20
	logKeep    = 3
)

// openLog logs to <logs>/cloudsync.log (rotated by size) and to stderr, at the level
// CLOUDSYNC_LOG_LEVEL names (debug, info, warn, error; default info). Secrets are never
// logged: the engine and the remotes log names, paths and error kinds only.
func openLog(dir string, e *env) (*slog.Logger, func(), error) {
	level, err := logLevel(e.getenv("CLOUDSYNC_LOG_LEVEL"))
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("creating the log folder: %w", err)
	}
	f, err := openRotating(filepath.Join(dir, logName), logMaxSize, logKeep, e.stderr)
	if err != nil {
		return nil, nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	h := slog.NewMultiHandler(slog.NewTextHandler(f, opts), slog.NewTextHandler(e.stderr, opts))
	return slog.New(h), func() { f.Close() }, nil
}

// logLevel reads CLOUDSYNC_LOG_LEVEL.
func logLevel(s string) (slog.Level, error) {
	var l slog.Level
	if s == "" {
		return slog.LevelInfo, nil
	}
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("CLOUDSYNC_LOG_LEVEL=%q: use debug, info, warn or error", s)
	}
	return l, nil
}

// rotatingFile is an append-only file that starts anew, under the same name, when a write
// would take it past maxSize: NAME becomes NAME.1, NAME.1 becomes NAME.2, …, and NAME.keep
// is dropped. Writes are whole (a log record is never split across two files). It is safe
// for concurrent use; nothing runs in the background.
type rotatingFile struct {
	mu      sync.Mutex
	name    string
	maxSize int64
	keep    int
	warn    io.Writer // where a failed rotation is told (the log cannot say it)
	f       *os.File  // nil after a failed reopen (retried at the next write) or Close
	size    int64
	closed  bool
}

var _ io.WriteCloser = (*rotatingFile)(nil)

func openRotating(name string, maxSize int64, keep int, warn io.Writer) (*rotatingFile, error) {
	r := &rotatingFile{name: name, maxSize: maxSize, keep: keep, warn: warn}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

// open opens (or creates) name for appending, mode 0600 whatever it was.
func (r *rotatingFile) open() error {
	f, err := os.OpenFile(r.name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening the log: %w", err)
	}
	st, err := f.Stat()
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("restricting the log: %w", err)
	}
	r.f, r.size = f, st.Size()
	return nil
}

func (r *rotatingFile) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, os.ErrClosed
	}
	if r.f != nil && r.size > 0 && r.size+int64(len(p)) > r.maxSize {
		r.rotate()
	}
	if r.f == nil {
		if err := r.open(); err != nil {
			return 0, err
		}
	}
	n, err := r.f.Write(p)
	r.size += int64(n)
	return n, err
}

// rotate shifts the old files and starts a new one. When a rename fails (a read-only
// folder, a full disk), logging goes on in the file as it is rather than stopping.
func (r *rotatingFile) rotate() {
	if err := r.f.Close(); err != nil {
		fmt.Fprintf(r.warn, "cloudsync: closing the log: %v\n", err)
	}
	r.f = nil
	os.Remove(r.name + "." + strconv.Itoa(r.keep))
	for i := r.keep - 1; i >= 1; i-- {
		os.Rename(r.name+"."+strconv.Itoa(i), r.name+"."+strconv.Itoa(i+1))
	}
	if err := os.Rename(r.name, r.name+".1"); err != nil {
		fmt.Fprintf(r.warn, "cloudsync: rotating the log: %v\n", err)
	}
	if err := r.open(); err != nil {
		fmt.Fprintf(r.warn, "cloudsync: %v\n", err)
	}
}

func (r *rotatingFile) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// logFiles lists the log and its rotated copies in dir, newest first.
func logFiles(dir string) []string {
	out := []string{filepath.Join(dir, logName)}
	for i := 1; ; i++ {
		p := filepath.Join(dir, logName+"."+strconv.Itoa(i))
		if _, err := os.Lstat(p); err != nil {
			return out
		}
		out = append(out, p)
	}
}
