// Command genicon renders the app icon (ui/icons/app.svg) to the PNG files packaging
// needs: packaging/icon.png (512 px, for fyne package) and the hicolor sizes installed by
// `make install`. Run it with `go run ./packaging/genicon` after changing the SVG; it needs
// no display (fyne's software renderer).
//
// It may import ui (for the icon) of this module.
package main

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/test"

	"github.com/cloudsync/cloudsync/ui"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "genicon:", err)
		os.Exit(1)
	}
}

func run() error {
	test.NewApp()
	outs := map[string]int{"packaging/icon.png": 512}
	for _, s := range []int{16, 32, 48, 64, 128, 256} {
		outs[fmt.Sprintf("packaging/linux/icons/hicolor/%dx%d/apps/io.github.cloudsync.cloudsync.png", s, s)] = s
	}
	if len(os.Args) > 2 && os.Args[1] == "-tray" { // for looking at the tray icons
		for _, st := range []string{"idle", "syncing", "paused", "error", "offline"} {
			if err := render(ui.TrayIcon(st), filepath.Join(os.Args[2], "tray-"+st+".png"), 64); err != nil {
				return err
			}
		}
	}
	for name, size := range outs {
		if err := render(ui.AppIcon(), name, size); err != nil {
			return err
		}
	}
	return nil
}

// render draws an SVG resource as a size×size PNG file.
func render(r fyne.Resource, name string, size int) error {
	{
		c := software.NewTransparentCanvas()
		img := canvas.NewImageFromResource(r)
		img.FillMode = canvas.ImageFillContain
		c.SetPadded(false)
		c.SetContent(img)
		c.Resize(fyne.NewSquareSize(float32(size)))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		f, err := os.Create(name)
		if err != nil {
			return err
		}
		if err := png.Encode(f, c.Capture()); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}
