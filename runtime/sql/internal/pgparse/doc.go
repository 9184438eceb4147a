// Package pgparse runs PostgreSQL's own grammar (libpg_query, compiled to
// WebAssembly by github.com/wasilibs/go-pgquery) on wazero, and owns the
// life cycle of the WebAssembly instances that do the parsing.
//
// go-pgquery's own entry points keep a pool of instances and return an
// instance to the pool even when a call into it trapped (a native stack
// overflow on a deeply nested expression, an out-of-bounds access, an
// out-of-memory abort). A trap unwinds the WebAssembly stack without
// running any of libpg_query's cleanup: the C stack pointer global, the
// current memory context and PostgreSQL's error-handling stack are left
// as they were at the fault, so every later parse on that instance fails
// with a bogus syntax error. Because the pool is process-wide, one hostile
// statement broke every later statement of the process.
//
// This package fixes that at the level where it happens:
//
//   - the module is compiled once per process (Warm starts that in the
//     background) and each instance is a cheap instantiation of the
//     compiled module, so replacing an instance costs milliseconds, not
//     the ~1.5 s a compilation costs;
//   - an instance whose call trapped, or whose host functions failed, is
//     closed and never used again (Crash reports what happened), and the
//     next Parse gets a fresh instance;
//   - instances whose linear memory grew past a bound (after a very large
//     statement) are retired instead of pooled, so memory is returned;
//   - the instance pool is safe for concurrent use: each call has an
//     instance to itself.
//
// The WebAssembly binary is go-pgquery's (its version is pinned by
// go.mod); only the host side (instantiation, the wasix setjmp/longjmp
// emulation, the pool) is ours.
package pgparse
