// Package sqllogictest reads tpgen's sqllogictest files and renders query
// results the way those files spell them. The runner in this package's
// tests executes the corpus under runtime/testdata/sqllogictest against the
// engine; README.md describes the file format.
//
// The package deliberately depends only on Arrow and runtime/expr: parsing
// a file, building its tables as Arrow records and formatting results are
// usable (and unit-tested) without the engine, so the engine's packages can
// change without breaking the format's own tests.
package sqllogictest
