// Package spec reads and checks tpgen table specs: the YAML files
// (NAME.tpgen.yaml) that describe a table's columns, partitioning, ordering
// and pushdown capabilities, from which tpgen generates a table provider.
//
// Parse and Load return a fully validated *Spec or an ErrorList naming every
// problem with its file, line and column. A *Spec returned without error is
// internally consistent (every referenced column exists, every filter op fits
// its column's type), so the generator need not check anything again.
// Defaults are resolved in the model: nothing in a *Spec is "unset".
//
// The format is documented for users in docs/spec.md, and described
// mechanically by the JSON Schema returned by JSONSchema.
package spec

import (
	"os"

	"github.com/apache/arrow-go/v18/arrow"
)

// Version is the spec format version this package reads. A file must say
// `version: 1`; any other version is rejected rather than half-understood.
const Version = 1

// Spec is a validated table spec.
type Spec struct {
	// File is the path the spec was read from (as given to Parse or Load);
	// the generator writes its output next to it.
	File string
	// Version is the format version, always Version.
	Version int
	// Table is the table's name, a lowercase snake_case identifier.
	Table string
	// Doc is the table's documentation, "" when absent.
	Doc string
	// Columns in declaration order, which is the order of the Arrow schema.
	Columns []Column
	// Partitioning is what the source promises about how rows are spread
	// over partitions.
	Partitioning Partitioning
	// Ordering is the order of rows inside every partition, nil when the
	// spec promises none.
	Ordering []SortKey
	// Pushdown is what the source can do itself instead of the engine.
	Pushdown Pushdown
	// Statistics are optional hints for the planner.
	Statistics Statistics
}

// Column is one column of the table.
type Column struct {
	// Name is a lowercase snake_case identifier, unique in the table.
	Name string
	// Type is the column's parsed type.
	Type Type
	// Nullable is true when the column may hold nulls; default false.
	Nullable bool
	// Doc is the column's documentation, "" when absent.
	Doc string
}

// GoName returns the exported Go identifier for the column (user_id ->
// UserID), unique among the table's columns (the validator ensures it).
func (c *Column) GoName() string { return GoName(c.Name) }

// Field returns the column as an Arrow field, with its nullability.
func (c *Column) Field() arrow.Field {
	return arrow.Field{Name: c.Name, Type: c.Type.Arrow(), Nullable: c.Nullable}
}

// PartitioningKind says which promise, if any, the source makes about how
// rows are distributed over partitions.
type PartitioningKind int

const (
	// PartitionNone: the spec makes no promise (partitioning omitted). The
	// engine must assume any row can be in any partition.
	PartitionNone PartitioningKind = iota
	// PartitionKey: rows with equal values of the key columns are always in
	// the same partition (a partition may hold several key values), so
	// grouping by (a superset of) the key needs no repartitioning, and the
	// provider can prune partitions by the key values they hold.
	PartitionKey
	// PartitionRange: each partition covers a range of one column's values,
	// which the provider can prune on; with ordering on that column the
	// partitions are in order too.
	PartitionRange
)

// String returns "none", "key" or "range".
func (k PartitioningKind) String() string {
	switch k {
	case PartitionNone:
		return "none"
	case PartitionKey:
		return "key"
	case PartitionRange:
		return "range"
	}
	return "PartitioningKind(?)"
}

// Partitioning is the spec's partitioning promise.
type Partitioning struct {
	// Kind says which of the fields below is set.
	Kind PartitioningKind
	// Key lists the key columns, in spec order, when Kind is PartitionKey.
	Key []string
	// RangeColumn is the range column when Kind is PartitionRange.
	RangeColumn string
}

// Columns returns the columns the partitioning refers to: the key columns,
// the range column, or nil.
func (p *Partitioning) Columns() []string {
	switch p.Kind {
	case PartitionKey:
		return p.Key
	case PartitionRange:
		return []string{p.RangeColumn}
	}
	return nil
}

// SortKey is one key of the ordering. Null placement is always explicit:
// when the spec does not say, it follows PostgreSQL (and the SQL front end):
// nulls last for ascending keys, nulls first for descending ones. Recording
// it here means the planner compares orderings without knowing that rule.
type SortKey struct {
	// Column is the name of a declared column, at most once per ordering.
	Column string
	// Descending is true for "desc"; the default is ascending.
	Descending bool
	// NullsFirst is true when nulls sort before all values.
	NullsFirst bool
}

// String returns the key in the spec's syntax with every part explicit, e.g.
// "ts asc nulls last".
func (k SortKey) String() string {
	s := k.Column
	if k.Descending {
		s += " desc"
	} else {
		s += " asc"
	}
	if k.NullsFirst {
		return s + " nulls first"
	}
	return s + " nulls last"
}

