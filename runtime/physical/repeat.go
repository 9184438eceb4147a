package physical

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tpgen/tpgen/runtime/plan"
)

// RepeatExec outputs each input row as many times as its count column
// says (an int64; NULL or less than 1 drops the row), without the count
// column. INTERSECT ALL and EXCEPT ALL use it to give each distinct row
// its multiplicity back after counting it.
type RepeatExec struct {
	input  plan.ExecutionPlan
	count  int
	name   string
	schema *arrow.Schema
}

// NewRepeat returns a RepeatExec over input repeating rows by the column
// named count.
func NewRepeat(input plan.ExecutionPlan, count string) (*RepeatExec, error) {
	in := input.Schema()
	idx := in.FieldIndices(count)
	if len(idx) != 1 {
		return nil, fmt.Errorf("RepeatExec: input has %d columns named %q", len(idx), count)
	}
	if t := in.Field(idx[0]).Type; t.ID() != arrow.INT64 {
		return nil, fmt.Errorf("RepeatExec: count column %q is %s, not int64", count, t)
	}
	var fields []arrow.Field
	for i, f := range in.Fields() {
		if i != idx[0] {
			fields = append(fields, f)
		}
	}
	return &RepeatExec{input: input, count: idx[0], name: count, schema: arrow.NewSchema(fields, nil)}, nil
}

// Name implements plan.ExecutionPlan.
func (r *RepeatExec) Name() string { return "RepeatExec" }

// Schema implements plan.ExecutionPlan.
func (r *RepeatExec) Schema() *arrow.Schema { return r.schema }

// Properties implements plan.ExecutionPlan: repeated rows stay next to
// each other, so partitioning and ordering on the other columns hold.
func (r *RepeatExec) Properties() plan.Properties {
	p := r.input.Properties()
	var ordering []plan.SortKey
	for _, k := range p.Ordering {
		if k.Column == r.name {
			break
		}
		ordering = append(ordering, k)
	}
	p.Ordering = ordering
	for _, c := range p.Partitioning.Columns {
		if c == r.name {
			p.Partitioning = plan.Partitioning{Kind: plan.UnknownPartitioning}
			break
		}
	}
	return p
}

// Children implements plan.ExecutionPlan.
func (r *RepeatExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{r.input} }

// WithNewChildren implements plan.ExecutionPlan.
func (r *RepeatExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(r.Name(), 1, len(children))
	}
	return NewRepeat(children[0], r.name)
}

// String implements plan.ExecutionPlan.
func (r *RepeatExec) String() string { return "RepeatExec: count=" + r.name }

// Execute implements plan.ExecutionPlan.
func (r *RepeatExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(r, partition); err != nil {
		return nil, err
	}
	in, err := r.input.Execute(ctx, partition, task)
	if err != nil {
		return nil, locate(r.input.Name(), partition, err)
	}
	return &repeatStream{r: r, in: in, task: task, partition: partition}, nil
}

type repeatStream struct {
	r         *RepeatExec
	in        plan.RecordStream
	task      *plan.TaskContext
	partition int
	idx       []int32
}

func (s *repeatStream) Schema() *arrow.Schema { return s.r.schema }

func (s *repeatStream) Next() (plan.Batch, error) {
	for {
		b, err := s.in.Next()
		if err != nil {
			return b, err
		}
		out, err := s.repeat(b)
		b.Record.Release()
		if err != nil {
			return plan.Batch{}, &plan.Error{Operator: s.r.Name(), Partition: s.partition, Err: err}
		}
		if out != nil {
			return plan.Batch{Record: out}, nil
		}
	}
}

func (s *repeatStream) repeat(b plan.Batch) (arrow.RecordBatch, error) {
	rec := b.Record
	counts := rec.Column(s.r.count).(*array.Int64)
	s.idx = s.idx[:0]
	n := int(rec.NumRows())
	if b.Sel != nil {
		n = len(b.Sel)
	}
	for j := 0; j < n; j++ {
		i := j
		if b.Sel != nil {
			i = int(b.Sel[j])
		}
		if counts.IsNull(i) {
			continue
		}
		for k := int64(0); k < counts.Value(i); k++ {
			s.idx = append(s.idx, int32(i))
		}
	}
	if len(s.idx) == 0 {
		return nil, nil
	}
	mem := s.task.Allocator
	cols := make([]arrow.Array, 0, s.r.schema.NumFields())
	for c := 0; c < int(rec.NumCols()); c++ {
		if c == s.r.count {
			continue
		}
		a, err := takeArray(mem, rec.Column(c), s.idx)
		if err != nil {
			for _, x := range cols {
				x.Release()
			}
			return nil, err
		}
		cols = append(cols, a)
	}
	out := array.NewRecordBatch(s.r.schema, cols, int64(len(s.idx)))
	for _, x := range cols {
		x.Release()
	}
	return out, nil
}

func (s *repeatStream) Close() { s.in.Close() }
