package main

import (
	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/spec"
)

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the spec format",
		Long: `Print the JSON Schema (draft 2020-12) of tpgen spec files. Editors use it for
completion and inline errors, e.g. with the YAML language server:

  # yaml-language-server: $schema=./tpgen.schema.json`,
		Example: `  tpgen schema > tpgen.schema.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(spec.JSONSchema())
			return err
		},
	}
}
