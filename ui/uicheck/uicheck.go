// Package uicheck finds broken text on a fyne canvas: characters the app's fonts cannot
// draw (replacement glyphs) and clipped labels. The UI tests run it on every window and
// dialog in fyne's test app; the real-window test runs it inside the app built with the
// uicheck tag. It imports fyne's test package (for widget renderers), so the app links it
// only with that tag.
//
// It may import nothing of this module.
package uicheck

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/font"
)

// Texts looks at every text drawn on a canvas (its content and its overlays: dialogs,
// pop-up menus) and reports what a person would see as broken:
//   - a character that none of the app's own fonts (the theme's text fonts and its symbol
//     font) has, which shows as a replacement glyph or depends on the fonts installed;
//   - a text wider than the room it was given, or running off the window's right or
//     bottom edge (a clipped label).
//
// Texts a widget cut on purpose carry the ellipsis and fit, so they pass. Each problem is
// one line naming the text. It must run on fyne's main goroutine (or in tests).
func Texts(c fyne.Canvas) []string {
	var out []string
	size := c.Size()
	seen := map[string]bool{}
	report := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	check := func(root fyne.CanvasObject, origin fyne.Position) {
		walkVisible(root, origin, rect{max: fyne.NewPos(size.Width, size.Height)}, false, func(o fyne.CanvasObject, pos fyne.Position, clip rect, scrolled bool) {
			t, ok := o.(*canvas.Text)
			if !ok || t.Text == "" {
				return
			}
			need := t.MinSize()
			if !clip.overlaps(pos, need) {
				return // scrolled out of sight
			}
			if !utf8.ValidString(t.Text) || strings.ContainsRune(t.Text, utf8.RuneError) {
				report(fmt.Sprintf("%q holds invalid text (shown as replacement glyphs)", t.Text))
			}
			for _, r := range t.Text {
				if r != utf8.RuneError && !fontsHave(r, t.TextStyle) {
					report(fmt.Sprintf("%q: the app's fonts have no glyph for %U (%q)", t.Text, r, r))
				}
			}
			// An unsized text (fyne's form hints) is drawn whole; a sized one is cut.
			if w := t.Size().Width; w > 0 && need.Width > w+1 {
				report(fmt.Sprintf("%q is clipped: it needs %.0f px and has %.0f", t.Text, need.Width, t.Size().Width))
			}
			if !scrolled && (pos.X+need.Width > size.Width+1 || pos.Y+need.Height > size.Height+1) {
				report(fmt.Sprintf("%q runs off the window (%.0f,%.0f + %.0fx%.0f in a %.0fx%.0f window)",
					t.Text, pos.X, pos.Y, need.Width, need.Height, size.Width, size.Height))
			}
		})
	}
	check(c.Content(), fyne.Position{})
	for _, ov := range c.Overlays().List() {
		check(ov, ov.Position())
	}
	return out
}

// Shown is one text a canvas shows, with its place on the canvas.
type Shown struct {
	Text      string
	Pos       fyne.Position
	Size      fyne.Size
	Clickable bool // it is the label of a button
}

// ShownTexts lists the texts visible on a canvas, its overlays included, in drawing order
// (the real-window test reads what a window shows, and where, through it).
func ShownTexts(c fyne.Canvas) []Shown {
	var out []Shown
	size := c.Size()
	collect := func(root fyne.CanvasObject, origin fyne.Position) {
		var button fyne.CanvasObject
		walkVisible(root, origin, rect{max: fyne.NewPos(size.Width, size.Height)}, false, func(o fyne.CanvasObject, pos fyne.Position, clip rect, _ bool) {
			if _, ok := o.(*widget.Button); ok {
				button = o
			}
			if t, ok := o.(*canvas.Text); ok && t.Text != "" && clip.overlaps(pos, t.MinSize()) {
				out = append(out, Shown{Text: t.Text, Pos: pos, Size: t.MinSize(),
					Clickable: button != nil && button.(*widget.Button).Text == t.Text})
			}
		})
	}
	collect(c.Content(), fyne.Position{})
	for _, ov := range c.Overlays().List() {
		collect(ov, ov.Position())
	}
	return out
}

// rect is an area of the canvas.
type rect struct{ min, max fyne.Position }

func (r rect) overlaps(pos fyne.Position, s fyne.Size) bool {
	return pos.X < r.max.X && pos.X+s.Width > r.min.X && pos.Y < r.max.Y && pos.Y+s.Height > r.min.Y
}

func (r rect) intersect(pos fyne.Position, s fyne.Size) rect {
	return rect{min: fyne.NewPos(max(r.min.X, pos.X), max(r.min.Y, pos.Y)),
		max: fyne.NewPos(min(r.max.X, pos.X+s.Width), min(r.max.Y, pos.Y+s.Height))}
}

// walkVisible calls f for every visible object under o with its position on the canvas,
// the area the scroll containers above it let show, and whether one of them clips it.
func walkVisible(o fyne.CanvasObject, pos fyne.Position, clip rect, scrolled bool, f func(fyne.CanvasObject, fyne.Position, rect, bool)) {
	if o == nil || !o.Visible() {
		return
	}
	f(o, pos, clip, scrolled)
	var children []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		children = x.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(x).Objects()
	}
	if _, ok := o.(*container.Scroll); ok {
		clip, scrolled = clip.intersect(pos, o.Size()), true
	}
	for _, ch := range children {
		walkVisible(ch, pos.Add(ch.Position()), clip, scrolled, f)
	}
}

var (
	fontsOnce sync.Once
	fontFaces map[fyne.TextStyle][]*font.Face
)

// fontsHave reports whether the theme fonts of style (with the symbol font, as fyne falls
// back to it) have a glyph for r. Control characters (tab, newline) are not drawn.
func fontsHave(r rune, style fyne.TextStyle) bool {
	if r < ' ' {
		return true
	}
	fontsOnce.Do(loadFonts)
	key := fyne.TextStyle{Bold: style.Bold, Italic: style.Italic, Monospace: style.Monospace}
	faces, ok := fontFaces[key]
	if !ok {
		faces = fontFaces[fyne.TextStyle{}]
	}
	for _, f := range faces {
		if _, ok := f.NominalGlyph(r); ok {
			return true
		}
	}
	return false
}

func loadFonts() {
	parse := func(r fyne.Resource) *font.Face {
		f, err := font.ParseTTF(bytes.NewReader(r.Content()))
		if err != nil {
			return nil
		}
		return f
	}
	symbol := parse(theme.DefaultSymbolFont())
	fontFaces = map[fyne.TextStyle][]*font.Face{}
	for style, r := range map[fyne.TextStyle]fyne.Resource{
		{}:                            theme.DefaultTextFont(),
		{Bold: true}:                  theme.DefaultTextBoldFont(),
		{Italic: true}:                theme.DefaultTextItalicFont(),
		{Bold: true, Italic: true}:    theme.DefaultTextBoldItalicFont(),
		{Monospace: true}:             theme.DefaultTextMonospaceFont(),
		{Monospace: true, Bold: true}: theme.DefaultTextMonospaceFont(),
	} {
		for _, f := range []*font.Face{parse(r), symbol} {
			if f != nil {
				fontFaces[style] = append(fontFaces[style], f)
			}
		}
	}
}
