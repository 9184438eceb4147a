package physical

import (
	"bytes"
	"context"
	"fmt"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
)

// windowPart is one window partition: the rows (indices into the buffered
// input, in window order) and, for each position, where its peer group
// (rows equal in ORDER BY) starts and ends.
type windowPart struct {
	rows               []int32
	peerStart, peerEnd []int32
}

// evalWindow computes w's functions over rec, one input partition, and
// returns one array of rec's length per function.
func evalWindow(ctx context.Context, mem memory.Allocator, w *WindowExec, rec arrow.RecordBatch) (out []arrow.Array, err error) {
	defer func() {
		if err != nil {
			for _, a := range out {
				if a != nil {
					a.Release()
				}
			}
			out = nil
		}
	}()
	parts, err := windowPartitions(mem, w, rec)
	if err != nil {
		return nil, err
	}
	for _, f := range w.funcs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		var args []arrow.Array
		for _, a := range f.Args {
			arr, err := evalOver(mem, a, rec)
			if err != nil {
				releaseArrays(args)
				return out, err
			}
			args = append(args, arr)
		}
		col, err := evalWindowFunc(mem, f, args, parts, int(rec.NumRows()))
		releaseArrays(args)
		if err != nil {
			return out, fmt.Errorf("%s: %w", f.Name, err)
		}
		out = append(out, col)
	}
	return out, nil
}

// evalOver evaluates e over every row of rec.
func evalOver(mem memory.Allocator, e expr.Expr, rec arrow.RecordBatch) (arrow.Array, error) {
	c, err := expr.Compile(e, rec.Schema())
	if err != nil {
		return nil, err
	}
	return c.Eval(mem, rec, nil)
}

// windowPartitions groups rec's rows by the partition keys (first-seen
// order; runs of equal keys skip the lookup) and finds each row's peers.
func windowPartitions(mem memory.Allocator, w *WindowExec, rec arrow.RecordBatch) ([]windowPart, error) {
	n := int(rec.NumRows())
	var parts []windowPart
	if len(w.partitionBy) == 0 {
		rows := make([]int32, n)
		for i := range rows {
			rows[i] = int32(i)
		}
		parts = []windowPart{{rows: rows}}
	} else {
		keys, err := encodeOver(mem, w.partitionBy, nil, rec)
		if err != nil {
			return nil, err
		}
		index := map[string]int{}
		cur := -1
		for i := range n {
			if cur < 0 || !bytes.Equal(keys.row(i), keys.row(i-1)) {
				k := string(keys.row(i))
				p, ok := index[k]
				if !ok {
					p = len(parts)
					index[k] = p
					parts = append(parts, windowPart{})
				}
				cur = p
			}
			parts[cur].rows = append(parts[cur].rows, int32(i))
		}
	}
	var order *encodedRows
	if len(w.orderBy) > 0 {
		es := make([]expr.Expr, len(w.orderBy))
		for i, k := range w.orderBy {
			es[i] = k.Expr
		}
		var err error
		if order, err = encodeOver(mem, es, w.orderBy, rec); err != nil {
			return nil, err
		}
	}
	for p := range parts {
		part := &parts[p]
		m := len(part.rows)
		part.peerStart, part.peerEnd = make([]int32, m), make([]int32, m)
		start := 0
		for k := 1; k <= m; k++ {
			if k < m && (order == nil || bytes.Equal(order.row(int(part.rows[k])), order.row(int(part.rows[k-1])))) {
				continue
			}
			for j := start; j < k; j++ {
				part.peerStart[j], part.peerEnd[j] = int32(start), int32(k)
			}
			start = k
		}
	}
	return parts, nil
}

// encodeOver row-encodes the values of es over rec (with the directions
// of keys, when given) so that equal keys have equal bytes.
func encodeOver(mem memory.Allocator, es []expr.Expr, keys []SortExpr, rec arrow.RecordBatch) (*encodedRows, error) {
	cols := make([]keyColumn, len(es))
	var arrs []arrow.Array
	defer func() { releaseArrays(arrs) }()
	for i, e := range es {
		a, err := evalOver(mem, e, rec)
		if err != nil {
			return nil, err
		}
		arrs = append(arrs, a)
		cols[i] = keyColumn{arr: a}
		if keys != nil {
			cols[i].desc, cols[i].nullsFirst = keys[i].Descending, keys[i].NullsFirst
		}
	}
	r := &encodedRows{}
	if err := encodeRows(r, cols, int(rec.NumRows())); err != nil {
		return nil, err
	}
	return r, nil
}

