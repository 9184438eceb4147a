package verify

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/domain"
	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// stream checks one partition's batches as they pass. Checks walk the
// output row by row: verify mode trades speed for a precise report.
type stream struct {
	p         *vplan
	partition int
	in        plan.RecordStream
	mem       memory.Allocator
	preds     []expr.Compiled
	order     []int // column index of each ordering key
	keys      []int // key-partitioning columns
	rangeCol  int   // range-partitioning column, -1 when none
	bounds    []bound
	prev      []expr.Scalar
	rows      int64 // output rows so far
	err       error
	closed    bool
}

func newStream(p *vplan, partition int, in plan.RecordStream, task *plan.TaskContext) (*stream, error) {
	s := &stream{p: p, partition: partition, in: in, mem: memory.DefaultAllocator, rangeCol: -1}
	if task != nil && task.Allocator != nil {
		s.mem = task.Allocator
	}
	wide := p.inner.Schema()
	for _, f := range p.exact {
		c, err := expr.Compile(f, wide)
		if err != nil {
			return nil, fmt.Errorf("verify: table %s: cannot evaluate exact filter %s: %w", p.table, f, err)
		}
		s.preds = append(s.preds, c)
	}
	props := p.inner.Properties()
	var err error
	if s.order, err = indices(wide, orderColumns(props.Ordering)); err != nil {
		return nil, s.violation(-1, orderingString(props.Ordering), err.Error())
	}
	switch props.Partitioning.Kind {
	case plan.KeyPartitioning:
		if s.keys, err = indices(wide, props.Partitioning.Columns); err != nil {
			return nil, s.violation(-1, "partitioning "+props.Partitioning.String(), err.Error())
		}
	case plan.RangePartitioning:
		idx, err := indices(wide, props.Partitioning.Columns)
		if err != nil || len(idx) != 1 {
			return nil, s.violation(-1, "partitioning "+props.Partitioning.String(), "needs exactly one column of the output")
		}
		s.rangeCol = idx[0]
	}
	if pb, ok := p.inner.(plan.PartitionBounds); ok {
		if bs, ok := pb.PartitionBounds(partition); ok {
			for _, b := range bs {
				// A column the scan does not output cannot be checked.
				if idx := wide.FieldIndices(b.Column); len(idx) == 1 {
					s.bounds = append(s.bounds, bound{ColumnBound: b, col: idx[0]})
				}
			}
		}
	}
	return s, nil
}

// bound is a declared partition bound and the column it is about.
type bound struct {
	plan.ColumnBound
	col int
}

// holds reports whether v satisfies the bound.
func (b *bound) holds(v expr.Scalar) bool {
	if b.Key {
		if plan.Unset(b.Min) {
			return v.Null
		}
		return !v.Null && domain.CompareScalars(v, b.Min) == 0
	}
	if v.Null {
		return true
	}
	if !plan.Unset(b.Min) && domain.CompareScalars(v, b.Min) < 0 {
		return false
	}
	if !plan.Unset(b.Max) {
		c := domain.CompareScalars(v, b.Max)
		return c < 0 || (c == 0 && !b.MaxExclusive)
	}
	return true
}

func orderColumns(keys []plan.SortKey) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.Column
	}
	return out
}

func indices(s *arrow.Schema, names []string) ([]int, error) {
	out := make([]int, len(names))
	for i, n := range names {
		idx := s.FieldIndices(n)
		if len(idx) != 1 {
			return nil, fmt.Errorf("column %s is not in the plan's output", n)
		}
		out[i] = idx[0]
	}
	return out, nil
}

func (s *stream) violation(row int64, promise, detail string) error {
	name := s.p.partitionName(s.partition)
	return &plan.Error{Operator: s.p.inner.Name(), Table: s.p.table, Partition: s.partition, PartitionName: name,
		Err: &Violation{Table: s.p.table, Partition: s.partition, PartitionName: name, Row: row, Promise: promise, Detail: detail}}
}

// Schema is the plan's output schema.
func (s *stream) Schema() *arrow.Schema { return s.p.schema }

