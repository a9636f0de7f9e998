package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// newTestUI returns a UI over a fake engine in fyne's test app (no display).
func newTestUI(t *testing.T, api *fakeAPI) (*UI, *fakeHost, *fakeTray) {
	t.Helper()
	a := test.NewTempApp(t)
	h, tr := &fakeHost{}, &fakeTray{}
	u := New(a, api, h, tr, Options{Synchronous: true})
	return u, h, tr
}

// objects lists every object drawn in c, overlays (dialogs, pop-up menus) included.
func objects(c fyne.Canvas) []fyne.CanvasObject {
	out := objectsUnder(c.Content())
	for _, o := range c.Overlays().List() {
		out = append(out, objectsUnder(o)...)
	}
	return out
}

// objectsUnder lists o and every visible object inside it.
func objectsUnder(o fyne.CanvasObject) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		out = append(out, o)
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// button finds a visible button by its label in c.
func button(t *testing.T, c fyne.Canvas, label string) *widget.Button {
	t.Helper()
	for _, o := range objects(c) {
		if b, ok := o.(*widget.Button); ok && b.Text == label {
			return b
		}
	}
	t.Fatalf("no button %q on the canvas", label)
	return nil
}

// hasText reports whether a visible label in c shows s (as part of its text).
func hasText(c fyne.Canvas, s string) bool {
	for _, o := range objects(c) {
		switch x := o.(type) {
		case *widget.Label:
			if strings.Contains(x.Text, s) {
				return true
			}
		}
	}
	return false
}

// check finds a visible check box by its label.
func check(t *testing.T, c fyne.Canvas, label string) *widget.Check {
	t.Helper()
	for _, o := range objects(c) {
		if x, ok := o.(*widget.Check); ok && x.Text == label {
			return x
		}
	}
	t.Fatalf("no check %q on the canvas", label)
	return nil
}

// overlayTexts lists the texts shown in c's overlays (pop-up menus, dialogs).
func overlayTexts(c fyne.Canvas) []string {
	var out []string
	for _, ov := range c.Overlays().List() {
		for _, o := range test.LaidOutObjects(ov) {
			switch x := o.(type) {
			case *canvas.Text:
				out = append(out, x.Text)
			case *widget.Label:
				out = append(out, x.Text)
			case *widget.RichText:
				out = append(out, x.String())
			}
		}
	}
	return out
}

// newTestUIOpts returns an asynchronous UI (goroutines, as the app runs) whose main
// goroutine calls are serialised, over a fake engine; it stops with the test.
func newTestUIOpts(t *testing.T, api *fakeAPI, opt Options) (*UI, *fakeHost, *fakeTray) {
	t.Helper()
	a := test.NewTempApp(t)
	h, tr := &fakeHost{}, &fakeTray{}
	var mu sync.Mutex
	opt.Main = func(f func()) {
		mu.Lock()
		defer mu.Unlock()
		f()
	}
	u := New(a, api, h, tr, opt)
	tr.lock = &mu
	return u, h, tr
}

// waitFor polls cond (under the UI's main lock for async UIs) until it holds or 5 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// assertSignInWindow checks the sign-in window of account asks only for the password,
// refuses a wrong one with a plain message, and signs in with the right one.
func assertSignInWindow(t *testing.T, u *UI, api *fakeAPI, account string) {
	t.Helper()
	w := u.Window("sign-in")
	c := w.Canvas()
	var entries []*widget.Entry
	for _, o := range objects(c) {
		if e, ok := o.(*widget.Entry); ok {
			entries = append(entries, e)
		}
	}
	if len(entries) != 1 || !entries[0].Password {
		t.Fatalf("the sign-in window has %d entries; want only the password", len(entries))
	}
	if c.Focused() != entries[0] {
		t.Error("the password field should have the focus")
	}
	test.Type(entries[0], "wrong")
	test.Tap(button(t, c, "Sign in"))
	if !hasText(c, "refused") && !hasText(c, "Could not sign in") {
		t.Error("a wrong password gave no message")
	}
	entries[0].SetText("")
	test.Type(entries[0], "right")
	test.Tap(button(t, c, "Sign in"))
	if !api.called("SignIn "+account) || api.passwords[account] != "right" {
		t.Fatalf("SignIn got %q", api.passwords[account])
	}
	if u.Window("sign-in") != nil {
		t.Error("the sign-in window stayed open after signing in")
	}
}
