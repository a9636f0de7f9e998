// Package setsfile owns the export file of sync-set definitions (SPEC §5 `export` and
// `import`): a versioned JSON document of the accounts (without secrets) and the sync sets
// (local folder or documents, cloud folder, options). Export reads a running engine through
// control.API; Check validates a file against this machine and that engine before anything
// changes; Apply recreates the accounts and sets, undoing its own changes when a step fails.
// Imported sets are new sets: they start without bases, so where both sides hold different
// content the engine keeps both (a conflict), and nothing is deleted because of the import.
// The CLI and the desktop app use the same functions.
//
// It may import syncer, syncer/control, syncer/model, syncer/remote and syncer/remote/backends
// of this module.
package setsfile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/cloudsync/cloudsync/syncer"
	"github.com/cloudsync/cloudsync/syncer/control"
	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/backends"
)

// Format names the document; Version is the only version this package reads and writes.
const (
	Format  = "cloudsync-sets"
	Version = 1
)

// File is the export document.
type File struct {
	Format   string    `json:"format"`
	Version  int       `json:"version"`
	Exported time.Time `json:"exported"`
	Accounts []Account `json:"accounts"`
	Sets     []Set     `json:"sets"`
}

// Account is an account without its secret.
type Account struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	URL   string `json:"url"`
	User  string `json:"user"`
	WebUI string `json:"web_ui,omitempty"`
}

// Set is a sync set's definition. Local is the folder (folder sets) or the folder the
// documents are in (documents sets); Documents are the documents' names in it.
type Set struct {
	Account   string   `json:"account"`
	Kind      string   `json:"kind"`
	Local     string   `json:"local"`
	Documents []string `json:"documents,omitempty"`
	Cloud     string   `json:"cloud"`
	Options   *Options `json:"options"`
}

// Options are the options of SPEC §2; each must be present in a file (a missing one is an
// error rather than a silent default: "allow deletion on cloud" missing must not mean off).
type Options struct {
	IncludeSubfolders        *bool `json:"include_subfolders"`
	Lock                     *bool `json:"lock"`
	AllowCloudDelete         *bool `json:"allow_cloud_delete"`
	DeleteLocalOnCloudDelete *bool `json:"delete_local_on_cloud_delete"`
}

func optionsOf(o model.Options) *Options {
	b := func(v bool) *bool { return &v }
	return &Options{b(o.IncludeSubfolders), b(o.Lock), b(o.AllowCloudDelete), b(o.DeleteLocalOnCloudDelete)}
}

func (o *Options) model() model.Options {
	return model.Options{IncludeSubfolders: *o.IncludeSubfolders, Lock: *o.Lock,
		AllowCloudDelete: *o.AllowCloudDelete, DeleteLocalOnCloudDelete: *o.DeleteLocalOnCloudDelete}
}

// accountsAndSets asks the engine for its accounts and its sets.
func accountsAndSets(ctx context.Context, api control.API) ([]model.Account, []syncer.SetInfo, error) {
	accts, err := api.ListAccounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	sets, err := api.ListSets(ctx)
	return accts, sets, err
}

// Export reads the engine's accounts and sets. A documents set lists its documents as they
// are now (renamed ones under their new name; those moved out of its folder are left out).
func Export(ctx context.Context, api control.API, now time.Time) (*File, error) {
	accts, sets, err := accountsAndSets(ctx, api)
	if err != nil {
		return nil, err
	}
	var items []syncer.ItemInfo
	for _, s := range sets {
		if s.Kind == model.KindDocuments {
			if items, err = api.ListItems(ctx, false); err != nil {
				return nil, err
			}
			break
		}
	}
	f := &File{Format: Format, Version: Version, Exported: now.UTC().Truncate(time.Second), Accounts: []Account{}, Sets: []Set{}}
	for _, a := range accts {
		f.Accounts = append(f.Accounts, Account{Name: a.Name, Type: a.Type, URL: a.URL, User: a.User, WebUI: a.WebUI})
	}
	for _, s := range sets {
		d := Set{Account: s.Account, Kind: string(s.Kind), Local: s.LocalRoot, Cloud: s.RemoteRoot, Options: optionsOf(s.Options)}
		if s.Kind == model.KindDocuments {
			for _, it := range items {
				if it.Set != s.ID || it.IsDir || it.Status == "local_only" || it.Reason == remote.ReasonMovedOut {
					continue
				}
				if rel, err := filepath.Rel(s.LocalRoot, it.Path); err == nil && !strings.HasPrefix(rel, "..") {
					d.Documents = append(d.Documents, filepath.ToSlash(rel))
				}
			}
			if len(d.Documents) == 0 {
				continue // every document left the set: nothing to recreate
			}
		}
		f.Sets = append(f.Sets, d)
	}
	return f, nil
}

