package physical

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tpgen/tpgen/runtime/plan"
)

// EmptyExec produces no rows, or exactly one row of NULLs (no columns at
// all for SELECT without FROM): the input of queries without a table and
// the replacement of a scan whose WHERE folded to false.
type EmptyExec struct {
	schema        *arrow.Schema
	produceOneRow bool
}

// NewEmpty returns an EmptyExec with one partition.
func NewEmpty(schema *arrow.Schema, produceOneRow bool) *EmptyExec {
	if schema == nil {
		schema = arrow.NewSchema(nil, nil)
	}
	return &EmptyExec{schema: schema, produceOneRow: produceOneRow}
}

// Name implements plan.ExecutionPlan.
func (e *EmptyExec) Name() string { return "EmptyExec" }

// Schema implements plan.ExecutionPlan.
func (e *EmptyExec) Schema() *arrow.Schema { return e.schema }

// Properties implements plan.ExecutionPlan.
func (e *EmptyExec) Properties() plan.Properties {
	return plan.Properties{Partitions: 1, Partitioning: plan.Partitioning{Kind: plan.SinglePartition}}
}

// Children implements plan.ExecutionPlan.
func (e *EmptyExec) Children() []plan.ExecutionPlan { return nil }

// WithNewChildren implements plan.ExecutionPlan.
func (e *EmptyExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 0 {
		return nil, errChildren(e.Name(), 0, len(children))
	}
	return e, nil
}

// String implements plan.ExecutionPlan.
func (e *EmptyExec) String() string {
	if e.produceOneRow {
		return "EmptyExec: produce_one_row=true"
	}
	return "EmptyExec"
}

// Execute implements plan.ExecutionPlan.
func (e *EmptyExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(e, partition); err != nil {
		return nil, err
	}
	if !e.produceOneRow {
		return eofStream{e.schema}, nil
	}
	return &oneRowStream{ctx: ctx, schema: e.schema, task: taskDefaults(task)}, nil
}

type oneRowStream struct {
	ctx    context.Context
	schema *arrow.Schema
	task   *plan.TaskContext
	done   bool
}

func (s *oneRowStream) Schema() *arrow.Schema { return s.schema }

func (s *oneRowStream) Next() (plan.Batch, error) {
	if err := s.ctx.Err(); err != nil {
		return plan.Batch{}, err
	}
	if s.done {
		return plan.Batch{}, io.EOF
	}
	s.done = true
	cols := make([]arrow.Array, s.schema.NumFields())
	for i, f := range s.schema.Fields() {
		cols[i] = array.MakeArrayOfNull(s.task.Allocator, f.Type, 1)
	}
	rec := array.NewRecordBatch(s.schema, cols, 1)
	for _, c := range cols {
		c.Release()
	}
	return plan.Batch{Record: rec}, nil
}

func (s *oneRowStream) Close() { s.done = true }