// Next returns the provider's next batch once it passed every check,
// narrowed to the requested projection.
func (s *stream) Next() (plan.Batch, error) {
	if s.err != nil {
		return plan.Batch{}, s.err
	}
	if s.closed {
		return plan.Batch{}, io.EOF
	}
	b, err := s.in.Next()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			s.err = err
		}
		return plan.Batch{}, err
	}
	if err := s.check(b); err != nil {
		b.Release()
		s.err = err
		return plan.Batch{}, err
	}
	s.rows += int64(b.NumRows())
	return s.narrow(b), nil
}

func (s *stream) check(b plan.Batch) error {
	if b.Record == nil {
		return s.violation(s.rows, "batch", "nil record")
	}
	if !sameFields(b.Record.Schema(), s.p.inner.Schema()) {
		return s.violation(s.rows, "schema "+fieldList(s.p.inner.Schema()), "batch has "+fieldList(b.Record.Schema()))
	}
	rows := selected(b)
	for _, check := range []func(plan.Batch, []int32) error{s.checkLimit, s.checkFilters, s.checkOrder, s.checkKeys, s.checkRange, s.checkBounds} {
		if err := check(b, rows); err != nil {
			return err
		}
	}
	return nil
}

// selected lists the batch's rows, honouring its selection vector.
func selected(b plan.Batch) []int32 {
	if b.Sel != nil {
		return b.Sel
	}
	out := make([]int32, b.Record.NumRows())
	for i := range out {
		out[i] = int32(i)
	}
	return out
}

// checkLimit holds each partition to the pushed limit. The whole scan may
// return more (partitions run independently and the engine applies the
// global limit above the scan), but no partition ever needs to.
func (s *stream) checkLimit(b plan.Batch, rows []int32) error {
	if s.p.limit < 0 || s.rows+int64(len(rows)) <= int64(s.p.limit) {
		return nil
	}
	return s.violation(max(s.rows, int64(s.p.limit)), fmt.Sprintf("limit %d", s.p.limit),
		fmt.Sprintf("the partition produced %d rows", s.rows+int64(len(rows))))
}

func (s *stream) checkFilters(b plan.Batch, rows []int32) error {
	for i, pred := range s.preds {
		arr, err := pred.Eval(s.mem, b.Record, b.Sel)
		if err != nil {
			return fmt.Errorf("verify: table %s: evaluating exact filter %s: %w", s.p.table, s.p.exact[i], err)
		}
		bools, ok := arr.(*array.Boolean)
		bad := -1
		for j := 0; ok && j < arr.Len(); j++ {
			if bools.IsNull(j) || !bools.Value(j) {
				bad = j
				break
			}
		}
		arr.Release()
		if !ok {
			return fmt.Errorf("verify: table %s: exact filter %s is not boolean", s.p.table, s.p.exact[i])
		}
		if bad >= 0 {
			f := s.p.exact[i]
			names := expr.Columns(f)
			vals := make([]expr.Scalar, len(names))
			for k, n := range names {
				vals[k] = expr.ScalarAt(b.Record.Column(b.Record.Schema().FieldIndices(n)[0]), int(rows[bad]))
			}
			return s.violation(s.rows+int64(bad), "exact filter "+f.String(), "row has "+rowValues(names, vals))
		}
	}
	return nil
}

func (s *stream) checkOrder(b plan.Batch, rows []int32) error {
	if len(s.order) == 0 {
		return nil
	}
	keys := s.p.inner.Properties().Ordering
	cur := make([]expr.Scalar, len(s.order))
	for j, r := range rows {
		for k, c := range s.order {
			cur[k] = expr.ScalarAt(b.Record.Column(c), int(r))
		}
		if s.prev != nil && compareRows(keys, s.prev, cur) > 0 {
			return s.violation(s.rows+int64(j), orderingString(keys),
				tupleString(cur)+" after "+tupleString(s.prev))
		}
		s.prev, cur = cur, s.prev
		if cur == nil {
			cur = make([]expr.Scalar, len(s.order))
		}
	}
	return nil
}

