package remote_test

import (
	"errors"
	"testing"

	"github.com/cloudsync/cloudsync/syncer/remote"
	"github.com/cloudsync/cloudsync/syncer/remote/memremote"
)

func TestMkdirAllMakesMissingParentsAndRefusesAFileInTheWay(t *testing.T) {
	ctx := t.Context()
	rem := memremote.New()
	rem.Put("a/file", []byte("x"))
	if err := remote.MkdirAll(ctx, rem, "a/b/c"); err != nil {
		t.Fatal(err)
	}
	if en, err := rem.Stat(ctx, "a/b/c"); err != nil || !en.IsDir {
		t.Fatalf("a/b/c: %+v, %v", en, err)
	}
	if err := remote.MkdirAll(ctx, rem, "a/b/c"); err != nil {
		t.Errorf("an existing folder: %v", err)
	}
	if err := remote.MkdirAll(ctx, rem, "a/file/d"); !errors.Is(err, remote.ErrNameClash) {
		t.Errorf("a file in the way: %v, want a name clash", err)
	}
	if data, err := rem.Stat(ctx, "a/file"); err != nil || data.IsDir {
		t.Errorf("the file in the way changed: %+v, %v", data, err)
	}
}
