package physical

import (
	"context"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// HashAggregateExec groups rows by key expressions in a hash table and
// computes aggregates per group. Group ids are computed for a whole batch
// at once, then each aggregate updates its per-group state with a typed
// loop over (group id, value) pairs; selections are read in place.
//
// Output: the group columns (named groupNames) then one column per
// aggregate (named AggregateExpr.Name), in batches of BatchSize rows. In
// Partial mode the aggregate columns are partial states instead (avg has
// two: "<name>[sum]" and "<name>[count]"). In Final mode the input must be
// the (repartitioned) output of the Partial aggregate built with the same
// groupBy, groupNames and aggs: columns are read by position.
type HashAggregateExec struct {
	mode       AggregateMode
	input      plan.ExecutionPlan
	groupBy    []expr.Expr
	groupNames []string
	aggs       []AggregateExpr

	keyTypes   []arrow.DataType
	groupEvals []evaluator
	argEvals   []evaluator // nil entries for count(*)
	stateCols  [][]int     // Final: input columns of each aggregate's state
	outTypes   []arrow.DataType
	schema     *arrow.Schema

	fitOnce sync.Once
	fit     []bool // see sumsFit
}

// NewHashAggregate returns a HashAggregateExec.
func NewHashAggregate(mode AggregateMode, input plan.ExecutionPlan, groupBy []expr.Expr, groupNames []string, aggs []AggregateExpr) (*HashAggregateExec, error) {
	a := &HashAggregateExec{mode: mode, input: input, groupBy: groupBy, groupNames: groupNames, aggs: aggs}
	if err := a.bind(); err != nil {
		return nil, fmt.Errorf("AggregateExec: %w", err)
	}
	return a, nil
}

func (a *HashAggregateExec) bind() error {
	if len(a.groupBy) != len(a.groupNames) {
		return fmt.Errorf("%d group expressions but %d names", len(a.groupBy), len(a.groupNames))
	}
	if a.input.Properties().Unbounded {
		return fmt.Errorf("cannot aggregate the unbounded input %s", a.input.Name())
	}
	in := a.input.Schema()
	var fields []arrow.Field
	a.keyTypes = make([]arrow.DataType, len(a.groupBy))
	a.groupEvals = make([]evaluator, len(a.groupBy))
	for i, g := range a.groupBy {
		if g == nil {
			return fmt.Errorf("nil group expression")
		}
		var ev evaluator = columnEval{i}
		if a.mode != AggregateFinal {
			var err error
			if ev, err = compileEval(g, in); err != nil {
				return fmt.Errorf("group key %s: %w", g, err)
			}
		}
		t := g.DataType()
		if c := ev.column(); c >= 0 {
			if c >= in.NumFields() {
				return fmt.Errorf("input has %d columns, partial aggregate output expected", in.NumFields())
			}
			t = in.Field(c).Type
		}
		if err := checkKeyType(t); err != nil {
			return fmt.Errorf("group key %s: %w", g, err)
		}
		a.keyTypes[i], a.groupEvals[i] = t, ev
		fields = append(fields, arrow.Field{Name: a.groupNames[i], Type: t, Nullable: true})
	}
	split := a.mode == AggregatePartial || a.mode == AggregateFinal
	a.argEvals = make([]evaluator, len(a.aggs))
	a.outTypes = make([]arrow.DataType, len(a.aggs))
	a.stateCols = make([][]int, len(a.aggs))
	next := len(a.groupBy)
	for i, agg := range a.aggs {
		t, err := agg.check(split)
		if err != nil {
			return err
		}
		a.outTypes[i] = t
		states, err := agg.stateFields()
		if err != nil {
			return err
		}
		switch a.mode {
		case AggregatePartial:
			fields = append(fields, states...)
		default:
			fields = append(fields, arrow.Field{Name: agg.Name, Type: t, Nullable: true})
		}
		if a.mode == AggregateFinal {
			for _, st := range states {
				if next >= in.NumFields() || !arrow.TypeEqual(in.Field(next).Type, st.Type) {
					return fmt.Errorf("input is not the partial state of %s: column %d should be %s", agg, next, st.Type)
				}
				a.stateCols[i] = append(a.stateCols[i], next)
				next++
			}
			continue
		}
		if agg.Arg != nil {
			if a.argEvals[i], err = compileEval(agg.Arg, in); err != nil {
				return fmt.Errorf("%s: %w", agg, err)
			}
		}
	}
	a.schema = arrow.NewSchema(fields, nil)
	return nil
}

// Mode returns the aggregate's mode.
func (a *HashAggregateExec) Mode() AggregateMode { return a.mode }

// Name implements plan.ExecutionPlan.
func (a *HashAggregateExec) Name() string { return "AggregateExec" }

// Schema implements plan.ExecutionPlan.
func (a *HashAggregateExec) Schema() *arrow.Schema { return a.schema }

// Properties implements plan.ExecutionPlan. A hash aggregate emits groups
// in no particular order; per-partition modes keep the input's key or range
// partitioning when it is on group columns (renamed to their output names).
func (a *HashAggregateExec) Properties() plan.Properties {
	if a.mode == AggregateSingle {
		return plan.Properties{Partitions: 1, Partitioning: plan.Partitioning{Kind: plan.SinglePartition}}
	}
	in := a.input.Properties()
	out := plan.Properties{Partitions: in.Partitions}
	if in.Partitions == 1 {
		out.Partitioning = plan.Partitioning{Kind: plan.SinglePartition}
		return out
	}
	if groupsTogether(in.Partitioning, a.input.Schema()) {
		rename := a.inputGroupColumns()
		var cols []string
		for _, c := range in.Partitioning.Columns {
			n, ok := rename[c]
			if !ok {
				return out
			}
			cols = append(cols, n)
		}
		// Each partition's groups take their keys from its own rows, so
		// key and range partitioning carry over. (Range partitioning on
		// a nullable column does not: its NULL group may come out of
		// several partitions.)
		out.Partitioning = plan.Partitioning{Kind: in.Partitioning.Kind, Columns: cols}
	}
	return out
}

// inputGroupColumns maps input column names used as plain group keys to
// the output names of those keys.
func (a *HashAggregateExec) inputGroupColumns() map[string]string {
	m := map[string]string{}
	in := a.input.Schema()
	for i, ev := range a.groupEvals {
		if c := ev.column(); c >= 0 {
			if _, dup := m[in.Field(c).Name]; !dup {
				m[in.Field(c).Name] = a.groupNames[i]
			}
		}
	}
	return m
}

// Children implements plan.ExecutionPlan.
func (a *HashAggregateExec) Children() []plan.ExecutionPlan { return []plan.ExecutionPlan{a.input} }

// WithNewChildren implements plan.ExecutionPlan.
func (a *HashAggregateExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	if len(children) != 1 {
		return nil, errChildren(a.Name(), 1, len(children))
	}
	return NewHashAggregate(a.mode, children[0], a.groupBy, a.groupNames, a.aggs)
}

// String implements plan.ExecutionPlan.
func (a *HashAggregateExec) String() string {
	gby := make([]string, len(a.groupBy))
	for i, g := range a.groupBy {
		gby[i] = g.String()
		if gby[i] != a.groupNames[i] {
			gby[i] += " AS " + a.groupNames[i]
		}
	}
	aggr := make([]string, len(a.aggs))
	for i, g := range a.aggs {
		aggr[i] = g.String()
		if g.Name != "" && aggr[i] != g.Name {
			aggr[i] += " AS " + g.Name
		}
	}
	return fmt.Sprintf("AggregateExec: mode=%s, gby=[%s], aggr=[%s]", a.mode, strings.Join(gby, ", "), strings.Join(aggr, ", "))
}

// Execute implements plan.ExecutionPlan.
func (a *HashAggregateExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	if err := checkPartition(a, partition); err != nil {
		return nil, err
	}
	task = taskDefaults(task)
	var in plan.RecordStream
	var err error
	if a.mode == AggregateSingle {
		in, err = coalesce(ctx, a.input, task)
	} else {
		in, err = a.input.Execute(ctx, partition, task)
		if err == nil {
			in = &locatedStream{RecordStream: in, op: a.input.Name(), partition: partition}
		}
	}
	if err != nil {
		return nil, locate(a.input.Name(), partition, err)
	}
	return &aggregateStream{ctx: ctx, a: a, in: in, task: task, partition: partition}, nil
}

type aggregateStream struct {
	ctx       context.Context
	a         *HashAggregateExec
	in        plan.RecordStream
	task      *plan.TaskContext
	partition int

	out   arrow.RecordBatch // every group, emitted in slices
	next  int
	done  bool
	state sticky
	cols  []keyColumn // the group key columns of the batch in consume
}

func (s *aggregateStream) Schema() *arrow.Schema { return s.a.schema }

func (s *aggregateStream) Next() (plan.Batch, error) {
	if s.state.err != nil {
		return plan.Batch{}, s.state.err
	}
	if !s.done {
		out, err := s.run()
		s.in.Close()
		s.done = true
		if err != nil {
			return plan.Batch{}, s.state.set(locate(s.a.Name(), s.partition, err))
		}
		s.out = out
	}
	if err := s.ctx.Err(); err != nil {
		s.release()
		return plan.Batch{}, s.state.set(err)
	}
	n := int(s.out.NumRows())
	if s.next >= n {
		s.release()
		return plan.Batch{}, s.state.set(io.EOF)
	}
	end := min(s.next+s.task.BatchSize, n)
	var rec arrow.RecordBatch
	if s.next == 0 && end == n {
		rec = s.out
		rec.Retain()
	} else {
		rec = s.out.NewSlice(int64(s.next), int64(end))
	}
	s.next = end
	return plan.Batch{Record: rec}, nil
}

func (s *aggregateStream) release() {
	if s.out != nil {
		s.out.Release()
		s.out = nil
	}
}

func (s *aggregateStream) Close() {
	if !s.done {
		s.in.Close()
		s.done = true
	}
	s.release()
	s.state.set(io.EOF)
}

// run consumes the whole input and returns every group's output row.
func (s *aggregateStream) run() (arrow.RecordBatch, error) {
	a, mem := s.a, s.task.Allocator
	groups := newGrouper(a.keyTypes)
	if a.declaredOneGroup(s.partition) {
		groups = &declaredGrouper{}
	}
	keys := newGroupKeys(len(a.groupBy))
	defer keys.release()
	accs := make([]accumulator, len(a.aggs))
	for i, agg := range a.aggs {
		acc, err := agg.newAccumulator()
		if err != nil {
			return nil, err
		}
		if fit := a.sumsFit(); fit != nil && fit[i] {
			if sum, ok := acc.(*sumSigned[int64]); ok {
				sum.fits = true
			}
		}
		accs[i] = acc
		acc.resize(groups.len())
	}
	var ids idBuffer
	var newRows []int32
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	// Pushed, not pulled: a scan below runs its Read on this goroutine.
	err := plan.PushAll(s.in, func(b plan.Batch) error {
		defer b.Release()
		if err := s.ctx.Err(); err != nil {
			return err
		}
		if b.NumRows() == 0 {
			return nil
		}
		return s.consume(b, groups, keys, accs, &ids, &newRows)
	})
	if err != nil {
		return nil, err
	}
	return s.output(mem, groups.len(), keys, accs)
}

// consume folds one batch into the groups and accumulators.
func (s *aggregateStream) consume(b plan.Batch, groups grouper, keys *groupKeys, accs []accumulator, idBuf *idBuffer, newRows *[]int32) error {
	a, mem := s.a, s.task.Allocator
	cols := s.cols[:0]
	defer func() {
		for i, c := range cols {
			c.arr.Release()
			cols[i] = keyColumn{}
		}
	}()
	for i, ev := range a.groupEvals {
		arr, sel, err := ev.eval(mem, b)
		if err != nil {
			return fmt.Errorf("group key %s: %w", a.groupBy[i], err)
		}
		cols = append(cols, keyColumn{arr: arr, sel: sel})
	}
	s.cols = cols
	n := b.NumRows()
	var one int32
	var err error
	if *newRows, one, err = groups.assign(cols, n, idBuf, (*newRows)[:0]); err != nil {
		return err
	}
	if err := keys.add(mem, cols, *newRows); err != nil {
		return err
	}
	filled := one < 0
	var ids []int32
	if filled {
		ids = idBuf.get(n)
	}
	for i, acc := range accs {
		acc.resize(groups.len())
		if u, ok := acc.(uniformUpdater); ok && !filled && a.mode != AggregateFinal {
			err = s.foldOne(b, i, u, one)
		} else {
			if !filled {
				ids = idBuf.get(n)
				for j := range ids {
					ids[j] = one
				}
				filled = true
			}
			err = s.fold(b, i, acc, ids)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", a.aggs[i], err)
		}
	}
	return nil
}

// fold updates (or, in Final mode, merges into) one accumulator.
func (s *aggregateStream) fold(b plan.Batch, i int, acc accumulator, ids []int32) error {
	a := s.a
	if a.mode == AggregateFinal {
		states := make([]arrow.Array, len(a.stateCols[i]))
		for j, c := range a.stateCols[i] {
			states[j] = b.Record.Column(c)
		}
		return acc.merge(ids, states, b.Sel)
	}
	arr, sel, err := s.arg(b, i)
	if err != nil {
		return err
	}
	if arr != nil {
		defer arr.Release()
	}
	return acc.update(ids, arr, sel)
}

// foldOne updates one accumulator with a batch whose rows are all in
// group g.
func (s *aggregateStream) foldOne(b plan.Batch, i int, acc uniformUpdater, g int32) error {
	arr, sel, err := s.arg(b, i)
	if err != nil {
		return err
	}
	if arr != nil {
		defer arr.Release()
	}
	return acc.updateOne(g, b.NumRows(), arr, sel)
}

// arg evaluates aggregate i's argument over b (nil for count(*)).
func (s *aggregateStream) arg(b plan.Batch, i int) (arrow.Array, []int32, error) {
	ev := s.a.argEvals[i]
	if ev == nil {
		return nil, nil, nil
	}
	return ev.eval(s.task.Allocator, b)
}

// output assembles the result record of n groups.
func (s *aggregateStream) output(mem memory.Allocator, n int, keys *groupKeys, accs []accumulator) (arrow.RecordBatch, error) {
	a := s.a
	cols, err := keys.columns(mem, a.keyTypes)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i, acc := range accs {
		if a.mode == AggregatePartial {
			states, err := acc.state(mem, n)
			cols = append(cols, states...)
			if err != nil {
				return nil, err
			}
			continue
		}
		arr, err := acc.finish(mem, n)
		if err != nil {
			return nil, err
		}
		cols = append(cols, arr)
		if !arrow.TypeEqual(arr.DataType(), a.outTypes[i]) {
			cast, err := compute.CastArray(compute.WithAllocator(s.ctx, mem), arr, compute.SafeCastOptions(a.outTypes[i]))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", a.aggs[i], err)
			}
			arr.Release()
			cols[len(cols)-1] = cast
		}
	}
	return array.NewRecordBatch(a.schema, cols, int64(n)), nil
}

