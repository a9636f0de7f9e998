package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
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

const settingsKey = "settings"

// MinStallTimeout is the shortest stall timeout the settings and the daemon flag accept: a
// shorter one would abandon transfers that are only slow.
const MinStallTimeout = 5 * time.Second

func (e *Engine) loadSettings() error {
	v, err := e.cfg.Store.GetConfig(settingsKey)
	if err != nil || v == "" {
		return nil // defaults
	}
	var s Settings
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		e.cfg.Log.Warn("ignoring unreadable settings", "err", err)
		return nil
	}
	if s.PollInterval <= 0 {
		s.PollInterval = e.settings.PollInterval
	}
	if s.RescanInterval <= 0 {
		s.RescanInterval = e.settings.RescanInterval
	}
	e.settings = s
	if p, _ := e.cfg.Store.GetConfig("paused"); p == "true" {
		e.paused = true
	}
	return nil
}

// GetSettings returns the General preferences.
func (e *Engine) GetSettings(ctx context.Context) (Settings, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.settings, nil
}

// PutSettings validates and stores the General preferences; new intervals apply from the
// next pass on.
func (e *Engine) PutSettings(ctx context.Context, s Settings) error {
	if time.Duration(s.PollInterval) < time.Second || time.Duration(s.RescanInterval) < 10*time.Second {
		return errors.New("poll interval must be at least 1s and rescan interval at least 10s")
	}
	if s.UploadLimit < 0 || s.DownloadLimit < 0 {
		return errors.New("bandwidth limits must not be negative (0: unlimited)")
	}
	if s.StallTimeout != 0 && time.Duration(s.StallTimeout) < MinStallTimeout {
		return fmt.Errorf("the stall timeout must be at least %v (0: the default, %v)", MinStallTimeout, remote.DefaultStallTimeout)
	}
	b, _ := json.Marshal(s)
	if err := e.cfg.Store.PutConfig(settingsKey, string(b)); err != nil {
		return err
	}
	e.mu.Lock()
	e.settings = s
	e.mu.Unlock()
	e.limits.Set(s.UploadLimit, s.DownloadLimit)
	e.kickAll()
	return nil
}