// frameOf returns the frame [lo, hi) of position k of part, in positions.
func frameOf(f expr.WindowFrame, part *windowPart, k int) (lo, hi int) {
	m := len(part.rows)
	switch f.Start.Kind {
	case expr.UnboundedPreceding:
		lo = 0
	case expr.Preceding:
		lo = k - int(min(f.Start.Offset, int64(k)))
	case expr.CurrentRow:
		lo = k
		if !f.Rows {
			lo = int(part.peerStart[k])
		}
	case expr.Following:
		lo = k + int(min(f.Start.Offset, int64(m-k)))
	default:
		lo = m
	}
	switch f.End.Kind {
	case expr.UnboundedPreceding:
		hi = 0
	case expr.Preceding:
		hi = k + 1 - int(min(f.End.Offset, int64(k+1)))
	case expr.CurrentRow:
		hi = k + 1
		if !f.Rows {
			hi = int(part.peerEnd[k])
		}
	case expr.Following:
		hi = k + 1 + int(min(f.End.Offset, int64(m-k-1)))
	default:
		hi = m
	}
	return lo, max(lo, hi)
}

// evalWindowFunc computes one function over every partition.
func evalWindowFunc(mem memory.Allocator, f WindowExpr, args []arrow.Array, parts []windowPart, n int) (arrow.Array, error) {
	switch f.Func {
	case expr.WinRowNumber, expr.WinRank, expr.WinDenseRank, expr.WinNtile:
		vals := make([]int64, n)
		var buckets int64
		if f.Func == expr.WinNtile {
			buckets, _ = constCount(f.Args[0], "ntile", 1)
		}
		for p := range parts {
			rankInto(vals, f.Func, &parts[p], buckets)
		}
		return int64Array(mem, vals, nil), nil
	case expr.WinPercentRank, expr.WinCumeDist:
		vals := make([]float64, n)
		for p := range parts {
			part := &parts[p]
			m := len(part.rows)
			for k, r := range part.rows {
				if f.Func == expr.WinCumeDist {
					vals[r] = float64(part.peerEnd[k]) / float64(m)
				} else if m > 1 {
					vals[r] = float64(part.peerStart[k]) / float64(m-1)
				}
			}
		}
		return float64Array(mem, vals, nil), nil
	case expr.WinLag, expr.WinLead, expr.WinFirstValue, expr.WinLastValue, expr.WinNthValue:
		return offsetFunc(mem, f, args, parts, n)
	}
	return frameAggregate(mem, f, args, parts, n)
}

// rankInto writes the ranking function fn of every row of part.
func rankInto(vals []int64, fn expr.WindowFunc, part *windowPart, buckets int64) {
	m := int64(len(part.rows))
	dense := int64(0)
	for k, r := range part.rows {
		switch fn {
		case expr.WinRowNumber:
			vals[r] = int64(k) + 1
		case expr.WinRank:
			vals[r] = int64(part.peerStart[k]) + 1
		case expr.WinDenseRank:
			if int(part.peerStart[k]) == k {
				dense++
			}
			vals[r] = dense
		case expr.WinNtile:
			// The first m % buckets buckets hold one row more.
			size, extra := m/buckets, m%buckets
			if big := extra * (size + 1); int64(k) < big {
				vals[r] = int64(k)/(size+1) + 1
			} else {
				vals[r] = extra + (int64(k)-big)/max(size, 1) + 1
			}
		}
	}
}

