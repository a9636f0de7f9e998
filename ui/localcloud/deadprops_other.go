//go:build !linux

package localcloud

import (
	"errors"

	"golang.org/x/net/webdav"
)

// DeadPropsSupported: dead properties are kept in extended attributes on Linux only.
func DeadPropsSupported(dir string) error {
	return errors.New("WebDAV dead properties (PROPPATCH) are kept on Linux only: refused here")
}

// xattrFS is never used off Linux.
type xattrFS struct{ webdav.Dir }
