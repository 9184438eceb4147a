package physical

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// StatisticsExec is the answer of an aggregate the planner computed from
// exact statistics (count(*), min and max of a whole table or of the
// partitions a filter keeps whole) without reading a row: one row of
// constants. EXPLAIN shows which values came from where, e.g.
// `StatisticsExec: count(*)=1000000 from exact statistics of EventsExec`.
type StatisticsExec struct {
	schema *arrow.Schema
	values []expr.Scalar
	source string // the scan whose statistics answered
}

// NewStatistics returns the one-row plan of values (one per field of
// schema, of its type) taken from source's statistics.
func NewStatistics(schema *arrow.Schema, values []expr.Scalar, source string) (*StatisticsExec, error) {
	if len(values) != schema.NumFields() {
		return nil, fmt.Errorf("StatisticsExec: %d values for %d columns", len(values), schema.NumFields())
	}
	for i, v := range values {
		if !arrow.TypeEqual(v.Type, schema.Field(i).Type) {
			return nil, fmt.Errorf("StatisticsExec: value %s of %s is %s, the column is %s", v, schema.Field(i).Name, v.Type, schema.Field(i).Type)
		}
	}
	return &StatisticsExec{schema: schema, values: values, source: source}, nil
}

// Name implements plan.ExecutionPlan.
func (e *StatisticsExec) Name() string { return "StatisticsExec" }

// Schema implements plan.ExecutionPlan.
func (e *StatisticsExec) Schema() *arrow.Schema { return e.schema }

// Properties implements plan.ExecutionPlan: one partition of one row.
func (e *StatisticsExec) Properties() plan.Properties {
	return plan.Properties{Partitions: 1, Partitioning: plan.Partitioning{Kind: plan.SinglePartition}}
}

// Children implements plan.ExecutionPlan.
func (e *StatisticsExec) Children() []plan.ExecutionPlan { return nil }

// WithNewChildren implements plan.ExecutionPlan.
func (e *StatisticsExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 0 {
		return nil, errChildren(e.Name(), 0, len(children))
	}
	return e, nil
}

// Statistics implements plan.StatisticsProvider: one row, exactly.
func (e *StatisticsExec) Statistics() plan.Statistics {
	st := plan.Statistics{Rows: 1, Exact: true, Columns: map[string]plan.ColumnStatistics{}}
	for i, f := range e.schema.Fields() {
		var nulls int64
		if e.values[i].Null {
			nulls = 1
		}
		st.Columns[f.Name] = plan.ColumnStatistics{Min: e.values[i], Max: e.values[i], NullCount: nulls}
	}
	return st
}

// String implements plan.ExecutionPlan.
func (e *StatisticsExec) String() string {
	parts := make([]string, len(e.values))
	for i, f := range e.schema.Fields() {
		parts[i] = f.Name + "=" + e.values[i].String()
	}
	return "StatisticsExec: " + strings.Join(parts, ", ") + " from exact statistics of " + e.source
}

// Execute implements plan.ExecutionPlan.
func (e *StatisticsExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(e, partition); err != nil {
		return nil, err
	}
	return &statisticsStream{ctx: ctx, e: e, task: taskDefaults(task)}, nil
}

type statisticsStream struct {
	ctx  context.Context
	e    *StatisticsExec
	task *plan.TaskContext
	done bool
}

func (s *statisticsStream) Schema() *arrow.Schema { return s.e.schema }

func (s *statisticsStream) Next() (plan.Batch, error) {
	if err := s.ctx.Err(); err != nil {
		return plan.Batch{}, err
	}
	if s.done {
		return plan.Batch{}, io.EOF
	}
	s.done = true
	cols := make([]arrow.Array, len(s.e.values))
	for i, v := range s.e.values {
		cols[i] = expr.MakeArray(s.task.Allocator, v, 1)
	}
	rec := array.NewRecordBatch(s.e.schema, cols, 1)
	for _, c := range cols {
		c.Release()
	}
	return plan.Batch{Record: rec}, nil
}

func (s *statisticsStream) Close() { s.done = true }
