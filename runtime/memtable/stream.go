package memtable

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// stream reads one partition's records on the caller's goroutine: there is
// no I/O to overlap, so it starts no goroutine and Close has nothing to
// stop.
type stream struct {
	ctx       context.Context
	e         *exec
	partition int
	recs      []arrow.RecordBatch
	next      int
	left      int // rows still allowed by the limit; -1 when unlimited
	mem       memory.Allocator
	err       error
	closed    bool
}

func newStream(ctx context.Context, e *exec, partition int, task *plan.TaskContext) *stream {
	s := &stream{ctx: ctx, e: e, partition: partition, recs: e.table.parts[e.kept[partition]], left: e.limit, mem: memory.DefaultAllocator}
	if task != nil && task.Allocator != nil {
		s.mem = task.Allocator
	}
	return s
}

// Schema is the scan's projected schema.
func (s *stream) Schema() *arrow.Schema { return s.e.schema }

// Next returns the next non-empty batch: the record's projected columns
// (shared, not copied) with a selection of the rows passing the filters.
func (s *stream) Next() (plan.Batch, error) {
	for {
		if s.err != nil {
			return plan.Batch{}, s.err
		}
		if s.closed || s.left == 0 || s.next >= len(s.recs) {
			return plan.Batch{}, io.EOF
		}
		if err := s.ctx.Err(); err != nil {
			s.err = s.wrap(err)
			return plan.Batch{}, s.err
		}
		rec := s.recs[s.next]
		s.next++
		sel, err := s.filter(rec)
		if err != nil {
			s.err = s.wrap(err)
			return plan.Batch{}, s.err
		}
		n := int(rec.NumRows())
		if sel != nil {
			n = len(sel)
		}
		if n == 0 {
			continue
		}
		if s.left > 0 { // the limit counts selected rows
			if sel != nil {
				sel = sel[:min(len(sel), s.left)]
				s.left -= len(sel)
			} else {
				n = min(n, s.left)
				s.left -= n
			}
		}
		return plan.Batch{Record: s.project(rec, n, sel == nil), Sel: sel}, nil
	}
}

// filter returns the rows of rec passing every filter the scan applies,
// nil when it applies none.
func (s *stream) filter(rec arrow.RecordBatch) ([]int32, error) {
	if s.e.pred == nil {
		return nil, nil
	}
	return s.e.pred.Select(s.mem, rec, nil, make([]int32, rec.NumRows()))
}

// project returns rec's projected columns as a new record sharing rec's
// buffers, cut to its first n rows when truncate is set (a limit without
// a selection).
func (s *stream) project(rec arrow.RecordBatch, n int, truncate bool) arrow.RecordBatch {
	if truncate && int64(n) < rec.NumRows() {
		rec = rec.NewSlice(0, int64(n))
		defer rec.Release()
	}
	if s.e.projection == nil {
		rec.Retain()
		return rec
	}
	cols := make([]arrow.Array, len(s.e.projection))
	for i, c := range s.e.projection {
		cols[i] = rec.Column(c)
	}
	return array.NewRecordBatch(s.e.schema, cols, rec.NumRows())
}

func (s *stream) wrap(err error) error {
	return &plan.Error{Operator: s.e.Name(), Partition: s.partition, PartitionName: s.e.PartitionName(s.partition), Err: err}
}

// Close ends the stream; later calls to Next return io.EOF.
func (s *stream) Close() { s.closed = true }
