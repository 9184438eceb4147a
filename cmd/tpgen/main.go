// Command tpgen generates Go table providers for tpgen's query engine from
// YAML table specs.
//
//	tpgen init events              # start a new table package
//	tpgen generate events.tpgen.yaml
//	tpgen generate --check ./...   # in CI: fail when generated files are stale
//	tpgen validate events.tpgen.yaml
//	tpgen schema > tpgen.schema.json
//
// Exit status: 0 success, 1 findings (invalid spec, stale files), 2 usage
// errors.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
