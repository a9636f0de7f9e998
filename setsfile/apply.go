package setsfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/model"
)

// Plan is what an import will do on this machine, as Check found it.
type Plan struct {
	// NewAccounts are added, each with a password the user gives; Reused accounts exist
	// here already with the same type, address and user, and are used as they are.
	NewAccounts []Account
	Reused      []string
	Sets        []Set
}

// Check validates f against this machine and the engine: every account either new or
// the same as the one of that name here; every local folder and document present (stat is
// os.Stat); no set inside, around or on top of a set that exists here or an earlier one of
// the file. It returns one error naming the first problem; it changes nothing.
func Check(ctx context.Context, api control.API, f *File, stat func(string) (fs.FileInfo, error)) (*Plan, error) {
	accts, sets, err := accountsAndSets(ctx, api)
	if err != nil {
		return nil, err
	}
	here := map[string]model.Account{}
	for _, a := range accts {
		here[a.Name] = a
	}
	p := &Plan{Sets: f.Sets}
	for _, a := range f.Accounts {
		h, ok := here[a.Name]
		switch {
		case !ok:
			p.NewAccounts = append(p.NewAccounts, a)
		case h.Type == a.Type && sameURL(h.URL, a.URL) && h.User == a.User:
			p.Reused = append(p.Reused, a.Name)
		default:
			return nil, fmt.Errorf("the account name %s is taken here by another account (%s %s, user %s): "+
				"rename the account in the file, or remove the one here", a.Name, h.Type, h.URL, h.User)
		}
	}
	type root struct{ path, what string }
	var roots []root
	for _, s := range sets {
		roots = append(roots, root{s.LocalRoot, "the synced folder " + s.LocalRoot})
	}
	for i, s := range f.Sets {
		at := fmt.Sprintf("sets[%d] (%s)", i, s.Local)
		st, err := stat(s.Local)
		if err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%s: the folder does not exist on this machine", at)
		}
		for _, d := range s.Documents {
			if st, err := stat(filepath.Join(s.Local, d)); err != nil || !st.Mode().IsRegular() {
				return nil, fmt.Errorf("%s: the document %s does not exist on this machine", at, d)
			}
		}
		for _, r := range roots {
			folder := s.Kind == string(model.KindFolder)
			if r.path == s.Local || (folder && within(r.path, s.Local)) || within(s.Local, r.path) {
				return nil, fmt.Errorf("%s: it overlaps %s", at, r.what)
			}
		}
		roots = append(roots, root{s.Local, fmt.Sprintf("sets[%d] of the file", i)})
	}
	return p, nil
}

// Apply carries out a plan: it adds the new accounts (passwords maps account name to
// password; each login is checked by the engine), then creates the sets. When a step
// fails it removes what it had created, so the import changes nothing, and returns that
// step's error. It returns the sets it created.
func Apply(ctx context.Context, api control.API, p *Plan, passwords map[string]string) (created []model.Set, err error) {
	var added []string
	defer func() {
		if err == nil {
			return
		}
		// Undo in reverse, with a context of its own: the caller's may be what ended.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
		defer cancel()
		var undo []error
		for i := len(created) - 1; i >= 0; i-- {
			if uerr := api.Unsync(uctx, created[i].ID, false); uerr != nil {
				undo = append(undo, fmt.Errorf("unsyncing %s again: %w", created[i].LocalRoot, uerr))
			}
		}
		for i := len(added) - 1; i >= 0; i-- {
			if uerr := api.RemoveAccount(uctx, added[i]); uerr != nil {
				undo = append(undo, fmt.Errorf("removing the account %s again: %w", added[i], uerr))
			}
		}
		created = nil
		if len(undo) > 0 {
			err = errors.Join(append([]error{err, errors.New("and undoing the import failed:")}, undo...)...)
		}
	}()
	for _, a := range p.NewAccounts {
		pw := passwords[a.Name]
		if pw == "" {
			return nil, fmt.Errorf("no password for the account %s", a.Name)
		}
		if _, err := api.AddAccount(ctx, syncer.AddAccountRequest{Name: a.Name, Type: a.Type, URL: a.URL, User: a.User,
			Password: pw, WebUI: a.WebUI}); err != nil {
			return nil, fmt.Errorf("account %s: %w", a.Name, err)
		}
		added = append(added, a.Name)
	}
	for _, s := range p.Sets {
		req := syncer.CreateSetRequest{Account: s.Account, To: s.Cloud, Options: s.Options.model()}
		if s.Kind == string(model.KindFolder) {
			req.Paths = []string{s.Local}
		}
		for _, d := range s.Documents {
			req.Paths = append(req.Paths, filepath.Join(s.Local, d))
		}
		ns, err := api.CreateSet(ctx, req)
		if err != nil {
			return created, fmt.Errorf("sync set %s: %w", s.Local, err)
		}
		created = append(created, ns)
	}
	return created, nil
}

// undoTimeout bounds the undoing of a failed import.
const undoTimeout = 2 * 60e9

func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, "../")
}

func sameURL(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}