// Encode writes f as indented JSON.
func Encode(w io.Writer, f *File) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Parse reads an export document and checks its form: the format and version, every
// required field, account types, known accounts and kinds. It returns one error naming
// the first problem.
func Parse(data []byte) (*File, error) {
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil || head.Format != Format {
		return nil, errors.New("not a cloudsync export file (made by `cloudsync export`)")
	}
	if head.Version != Version {
		return nil, fmt.Errorf("the file is in version %d of the export format; this cloudsync reads version %d", head.Version, Version)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("the file is not a valid export: %v", err)
	}
	names := map[string]bool{}
	for i, a := range f.Accounts {
		at := fmt.Sprintf("accounts[%d]", i)
		if err := missing(at, "name", a.Name, "type", a.Type, "url", a.URL, "user", a.User); err != nil {
			return nil, err
		}
		if err := backends.Registry().Check(a.Type); err != nil {
			return nil, fmt.Errorf("%s (%s): %v", at, a.Name, err)
		}
		if names[a.Name] {
			return nil, fmt.Errorf("%s: the account %s is listed twice", at, a.Name)
		}
		names[a.Name] = true
	}
	for i, s := range f.Sets {
		at := fmt.Sprintf("sets[%d]", i)
		if err := missing(at, "account", s.Account, "kind", s.Kind, "local", s.Local, "cloud", s.Cloud); err != nil {
			return nil, err
		}
		at += " (" + s.Local + ")"
		switch {
		case s.Options == nil || s.Options.IncludeSubfolders == nil || s.Options.Lock == nil ||
			s.Options.AllowCloudDelete == nil || s.Options.DeleteLocalOnCloudDelete == nil:
			return nil, fmt.Errorf("%s: options must give include_subfolders, lock, allow_cloud_delete and delete_local_on_cloud_delete", at)
		case !names[s.Account]:
			return nil, fmt.Errorf("%s: the account %s is not in the file's accounts", at, s.Account)
		case !filepath.IsAbs(s.Local):
			return nil, fmt.Errorf("%s: local must be an absolute path", at)
		case s.Kind == string(model.KindFolder) && len(s.Documents) > 0:
			return nil, fmt.Errorf("%s: a folder set lists no documents", at)
		case s.Kind == string(model.KindDocuments) && len(s.Documents) == 0:
			return nil, fmt.Errorf("%s: a documents set needs its documents", at)
		case s.Kind != string(model.KindFolder) && s.Kind != string(model.KindDocuments):
			return nil, fmt.Errorf("%s: kind %q is neither folder nor documents", at, s.Kind)
		}
		for _, d := range s.Documents {
			switch {
			case d == "" || path.IsAbs(d) || d == "." || d == ".." || strings.HasPrefix(d, "../"):
				return nil, fmt.Errorf("%s: the document %q is not a file name in that folder", at, d)
			case strings.Contains(d, "/"):
				return nil, fmt.Errorf("%s: the document %q was moved into a subfolder; documents are synced together only from one folder: "+
					"move it back, or remove it from the file", at, d)
			}
		}
		if err := syncer.CheckCloudFolder(s.Cloud); err != nil {
			return nil, fmt.Errorf("%s: cloud folder: %v", at, err)
		}
	}
	return &f, nil
}

// missing says which of the named fields (name, value pairs) is empty.
func missing(at string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			return fmt.Errorf("%s: %s is missing", at, pairs[i])
		}
	}
	return nil
}
