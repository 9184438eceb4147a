package sql

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
)

// Date, timestamp and interval arithmetic. The engine's kernels add and
// subtract durations of one type, so interval ± interval works on any
// operands, and timestamp ± interval has a kernel (expr's timestamp_plus)
// for column and now() operands; on constants it is computed here, so
// `ts >= TIMESTAMP '2026-01-01' - INTERVAL '7 days'` reaches pushdown as
// a literal. timestamp - timestamp and date ± integer have no kernel:
// they are computed here when both operands are constants and rejected
// by name otherwise.

func isTimeLike(x bound) bool {
	return x.soft == concrete && (isTemporal(x.typ()) || isDuration(x.typ()))
}

var intervalUs = arrow.FixedWidthTypes.Duration_us.(*arrow.DurationType)

func (b *binder) bindTemporalArith(op expr.Op, sym string, pos int, l, r bound) (bound, error) {
	noOp := func() (bound, error) {
		return bound{}, b.errorf(pos, "operator does not exist: %s %s %s", l.describe(), sym, r.describe())
	}
	if op != expr.OpAdd && op != expr.OpSub {
		return noOp()
	}
	// Give a soft operand (quoted literal, NULL, $n) the type PostgreSQL
	// resolves it to: an interval, except that timestamp - 'text' is a
	// difference of timestamps.
	for _, p := range [][2]*bound{{&l, &r}, {&r, &l}} {
		x, other := p[0], p[1]
		if x.soft == concrete || other.soft != concrete {
			continue
		}
		var to arrow.DataType = intervalUs
		if isTemporal(other.typ()) && op == expr.OpSub {
			to = other.typ()
		} else if isDuration(other.typ()) {
			to = other.typ()
		}
		var err error
		if x.soft == unknownString && isDuration(to) {
			*x, err = b.intervalLiteral(*x, defaultIntervalSpec)
		} else {
			var e expr.Expr
			if e, err = b.coerce(*x, to); err == nil {
				_, isLit := e.(*expr.Literal)
				*x = bound{e: e, pos: x.pos, lit: isLit}
			}
		}
		if err != nil {
			return bound{}, err
		}
	}
	lt, rt := l.typ(), r.typ()
	switch {
	case isDuration(lt) && isDuration(rt):
		es, t, err := b.unify(sym, pos, l, r)
		if err != nil {
			return bound{}, err
		}
		return bound{e: &expr.Binary{Op: op, L: es[0], R: es[1], Type: t}, pos: pos}, nil
	case isTemporal(lt) && isDuration(rt), isDuration(lt) && isTemporal(rt) && op == expr.OpAdd:
		ts, du := l, r
		if isDuration(lt) {
			ts, du = r, l
		}
		return b.foldTimestampArith(op, sym, pos, ts, du, l, r)
	case isTemporal(lt) && isTemporal(rt) && op == expr.OpSub:
		return b.foldTimestampDiff(sym, pos, l, r)
	case lt.ID() == arrow.DATE32 && isInteger(rt), isInteger(lt) && rt.ID() == arrow.DATE32 && op == expr.OpAdd:
		return b.foldDatePlusDays(op, sym, pos, l, r)
	}
	return noOp()
}

// constOperands folds both operands and returns their values, or false
// when either reads a column or parameter.
func (b *binder) constOperands(xs ...bound) ([]expr.Scalar, bool, error) {
	out := make([]expr.Scalar, len(xs))
	for i, x := range xs {
		f, err := b.foldBound(x)
		if err != nil {
			return nil, false, err
		}
		lit, ok := f.e.(*expr.Literal)
		if !ok {
			return nil, false, nil
		}
		out[i] = lit.Value
	}
	return out, true, nil
}

func (b *binder) nonConstant(pos int, l, r bound, sym string) error {
	return b.errorf(pos, "%s %s %s is only supported on constants (the engine has no kernel for it on column values yet)", l.describe(), sym, r.describe())
}

