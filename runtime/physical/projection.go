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

// ProjectionExec computes one output column per expression. Its batches
// are dense: selected rows are gathered (or computed) once here. A plain
// column reference over a batch without selection reuses the input array.
type ProjectionExec struct {
	input  plan.ExecutionPlan
	exprs  []expr.Expr
	names  []string
	evals  []evaluator
	schema *arrow.Schema
}

// NewProjection returns a ProjectionExec naming exprs[i] names[i].
func NewProjection(input plan.ExecutionPlan, exprs []expr.Expr, names []string) (*ProjectionExec, error) {
	if len(exprs) != len(names) {
		return nil, fmt.Errorf("ProjectionExec: %d expressions but %d names", len(exprs), len(names))
	}
	evals, err := compileEvals(exprs, input.Schema())
	if err != nil {
		return nil, fmt.Errorf("ProjectionExec: %w", err)
	}
	fields := make([]arrow.Field, len(exprs))
	for i, e := range exprs {
		fields[i] = arrow.Field{Name: names[i], Type: e.DataType(), Nullable: true}
		if c := evals[i].column(); c >= 0 {
			f := input.Schema().Field(c)
			fields[i].Type, fields[i].Nullable = f.Type, f.Nullable
		}
	}
	return &ProjectionExec{input: input, exprs: exprs, names: names, evals: evals, schema: arrow.NewSchema(fields, nil)}, nil
}

// Exprs returns the projected expressions, in output order.
func (p *ProjectionExec) Exprs() []expr.Expr { return p.exprs }

// Name implements plan.ExecutionPlan.
func (p *ProjectionExec) Name() string { return "ProjectionExec" }

// Schema implements plan.ExecutionPlan.
func (p *ProjectionExec) Schema() *arrow.Schema { return p.schema }

// Properties implements plan.ExecutionPlan. Partitioning and ordering
// survive as far as the columns they name are output as plain column
// references (renamed as the projection names them).
func (p *ProjectionExec) Properties() plan.Properties {
	in := p.input.Properties()
	rename := map[string]string{}
	for i, e := range p.exprs {
		if c, ok := e.(*expr.Column); ok {
			if _, dup := rename[c.Name]; !dup {
				rename[c.Name] = p.names[i]
			}
		}
	}
	out := plan.Properties{Partitions: in.Partitions, Partitioning: in.Partitioning, Unbounded: in.Unbounded}
	if k := in.Partitioning.Kind; k == plan.KeyPartitioning || k == plan.RangePartitioning {
		cols := make([]string, len(in.Partitioning.Columns))
		for i, c := range in.Partitioning.Columns {
			n, ok := rename[c]
			if !ok {
				cols = nil
				break
			}
			cols[i] = n
		}
		if cols == nil {
			out.Partitioning = plan.Partitioning{Kind: plan.UnknownPartitioning}
		} else {
			out.Partitioning = plan.Partitioning{Kind: k, Columns: cols}
		}
	}
	for _, k := range in.Ordering {
		n, ok := rename[k.Column]
		if !ok {
			break
		}
		k.Column = n
		out.Ordering = append(out.Ordering, k)
	}
	return out
}

// Children implements plan.ExecutionPlan.
func (p *ProjectionExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{p.input} }

// WithNewChildren implements plan.ExecutionPlan.
func (p *ProjectionExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(p.Name(), 1, len(children))
	}
	return NewProjection(children[0], p.exprs, p.names)
}

// String implements plan.ExecutionPlan.
func (p *ProjectionExec) String() string {
	parts := make([]string, len(p.exprs))
	for i, e := range p.exprs {
		parts[i] = e.String()
		if parts[i] != p.names[i] {
			parts[i] += " AS " + p.names[i]
		}
	}
	return "ProjectionExec: expr=[" + strings.Join(parts, ", ") + "]"
}

// Execute implements plan.ExecutionPlan.
func (p *ProjectionExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(p, partition); err != nil {
		return nil, err
	}
	in, err := p.input.Execute(ctx, partition, task)
	if err != nil {
		return nil, locate(p.input.Name(), partition, err)
	}
	return &projectionStream{in: in, p: p, task: taskDefaults(task), partition: partition}, nil
}

type projectionStream struct {
	in        plan.RecordStream
	p         *ProjectionExec
	task      *plan.TaskContext
	partition int
	state     sticky
}

func (s *projectionStream) Schema() *arrow.Schema { return s.p.schema }

func (s *projectionStream) Next() (plan.Batch, error) {
	if s.state.err != nil {
		return plan.Batch{}, s.state.err
	}
	b, err := s.in.Next()
	if err != nil {
		if !isEOF(err) {
			err = locate(s.p.input.Name(), s.partition, err)
		}
		return plan.Batch{}, s.state.set(err)
	}
	defer b.Release()
	rec, err := s.project(b)
	if err != nil {
		return plan.Batch{}, s.state.set(locate(s.p.Name(), s.partition, err))
	}
	return plan.Batch{Record: rec}, nil
}

func (s *projectionStream) project(b plan.Batch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, len(s.p.evals))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	mem := s.task.Allocator
	for i, ev := range s.p.evals {
		arr, sel, err := ev.eval(mem, b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.p.exprs[i], err)
		}
		if sel != nil {
			dense, err := takeArray(mem, arr, sel)
			arr.Release()
			if err != nil {
				return nil, err
			}
			arr = dense
		}
		cols[i] = arr
		if !arrow.TypeEqual(arr.DataType(), s.p.schema.Field(i).Type) || arr.Len() != b.NumRows() {
			return nil, fmt.Errorf("%s: evaluated to %d values of %s, want %d of %s",
				s.p.exprs[i], arr.Len(), arr.DataType(), b.NumRows(), s.p.schema.Field(i).Type)
		}
	}
	return array.NewRecordBatch(s.p.schema, cols, int64(b.NumRows())), nil
}

func (s *projectionStream) Close() {
	s.in.Close()
	s.state.set(io.EOF)
}
