package expr

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	tBool  = arrow.FixedWidthTypes.Boolean
	tI8    = arrow.PrimitiveTypes.Int8
	tI32   = arrow.PrimitiveTypes.Int32
	tI64   = arrow.PrimitiveTypes.Int64
	tU32   = arrow.PrimitiveTypes.Uint32
	tF32   = arrow.PrimitiveTypes.Float32
	tF64   = arrow.PrimitiveTypes.Float64
	tStr   = arrow.BinaryTypes.String
	tLStr  = arrow.BinaryTypes.LargeString
	tBin   = arrow.BinaryTypes.Binary
	tDate  = arrow.FixedWidthTypes.Date32
	tTS    = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	tDur   = &arrow.DurationType{Unit: arrow.Millisecond}
	tDec   = &arrow.Decimal128Type{Precision: 10, Scale: 2}
	tDec4  = &arrow.Decimal128Type{Precision: 20, Scale: 4}
	tU8    = arrow.PrimitiveTypes.Uint8
	tI16   = arrow.PrimitiveTypes.Int16
	tLBin  = arrow.BinaryTypes.LargeBinary
	tU64   = arrow.PrimitiveTypes.Uint64
	tU16   = arrow.PrimitiveTypes.Uint16
	tTSsec = &arrow.TimestampType{Unit: arrow.Second}
)

// checked returns a checked allocator asserted empty at the end of t.
func checked(t testing.TB) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// build makes an array of dt from normalised Go values (nil is NULL).
func build(t testing.TB, mem memory.Allocator, dt arrow.DataType, vals ...any) arrow.Array {
	t.Helper()
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for _, v := range vals {
		s := Scalar{Type: dt, Value: v, Null: v == nil}
		if err := appendScalar(b, s); err != nil {
			t.Fatal(err)
		}
	}
	return b.NewArray()
}

type colSpec struct {
	name string
	dt   arrow.DataType
	vals []any
}

func record(t testing.TB, mem memory.Allocator, cols ...colSpec) arrow.RecordBatch {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.dt, Nullable: true}
		arrs[i] = build(t, mem, c.dt, c.vals...)
	}
	n := int64(0)
	if len(cols) > 0 {
		n = int64(len(cols[0].vals))
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, n)
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

func dec(s string, dt *arrow.Decimal128Type) decimal128.Num {
	n, err := decimal128.FromString(s, dt.Precision, dt.Scale)
	if err != nil {
		panic(err)
	}
	return n
}

// Expression shorthands.
func col(name string, dt arrow.DataType) Expr { return &Column{Name: name, Type: dt} }
func lit(s Scalar) Expr                       { return &Literal{Value: s} }
func lt(dt arrow.DataType, v any) Expr {
	return &Literal{Value: Scalar{Type: dt, Value: v, Null: v == nil}}
}
func bin(op Op, l, r Expr) Expr {
	t := l.DataType()
	if op.IsComparison() || op == OpAnd || op == OpOr {
		t = tBool
	}
	return &Binary{Op: op, L: l, R: r, Type: t}
}

// values returns the normalised values of arr (nil for NULL).
func valuesOf(arr arrow.Array) []any {
	out := make([]any, arr.Len())
	for i := range out {
		s := ScalarAt(arr, i)
		if !s.Null {
			out[i] = s.Value
		}
	}
	return out
}
