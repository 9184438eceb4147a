// Package runtime is the query engine tpgen-generated table providers run
// on, and the only package users and generated code need to import.
//
// It re-exports the provider contract (TableProvider, ExecutionPlan,
// RecordStream, ...; see package plan for the full promises each makes)
// and offers a Session: register providers under table names, then run
// PostgreSQL-dialect SQL over them.
//
//	s := runtime.NewSession()
//	if err := s.Register("events", events.NewTable(src)); err != nil { ... }
//	res, err := s.Query(ctx, "SELECT region, count(*) FROM events GROUP BY region")
//	if err != nil { ... }
//	defer res.Release()
//	fmt.Print(res)
//
// The engine itself lives in sub-packages: expr (expressions), logical
// (logical plans), sql (the front end), planner (optimizer and physical
// planning), physical (operators and executor), memtable (an in-memory
// provider) and verify (checks a provider keeps its promises).
package runtime