// Pushdown lists what the source does itself. Defaults (when pushdown or one
// of its keys is omitted): projection and limit true, no filters. Projection
// and limit default to true because the generated Writer implements both for
// every source (it skips unprojected columns and stops at the limit), so a
// source gets them without writing any code.
type Pushdown struct {
	// Projection: the scan reads only the columns the query needs.
	Projection bool
	// Limit: the scan stops after the query's limit (when no filter remains
	// above the scan).
	Limit bool
	// Filters the source can evaluate, at most one per column, in spec order.
	Filters []Filter
}

// Filter says which predicates on one column the source can use.
type Filter struct {
	// Column is the name of a declared column; no two filters share one.
	Column string
	// Ops in canonical order (the order of Ops()), whatever the spec's
	// order, so generated code does not change when a user reorders them.
	Ops []Op
	// Exact (default false) promises that every row the source returns
	// satisfies the pushed predicates, so the engine drops its own filter.
	// When false the source may use the predicates only to skip data, and
	// the engine filters the rows again.
	Exact bool
}

// Has reports whether the filter accepts op.
func (f *Filter) Has(op Op) bool {
	for _, o := range f.Ops {
		if o == op {
			return true
		}
	}
	return false
}

// Op is a filter operator a source may accept for a column.
type Op string

// The filter ops, in canonical order.
const (
	OpEq        Op = "eq"          // column = v
	OpNe        Op = "ne"          // column <> v
	OpLt        Op = "lt"          // column < v
	OpLe        Op = "le"          // column <= v
	OpGt        Op = "gt"          // column > v
	OpGe        Op = "ge"          // column >= v
	OpIn        Op = "in"          // column IN (v1, v2, ...)
	OpNotIn     Op = "not_in"      // column NOT IN (v1, v2, ...)
	OpIsNull    Op = "is_null"     // column IS NULL
	OpIsNotNull Op = "is_not_null" // column IS NOT NULL
	OpPrefix    Op = "prefix"      // column LIKE 'abc%' (string and binary only)
)

var allOps = []Op{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn, OpIsNull, OpIsNotNull, OpPrefix}

// Ops returns every filter op in canonical order.
func Ops() []Op { return append([]Op(nil), allOps...) }

// OpsFor returns the ops that fit the column, in canonical order: ordering
// ops (lt, le, gt, ge) need an ordered type (not bool), prefix needs string
// or binary, and is_null/is_not_null need a nullable column (on a column
// without nulls they are constant and pushing them is meaningless).
func OpsFor(c *Column) []Op {
	var ops []Op
	for _, op := range allOps {
		if opMismatch(op, c) == "" {
			ops = append(ops, op)
		}
	}
	return ops
}

// Statistics are planner hints. Rows is an estimate; with Exact, the
// source promises that each partition's row count and column statistics
// (min/max of the filter columns and of Columns) are exact, so the planner
// may answer count(*), min and max from them without reading rows.
type Statistics struct {
	// Rows is the approximate total row count, nil when unknown.
	Rows *int64
	// Exact is true when the source's per-partition statistics are exact.
	Exact bool
	// Columns lists columns, beyond the filter columns, whose per-partition
	// min/max the source reports (in the generated Stats struct).
	Columns []string
}

// GoName returns the exported Go identifier for the table (events ->
// Events), the prefix of generated names such as EventsExec.
func (s *Spec) GoName() string { return GoName(s.Table) }

// Column returns the column named name, or nil.
func (s *Spec) Column(name string) *Column {
	if i := s.ColumnIndex(name); i >= 0 {
		return &s.Columns[i]
	}
	return nil
}

// ColumnIndex returns the position of the column named name in Columns (and
// in the Arrow schema), or -1.
func (s *Spec) ColumnIndex(name string) int {
	for i := range s.Columns {
		if s.Columns[i].Name == name {
			return i
		}
	}
	return -1
}

// FilterFor returns the pushdown filter entry for column, or nil when the
// source accepts no filter on it.
func (s *Spec) FilterFor(column string) *Filter {
	for i := range s.Pushdown.Filters {
		if s.Pushdown.Filters[i].Column == column {
			return &s.Pushdown.Filters[i]
		}
	}
	return nil
}

// ArrowSchema returns the table's Arrow schema: one field per column, in
// order, with nullability.
func (s *Spec) ArrowSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(s.Columns))
	for i := range s.Columns {
		fields[i] = s.Columns[i].Field()
	}
	return arrow.NewSchema(fields, nil)
}

// Load reads and parses the spec file at path. Errors in the file are an
// ErrorList whose entries name path; a file that cannot be read gives the
// *fs.PathError from os.ReadFile.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}
