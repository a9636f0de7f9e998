package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// The synthetic tree: n files of size bytes, 100 files per folder and 100 folders per
// group (g000/d00000/f0000000.bin), so 10,000 files are 100 folders, 100,000 files are
// 1,000 folders in 10 groups and 1,000,000 files are 10,000 folders in 100 groups. Each
// file's content starts with its number, so no two files are equal.
const (
	filesPerDir = 100
	dirsPerGrp  = 100
)

// treeFile is the slash path of file i of the tree.
func treeFile(i int) string {
	d := i / filesPerDir
	return fmt.Sprintf("g%03d/d%05d/f%07d.bin", d/dirsPerGrp, d, i)
}

// treeDirs lists the slash paths of the folders of an n-file tree, parents first.
func treeDirs(n int) []string {
	var out []string
	dirs := (n + filesPerDir - 1) / filesPerDir
	for d := range dirs {
		if d%dirsPerGrp == 0 {
			out = append(out, fmt.Sprintf("g%03d", d/dirsPerGrp))
		}
		out = append(out, fmt.Sprintf("g%03d/d%05d", d/dirsPerGrp, d))
	}
	return out
}

// content is the content of file i of a tree of size-byte files.
func content(i, size int) []byte {
	head := fmt.Appendf(nil, "cloudsync bench file %d\n", i)
	if size <= len(head) {
		return head[:size]
	}
	return append(head, bytes.Repeat([]byte{'x'}, size-len(head))...)
}

// makeTree writes an n-file tree of size-byte files under root (created), using every CPU.
func makeTree(root string, n, size int) error {
	for _, d := range treeDirs(n) {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
	}
	workers := runtime.NumCPU()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(treeFile(i))), content(i, size), 0o644); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// countFiles counts the regular files below root.
func countFiles(root string) (int, error) {
	n := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n, err
}

// writeAtomic writes data to p as editors and atomic savers do: a temporary file in tmpDir
// (same file system), then a rename onto p. It returns the moment of the rename.
func writeAtomic(tmpDir, p string, data []byte) (int64, error) {
	f, err := os.CreateTemp(tmpDir, ".bench-*.tmp")
	if err != nil {
		return 0, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	t := nowNano()
	if err := os.Rename(f.Name(), p); err != nil {
		return 0, err
	}
	return t, nil
}