// sumsFit reports, for each aggregate, whether it is a sum of an int64
// column that the input's statistics keep inside int64 however its rows
// are split: rows × max(|min|, |max|) < 2^63. Such a sum is added up
// with plain wrapping adds into independent sums, twice as fast as the
// exact kernel, since no partial sum can overflow. The modes that read
// rows qualify (Final merges states); the input's statistics are asked
// for once per plan, at its first Execute, and only when a sum could use
// them. It returns nil when none qualifies.
func (a *HashAggregateExec) sumsFit() []bool {
	a.fitOnce.Do(func() {
		if a.mode == AggregateFinal {
			return
		}
		var candidates []int
		for i, agg := range a.aggs {
			if c, ok := agg.Arg.(*expr.Column); ok && agg.Func == expr.AggSum && !agg.Distinct && c.Type.ID() == arrow.INT64 {
				candidates = append(candidates, i)
			}
		}
		if len(candidates) == 0 {
			return
		}
		// Merging or sharing partitions keeps their rows and bounds.
		in := a.input
		switch c := in.(type) {
		case *CoalescePartitionsExec:
			in = c.input
		case *SharePartitionsExec:
			in = c.input
		}
		bounds := columnBounds(in)
		if bounds == nil {
			return
		}
		fit := make([]bool, len(a.aggs))
		for _, i := range candidates {
			b, ok := bounds(a.aggs[i].Arg.(*expr.Column).Name)
			if ok && b.Rows >= 0 && !b.Min.Null && !b.Max.Null {
				fit[i] = sumFits(b.Rows, b.Min.Int64Value(), b.Max.Int64Value())
			}
		}
		a.fit = fit
	})
	return a.fit
}

// columnBounds returns how p bounds a column: by plan.BoundsProvider, or
// from its statistics when they are exact or bounds; nil when it cannot.
func columnBounds(p plan.ExecutionPlan) func(column string) (plan.ColumnBounds, bool) {
	if bp, ok := p.(plan.BoundsProvider); ok {
		return bp.ColumnBounds
	}
	sp, ok := p.(plan.StatisticsProvider)
	if !ok {
		return nil
	}
	st := sp.Statistics()
	if !st.Bounds() || st.Rows < 0 {
		return nil
	}
	return func(column string) (plan.ColumnBounds, bool) {
		cs, ok := st.Columns[column]
		return plan.ColumnBounds{Rows: st.Rows, Min: cs.Min, Max: cs.Max}, ok
	}
}

// sumFits reports whether any sum of at most rows values in [lo, hi]
// fits in int64.
func sumFits(rows, lo, hi int64) bool {
	abs := func(v int64) uint64 {
		if v < 0 {
			return uint64(-(v + 1)) + 1 // |MinInt64| too
		}
		return uint64(v)
	}
	h, l := bits.Mul64(uint64(rows), max(abs(lo), abs(hi)))
	return h == 0 && l < 1<<63
}
