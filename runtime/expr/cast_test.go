package expr

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestCastScalar(t *testing.T) {
	tsNaive := &arrow.TimestampType{Unit: arrow.Microsecond}
	tsMs := &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	ok := []struct {
		in   Scalar
		to   arrow.DataType
		want Scalar
	}{
		{String(" 42 "), tI64, Int64(42)},
		{String("-7"), tI8, Scalar{Type: tI8, Value: int64(-7)}},
		{String("7"), tU8, Scalar{Type: tU8, Value: uint64(7)}},
		{String("1.5e3"), tF64, Float64(1500)},
		{String("NaN"), tF64, Float64(math.NaN())},
		{String("yes"), tBool, Bool(true)},
		{String("OFF"), tBool, Bool(false)},
		{String("12.345"), tDec, Decimal(tDec, dec("12.35", tDec))},
		{String("2026-01-02"), tDate, Date32(20455)},
		{String("2026-01-02 03:04:05"), tDate, Date32(20455)},
		{String("1970-01-01T00:00:01Z"), tTS, Timestamp(tTS, 1_000_000)},
		{String("1970-01-01 00:00:01.5"), tsNaive, Timestamp(tsNaive, 1_500_000)},
		{String("1970-01-01 01:00:00+01:00"), tTS, Timestamp(tTS, 0)},
		{String("1970-01-01"), tTS, Timestamp(tTS, 0)},
		{String(`\x6162`), tBin, Bytes([]byte("ab"))},
		{String("1.5s"), tDur, Duration(tDur, 1500)},
		{Int64(300), tI16, Scalar{Type: tI16, Value: int64(300)}},
		{Int64(1), tBool, Bool(true)},
		{Bool(true), tI32, Scalar{Type: tI32, Value: int64(1)}},
		{Int64(5), tU64, Uint64(5)},
		{Uint64(5), tI64, Int64(5)},
		{Float64(2.5), tI64, Int64(2)}, // half to even, like rint
		{Float64(3.5), tI64, Int64(4)},
		{Float64(-2.5), tI64, Int64(-2)},
		{Decimal(tDec, dec("2.50", tDec)), tI64, Int64(3)}, // half away from zero
		{Decimal(tDec, dec("-2.50", tDec)), tI64, Int64(-3)},
		{Decimal(tDec, dec("1.25", tDec)), tF64, Float64(1.25)},
		{Decimal(tDec, dec("1.25", tDec)), tDec4, Decimal(tDec4, dec("1.25", tDec4))},
		{Decimal(tDec4, dec("1.2350", tDec4)), tDec, Decimal(tDec, dec("1.24", tDec))},
		{Int64(12), tDec, Decimal(tDec, dec("12", tDec))},
		{Float64(0.125), tDec, Decimal(tDec, dec("0.13", tDec))},
		{Int64(3), tF32, Scalar{Type: tF32, Value: 3.0}},
		{Int64(-12), tStr, String("-12")},
		{Float64(0.1), tStr, String("0.1")},
		{Float64(math.Inf(-1)), tStr, String("-Infinity")},
		{Bool(false), tStr, String("false")},
		{Date32(20455), tStr, String("2026-01-02")},
		{Timestamp(tTS, 1_500_000), tStr, String("1970-01-01 00:00:01.5Z")},
		{Decimal(tDec, dec("-0.05", tDec)), tStr, String("-0.05")},
		{Bytes([]byte("ab")), tStr, String(`\x6162`)},
		{String("abc"), tLStr, Scalar{Type: tLStr, Value: "abc"}},
		{Date32(1), tTS, Timestamp(tTS, 86_400_000_000)},
		{Timestamp(tTS, -1), tDate, Date32(-1)},
		{Timestamp(tTS, 1_999), tsMs, Timestamp(tsMs, 1)},
		{Timestamp(tTS, -1), tsMs, Timestamp(tsMs, -1)}, // floors
		{Timestamp(tsMs, 2), tTS, Timestamp(tTS, 2000)},
		{Null(tStr), tI64, Null(tI64)},
	}
	for _, tc := range ok {
		got, err := CastScalar(tc.in, tc.to)
		if err != nil {
			t.Errorf("CAST(%v AS %s): %v", tc.in, SQLTypeName(tc.to), err)
			continue
		}
		if !Equal(got, tc.want) && !(got.Value != nil && tc.want.Value != nil && isNaNScalar(got) && isNaNScalar(tc.want)) {
			t.Errorf("CAST(%v AS %s) = %v (%T), want %v", tc.in, SQLTypeName(tc.to), got, got.Value, tc.want)
		}
	}
	bad := []struct {
		in   Scalar
		to   arrow.DataType
		want string
	}{
		{String("abc"), tI64, "invalid input syntax for type BIGINT"},
		{String("1.5"), tI32, "invalid input syntax"},
		{String("300"), tI8, "out of range"},
		{String("99999999999999999999"), tI64, "out of range"},
		{String("-1"), tU32, "invalid input syntax"},
		{String("maybe"), tBool, "invalid input syntax for type BOOLEAN"},
		{String("2026-13-01"), tDate, "invalid input syntax for type DATE"},
		{String("yesterday"), tTS, "invalid input syntax for type TIMESTAMP"},
		{String("1e40"), tF32, "out of range"},
		{String("12345678901.5"), tDec, "overflow"},
		{String("1.2.3"), tDec, "invalid input syntax"},
		{Int64(300), tI8, "out of range"},
		{Int64(-1), tU64, "out of range"},
		{Uint64(math.MaxUint64), tI64, "out of range"},
		{Float64(math.NaN()), tI64, "out of range"},
		{Float64(1e19), tI64, "out of range"},
		{Float64(1e300), tF32, "out of range"},
		{Float64(math.Inf(1)), tDec, "cannot convert"},
		{Int64(1e15), tDec, "overflow"},
		{Date32(1), tI64, "cannot cast type DATE to BIGINT"},
		{Bool(true), tDate, "cannot cast"},
		{Bytes([]byte("1")), tI64, "cannot cast"},
		{Scalar{Type: tI64, Value: 1.5}, tStr, "does not represent"},
	}
	for _, tc := range bad {
		_, err := CastScalar(tc.in, tc.to)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CAST(%v AS %s) error = %v, want %q", tc.in, SQLTypeName(tc.to), err, tc.want)
		}
	}
}

