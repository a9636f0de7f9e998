//go:build !unix

package scenario

import "io/fs"

func fileID(fs.FileInfo) string { return "" }
