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

// WindowExpr is one window function a WindowExec computes, named Name in
// its output. Its partitioning and ordering are the WindowExec's.
type WindowExpr struct {
	Func  expr.WindowFunc
	Args  []expr.Expr
	Frame expr.WindowFrame
	Name  string
	Type  arrow.DataType
}

// WindowExec appends one column per window function to its input's rows.
// All functions share one window: rows with equal PartitionBy values form
// a window partition, ordered by OrderBy.
//
// It needs, and the planner arranges, that every window partition lies in
// a single input partition (the input is key-partitioned on a subset of
// the PARTITION BY columns, repartitioned by them, or has one partition)
// and that each input partition is already in OrderBy order. Window
// partitions then need not be contiguous: rows are grouped by their
// partition key inside the operator, so a table declared key-partitioned
// on region and ordered by ts answers `OVER (PARTITION BY region ORDER BY
// ts)` with neither a repartition nor a sort. Output rows keep the input's
// order, partitioning and ordering.
//
// Each input partition is buffered whole (a window function may read any
// row of its partition) before its first output batch.
type WindowExec struct {
	input       plan.ExecutionPlan
	partitionBy []expr.Expr
	orderBy     []SortExpr
	funcs       []WindowExpr
	schema      *arrow.Schema
}

// NewWindow returns a WindowExec computing funcs over input.
func NewWindow(input plan.ExecutionPlan, partitionBy []expr.Expr, orderBy []SortExpr, funcs []WindowExpr) (*WindowExec, error) {
	in := input.Schema()
	check := func(e expr.Expr, key bool) error {
		c, err := expr.Compile(e, in)
		if err != nil {
			return fmt.Errorf("WindowExec: %s: %w", e, err)
		}
		if key {
			if err := checkKeyType(c.DataType()); err != nil {
				return fmt.Errorf("WindowExec: %s: %w", e, err)
			}
		}
		return nil
	}
	for _, e := range partitionBy {
		if err := check(e, true); err != nil {
			return nil, err
		}
	}
	for _, k := range orderBy {
		if err := check(k.Expr, true); err != nil {
			return nil, err
		}
	}
	fields := append([]arrow.Field(nil), in.Fields()...)
	for _, f := range funcs {
		if err := checkWindowArgs(f); err != nil {
			return nil, err
		}
		for i, a := range f.Args {
			if err := check(a, i == 0 && (f.Func == expr.WinMin || f.Func == expr.WinMax)); err != nil {
				return nil, err
			}
		}
		fields = append(fields, arrow.Field{Name: f.Name, Type: f.Type, Nullable: true})
	}
	return &WindowExec{input: input, partitionBy: partitionBy, orderBy: orderBy, funcs: funcs, schema: arrow.NewSchema(fields, nil)}, nil
}

// checkWindowArgs checks the argument counts and the constant arguments
// the functions read once (offsets, bucket counts).
func checkWindowArgs(f WindowExpr) error {
	want := map[expr.WindowFunc][2]int{
		expr.WinRowNumber: {0, 0}, expr.WinRank: {0, 0}, expr.WinDenseRank: {0, 0},
		expr.WinPercentRank: {0, 0}, expr.WinCumeDist: {0, 0}, expr.WinNtile: {1, 1},
		expr.WinLag: {1, 3}, expr.WinLead: {1, 3}, expr.WinFirstValue: {1, 1},
		expr.WinLastValue: {1, 1}, expr.WinNthValue: {2, 2}, expr.WinCount: {0, 1},
		expr.WinSum: {1, 1}, expr.WinAvg: {1, 1}, expr.WinMin: {1, 1}, expr.WinMax: {1, 1},
	}[f.Func]
	if n := len(f.Args); n < want[0] || n > want[1] {
		return fmt.Errorf("WindowExec: %s takes %d to %d arguments, got %d", f.Func, want[0], want[1], n)
	}
	switch f.Func {
	case expr.WinNtile:
		if _, err := constCount(f.Args[0], "ntile", 1); err != nil {
			return err
		}
	case expr.WinNthValue:
		if _, err := constCount(f.Args[1], "nth_value", 1); err != nil {
			return err
		}
	case expr.WinLag, expr.WinLead:
		if len(f.Args) > 1 {
			if _, err := constCount(f.Args[1], f.Func.String()+" offset", 0); err != nil {
				return err
			}
		}
		if len(f.Args) > 2 {
			if _, ok := f.Args[2].(*expr.Literal); !ok {
				return fmt.Errorf("WindowExec: %s: the default must be a constant", f.Func)
			}
			if !arrow.TypeEqual(f.Args[2].DataType(), f.Args[0].DataType()) {
				return fmt.Errorf("WindowExec: %s: the default is %s, the value %s", f.Func, f.Args[2].DataType(), f.Args[0].DataType())
			}
		}
	}
	return nil
}

// constCount reads a constant integer argument of at least lowest.
func constCount(e expr.Expr, what string, lowest int64) (int64, error) {
	lit, ok := e.(*expr.Literal)
	if !ok || lit.Value.Null {
		return 0, fmt.Errorf("WindowExec: %s must be a constant integer", what)
	}
	v, ok := lit.Value.Value.(int64)
	if !ok {
		return 0, fmt.Errorf("WindowExec: %s must be an integer, got %s", what, lit.Value.Type)
	}
	if v < lowest {
		return 0, fmt.Errorf("WindowExec: %s must be at least %d, got %d", what, lowest, v)
	}
	return v, nil
}

