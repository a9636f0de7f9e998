package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// contentFilter is what Synced content lists.
type contentFilter int

const (
	filterAll     contentFilter = iota // every item
	filterPending                      // items waiting to sync or syncing
	filterErrors                       // Synced with errors
)

// column is a sortable column of Synced content.
type column int

const (
	colName column = iota
	colFolder
	colStatus
)

// itemRowData is one item with the words its row shows and its sort keys, computed once
// per reload so that sorting and searching 100,000 items stays fast.
type itemRowData struct {
	info           *syncer.ItemInfo
	name, folder   string
	status         string
	lname, lfolder string // lower case, for search
	kname, kfolder string // natural sort keys (naturalKey)
	kstatus        string
}

// itemsModel is the data behind Synced content: the items read from the engine, the
// search, the sort order, and the selection, which follows the item (its path), not the
// row number, across reloads, sorting and searching.
type itemsModel struct {
	items   []syncer.ItemInfo
	rows    []itemRowData
	order   []int32 // every row, in sort order
	shown   []int32 // the rows of order matching the query
	sortBy  column
	desc    bool
	query   string
	selPath string
}

// set replaces the items (a reload) and keeps the sort, the search and the selection.
// roots maps set ids to their local roots: a folder shows from its set's folder on
// ("Reports/2026"), which tells folders apart where an absolute path cut at the column's
// end would not.
func (m *itemsModel) set(items []syncer.ItemInfo, f contentFilter, roots map[string]string) {
	m.items = items
	if cap(m.rows) < len(items) {
		m.rows = make([]itemRowData, 0, len(items))
	}
	m.rows = m.rows[:0]
	type folderText struct{ shown, lower, key string }
	folders := map[string]folderText{} // items share few folders
	home, _ := os.UserHomeDir()
	for i := range items {
		it := &items[i]
		if f == filterPending && it.Status != model.StatusPending && it.Status != model.StatusSyncing {
			continue
		}
		name := filepath.Base(it.Path)
		if it.IsDir {
			name += "/"
		}
		folder := filepath.Dir(it.Path)
		fw, ok := folders[folder]
		if !ok {
			shown := folderWords(folder, home)
			if root, ok := roots[it.Set]; ok && (folder == root || strings.HasPrefix(folder, root+"/")) {
				shown = filepath.Join(filepath.Base(root), folder[len(root):])
			}
			fw = folderText{shown, strings.ToLower(folder), naturalKey(folder)}
			folders[folder] = fw
		}
		status := itemStatus(*it)
		m.rows = append(m.rows, itemRowData{info: it, name: name, folder: fw.shown, status: status,
			lname: strings.ToLower(name), lfolder: fw.lower,
			kname: naturalKey(name), kfolder: fw.key, kstatus: strings.ToLower(status)})
	}
	m.sort()
}

// setQuery searches names and folders for q (case-insensitive).
func (m *itemsModel) setQuery(q string) {
	m.query = strings.ToLower(strings.TrimSpace(q))
	m.filter()
}

// sortOn sorts by c; sorting again by the same column reverses the order.
func (m *itemsModel) sortOn(c column) {
	if m.sortBy == c {
		m.desc = !m.desc
	} else {
		m.sortBy, m.desc = c, false
	}
	m.sort()
}

// sort orders every row by the sort column (then by name and folder), then filters.
func (m *itemsModel) sort() {
	m.order = m.order[:0]
	for i := range m.rows {
		m.order = append(m.order, int32(i))
	}
	keys := func(r *itemRowData) (string, string) {
		switch m.sortBy {
		case colFolder:
			return r.kfolder, r.kname
		case colStatus:
			return r.kstatus, r.kname
		}
		return r.kname, r.kfolder
	}
	slices.SortFunc(m.order, func(a, b int32) int {
		ra, rb := &m.rows[a], &m.rows[b]
		a1, a2 := keys(ra)
		b1, b2 := keys(rb)
		c := strings.Compare(a1, b1)
		if c == 0 {
			c = strings.Compare(a2, b2)
		}
		if c == 0 {
			c = strings.Compare(ra.info.Path, rb.info.Path)
		}
		if m.desc {
			c = -c
		}
		return c
	})
	m.filter()
}

// filter keeps the rows of the sort order that match the query.
func (m *itemsModel) filter() {
	m.shown = m.shown[:0]
	for _, i := range m.order {
		r := &m.rows[i]
		if m.query == "" || strings.Contains(r.lname, m.query) || strings.Contains(r.lfolder, m.query) {
			m.shown = append(m.shown, i)
		}
	}
}

// len is the number of rows shown.
func (m *itemsModel) len() int { return len(m.shown) }

// at is the shown row i.
func (m *itemsModel) at(i int) *itemRowData { return &m.rows[m.shown[i]] }

// selected is the selected item, or nil when none is shown.
func (m *itemsModel) selected() *itemRowData {
	if m.selPath == "" {
		return nil
	}
	for _, i := range m.shown {
		if m.rows[i].info.Path == m.selPath {
			return &m.rows[i]
		}
	}
	return nil
}

// naturalKey turns s into a string whose plain byte order is the natural order people
// expect: letters without case, and runs of digits by their value (f2 before f10, f100
// before f1000). A run of digits becomes '0', its length without leading zeros, and those
// digits: '0' sorts against other characters as any digit does, and a shorter number
// sorts first.
func naturalKey(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); {
		c := s[i]
		if !isDigit(c) {
			b.WriteByte(lower(c))
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		digits := strings.TrimLeft(s[i:j], "0")
		b.WriteByte('0')
		b.WriteByte(byte(min(len(digits), 200)) + 0x30)
		b.WriteString(digits)
		i = j
	}
	return b.String()
}

// naturalCompare orders strings as people expect (see naturalKey); strings with equal
// keys (a02 and a2) are ordered by their bytes.
func naturalCompare(a, b string) int {
	if c := strings.Compare(naturalKey(a), naturalKey(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