func isNaNScalar(s Scalar) bool {
	f, ok := s.Value.(float64)
	return ok && math.IsNaN(f)
}

// TestCastArrayMatchesScalar checks that the typed cast loops agree with
// CastScalar value by value, errors included.
func TestCastArrayMatchesScalar(t *testing.T) {
	mem := checked(t)
	src := map[arrow.DataType][]any{
		tI64: {int64(0), int64(-1), nil, int64(127), int64(128), int64(math.MaxInt64), int64(math.MinInt64), int64(255), int64(65535)},
		tU32: {uint64(0), nil, uint64(math.MaxUint32), uint64(1 << 20)},
		tF64: {0.0, -0.5, 0.5, 1.5, nil, 2.5, -1e10, 1e300, math.Inf(1)},
		tI8:  {int64(-128), int64(0), nil, int64(127)},
		tStr: {"1", " -2 ", nil, "x"},
		tDec: {dec("1.5", tDec), nil, dec("-99.99", tDec)},
	}
	targets := []arrow.DataType{tI8, tI16, tI32, tI64, tU8, tU16, tU32, tU64, tF32, tF64, tStr, tDec}
	for from, vals := range src {
		for _, to := range targets {
			if arrow.TypeEqual(from, to) {
				continue
			}
			// Each value alone, so an error on one does not hide another.
			for _, v := range vals {
				rec := record(t, mem, colSpec{"x", from, []any{v, nil}})
				c, err := Compile(&Cast{E: col("x", from), To: to}, rec.Schema())
				if err != nil {
					rec.Release()
					continue
				}
				arr, err := c.Eval(mem, rec, nil)
				want, werr := CastScalar(Scalar{Type: from, Value: v, Null: v == nil}, to)
				switch {
				case (err != nil) != (werr != nil):
					t.Errorf("CAST(%v %s AS %s): array err %v, scalar err %v", v, SQLTypeName(from), SQLTypeName(to), err, werr)
				case err == nil:
					if got := ScalarAt(arr, 0); !Equal(got, want) && !(isNaNScalar(got) && isNaNScalar(want)) {
						t.Errorf("CAST(%v %s AS %s) = %v, scalar says %v", v, SQLTypeName(from), SQLTypeName(to), got, want)
					}
					if !arr.IsNull(1) {
						t.Errorf("CAST(NULL) not NULL")
					}
				}
				if arr != nil {
					arr.Release()
				}
				rec.Release()
			}
		}
	}
}
