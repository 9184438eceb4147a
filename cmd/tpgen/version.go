package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version returns the module version tpgen was built from: the tagged
// version for `go install`/`go tool` builds, "(devel)" inside this repo.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	mod := &info.Main
	if mod.Path != "github.com/tpgen/tpgen" {
		// Built as a dependency of another module: find our entry.
		for _, d := range info.Deps {
			if d.Path == "github.com/tpgen/tpgen" {
				mod = d
			}
		}
	}
	v := mod.Version
	if v == "" {
		v = "(devel)"
	}
	if mod.Replace != nil {
		// A replace (a local checkout) makes the version number meaningless.
		v += " (replaced by " + mod.Replace.Path + ")"
	}
	return v
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tpgen's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "tpgen %s\n", version())
			return err
		},
	}
}
