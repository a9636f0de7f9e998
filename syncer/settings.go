package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// The General preferences (Settings) are kept in the store as one JSON value; values given
// in Config win over them (see New).

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
