package physical

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// Stream runs every partition of p (concurrently, at most
// task.Parallelism at once) and returns them as one stream of dense
// batches: no selection vector and no empty batches. The caller must Close
// the stream; cancelling ctx stops the query.
func Stream(ctx context.Context, p plan.ExecutionPlan, task *plan.TaskContext) (plan.RecordStream, error) {
	task = taskDefaults(task)
	in, err := coalesce(ctx, p, task)
	if err != nil {
		return nil, err
	}
	return &denseStream{in: in, mem: task.Allocator}, nil
}

// Collect runs p to completion and returns its batches, dense. The caller
// releases them. On error nothing is returned and everything is released.
func Collect(ctx context.Context, p plan.ExecutionPlan, task *plan.TaskContext) ([]arrow.RecordBatch, error) {
	s, err := Stream(ctx, p, task)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var out []arrow.RecordBatch
	for {
		b, err := s.Next()
		if isEOF(err) {
			return out, nil
		}
		if err != nil {
			for _, r := range out {
				r.Release()
			}
			return nil, err
		}
		out = append(out, b.Record)
	}
}

// denseStream materialises selections and drops empty batches.
type denseStream struct {
	in  plan.RecordStream
	mem memory.Allocator
}

func (s *denseStream) Schema() *arrow.Schema { return s.in.Schema() }

func (s *denseStream) Next() (plan.Batch, error) {
	for {
		b, err := s.in.Next()
		if err != nil {
			return b, err
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		rec, err := materialize(s.mem, b)
		if err != nil {
			return plan.Batch{}, err
		}
		return plan.Batch{Record: rec}, nil
	}
}

func (s *denseStream) Close() { s.in.Close() }

// materialize returns b's selected rows as a dense record, taking over b's
// reference.
func materialize(mem memory.Allocator, b plan.Batch) (arrow.RecordBatch, error) {
	if b.Sel == nil {
		return b.Record, nil
	}
	defer b.Release()
	cols := make([]arrow.Array, b.Record.NumCols())
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	defer release()
	for i, c := range b.Record.Columns() {
		t, err := takeArray(mem, c, b.Sel)
		if err != nil {
			return nil, err
		}
		cols[i] = t
	}
	return array.NewRecordBatch(b.Record.Schema(), cols, int64(len(b.Sel))), nil
}
