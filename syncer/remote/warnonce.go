package remote

import (
	"log/slog"
	"sync"
)

// WarnOnce logs a problem once per key (an entry's href, a node id) until what is said
// about it changes. A listing finds the same bad entry on every poll; logging it each time
// gave ~15 lines a second at 1 s polling (issue 9). The zero value is ready to use and safe
// for concurrent use; it forgets everything when it holds more than warnOnceKeys keys, so
// its memory stays bounded whatever a server sends.
type WarnOnce struct {
	mu   sync.Mutex
	said map[string]string
}

const warnOnceKeys = 10_000

// Warn logs msg with args at warning level unless key was already reported with the same
// detail.
func (w *WarnOnce) Warn(log *slog.Logger, key, detail, msg string, args ...any) {
	w.mu.Lock()
	if prev, ok := w.said[key]; ok && prev == detail {
		w.mu.Unlock()
		return
	}
	if w.said == nil || len(w.said) >= warnOnceKeys {
		w.said = map[string]string{}
	}
	w.said[key] = detail
	w.mu.Unlock()
	log.Warn(msg, args...)
}
