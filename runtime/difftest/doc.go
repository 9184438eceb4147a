// Package difftest holds the differential test of the engine against
// SQLite (modernc.org/sqlite, pure Go, used only by tests): random tables
// are loaded both into a MemTable, with a random but truthful partitioning,
// ordering and pushdown mode, and into SQLite; random queries from the
// subset both engines read alike run on each, and the results must match.
//
// The default run is deterministic and small enough for go test -race:
//
//	go test ./runtime/difftest/
//	go test ./runtime/difftest/ -difftest.n=20000 -difftest.seed=7
package difftest