// offsetFunc computes the functions whose value is another row's value:
// each output row names the row to take (or none, for NULL) and the
// values are gathered at the end.
func offsetFunc(mem memory.Allocator, f WindowExpr, args []arrow.Array, parts []windowPart, n int) (arrow.Array, error) {
	values := args[0]
	pick := make([]int32, n)
	valid := make([]bool, n)
	offset := int64(1)
	if (f.Func == expr.WinLag || f.Func == expr.WinLead) && len(f.Args) > 1 {
		offset, _ = constCount(f.Args[1], "offset", 0)
	}
	if f.Func == expr.WinNthValue {
		offset, _ = constCount(f.Args[1], "nth_value", 1)
	}
	// lag and lead with a default take it from one extra slot after the
	// values.
	defaultSlot := int32(-1)
	if len(args) > 2 {
		def := expr.MakeArray(mem, f.Args[2].(*expr.Literal).Value, 1)
		withDefault, err := array.Concatenate([]arrow.Array{values, def}, mem)
		def.Release()
		if err != nil {
			return nil, err
		}
		defer withDefault.Release()
		values, defaultSlot = withDefault, int32(args[0].Len())
	}
	for p := range parts {
		part := &parts[p]
		m := int64(len(part.rows))
		for k, r := range part.rows {
			at := int64(-1)
			switch f.Func {
			case expr.WinLag:
				at = int64(k) - offset
			case expr.WinLead:
				at = int64(k) + offset
			default:
				lo, hi := frameOf(f.Frame, part, k)
				switch f.Func {
				case expr.WinFirstValue:
					at = int64(lo)
				case expr.WinLastValue:
					at = int64(hi) - 1
				case expr.WinNthValue:
					at = int64(lo) + offset - 1
				}
				if at >= int64(hi) {
					at = -1
				}
			}
			switch {
			case at >= 0 && at < m:
				pick[r], valid[r] = part.rows[at], true
			case defaultSlot >= 0:
				pick[r], valid[r] = defaultSlot, true
			}
		}
	}
	return gatherPicks(mem, values, pick, valid)
}

// gatherPicks takes values[pick[i]] for every valid i, NULL elsewhere.
func gatherPicks(mem memory.Allocator, values arrow.Array, pick []int32, valid []bool) (arrow.Array, error) {
	b := array.NewInt32Builder(mem)
	defer b.Release()
	b.AppendValues(pick, valid)
	idx := b.NewArray()
	defer idx.Release()
	return compute.TakeArray(compute.WithAllocator(context.Background(), mem), values, idx)
}

