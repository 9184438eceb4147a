package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// specSuffix names the files tpgen treats as specs when given a directory.
const specSuffix = ".tpgen.yaml"

// expandSpecs turns the command's arguments into spec files. A file is
// taken as is (whatever its name); a directory stands for the specs in it;
// DIR/... for the specs anywhere below DIR, skipping the directories the go
// command skips (testdata, vendor, and names starting with . or _), so
// `tpgen generate --check ./...` checks a module the way `go vet ./...`
// does. A pattern or directory matching no spec is a usage error: a CI
// check that silently checks nothing would be worse than none.
func expandSpecs(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		root, recursive := strings.CutSuffix(filepath.ToSlash(arg), "/...")
		if arg == "..." {
			root, recursive = ".", true
		}
		info, err := os.Stat(root)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// A usage error, as for a directory or pattern matching nothing.
			return nil, fmt.Errorf("%s: no such file or directory", arg)
		case err != nil:
			return nil, fmt.Errorf("%s: %w", arg, err)
		case !info.IsDir():
			if recursive {
				return nil, fmt.Errorf("%s: %s is not a directory", arg, root)
			}
			out = append(out, arg)
			continue
		}
		found, err := findSpecs(filepath.FromSlash(root), recursive)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no %s files found", arg, specSuffix)
		}
		out = append(out, found...)
	}
	return out, nil
}

// findSpecs lists the spec files in root, and below it when recursive, in
// the lexical order WalkDir visits them.
func findSpecs(root string, recursive bool) ([]string, error) {
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == root {
				return nil
			}
			name := d.Name()
			if !recursive || name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), specSuffix) {
			found = append(found, path)
		}
		return nil
	})
	return found, err
}
