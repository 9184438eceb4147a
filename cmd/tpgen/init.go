package main

import (
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/spec"
	"github.com/tpgen/tpgen/templates"
)

func newInitCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "init NAME",
		Short: "Start a new table package: spec, starter source and go:generate line",
		Long: `Create the directory NAME (a path whose last element is the Go package and
table name) holding:

  NAME.tpgen.yaml   the table spec, to edit
  source.go         a starter Source that compiles and returns a few rows
  generate.go       //go:generate go tool tpgen generate NAME.tpgen.yaml

Existing files are never overwritten. Then run 'go generate ./NAME'.`,
		Example: `  tpgen init events
  tpgen init internal/tables/orders`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch len(args) {
			case 0:
				return &usageError{msg: "tpgen init: missing NAME, the directory (and table) to create"}
			case 1:
				return nil
			}
			return &usageError{msg: fmt.Sprintf("tpgen init: takes one NAME, got %d arguments", len(args))}
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := filepath.Clean(args[0])
			name := filepath.Base(dir)
			if err := checkInitPath(args[0], name); err != nil {
				return err
			}
			files, err := templates.Render(templates.Params{Package: name, Table: name})
			if err != nil {
				return err
			}
			for _, f := range files {
				path := filepath.Join(dir, f.Name)
				if _, err := os.Stat(path); err == nil {
					return &findingsError{msg: fmt.Sprintf("%s already exists; tpgen init never overwrites files", path)}
				} else if !errors.Is(err, fs.ErrNotExist) {
					return &findingsError{msg: err.Error()}
				}
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return &findingsError{msg: err.Error()}
			}
			for _, f := range files {
				path := filepath.Join(dir, f.Name)
				// O_EXCL: a file created since the check above is still never clobbered.
				fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
				if err != nil {
					return &findingsError{msg: err.Error()}
				}
				_, werr := fh.Write(f.Content)
				if cerr := fh.Close(); werr == nil {
					werr = cerr
				}
				if werr != nil {
					return &findingsError{msg: werr.Error()}
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", path)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Next: edit %s, run 'go generate ./%s', then implement %s.\n",
				filepath.Join(dir, name+".tpgen.yaml"), filepath.ToSlash(dir), filepath.Join(dir, "source.go"))
			return nil
		},
	}
}

var packageName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkInitPath rejects what would not make an importable package whose
// name is also a valid table name.
func checkInitPath(arg, name string) error {
	if arg == "" || strings.TrimSpace(arg) != arg {
		return fmt.Errorf("invalid name %q", arg)
	}
	if filepath.IsAbs(arg) {
		return fmt.Errorf("invalid name %q: give a path relative to the current directory", arg)
	}
	for _, elem := range strings.Split(filepath.ToSlash(filepath.Clean(arg)), "/") {
		if elem == ".." || elem == "." {
			return fmt.Errorf("invalid name %q: the path must not contain %q", arg, elem)
		}
	}
	switch {
	case !packageName.MatchString(name):
		msg := fmt.Sprintf("invalid name %q: %q is not a valid Go package and table name (use lowercase letters, digits and underscores, starting with a letter)", arg, name)
		if s := spec.SnakeCase(name); s != name && packageName.MatchString(s) && !token.IsKeyword(s) {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return errors.New(msg)
	case token.IsKeyword(name):
		return fmt.Errorf("invalid name %q: %q is a Go keyword", arg, name)
	}
	return nil
}
