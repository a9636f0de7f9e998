package state

import "time"

// releaseInterval is how often the store looks whether Badger built tables since it last
// released their pages (releaseTablePages): a first sync's flushes and compactions write
// every table through its mapping, and those pages stayed in the RSS (the whole store).
const releaseInterval = 2 * time.Second

// releaseLoop releases the tables' pages every releaseInterval when a table was built since
// the last time, until stop is closed; it closes done when it returns.
func (s *Store) releaseLoop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(releaseInterval)
	defer t.Stop()
	var last uint64
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		var newest uint64
		for _, ti := range s.db.Tables() {
			newest = max(newest, ti.ID)
		}
		if newest != last {
			last = newest
			releaseTablePages(s.dir)
		}
	}
}
