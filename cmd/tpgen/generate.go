package main

import (
	"fmt"
	"go/token"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/spec"
)

func newGenerateCmd() *cobra.Command {
	var check bool
	var pkg string
	cmd := &cobra.Command{
		Use:   "generate [--check] SPEC...",
		Short: "Generate the provider, plan and stream code of each spec",
		Long: `Generate TABLE_provider.gen.go, TABLE_plan.gen.go and TABLE_stream.gen.go next
to each spec, in the package its directory's Go files declare (named after the
directory when there are none, or --package). Files are rewritten only when their content
changes, and each one written is reported on stderr; a run that changes nothing
prints nothing. Files you own (source.go, or any file without tpgen's "Code
generated" line) are never touched. Each spec needs its own directory.

A SPEC may be a file, a directory (its *.tpgen.yaml files) or DIR/... (every
*.tpgen.yaml below DIR, skipping testdata, vendor, and names starting with .
or _).

With --check nothing is written: tpgen prints a unified diff of what would
change and exits 1 when any generated file is stale. Use it in CI.`,
		Example: `  tpgen generate events.tpgen.yaml
  //go:generate go tool tpgen generate events.tpgen.yaml
  tpgen generate --check ./...`,
		Args: specArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkPackageFlag(cmd, pkg); err != nil {
				return err
			}
			paths, err := expandSpecs(args)
			if err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			stale, bad := 0, 0
			for _, path := range paths {
				files, err := generateSpec(path, pkg)
				if err != nil {
					fmt.Fprintln(stderr, err)
					bad++
					continue
				}
				dir := filepath.Dir(path)
				if check {
					if diff, changed := generator.Diff(dir, files); changed {
						fmt.Fprint(cmd.OutOrStdout(), diff)
						stale++
					}
					continue
				}
				if err := write(stderr, dir, files); err != nil {
					fmt.Fprintf(stderr, "%s: %v\n", path, err)
					bad++
				}
			}
			switch {
			case bad > 0:
				return &findingsError{msg: fmt.Sprintf("%d of %d specs failed", bad, len(paths)), silent: true}
			case stale > 0:
				return &findingsError{msg: fmt.Sprintf("generated files of %d of %d specs are stale; run 'go generate' or 'tpgen generate'", stale, len(paths))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "write nothing; print a diff and exit 1 if generated files are stale")
	addPackageFlag(cmd, &pkg)
	return cmd
}

// addPackageFlag adds --package, shared by generate and validate so that
// validate checks exactly what generate would do.
func addPackageFlag(cmd *cobra.Command, pkg *string) {
	cmd.Flags().StringVar(pkg, "package", "", "Go package `name` of the generated files (default: the package of the spec directory's Go files, else the directory's name)")
}

// checkPackageFlag rejects a --package value that is not a Go package name
// before any spec is read: it is a usage error, not a finding about a spec.
func checkPackageFlag(cmd *cobra.Command, pkg string) error {
	if pkg != "" && (!token.IsIdentifier(pkg) || pkg == "_") {
		return &usageError{msg: fmt.Sprintf("%s: --package %q is not a valid Go package name", cmd.CommandPath(), pkg)}
	}
	return nil
}

// generateSpec loads the spec at path and generates its files, into
// package pkg, else the package the spec's directory already holds when
// there is one, else the package named after the directory. validate runs
// it too, so whatever validate accepts, generate writes.
func generateSpec(path, pkg string) ([]generator.File, error) {
	s, err := spec.Load(path)
	if err != nil {
		return nil, err // already FILE:LINE:COL: message
	}
	if err := alone(path); err != nil {
		return nil, err
	}
	if pkg == "" {
		pkg = packageOf(filepath.Dir(path))
	}
	if pkg == "" {
		pkg = generator.PackageFromPath(path)
		if !token.IsIdentifier(pkg) || pkg == "_" {
			dir, _ := filepath.Abs(filepath.Dir(path))
			return nil, fmt.Errorf("%s: the generated package is named after its directory %s, but %q is not a valid Go package name; pass --package NAME",
				path, filepath.Base(dir), pkg)
		}
	}
	files, err := generator.Generate(s, generator.Options{Package: pkg})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return files, nil
}

// write writes the files that changed and names each one on stderr, the
// way go generate tools report their work.
func write(stderr io.Writer, dir string, files []generator.File) error {
	written, err := generator.WriteFiles(dir, files)
	for _, name := range written {
		fmt.Fprintf(stderr, "wrote %s\n", name)
	}
	return err
}

// alone checks that the spec at path is the only one in its directory.
// Generated code declares Row, Source, Partition, Scan, Table, NewTable
// and Writer in the directory's package, so two tables in one package
// would not compile.
func alone(path string) error {
	dir := filepath.Dir(path)
	siblings, err := findSpecs(dir, false)
	if err != nil {
		return err
	}
	names := []string{filepath.Base(path)}
	for _, sib := range siblings {
		if name := filepath.Base(sib); name != names[0] {
			names = append(names, name)
		}
	}
	if len(names) == 1 {
		return nil
	}
	slices.Sort(names)
	return fmt.Errorf("%s: %s holds %d specs (%s); generated code declares Row, Source, Table, NewTable "+
		"and more in its package, so each spec needs its own directory", path, dir, len(names), strings.Join(names, ", "))
}
