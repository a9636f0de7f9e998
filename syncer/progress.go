package syncer

import (
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudsync/cloudsync/syncer/plan"
)

// progress is what a running pass of one set is doing, for SPEC §6's progress (file name,
// bytes done of total, items left, time left). The transfer path (exec.Env.Progress) adds
// bytes from several goroutines at once, once per buffer, so that side is lock-free; the
// rest changes once per pass or per action, under mu.
type progress struct {
	bytes atomic.Int64           // content bytes moved by the running pass
	file  atomic.Pointer[string] // set-relative path of the file that moved bytes last

	mu          sync.Mutex
	root        string // the set's local root, to show absolute paths
	start       time.Time
	total, left int   // actions doing work, and those not finished
	totalBytes  int64 // content bytes of the pass's transfers
}

// begin starts counting a pass that executes pl (work actions doing work).
func (p *progress) begin(root string, pl plan.Plan, work int, now time.Time) {
	var total int64
	for _, a := range pl.Actions {
		switch a.Op {
		case plan.Upload:
			if a.Local != nil && !a.Local.IsDir {
				total += a.Local.Size
			}
		case plan.Download, plan.Conflict:
			if a.Remote != nil && !a.Remote.IsDir {
				total += a.Remote.Size
			}
		}
	}
	p.mu.Lock()
	p.root, p.start, p.total, p.left, p.totalBytes = root, now, work, work, total
	p.mu.Unlock()
	p.bytes.Store(0)
	p.file.Store(nil)
}

// moved is exec.Env.Progress: n more bytes of set-relative path.
func (p *progress) moved(path string, n int64) {
	p.bytes.Add(n)
	if cur := p.file.Load(); cur == nil || *cur != path {
		p.file.Store(&path)
	}
}

// done counts one finished action.
func (p *progress) done() {
	p.mu.Lock()
	if p.left > 0 {
		p.left--
	}
	p.mu.Unlock()
}

// end clears the progress when the pass ends.
func (p *progress) end() {
	p.mu.Lock()
	p.total, p.left, p.totalBytes = 0, 0, 0
	p.mu.Unlock()
	p.bytes.Store(0)
	p.file.Store(nil)
}

// snapshot returns the progress at now, or nil when no work is under way.
func (p *progress) snapshot(now time.Time) *Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.total == 0 {
		return nil
	}
	out := &Progress{Items: p.total, ItemsLeft: p.left, TotalBytes: p.totalBytes, Bytes: min(p.bytes.Load(), p.totalBytes)}
	if f := p.file.Load(); f != nil {
		out.File = filepath.Join(p.root, filepath.FromSlash(*f))
	}
	out.ETASeconds = eta(now.Sub(p.start), out)
	return out
}

// eta estimates the time left from the rate so far: bytes when the pass moves content,
// else finished actions. 0 means unknown (nothing done yet).
func eta(elapsed time.Duration, p *Progress) int64 {
	if elapsed <= 0 {
		return 0
	}
	var frac float64
	switch {
	case p.TotalBytes > 0 && p.Bytes > 0:
		frac = float64(p.Bytes) / float64(p.TotalBytes)
	case p.Items > 0 && p.ItemsLeft < p.Items:
		frac = float64(p.Items-p.ItemsLeft) / float64(p.Items)
	default:
		return 0
	}
	if frac >= 1 {
		return 0
	}
	left := elapsed.Seconds() * (1 - frac) / frac
	return int64(left + 0.5)
}

// combine adds b to a (progress over several sets): bytes and items add up, the time left
// is the longest, the file is the one of the set that moved bytes.
func combine(a, b *Progress) *Progress {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	out := *a
	out.Items += b.Items
	out.ItemsLeft += b.ItemsLeft
	out.Bytes += b.Bytes
	out.TotalBytes += b.TotalBytes
	out.ETASeconds = max(a.ETASeconds, b.ETASeconds)
	if out.File == "" {
		out.File = b.File
	}
	return &out
}

// setProgress is the progress of set id's running pass (nil when none).
func (e *Engine) setProgress(id string) *Progress {
	r := e.runner(id)
	if r == nil {
		return nil
	}
	return r.prog.snapshot(e.cfg.Now())
}

// progress is the progress over every set's running pass (nil when none is working).
func (e *Engine) progress() *Progress {
	e.mu.Lock()
	rs := make([]*runner, 0, len(e.runners))
	for _, r := range e.runners {
		rs = append(rs, r)
	}
	e.mu.Unlock()
	var out *Progress
	now := e.cfg.Now()
	for _, r := range rs {
		out = combine(out, r.prog.snapshot(now))
	}
	return out
}
