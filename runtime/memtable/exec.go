package memtable

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// exec is the plan of one scan of a Table.
type exec struct {
	table      *Table
	schema     *arrow.Schema
	projection []int // nil: every column
	filters    []expr.Expr
	pred       expr.Predicate // the filters, when the table applies them
	limit      int
	kept       []int // table partitions the scan reads, after pruning
	props      plan.Properties
}

// PartitionName implements plan.PartitionNamer: the table's own number of
// the partition, which pruning does not change.
func (e *exec) PartitionName(i int) string {
	if i < 0 || i >= len(e.kept) {
		return ""
	}
	return strconv.Itoa(e.kept[i])
}

// Name is the operator name, MemoryExec unless WithName set another.
func (e *exec) Name() string { return e.table.opts.name }

// Schema is the projected schema.
func (e *exec) Schema() *arrow.Schema { return e.schema }

// Properties are the declared partitioning and ordering, restated for the projection.
func (e *exec) Properties() plan.Properties { return e.props }

// Children returns nil: a scan is a leaf.
func (e *exec) Children() []plan.ExecutionPlan { return nil }

// WithNewChildren returns the scan itself, a leaf.
func (e *exec) WithNewChildren([]plan.ExecutionPlan) (plan.ExecutionPlan, error) { return e, nil }

// String is the EXPLAIN line, e.g.
// "MemoryExec: partitions=2/8, projection=[a, b], filter=[a = 1], ordering=[a ASC], limit=10".
func (e *exec) String() string {
	parts := []string{fmt.Sprintf("partitions=%d/%d", len(e.kept), len(e.table.parts))}
	if e.projection != nil {
		names := make([]string, e.schema.NumFields())
		for i, f := range e.schema.Fields() {
			names[i] = f.Name
		}
		parts = append(parts, "projection=["+strings.Join(names, ", ")+"]")
	}
	if len(e.filters) > 0 {
		fs := make([]string, len(e.filters))
		for i, f := range e.filters {
			fs[i] = f.String()
		}
		parts = append(parts, "filter=["+strings.Join(fs, ", ")+"]")
	}
	if len(e.props.Ordering) > 0 {
		ks := make([]string, len(e.props.Ordering))
		for i, k := range e.props.Ordering {
			ks[i] = k.String()
		}
		parts = append(parts, "ordering=["+strings.Join(ks, ", ")+"]")
	}
	if e.limit >= 0 {
		parts = append(parts, "limit="+strconv.Itoa(e.limit))
	}
	return e.Name() + ": " + strings.Join(parts, ", ")
}

// Statistics implements plan.StatisticsProvider for the scan's output:
// exact when the scan neither filters nor limits.
func (e *exec) Statistics() plan.Statistics {
	parts := make([][]colStats, len(e.kept))
	var rows int64
	for i, p := range e.kept {
		parts[i] = e.table.stats[p]
		rows += e.table.rows[p]
	}
	full := mergeStats(e.table.schema, parts, rows)
	// The statistics are computed from the rows: they bound what any
	// filter or limit leaves.
	st := plan.Statistics{Rows: rows, Exact: len(e.filters) == 0 && e.limit < 0, Bounded: true, Columns: map[string]plan.ColumnStatistics{}}
	if e.limit >= 0 && int64(e.limit) < rows {
		st.Rows = int64(e.limit)
	}
	for _, f := range e.schema.Fields() {
		st.Columns[f.Name] = full.Columns[f.Name]
	}
	return st
}

// Execute returns the stream of partition i; it reads nothing.
func (e *exec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if partition < 0 || partition >= len(e.kept) {
		return nil, fmt.Errorf("%s: partition %d out of range [0, %d)", e.Name(), partition, len(e.kept))
	}
	return newStream(ctx, e, partition, task), nil
}

// PartitionBounds implements plan.PartitionBounds for a key-partitioned
// table: a partition whose rows all hold one value of every key column
// declares it (from the statistics New computed), so joins of tables
// partitioned alike can run partition by partition. Partitions with
// several keys, or none, declare nothing.
func (e *exec) PartitionBounds(partition int) ([]plan.ColumnBound, bool) {
	part := e.table.opts.partitioning
	if part.Kind != plan.KeyPartitioning || partition < 0 || partition >= len(e.kept) {
		return nil, false
	}
	p := e.kept[partition]
	out := make([]plan.ColumnBound, len(part.Columns))
	for i, c := range part.Columns {
		idx := e.table.schema.FieldIndices(c)
		if len(idx) != 1 {
			return nil, false
		}
		s := e.table.stats[p][idx[0]]
		switch {
		case s.values > 0 && s.nulls == 0 && expr.Equal(s.min, s.max):
			out[i] = plan.ColumnBound{Column: c, Key: true, Min: s.min, Max: s.max}
		case s.values == 0 && s.nulls > 0:
			null := expr.Null(e.table.schema.Field(idx[0]).Type)
			out[i] = plan.ColumnBound{Column: c, Key: true, Min: null, Max: null}
		default:
			return nil, false
		}
	}
	return out, true
}
