package physical

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// FilterExec keeps the rows for which a predicate is TRUE (not FALSE, not
// NULL). It copies nothing: each output batch is the input record with a
// narrower selection vector, and batches left with no rows are dropped.
type FilterExec struct {
	input     plan.ExecutionPlan
	predicate expr.Expr
	sel       selector
}

// NewFilter returns a FilterExec; predicate must be boolean and refer only
// to input columns.
func NewFilter(input plan.ExecutionPlan, predicate expr.Expr) (*FilterExec, error) {
	if predicate == nil {
		return nil, fmt.Errorf("FilterExec: nil predicate")
	}
	sel, err := compileSelector(predicate, input.Schema())
	if err != nil {
		return nil, fmt.Errorf("FilterExec: %w", err)
	}
	return &FilterExec{input: input, predicate: predicate, sel: sel}, nil
}

// Predicate returns the filter's predicate.
func (f *FilterExec) Predicate() expr.Expr { return f.predicate }

// Name implements plan.ExecutionPlan.
func (f *FilterExec) Name() string { return "FilterExec" }

// Schema implements plan.ExecutionPlan.
func (f *FilterExec) Schema() *arrow.Schema { return f.input.Schema() }

// Properties implements plan.ExecutionPlan: removing rows keeps order and
// partitioning.
func (f *FilterExec) Properties() plan.Properties { return f.input.Properties() }

// Children implements plan.ExecutionPlan.
func (f *FilterExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{f.input} }

// WithNewChildren implements plan.ExecutionPlan.
func (f *FilterExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(f.Name(), 1, len(children))
	}
	return NewFilter(children[0], f.predicate)
}

// String implements plan.ExecutionPlan.
func (f *FilterExec) String() string { return "FilterExec: " + f.predicate.String() }

// Execute implements plan.ExecutionPlan.
func (f *FilterExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(f, partition); err != nil {
		return nil, err
	}
	in, err := f.input.Execute(ctx, partition, task)
	if err != nil {
		return nil, locate(f.input.Name(), partition, err)
	}
	return &filterStream{ctx: ctx, in: in, f: f, task: taskDefaults(task), partition: partition}, nil
}

type filterStream struct {
	ctx       context.Context
	in        plan.RecordStream
	f         *FilterExec
	task      *plan.TaskContext
	partition int
	state     sticky
}

func (s *filterStream) Schema() *arrow.Schema { return s.f.Schema() }

func (s *filterStream) Next() (plan.Batch, error) {
	for s.state.err == nil {
		b, err := s.in.Next()
		if err != nil {
			if !isEOF(err) {
				err = locate(s.f.input.Name(), s.partition, err)
			}
			return plan.Batch{}, s.state.set(err)
		}
		n := b.NumRows()
		if n == 0 {
			b.Release()
			continue
		}
		// A fresh slice per batch: batches (and their Sel) may be held
		// downstream (sort, merge) long after the next one arrives.
		sel, err := s.f.sel.selectRows(s.task.Allocator, b, make([]int32, 0, n))
		if err != nil {
			b.Release()
			return plan.Batch{}, s.state.set(locate(s.f.Name(), s.partition, err))
		}
		switch {
		case len(sel) == 0:
			b.Release()
			continue
		case b.Sel == nil && len(sel) == n:
			return b, nil // every row kept: stay dense
		}
		return plan.Batch{Record: b.Record, Sel: sel}, nil
	}
	return plan.Batch{}, s.state.err
}

func (s *filterStream) Close() {
	s.in.Close()
	s.state.set(io.EOF)
}