// compareRows orders two rows' key values as the sort keys say.
func compareRows(keys []plan.SortKey, a, b []expr.Scalar) int {
	for i, k := range keys {
		var c int
		switch {
		case a[i].Null && b[i].Null:
		case a[i].Null || b[i].Null:
			// Exactly one is NULL: a sorts first when it is the NULL and
			// NULLs come first, or the value and NULLs come last.
			c = 1
			if a[i].Null == k.NullsFirst {
				c = -1
			}
		default:
			c = domain.CompareScalars(a[i], b[i])
			if k.Descending {
				c = -c
			}
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func (s *stream) checkKeys(b plan.Batch, rows []int32) error {
	if len(s.keys) == 0 {
		return nil
	}
	encoded := make([]string, len(rows))
	vals := make([]expr.Scalar, len(s.keys))
	var sb strings.Builder
	for j, r := range rows {
		sb.Reset()
		for _, c := range s.keys {
			// Length-prefixed, so no value can run into the next one.
			v := expr.ScalarAt(b.Record.Column(c), int(r)).String()
			sb.WriteString(strconv.Itoa(len(v)))
			sb.WriteByte(':')
			sb.WriteString(v)
		}
		encoded[j] = sb.String()
	}
	st := s.p.state
	st.mu.Lock()
	defer st.mu.Unlock()
	for j, k := range encoded {
		owner, seen := st.keys[k]
		if seen && owner != s.partition {
			for i, c := range s.keys {
				vals[i] = expr.ScalarAt(b.Record.Column(c), int(rows[j]))
			}
			return s.violation(s.rows+int64(j), "partitioning "+s.p.inner.Properties().Partitioning.String(),
				fmt.Sprintf("key %s also in partition %s", tupleString(vals), s.p.partitionLabel(owner)))
		}
		st.keys[k] = s.partition
	}
	return nil
}

// checkRange keeps, per partition, the range of values seen so far and
// checks that every partition's range lies strictly above those of the
// partitions before it and below those after it. NULLs are outside the
// promise.
func (s *stream) checkRange(b plan.Batch, rows []int32) error {
	if s.rangeCol < 0 {
		return nil
	}
	col := b.Record.Column(s.rangeCol)
	st := s.p.state
	st.mu.Lock()
	defer st.mu.Unlock()
	mine := st.ranges[s.partition]
	for j, r := range rows {
		v := expr.ScalarAt(col, int(r))
		if v.Null {
			continue
		}
		for q, sp := range st.ranges {
			if q == s.partition {
				continue
			}
			if (q < s.partition && domain.CompareScalars(v, sp.max) <= 0) || (q > s.partition && domain.CompareScalars(v, sp.min) >= 0) {
				return s.violation(s.rows+int64(j), "partitioning "+s.p.inner.Properties().Partitioning.String(),
					fmt.Sprintf("value %s overlaps partition %s, which holds [%s, %s]", v, s.p.partitionLabel(q), sp.min, sp.max))
			}
		}
		if mine == nil {
			mine = &span{min: v, max: v}
			st.ranges[s.partition] = mine
		}
		if domain.CompareScalars(v, mine.min) < 0 {
			mine.min = v
		}
		if domain.CompareScalars(v, mine.max) > 0 {
			mine.max = v
		}
	}
	return nil
}

// checkBounds holds every row to what its partition declared about it
// (its key, its range): pruning relies on those declarations, so a row
// outside them is silently lost by queries that prune its partition.
func (s *stream) checkBounds(b plan.Batch, rows []int32) error {
	for i := range s.bounds {
		bd := &s.bounds[i]
		col := b.Record.Column(bd.col)
		for j, r := range rows {
			if v := expr.ScalarAt(col, int(r)); !bd.holds(v) {
				return s.violation(s.rows+int64(j), bd.String(), fmt.Sprintf("row has %s = %s", bd.Column, v))
			}
		}
	}
	return nil
}

// narrow drops the columns Scan added for checking filters.
func (s *stream) narrow(b plan.Batch) plan.Batch {
	n := s.p.schema.NumFields()
	if int(b.Record.NumCols()) == n {
		return b
	}
	cols := b.Record.Columns()[:n]
	rec := array.NewRecordBatch(s.p.schema, cols, b.Record.NumRows())
	b.Record.Release()
	return plan.Batch{Record: rec, Sel: b.Sel}
}

// Close closes the provider's stream.
func (s *stream) Close() {
	if !s.closed {
		s.closed = true
		s.in.Close()
	}
}