// PartitionedOn reports whether partitioning p keeps rows with equal keys
// (NULLs included) in one partition, so that an operator grouping by keys
// (a WindowExec's PARTITION BY) needs no repartition.
func PartitionedOn(p plan.Partitioning, schema *arrow.Schema, keys []expr.Expr) bool {
	return partitionedOnGroupKeys(p, schema, keys)
}

// Name implements plan.ExecutionPlan.
func (w *WindowExec) Name() string { return "WindowExec" }

// Schema implements plan.ExecutionPlan: the input's columns, then one per
// function.
func (w *WindowExec) Schema() *arrow.Schema { return w.schema }

// Properties implements plan.ExecutionPlan: the input's.
func (w *WindowExec) Properties() plan.Properties { return w.input.Properties() }

// Children implements plan.ExecutionPlan.
func (w *WindowExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{w.input} }

// WithNewChildren implements plan.ExecutionPlan.
func (w *WindowExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(w.Name(), 1, len(children))
	}
	return NewWindow(children[0], w.partitionBy, w.orderBy, w.funcs)
}

// String implements plan.ExecutionPlan.
func (w *WindowExec) String() string {
	funcs := make([]string, len(w.funcs))
	for i, f := range w.funcs {
		call := f.Func.String() + "(" + joinExprList(f.Args) + ")"
		if f.Func == expr.WinCount && len(f.Args) == 0 {
			call = "count(*)"
		}
		if strings.HasPrefix(f.Name, call+" OVER (") {
			// The SQL front end names a column by its call, which
			// says everything.
			funcs[i] = f.Name
			continue
		}
		if f.Func.UsesFrame() && f.Frame != expr.DefaultFrame {
			call += " " + f.Frame.String()
		}
		funcs[i] = call + " AS " + f.Name
	}
	var b strings.Builder
	b.WriteString("WindowExec: wdw=[" + strings.Join(funcs, ", ") + "]")
	if len(w.partitionBy) > 0 {
		b.WriteString(", partition_by=[" + joinExprList(w.partitionBy) + "]")
	}
	if len(w.orderBy) > 0 {
		keys := make([]string, len(w.orderBy))
		for i, k := range w.orderBy {
			keys[i] = k.String()
		}
		b.WriteString(", order_by=[" + strings.Join(keys, ", ") + "]")
	}
	return b.String()
}

func joinExprList(es []expr.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

// Execute implements plan.ExecutionPlan.
func (w *WindowExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(w, partition); err != nil {
		return nil, err
	}
	in, err := w.input.Execute(ctx, partition, task)
	if err != nil {
		return nil, locate(w.input.Name(), partition, err)
	}
	return &windowStream{ctx: ctx, in: in, w: w, task: taskDefaults(task), partition: partition}, nil
}

type windowStream struct {
	ctx       context.Context
	in        plan.RecordStream
	w         *WindowExec
	task      *plan.TaskContext
	partition int
	out       arrow.RecordBatch // the whole partition's output, sliced into batches
	next      int64
	state     sticky
}

func (s *windowStream) Schema() *arrow.Schema { return s.w.schema }

func (s *windowStream) Next() (plan.Batch, error) {
	if s.state.err != nil {
		return plan.Batch{}, s.state.err
	}
	if s.out == nil {
		out, err := s.compute()
		if err != nil {
			return plan.Batch{}, s.state.set(err)
		}
		s.out = out
	}
	if err := s.ctx.Err(); err != nil {
		return plan.Batch{}, s.state.set(err)
	}
	n := s.out.NumRows()
	if s.next >= n {
		return plan.Batch{}, s.state.set(io.EOF)
	}
	end := min(n, s.next+int64(s.task.BatchSize))
	b := s.out.NewSlice(s.next, end)
	s.next = end
	return plan.Batch{Record: b}, nil
}

// compute reads the whole input partition and evaluates every function.
func (s *windowStream) compute() (arrow.RecordBatch, error) {
	var batches []plan.Batch
	defer func() { releaseBatches(batches) }()
	var refs []rowRef
	for {
		b, err := s.in.Next()
		if isEOF(err) {
			break
		}
		if err != nil {
			return nil, locate(s.w.input.Name(), s.partition, err)
		}
		bi := int32(len(batches))
		batches = append(batches, b)
		if b.Sel != nil {
			for _, r := range b.Sel {
				refs = append(refs, rowRef{bi, r})
			}
		} else {
			for r := range int32(b.NumRows()) {
				refs = append(refs, rowRef{bi, r})
			}
		}
	}
	mem := s.task.Allocator
	in, err := gatherRows(mem, s.w.input.Schema(), recordsOf(batches), refs)
	if err != nil {
		return nil, locate(s.w.Name(), s.partition, err)
	}
	defer in.Release()
	cols, err := evalWindow(s.ctx, mem, s.w, in)
	if err != nil {
		return nil, locate(s.w.Name(), s.partition, err)
	}
	all := append(append([]arrow.Array(nil), in.Columns()...), cols...)
	out := array.NewRecordBatch(s.w.schema, all, in.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

func (s *windowStream) Close() {
	s.in.Close()
	if s.out != nil {
		s.out.Release()
		s.out = nil
	}
	s.state.set(io.EOF)
}
