package sql

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
)

// Type families the coercion rules reason about.
func isSigned(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return true
	}
	return false
}

func isUnsigned(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

func isInteger(t arrow.DataType) bool { return isSigned(t) || isUnsigned(t) }

func isFloat(t arrow.DataType) bool {
	return t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64
}

func isDecimal(t arrow.DataType) bool { return t.ID() == arrow.DECIMAL128 }

func isNumeric(t arrow.DataType) bool { return isInteger(t) || isFloat(t) || isDecimal(t) }

func isString(t arrow.DataType) bool {
	return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING
}

func isBinary(t arrow.DataType) bool {
	return t.ID() == arrow.BINARY || t.ID() == arrow.LARGE_BINARY
}

func isBool(t arrow.DataType) bool { return t.ID() == arrow.BOOL }

func isTemporal(t arrow.DataType) bool {
	return t.ID() == arrow.DATE32 || t.ID() == arrow.TIMESTAMP
}

func isDuration(t arrow.DataType) bool { return t != nil && t.ID() == arrow.DURATION }

// typeName spells a type as the front end's messages do: PostgreSQL's
// lower-case names where one exists (varchar, bigint, date, ...).
func typeName(t arrow.DataType) string {
	if t == nil || t.ID() == arrow.NULL {
		return "unknown"
	}
	if t.ID() == arrow.DURATION {
		return "interval"
	}
	if ts, ok := t.(*arrow.TimestampType); ok {
		if ts.TimeZone != "" {
			return "timestamptz"
		}
		return "timestamp"
	}
	return strings.ToLower(expr.SQLTypeName(t))
}

// intWidth is the bit width of an integer type.
func intWidth(t arrow.DataType) int {
	if fw, ok := t.(arrow.FixedWidthDataType); ok {
		return fw.BitWidth()
	}
	return 64
}

// intDigits is how many decimal digits the integer type needs, to size the
// decimal an integer is widened into.
func intDigits(t arrow.DataType) int32 {
	switch t.ID() {
	case arrow.INT8, arrow.UINT8:
		return 3
	case arrow.INT16, arrow.UINT16:
		return 5
	case arrow.INT32, arrow.UINT32:
		return 10
	case arrow.INT64:
		return 19
	}
	return 20
}

var signedByWidth = map[int]arrow.DataType{
	8: arrow.PrimitiveTypes.Int8, 16: arrow.PrimitiveTypes.Int16,
	32: arrow.PrimitiveTypes.Int32, 64: arrow.PrimitiveTypes.Int64,
}

var unsignedByWidth = map[int]arrow.DataType{
	8: arrow.PrimitiveTypes.Uint8, 16: arrow.PrimitiveTypes.Uint16,
	32: arrow.PrimitiveTypes.Uint32, 64: arrow.PrimitiveTypes.Uint64,
}

// commonType is the type both operands of a comparison or arithmetic
// operator are converted to, or false when the types do not mix (the
// kernels require equal operand types, so the binder inserts the casts).
func commonType(a, b arrow.DataType) (arrow.DataType, bool) {
	if arrow.TypeEqual(a, b) {
		return a, true
	}
	switch {
	case isSigned(a) && isSigned(b):
		return signedByWidth[max(intWidth(a), intWidth(b))], true
	case isUnsigned(a) && isUnsigned(b):
		return unsignedByWidth[max(intWidth(a), intWidth(b))], true
	case isSigned(a) && isUnsigned(b):
		return mixedSign(a, b), true
	case isUnsigned(a) && isSigned(b):
		return mixedSign(b, a), true
	case isInteger(a) && isFloat(b), isFloat(a) && isInteger(b), isFloat(a) && isFloat(b):
		return arrow.PrimitiveTypes.Float64, true
	case isDecimal(a) && isDecimal(b):
		da, db := a.(*arrow.Decimal128Type), b.(*arrow.Decimal128Type)
		return widerDecimal(da.Precision-da.Scale, db.Precision-db.Scale, max(da.Scale, db.Scale)), true
	case isDecimal(a) && isInteger(b):
		da := a.(*arrow.Decimal128Type)
		return widerDecimal(da.Precision-da.Scale, intDigits(b), da.Scale), true
	case isInteger(a) && isDecimal(b):
		return commonType(b, a)
	case isDecimal(a) && isFloat(b), isFloat(a) && isDecimal(b):
		return arrow.PrimitiveTypes.Float64, true
	case isString(a) && isString(b):
		return arrow.BinaryTypes.String, true
	case isBinary(a) && isBinary(b):
		return arrow.BinaryTypes.Binary, true
	case isTemporal(a) && isTemporal(b):
		return commonTemporal(a, b), true
	case isDuration(a) && isDuration(b):
		return &arrow.DurationType{Unit: max(a.(*arrow.DurationType).Unit, b.(*arrow.DurationType).Unit)}, true
	}
	return nil, false
}

// mixedSign widens a signed and an unsigned integer: the next wider signed
// type holds both; uint64 has none, so it meets signed values exactly in
// decimal(20, 0) (PostgreSQL's numeric), never in a float that would lose
// digits (u = -1 is false for every u, not a comparison of doubles).
func mixedSign(s, u arrow.DataType) arrow.DataType {
	need := max(intWidth(s), 2*intWidth(u))
	if t, ok := signedByWidth[need]; ok {
		return t
	}
	return &arrow.Decimal128Type{Precision: 20, Scale: 0}
}

// arithmeticType is the type an integer column computes in. PostgreSQL's
// integers are smallint, integer and bigint, and int2 + int2 is int2
// (overflow is an error, "smallint out of range"); the engine's other
// integer types compute in the smallest of those that holds all their
// values: int8 and uint8 as smallint, uint16 as integer, uint32 as bigint.
// uint64 has no such type and computes as itself, an overflow being an
// error too.
func arithmeticType(t arrow.DataType) arrow.DataType {
	switch t.ID() {
	case arrow.INT8, arrow.UINT8:
		return arrow.PrimitiveTypes.Int16
	case arrow.UINT16:
		return arrow.PrimitiveTypes.Int32
	case arrow.UINT32:
		return arrow.PrimitiveTypes.Int64
	}
	return t
}

// promoteIntegers moves integer arithmetic of common type t to its
// arithmeticType, casting the operands l and r (whose unified forms are
// es) to it once.
func (b *binder) promoteIntegers(es []expr.Expr, l, r bound, t arrow.DataType) ([]expr.Expr, arrow.DataType, error) {
	to := arithmeticType(t)
	if arrow.TypeEqual(to, t) {
		return es, t, nil
	}
	out := make([]expr.Expr, 2)
	for i, x := range []bound{l, r} {
		e, err := b.coerce(x, to)
		if err != nil {
			return nil, nil, err
		}
		out[i] = e
	}
	return out, to, nil
}

func widerDecimal(intDigits1, intDigits2, scale int32) arrow.DataType {
	p := min(max(intDigits1, intDigits2)+scale, 38)
	return &arrow.Decimal128Type{Precision: p, Scale: scale}
}

// commonTemporal: a date meets a timestamp as that timestamp type, and two
// timestamps meet in the finer unit (keeping a time zone if either has one).
func commonTemporal(a, b arrow.DataType) arrow.DataType {
	ta, aok := a.(*arrow.TimestampType)
	tb, bok := b.(*arrow.TimestampType)
	switch {
	case !aok && !bok:
		return a
	case !aok:
		return tb
	case !bok:
		return ta
	}
	unit := max(ta.Unit, tb.Unit)
	tz := ta.TimeZone
	if tz == "" {
		tz = tb.TimeZone
	}
	return &arrow.TimestampType{Unit: unit, TimeZone: tz}
}

// sumType is the result type of sum(t): bigint for signed integers
// (PostgreSQL sums bigints into numeric; the engine keeps bigint and
// reports an overflow), uint64 for smaller unsigned ones, decimal(38, 0)
// for uint64 (exact: no 64-bit type holds such sums), float64 for floats,
// decimal(38, s) for decimal(p, s).
func sumType(t arrow.DataType) (arrow.DataType, bool) {
	switch {
	case isSigned(t):
		return arrow.PrimitiveTypes.Int64, true
	case t.ID() == arrow.UINT64:
		return &arrow.Decimal128Type{Precision: 38, Scale: 0}, true
	case isUnsigned(t):
		return arrow.PrimitiveTypes.Uint64, true
	case isFloat(t):
		return arrow.PrimitiveTypes.Float64, true
	case isDecimal(t):
		return &arrow.Decimal128Type{Precision: 38, Scale: t.(*arrow.Decimal128Type).Scale}, true
	}
	return nil, false
}

// orderable reports whether values of t can be compared with < (for
// min/max and ORDER BY).
func orderable(t arrow.DataType) bool {
	return isNumeric(t) || isString(t) || isBinary(t) || isTemporal(t) || isBool(t) || isDuration(t)
}

// mixesTextAndNonText reports whether one of two typed values is text and
// the other is not: PostgreSQL converts neither to the other implicitly.
func mixesTextAndNonText(a, b arrow.DataType) bool {
	if a.ID() == arrow.NULL || b.ID() == arrow.NULL {
		return false
	}
	return isString(a) != isString(b)
}

// decimalArith binds decimal arithmetic with PostgreSQL's result scales:
// each operand keeps its own decimal type (an integer is decimal(d, 0) with
// just its digits) and the kernel computes the exact result at the scale
// the operator gives. common is the operands' common type, for operands
// with no type of their own (a quoted literal, NULL).
func (b *binder) decimalArith(op expr.Op, pos int, l, r bound, common arrow.DataType) (bound, error) {
	var ops [2]expr.Expr
	var ts [2]*arrow.Decimal128Type
	for i, x := range []bound{l, r} {
		to := naturalDecimal(x)
		if to == nil {
			to = common.(*arrow.Decimal128Type)
		}
		e, err := b.coerce(x, to)
		if err != nil {
			return bound{}, err
		}
		ops[i], ts[i] = e, to
	}
	return bound{e: &expr.Binary{Op: op, L: ops[0], R: ops[1], Type: decimalResult(op, ts[0], ts[1])}, pos: pos}, nil
}

// naturalDecimal is the decimal type an operand of decimal arithmetic
// keeps: its own when decimal, decimal(d, 0) for an integer of d digits
// (a literal's own digits, so 3 is decimal(1, 0)), nil when it has no
// numeric type of its own.
func naturalDecimal(x bound) *arrow.Decimal128Type {
	if x.soft != concrete {
		return nil
	}
	t := x.typ()
	switch {
	case isDecimal(t):
		return t.(*arrow.Decimal128Type)
	case isInteger(t) && x.lit:
		if lit, ok := x.e.(*expr.Literal); ok && !lit.Value.Null {
			return &arrow.Decimal128Type{Precision: int32(len(strings.TrimPrefix(lit.Value.String(), "-"))), Scale: 0}
		}
		return &arrow.Decimal128Type{Precision: intDigits(t), Scale: 0}
	case isInteger(t):
		return &arrow.Decimal128Type{Precision: intDigits(t), Scale: 0}
	}
	return nil
}

// maxDivScale is the most fractional digits a decimal quotient keeps.
// PostgreSQL gives a quotient at least 16 significant digits (20
// fractional digits for one below 1, 16 for one below 10000, ...), a scale
// that depends on the values; a column has one scale, so quotients are
// stored with 20 and each is rounded where PostgreSQL rounds it (see
// expr's decimal division): the values are PostgreSQL's, written with
// trailing zeros up to 20 places.
const maxDivScale = 20

// decimalResult is the type of l op r for decimal operands, following
// PostgreSQL's numeric: + - and % keep the larger scale, * adds the
// scales, / keeps at least the larger scale and up to maxDivScale places.
// Precision grows by what the operation can need, at most 38 (a result
// beyond it is a numeric field overflow error).
func decimalResult(op expr.Op, l, r *arrow.Decimal128Type) *arrow.Decimal128Type {
	il, ir := l.Precision-l.Scale, r.Precision-r.Scale
	var p, s int32
	switch op {
	case expr.OpMul:
		s = min(l.Scale+r.Scale, 38)
		p = l.Precision + r.Precision
	case expr.OpDiv:
		// The quotient's integer digits are at most il + r.Scale
		// (dividing by 0.01 multiplies by 100).
		s = max(l.Scale, r.Scale, min(maxDivScale, 38-(il+r.Scale)))
		p = 38
	case expr.OpMod:
		s = max(l.Scale, r.Scale)
		p = max(il, ir) + s
	default: // + and -
		s = max(l.Scale, r.Scale)
		p = max(il, ir) + s + 1
	}
	s = min(s, 38)
	p = min(max(p, s, 1), 38)
	return &arrow.Decimal128Type{Precision: p, Scale: s}
}

// mixesBoolAndNonBool reports whether one of two typed values is boolean
// and the other is not: `flag = 1` has no operator in PostgreSQL (only a
// quoted literal, `flag = '1'`, reads as boolean).
func mixesBoolAndNonBool(a, b arrow.DataType) bool {
	if a.ID() == arrow.NULL || b.ID() == arrow.NULL {
		return false
	}
	return isBool(a) != isBool(b)
}
