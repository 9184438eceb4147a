package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit statuses, as documented in the package comment and `tpgen --help`.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

// findingsError marks an error as a finding about the user's files (exit
// status 1) rather than a usage error (exit status 2). Its message has
// already been printed when silent is set.
type findingsError struct {
	msg    string
	silent bool
}

func (e *findingsError) Error() string { return e.msg }

// usageError is a usage error whose message already names the command
// ("tpgen init: missing NAME"), so run prints it without the "tpgen: "
// prefix.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// specArgs is the Args check of commands taking SPEC...: cobra's "requires
// at least 1 arg(s)" does not say what to give.
func specArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return &usageError{msg: cmd.CommandPath() + ": missing SPEC (a spec file, a directory, or DIR/...)"}
	}
	return nil
}

// run executes the CLI with args and returns the process exit status. It
// is main without os.Exit, so tests drive the real command tree.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var f *findingsError
	if errors.As(err, &f) {
		if !f.silent {
			fmt.Fprintln(stderr, f.msg)
		}
		return exitFindings
	}
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "%s\nRun 'tpgen --help' for usage.\n", u.msg)
		return exitUsage
	}
	fmt.Fprintf(stderr, "tpgen: %v\nRun 'tpgen --help' for usage.\n", err)
	return exitUsage
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "tpgen",
		Short: "Generate Go table providers from YAML table specs",
		Long: `tpgen turns a YAML description of a table (columns, partitioning, ordering,
the filters its source can apply) into the Go code of a table provider for
tpgen's query engine. You write only how to list and read partitions.

Exit status: 0 on success, 1 when a spec is invalid or generated files are
stale, 2 on usage errors.`,
		Example: `  tpgen init events                     # writes events/events.tpgen.yaml, source.go, generate.go
  tpgen generate events/events.tpgen.yaml
  tpgen generate --check ./...          # in CI: exit 1 and a diff when generated files are stale
  tpgen validate events/events.tpgen.yaml
  tpgen schema > tpgen.schema.json`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		newInitCmd(),
		newGenerateCmd(),
		newValidateCmd(),
		newSchemaCmd(),
		newVersionCmd(),
	)
	return root
}
