package syncer

import (
	"context"
	"errors"
	"sync"
)

// events is a bounded ring of recent events with a long-poll for the UI.
type events struct {
	mu     sync.Mutex
	seq    int64
	buf    []Event
	notify chan struct{} // closed and replaced on every new event
}

const eventsKept = 256

func (ev *events) init() { ev.notify = make(chan struct{}) }

func (ev *events) add(x Event) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	ev.seq++
	x.Seq = ev.seq
	ev.buf = append(ev.buf, x)
	if len(ev.buf) > eventsKept {
		ev.buf = append([]Event(nil), ev.buf[len(ev.buf)-eventsKept:]...)
	}
	close(ev.notify)
	ev.notify = make(chan struct{})
}

func (ev *events) after(seq int64) ([]Event, int64, <-chan struct{}) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	var out []Event
	for _, x := range ev.buf {
		if x.Seq > seq {
			out = append(out, x)
		}
	}
	return out, ev.seq, ev.notify
}

// emit records an event for the UI. Notifications are filtered by the UI according to the
// notifications setting; the engine keeps every event so Sync Info and tests can see them.
func (e *Engine) emit(x Event) {
	x.Time = e.cfg.Now()
	e.ev.add(x)
	e.cfg.Log.Info("event", "kind", x.Kind, "title", x.Title)
}

// Events returns the events after seq, waiting (until ctx ends) when there are none.
func (e *Engine) Events(ctx context.Context, after int64) ([]Event, int64, error) {
	for {
		out, last, wake := e.ev.after(after)
		if len(out) > 0 || after > last {
			return out, last, nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, last, nil
			}
			return nil, last, ctx.Err()
		case <-wake:
		}
	}
}