// foldTimestampArith computes date/timestamp ± interval: a timestamp of
// the finer of the two units (a date becomes a timestamp, as in
// PostgreSQL), a day being 24 hours.
func (b *binder) foldTimestampArith(op expr.Op, sym string, pos int, ts, du, l, r bound) (bound, error) {
	dt := du.typ().(*arrow.DurationType)
	var rt *arrow.TimestampType
	switch t := ts.typ().(type) {
	case *arrow.TimestampType:
		rt = &arrow.TimestampType{Unit: max(t.Unit, dt.Unit), TimeZone: t.TimeZone}
	default:
		rt = &arrow.TimestampType{Unit: max(arrow.Second, dt.Unit)}
	}
	vals, ok, err := b.constOperands(ts, du)
	if err != nil {
		return bound{}, err
	}
	if !ok {
		// A column or now(): the engine's kernel adds per row.
		te, err := b.coerce(ts, rt)
		if err != nil {
			return bound{}, err
		}
		de, err := b.coerce(du, &arrow.DurationType{Unit: rt.Unit})
		if err != nil {
			return bound{}, err
		}
		name := "timestamp_plus"
		if op == expr.OpSub {
			name = "timestamp_minus"
		}
		return bound{e: &expr.Func{Name: name, Args: []expr.Expr{te, de}, Type: rt}, pos: pos}, nil
	}
	if vals[0].Null || vals[1].Null {
		return bound{e: &expr.Literal{Value: expr.Null(rt)}, pos: pos, lit: true}, nil
	}
	t, err := castScalar(vals[0], rt)
	if err != nil {
		return bound{}, b.errorf(pos, "%v", err)
	}
	d, err := castScalar(vals[1], &arrow.DurationType{Unit: rt.Unit})
	if err != nil {
		return bound{}, b.errorf(pos, "%v", err)
	}
	dv := d.Int64Value()
	if op == expr.OpSub {
		if dv == math.MinInt64 {
			return bound{}, b.errorf(pos, "timestamp out of range")
		}
		dv = -dv
	}
	sum, ok := addInt64(t.Int64Value(), dv)
	if !ok {
		return bound{}, b.errorf(pos, "timestamp out of range")
	}
	return bound{e: &expr.Literal{Value: expr.Timestamp(rt, sum)}, pos: pos, lit: true}, nil
}

// foldTimestampDiff computes date - date (days, a bigint, as in
// PostgreSQL) and timestamp - timestamp (an interval in the finer unit).
func (b *binder) foldTimestampDiff(sym string, pos int, l, r bound) (bound, error) {
	var rt arrow.DataType
	ct := commonTemporal(l.typ(), r.typ())
	tt, isTS := ct.(*arrow.TimestampType)
	if isTS {
		rt = &arrow.DurationType{Unit: tt.Unit}
	} else {
		rt = arrow.PrimitiveTypes.Int64
	}
	vals, ok, err := b.constOperands(l, r)
	if err != nil {
		return bound{}, err
	}
	if !ok {
		return bound{}, b.nonConstant(pos, l, r, sym)
	}
	if vals[0].Null || vals[1].Null {
		return bound{e: &expr.Literal{Value: expr.Null(rt)}, pos: pos, lit: true}, nil
	}
	var a, c expr.Scalar
	if a, err = castScalar(vals[0], ct); err == nil {
		c, err = castScalar(vals[1], ct)
	}
	if err != nil {
		return bound{}, b.errorf(pos, "%v", err)
	}
	if c.Int64Value() == math.MinInt64 {
		return bound{}, b.errorf(pos, "interval out of range")
	}
	diff, ok := addInt64(a.Int64Value(), -c.Int64Value())
	if !ok {
		return bound{}, b.errorf(pos, "interval out of range")
	}
	v := expr.Scalar{Type: rt, Value: diff}
	return bound{e: &expr.Literal{Value: v}, pos: pos, lit: true}, nil
}

func addInt64(a, b int64) (int64, bool) {
	s := a + b
	return s, (s > a) == (b > 0)
}

// foldDatePlusDays computes date ± integer, a date (PostgreSQL's
// date + integer: days).
func (b *binder) foldDatePlusDays(op expr.Op, sym string, pos int, l, r bound) (bound, error) {
	d, n := l, r
	if d.typ().ID() != arrow.DATE32 {
		d, n = r, l
	}
	vals, ok, err := b.constOperands(d, n)
	if err != nil {
		return bound{}, err
	}
	if !ok {
		return bound{}, b.nonConstant(pos, l, r, sym)
	}
	if vals[0].Null || vals[1].Null {
		return bound{e: &expr.Literal{Value: expr.Null(arrow.FixedWidthTypes.Date32)}, pos: pos, lit: true}, nil
	}
	days, err := castScalar(vals[1], arrow.PrimitiveTypes.Int32)
	if err != nil {
		return bound{}, b.errorf(pos, "date out of range")
	}
	k := days.Int64Value()
	if op == expr.OpSub {
		k = -k
	}
	v := vals[0].Int64Value() + k
	if v < math.MinInt32 || v > math.MaxInt32 {
		return bound{}, b.errorf(pos, "date out of range")
	}
	return bound{e: &expr.Literal{Value: expr.Date32(v)}, pos: pos, lit: true}, nil
}
