package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newValidateCmd() *cobra.Command {
	var pkg string
	cmd := &cobra.Command{
		Use:   "validate SPEC...",
		Short: "Check specs without generating anything",
		Long: `Check each spec and print every problem as FILE:LINE:COLUMN: MESSAGE.
Exits 1 when any spec is invalid. A spec validate accepts is one generate
accepts: it also checks that the spec has its directory to itself and that the
generated package name (--package, as for generate) is valid. A SPEC may be a
file, a directory or DIR/..., as for generate.`,
		Example: `  tpgen validate events/events.tpgen.yaml
  tpgen validate ./...`,
		Args: specArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkPackageFlag(cmd, pkg); err != nil {
				return err
			}
			paths, err := expandSpecs(args)
			if err != nil {
				return err
			}
			bad := 0
			for _, path := range paths {
				if _, err := generateSpec(path, pkg); err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					bad++
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", path)
			}
			if bad > 0 {
				return &findingsError{msg: fmt.Sprintf("%d of %d specs invalid", bad, len(paths)), silent: true}
			}
			return nil
		},
	}
	addPackageFlag(cmd, &pkg)
	return cmd
}
