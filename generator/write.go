package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFiles writes files into dir, leaving alone those whose content is
// already current, so a `go generate` that changes nothing touches no
// modification time. It returns the paths it wrote. Each file is written
// to a temporary file first and renamed into place, so a failed run never
// leaves half a file behind.
func WriteFiles(dir string, files []File) (changed []string, err error) {
	for _, f := range files {
		if err := checkName(f.Name); err != nil {
			return changed, err
		}
		path := filepath.Join(dir, f.Name)
		old, err := os.ReadFile(path)
		switch {
		case err == nil && bytes.Equal(old, f.Content):
			continue
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return changed, err
		}
		if err := writeAtomic(path, f.Content); err != nil {
			return changed, err
		}
		changed = append(changed, path)
	}
	return changed, nil
}

// checkName refuses names that would write outside the target directory.
func checkName(name string) error {
	if name == "" || filepath.Base(name) != name || name == "." || name == ".." {
		return fmt.Errorf("generator: invalid file name %q", name)
	}
	return nil
}

func writeAtomic(path string, content []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
