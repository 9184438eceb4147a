package physical

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tpgen/tpgen/runtime/plan"
)

// UnionExec is UNION ALL: the partitions of its inputs side by side, input
// 0's first. It moves no data: partition i runs partition i - k of the
// input that owns it (k being the partitions of the inputs before), and
// relabels its batches with the union's schema, so every input keeps its
// parallelism and selections pass through. UNION, INTERSECT and EXCEPT
// are planned as a hash aggregate over it.
type UnionExec struct {
	inputs []plan.ExecutionPlan
	schema *arrow.Schema
}

// NewUnion returns a UnionExec over inputs, which must have the same
// number of columns with the same types; the union takes input 0's column
// names, and a column is nullable when it is in any input.
func NewUnion(inputs ...plan.ExecutionPlan) (*UnionExec, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("UnionExec needs at least one input")
	}
	first := inputs[0].Schema()
	fields := slices.Clone(first.Fields())
	for k, in := range inputs[1:] {
		s := in.Schema()
		if s.NumFields() != len(fields) {
			return nil, fmt.Errorf("UnionExec: input %d has %d columns, input 0 has %d", k+1, s.NumFields(), len(fields))
		}
		for i, f := range s.Fields() {
			if !arrow.TypeEqual(f.Type, fields[i].Type) {
				return nil, fmt.Errorf("UnionExec: column %d of input %d is %s, input 0's is %s", i+1, k+1, f.Type, fields[i].Type)
			}
			fields[i].Nullable = fields[i].Nullable || f.Nullable
		}
	}
	return &UnionExec{inputs: inputs, schema: arrow.NewSchema(fields, nil)}, nil
}

// Name implements plan.ExecutionPlan.
func (u *UnionExec) Name() string { return "UnionExec" }

// Schema implements plan.ExecutionPlan.
func (u *UnionExec) Schema() *arrow.Schema { return u.schema }

// Properties implements plan.ExecutionPlan. Rows of one input never leave
// their partition, so an ordering every input declares holds in every
// partition of the union; partitioning is unknown (equal keys of two
// inputs are in different partitions).
func (u *UnionExec) Properties() plan.Properties {
	out := plan.Properties{Partitioning: plan.Partitioning{Kind: plan.UnknownPartitioning}}
	for i, in := range u.inputs {
		p := in.Properties()
		out.Partitions += p.Partitions
		out.Unbounded = out.Unbounded || p.Unbounded
		switch {
		case i == 0:
			out.Ordering = p.Ordering
		case !slices.Equal(out.Ordering, p.Ordering):
			out.Ordering = nil
		}
	}
	if out.Partitions == 1 {
		out.Partitioning = plan.Partitioning{Kind: plan.SinglePartition}
	}
	return out
}

// Children implements plan.ExecutionPlan.
func (u *UnionExec) Children() []plan.ExecutionPlan { return slices.Clone(u.inputs) }

// WithNewChildren implements plan.ExecutionPlan.
func (u *UnionExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != len(u.inputs) {
		return nil, errChildren(u.Name(), len(u.inputs), len(children))
	}
	return NewUnion(children...)
}

// String implements plan.ExecutionPlan.
func (u *UnionExec) String() string {
	parts := make([]string, len(u.inputs))
	for i, in := range u.inputs {
		parts[i] = fmt.Sprint(in.Properties().Partitions)
	}
	return "UnionExec: partitions=" + strings.Join(parts, "+")
}

// Execute implements plan.ExecutionPlan.
func (u *UnionExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(u, partition); err != nil {
		return nil, err
	}
	p := partition
	for _, in := range u.inputs {
		n := in.Properties().Partitions
		if p >= n {
			p -= n
			continue
		}
		s, err := in.Execute(ctx, p, task)
		if err != nil {
			return nil, locate(in.Name(), p, err)
		}
		return &relabelStream{in: &locatedStream{RecordStream: s, op: in.Name()}, schema: u.schema}, nil
	}
	return nil, &plan.Error{Operator: u.Name(), Partition: partition, Err: errPartitionRange(partition, u.Properties().Partitions)}
}

// relabelStream gives an input's batches the union's schema (column names
// and nullability may differ; types do not).
type relabelStream struct {
	in     plan.RecordStream
	schema *arrow.Schema
}

func (s *relabelStream) Schema() *arrow.Schema { return s.schema }

func (s *relabelStream) Next() (plan.Batch, error) {
	b, err := s.in.Next()
	if err != nil || b.Record == nil || b.Record.Schema().Equal(s.schema) {
		return b, err
	}
	rec := array.NewRecordBatch(s.schema, b.Record.Columns(), b.Record.NumRows())
	b.Record.Release()
	b.Record = rec
	return b, nil
}

func (s *relabelStream) Close() { s.in.Close() }
