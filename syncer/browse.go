package syncer

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/cloudsync/cloudsync/syncer/remote"
)

// The destination picker's view of an account's cloud folders (Sync to Cloud, `browse`):
// listing them and making a new one.

// Browse lists the folders (and files) under an account-relative folder, for choosing a
// destination. Folders within the fixed top levels of the account's type (for Alfresco,
// networks and sites: registry.Backend.Levels) are marked with that level's kind.
func (e *Engine) Browse(ctx context.Context, account, folder string) ([]BrowseEntry, error) {
	since := e.signInsOf(account)
	rem, a, err := e.remoteFor(account)
	if err != nil {
		return nil, err
	}
	backend, _ := e.cfg.Remotes.Lookup(a.Type)
	folder = remote.Clean(folder)
	entries, err := rem.ReadDir(ctx, folder)
	if err != nil {
		if errors.Is(err, remote.ErrAuth) {
			e.authFailed(account, since, err)
		}
		return nil, fmt.Errorf("browsing %s: %w", displayFolder(folder), err)
	}
	depth := 0
	if folder != "" {
		depth = strings.Count(folder, "/") + 1
	}
	out := make([]BrowseEntry, 0, len(entries))
	for _, en := range entries {
		kind := backend.EntryKind(depth)
		if !en.IsDir {
			kind = "file"
		}
		out = append(out, BrowseEntry{Name: path.Base(en.Path), Path: en.Path, IsDir: en.IsDir, Kind: kind})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].IsDir != out[j].IsDir {
			return out[i].IsDir
		}
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out, nil
}

// MakeFolder creates an account-relative folder (New folder in the destination picker).
func (e *Engine) MakeFolder(ctx context.Context, account, folder string) error {
	rem, _, err := e.remoteFor(account)
	if err != nil {
		return err
	}
	folder = remote.Clean(folder)
	if folder == "" {
		return errors.New("a folder name is required")
	}
	if n, ok := remote.As[remote.Namer](rem); ok {
		if err := n.ValidateName(path.Base(folder)); err != nil {
			return err
		}
	}
	if _, err := rem.Mkdir(ctx, folder); err != nil {
		return fmt.Errorf("creating %s: %w", folder, err)
	}
	return nil
}

func displayFolder(f string) string {
	if f == "" {
		return "the top level"
	}
	return f
}