func int64Array(mem memory.Allocator, vals []int64, valid []bool) arrow.Array {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

func float64Array(mem memory.Allocator, vals []float64, valid []bool) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

// frameAcc accumulates the rows of a frame for one aggregate function and
// writes its value for an output row.
type frameAcc interface {
	reset()
	add(row int32)
	emit(out int32) error
}

// frameAggregate computes count, sum, avg, min or max over every row's
// frame. A frame that starts at the partition's start (the default) grows
// with the row and is accumulated once forward; one that ends at the
// partition's end shrinks and is accumulated once backward; any other
// (bounded both ways, so of bounded width) is accumulated per row.
func frameAggregate(mem memory.Allocator, f WindowExpr, args []arrow.Array, parts []windowPart, n int) (arrow.Array, error) {
	acc, finish, release, err := newFrameAcc(mem, f, args, n)
	if err != nil {
		return nil, err
	}
	defer release()
	for p := range parts {
		part := &parts[p]
		m := len(part.rows)
		switch {
		case f.Frame.Start.Kind == expr.UnboundedPreceding:
			acc.reset()
			added := 0
			for k, r := range part.rows {
				_, hi := frameOf(f.Frame, part, k)
				for ; added < hi; added++ {
					acc.add(part.rows[added])
				}
				if err := acc.emit(r); err != nil {
					return nil, err
				}
			}
		case f.Frame.End.Kind == expr.UnboundedFollowing:
			acc.reset()
			from := m
			for k := m - 1; k >= 0; k-- {
				lo, _ := frameOf(f.Frame, part, k)
				for ; from > lo; from-- {
					acc.add(part.rows[from-1])
				}
				if err := acc.emit(part.rows[k]); err != nil {
					return nil, err
				}
			}
		default:
			for k, r := range part.rows {
				acc.reset()
				lo, hi := frameOf(f.Frame, part, k)
				for _, row := range part.rows[lo:hi] {
					acc.add(row)
				}
				if err := acc.emit(r); err != nil {
					return nil, err
				}
			}
		}
	}
	return finish()
}

// newFrameAcc returns the accumulator of f, the function building its
// output array once every row has been emitted, and the release of what
// the accumulator holds.
func newFrameAcc(mem memory.Allocator, f WindowExpr, args []arrow.Array, n int) (frameAcc, func() (arrow.Array, error), func(), error) {
	nothing := func() {}
	if f.Func == expr.WinCount {
		a := &winCountAcc{out: make([]int64, n)}
		if len(args) > 0 {
			a.arg = args[0]
		}
		return a, func() (arrow.Array, error) { return int64Array(mem, a.out, nil), nil }, nothing, nil
	}
	arg := args[0]
	if f.Func == expr.WinMin || f.Func == expr.WinMax {
		keys := &encodedRows{}
		if err := encodeRows(keys, []keyColumn{{arr: arg}}, arg.Len()); err != nil {
			return nil, nil, nil, err
		}
		a := &winExtremeAcc{arg: arg, keys: keys, max: f.Func == expr.WinMax, pick: make([]int32, n), valid: make([]bool, n)}
		return a, func() (arrow.Array, error) { return gatherPicks(mem, arg, a.pick, a.valid) }, nothing, nil
	}
	target := f.Type
	if f.Func == expr.WinAvg {
		target = arrow.PrimitiveTypes.Float64
	}
	cast, err := castTo(mem, arg, target)
	if err != nil {
		return nil, nil, nil, err
	}
	release := cast.Release
	valid := make([]bool, n)
	switch c := cast.(type) {
	case *array.Float64:
		a := &winFloatAcc{vals: c.Float64Values(), arg: cast, avg: f.Func == expr.WinAvg, out: make([]float64, n), valid: valid}
		return a, func() (arrow.Array, error) { return float64Array(mem, a.out, a.valid), nil }, release, nil
	case *array.Int64:
		a := &winIntSumAcc{vals: c.Int64Values(), arg: cast, out: make([]int64, n), valid: valid}
		return a, func() (arrow.Array, error) { return int64Array(mem, a.out, a.valid), nil }, release, nil
	case *array.Uint64:
		a := &winUintSumAcc{vals: c.Uint64Values(), arg: cast, out: make([]uint64, n), valid: valid}
		return a, func() (arrow.Array, error) {
			b := array.NewUint64Builder(mem)
			defer b.Release()
			b.AppendValues(a.out, a.valid)
			return b.NewArray(), nil
		}, release, nil
	case *array.Decimal128:
		dt := f.Type.(*arrow.Decimal128Type)
		a := &winDecSumAcc{vals: c.Values(), arg: cast, prec: dt.Precision, out: make([]decimal128.Num, n), valid: valid}
		return a, func() (arrow.Array, error) {
			b := array.NewDecimal128Builder(mem, dt)
			defer b.Release()
			b.AppendValues(a.out, a.valid)
			return b.NewArray(), nil
		}, release, nil
	}
	release()
	return nil, nil, nil, fmt.Errorf("%s of %s is not supported", f.Func, arg.DataType())
}

// castTo returns arg as type t (a new reference to arg when it is one).
func castTo(mem memory.Allocator, arg arrow.Array, t arrow.DataType) (arrow.Array, error) {
	if arrow.TypeEqual(arg.DataType(), t) {
		arg.Retain()
		return arg, nil
	}
	out, err := compute.CastArray(compute.WithAllocator(context.Background(), mem), arg, compute.SafeCastOptions(t))
	if err != nil {
		return nil, err
	}
	return out, nil
}

type winCountAcc struct {
	arg arrow.Array // nil for count(*)
	n   int64
	out []int64
}

func (a *winCountAcc) reset() { a.n = 0 }
func (a *winCountAcc) add(r int32) {
	if a.arg == nil || a.arg.IsValid(int(r)) {
		a.n++
	}
}
func (a *winCountAcc) emit(out int32) error { a.out[out] = a.n; return nil }

type winFloatAcc struct {
	vals  []float64
	arg   arrow.Array
	avg   bool
	sum   float64
	n     int64
	out   []float64
	valid []bool
}

func (a *winFloatAcc) reset() { a.sum, a.n = 0, 0 }
func (a *winFloatAcc) add(r int32) {
	if a.arg.IsValid(int(r)) {
		a.sum += a.vals[r]
		a.n++
	}
}
func (a *winFloatAcc) emit(out int32) error {
	if a.n > 0 {
		a.out[out], a.valid[out] = a.sum, true
		if a.avg {
			a.out[out] = a.sum / float64(a.n)
		}
	}
	return nil
}

// winIntSumAcc sums in 128 bits, so only a frame whose sum does not fit a
// bigint fails, whatever the order of the additions.
type winIntSumAcc struct {
	vals  []int64
	arg   arrow.Array
	hi    int64
	lo    uint64
	n     int64
	out   []int64
	valid []bool
}

func (a *winIntSumAcc) reset() { a.hi, a.lo, a.n = 0, 0, 0 }
func (a *winIntSumAcc) add(r int32) {
	if !a.arg.IsValid(int(r)) {
		return
	}
	v := a.vals[r]
	var carry uint64
	a.lo, carry = bits.Add64(a.lo, uint64(v), 0)
	a.hi += int64(carry) + (v >> 63) // sign-extend v into the high word
	a.n++
}
func (a *winIntSumAcc) emit(out int32) error {
	if a.n == 0 {
		return nil
	}
	if a.hi != int64(a.lo)>>63 {
		return errIntRange
	}
	a.out[out], a.valid[out] = int64(a.lo), true
	return nil
}

type winUintSumAcc struct {
	vals     []uint64
	arg      arrow.Array
	sum      uint64
	overflow bool
	n        int64
	out      []uint64
	valid    []bool
}

func (a *winUintSumAcc) reset() { a.sum, a.overflow, a.n = 0, false, 0 }
func (a *winUintSumAcc) add(r int32) {
	if !a.arg.IsValid(int(r)) {
		return
	}
	var carry uint64
	a.sum, carry = bits.Add64(a.sum, a.vals[r], 0)
	a.overflow = a.overflow || carry != 0
	a.n++
}
func (a *winUintSumAcc) emit(out int32) error {
	if a.n == 0 {
		return nil
	}
	if a.overflow {
		return errIntRange
	}
	a.out[out], a.valid[out] = a.sum, true
	return nil
}

type winDecSumAcc struct {
	vals     []decimal128.Num
	arg      arrow.Array
	prec     int32
	sum      decimal128.Num
	overflow bool
	n        int64
	out      []decimal128.Num
	valid    []bool
}

func (a *winDecSumAcc) reset() { a.sum, a.overflow, a.n = decimal128.Num{}, false, 0 }
func (a *winDecSumAcc) add(r int32) {
	if !a.arg.IsValid(int(r)) {
		return
	}
	v := a.vals[r]
	s := a.sum.Add(v)
	// Two's complement overflow: operands of one sign, a sum of the other.
	if a.sum.Sign() == v.Sign() && v.Sign() != 0 && s.Sign() != v.Sign() {
		a.overflow = true
	}
	a.sum = s
	a.n++
}
func (a *winDecSumAcc) emit(out int32) error {
	if a.n == 0 {
		return nil
	}
	if a.overflow || !a.sum.FitsInPrecision(a.prec) {
		return errSumOverflow
	}
	a.out[out], a.valid[out] = a.sum, true
	return nil
}

// winExtremeAcc keeps the row of the frame's smallest (or largest) non-NULL
// value, comparing the values' order-preserving encodings.
type winExtremeAcc struct {
	arg   arrow.Array
	keys  *encodedRows
	max   bool
	best  int32
	pick  []int32
	valid []bool
}

func (a *winExtremeAcc) reset() { a.best = -1 }
func (a *winExtremeAcc) add(r int32) {
	if !a.arg.IsValid(int(r)) {
		return
	}
	if a.best < 0 {
		a.best = r
		return
	}
	c := bytes.Compare(a.keys.row(int(r)), a.keys.row(int(a.best)))
	if (a.max && c > 0) || (!a.max && c < 0) {
		a.best = r
	}
}
func (a *winExtremeAcc) emit(out int32) error {
	if a.best >= 0 {
		a.pick[out], a.valid[out] = a.best, true
	}
	return nil
}
