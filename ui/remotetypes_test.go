package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/cloudsync/cloudsync/syncer/model"
	"github.com/cloudsync/cloudsync/syncer/remote/backends"
	"github.com/cloudsync/cloudsync/syncer/remote/registry"
)

// TestAccountFormOffersExactlyTheRegisteredTypes: the account form's Type choice lists the
// registry's types in its order, each sends its own type name and shows its own fields'
// placeholders (issue 15: the UI names no remote type itself).
func TestAccountFormOffersExactlyTheRegisteredTypes(t *testing.T) {
	api := newFakeAPI()
	u, _, _ := newTestUI(t, api)
	u.ShowWindow("accounts")
	a := u.prefs.acct
	reg := backends.Registry()
	var labels []string
	for _, b := range reg.All() {
		labels = append(labels, b.Label)
	}
	if len(labels) < 2 || !slices.Equal(a.kind.Options, labels) {
		t.Fatalf("Type offers %v, want the registry's %v", a.kind.Options, labels)
	}
	test.Type(a.url, "https://h.example/")
	test.Type(a.user, "ann")
	test.Type(a.password, "pw")
	for i, b := range reg.All() {
		a.kind.SetSelected(b.Label)
		if f, _ := b.Field(registry.FieldURL); a.url.PlaceHolder != f.Placeholder || f.Placeholder == "" {
			t.Errorf("%s: address placeholder %q, want %q", b.Type, a.url.PlaceHolder, f.Placeholder)
		}
		test.Tap(a.test)
		if len(api.tested) != i+1 || api.tested[i].Type != b.Type {
			t.Fatalf("%s: tested %+v", b.Type, api.tested)
		}
	}
}

// TestDestinationPickerFollowsTheRegisteredLevels: New folder is offered only below a type's
// fixed levels (for Alfresco, inside a site), as the registry says.
func TestDestinationPickerFollowsTheRegisteredLevels(t *testing.T) {
	for _, b := range backends.Registry().All() {
		d := &syncDialog{accounts: []model.Account{{Name: "a", Type: b.Type}}, account: widget.NewSelect([]string{"a"}, nil)}
		d.account.SetSelected("a")
		for depth, at := range []string{"", "n", "n/s", "n/s/f"} {
			d.browseAt = at
			got := d.levelKind()
			if (got == "folder") != b.CanMakeFolder(depth) {
				t.Errorf("%s at %q: kind %q, but the registry says folders can be made there: %v", b.Type, at, got, b.CanMakeFolder(depth))
			}
		}
	}
}
