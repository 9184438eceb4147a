package expr

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// fixture has one column per type family, six rows, NULLs in row 2 (and
// elsewhere for bool).
func fixture(t testing.TB, mem memory.Allocator) arrow.RecordBatch {
	nan := math.NaN()
	return record(t, mem,
		colSpec{"i64", tI64, []any{int64(1), int64(-2), nil, int64(500), int64(math.MaxInt64), int64(0)}},
		colSpec{"i32", tI32, []any{int64(1), int64(2), nil, int64(3), int64(-4), int64(0)}},
		colSpec{"i8", tI8, []any{int64(1), int64(100), nil, int64(-128), int64(127), int64(0)}},
		colSpec{"u32", tU32, []any{uint64(1), uint64(2), nil, uint64(math.MaxUint32), uint64(0), uint64(7)}},
		colSpec{"f64", tF64, []any{1.5, nan, nil, -0.5, 1e300, 0.0}},
		colSpec{"f32", tF32, []any{1.5, 2.0, nil, -0.5, 3.0, 0.0}},
		colSpec{"s", tStr, []any{"apple", "banana", nil, "Apricot", "", "a%b"}},
		colSpec{"ls", tLStr, []any{"apple", "banana", nil, "Apricot", "", "a%b"}},
		colSpec{"bin", tBin, []any{[]byte("a"), []byte{0xff}, nil, []byte{}, []byte("ab"), []byte("b")}},
		colSpec{"b", tBool, []any{true, false, nil, true, false, nil}},
		colSpec{"d", tDate, []any{int64(0), int64(19000), nil, int64(-1), int64(20000), int64(1)}},
		colSpec{"ts", tTS, []any{int64(0), int64(1_700_000_000_000_000), nil, int64(-1), int64(86_400_000_000), int64(5)}},
		colSpec{"dur", tDur, []any{int64(1000), int64(-5), nil, int64(0), int64(60000), int64(7)}},
		colSpec{"dec", tDec, []any{dec("1.50", tDec), dec("-2.25", tDec), nil, dec("100.00", tDec), dec("0", tDec), dec("3.33", tDec)}},
		colSpec{"i64b", tI64, []any{int64(1), int64(-3), int64(4), nil, int64(1), int64(0)}},
	)
}

type evalCase struct {
	name string
	e    Expr
	want []any // one per fixture row; nil is NULL
}

func evalCases() []evalCase {
	T, F := true, false
	var N any
	b := func(vs ...any) []any { return vs }
	I := func(vs ...any) []any { return vs }
	return []evalCase{
		// comparisons against literals, every type
		{"i64>0", bin(OpGt, col("i64", tI64), lt(tI64, int64(0))), b(T, F, N, T, T, F)},
		{"i64=500", bin(OpEq, col("i64", tI64), lt(tI64, int64(500))), b(F, F, N, T, F, F)},
		{"0<i64 flipped", bin(OpLt, lt(tI64, int64(0)), col("i64", tI64)), b(T, F, N, T, T, F)},
		{"i32<=2", bin(OpLe, col("i32", tI32), lt(tI32, int64(2))), b(T, T, N, F, T, T)},
		{"i8<>127", bin(OpNe, col("i8", tI8), lt(tI8, int64(127))), b(T, T, N, T, F, T)},
		{"u32>=2", bin(OpGe, col("u32", tU32), lt(tU32, uint64(2))), b(F, T, N, T, F, T)},
		{"f64>1 NaN greatest", bin(OpGt, col("f64", tF64), lt(tF64, 1.0)), b(T, T, N, F, T, F)},
		{"f64>=NaN", bin(OpGe, col("f64", tF64), lt(tF64, math.NaN())), b(F, T, N, F, F, F)},
		{"f64=NaN", bin(OpEq, col("f64", tF64), lt(tF64, math.NaN())), b(F, T, N, F, F, F)},
		{"f64<NaN", bin(OpLt, col("f64", tF64), lt(tF64, math.NaN())), b(T, F, N, T, T, T)},
		{"f32<1", bin(OpLt, col("f32", tF32), lt(tF32, 1.0)), b(F, F, N, T, F, T)},
		{"s='apple'", bin(OpEq, col("s", tStr), lt(tStr, "apple")), b(T, F, N, F, F, F)},
		{"s<'b'", bin(OpLt, col("s", tStr), lt(tStr, "b")), b(T, F, N, T, T, T)},
		{"ls>'a'", bin(OpGt, col("ls", tLStr), lt(tLStr, "a")), b(T, T, N, F, F, T)},
		{"bin>=a", bin(OpGe, col("bin", tBin), lt(tBin, []byte("a"))), b(T, T, N, F, T, T)},
		{"b=true", bin(OpEq, col("b", tBool), lt(tBool, true)), b(T, F, N, T, F, N)},
		{"b<true", bin(OpLt, col("b", tBool), lt(tBool, true)), b(F, T, N, F, T, N)},
		{"d>0", bin(OpGt, col("d", tDate), lt(tDate, int64(0))), b(F, T, N, F, T, T)},
		{"ts<=5", bin(OpLe, col("ts", tTS), lt(tTS, int64(5))), b(T, F, N, T, F, T)},
		{"dur<>0", bin(OpNe, col("dur", tDur), lt(tDur, int64(0))), b(T, T, N, F, T, T)},
		{"dec>1.5", bin(OpGt, col("dec", tDec), lt(tDec, dec("1.5", tDec))), b(F, F, N, T, F, T)},
		{"cmp NULL", bin(OpEq, col("i64", tI64), lt(tI64, nil)), b(N, N, N, N, N, N)},
		// column against column
		{"i64=i64b", bin(OpEq, col("i64", tI64), col("i64b", tI64)), b(T, F, N, N, F, T)},
		{"i64<i64b", bin(OpLt, col("i64", tI64), col("i64b", tI64)), b(F, F, N, N, F, F)},
		{"s>=ls", bin(OpGe, col("s", tStr), col("ls", tLStr)), nil}, // type error, see errorCases
		{"f64=f64 NaN equal", bin(OpEq, col("f64", tF64), col("f64", tF64)), b(T, T, N, T, T, T)},
		{"dec<=dec", bin(OpLe, col("dec", tDec), col("dec", tDec)), b(T, T, N, T, T, T)},
		{"b<>b", bin(OpNe, col("b", tBool), col("b", tBool)), b(F, F, N, F, F, N)},
		// three-valued logic
		{"b AND i64>0", bin(OpAnd, col("b", tBool), bin(OpGt, col("i64", tI64), lt(tI64, int64(0)))), b(T, F, N, T, F, F)},
		{"b OR i64>0", bin(OpOr, col("b", tBool), bin(OpGt, col("i64", tI64), lt(tI64, int64(0)))), b(T, F, N, T, T, N)},
		{"b AND NULL", bin(OpAnd, col("b", tBool), lt(tBool, nil)), b(N, F, N, N, F, N)},
		{"b OR NULL", bin(OpOr, col("b", tBool), lt(tBool, nil)), b(T, N, N, T, N, N)},
		{"b AND TRUE", bin(OpAnd, col("b", tBool), lt(tBool, true)), b(T, F, N, T, F, N)},
		{"b OR TRUE", bin(OpOr, col("b", tBool), lt(tBool, true)), b(T, T, T, T, T, T)},
		{"NOT b", &Not{E: col("b", tBool)}, b(F, T, N, F, T, N)},
		{"NOT (b OR i64>0)", &Not{E: bin(OpOr, col("b", tBool), bin(OpGt, col("i64", tI64), lt(tI64, int64(0))))}, b(F, T, N, F, F, N)},
		{"NOT NOT s<'b'", &Not{E: &Not{E: bin(OpLt, col("s", tStr), lt(tStr, "b"))}}, b(T, F, N, T, T, T)},
		{"b IS NULL", &IsNull{E: col("b", tBool)}, b(F, F, T, F, F, T)},
		{"s IS NOT NULL", &IsNull{E: col("s", tStr), Negated: true}, b(T, T, F, T, T, T)},
		{"i64+1 IS NULL", &IsNull{E: bin(OpAdd, col("i32", tI32), lt(tI32, int64(1)))}, b(F, F, T, F, F, F)},
		// IN / NOT IN
		{"i64 IN (1,500)", &InList{E: col("i64", tI64), List: []Expr{lt(tI64, int64(1)), lt(tI64, int64(500))}}, b(T, F, N, T, F, F)},
		{"i64 NOT IN (1,500)", &InList{E: col("i64", tI64), List: []Expr{lt(tI64, int64(1)), lt(tI64, int64(500))}, Negated: true}, b(F, T, N, F, T, T)},
		{"i64 IN (1,NULL)", &InList{E: col("i64", tI64), List: []Expr{lt(tI64, int64(1)), lt(tI64, nil)}}, b(T, N, N, N, N, N)},
		{"i64 NOT IN (1,NULL)", &InList{E: col("i64", tI64), List: []Expr{lt(tI64, int64(1)), lt(tI64, nil)}, Negated: true}, b(F, N, N, N, N, N)},
		{"s IN ('apple','')", &InList{E: col("s", tStr), List: []Expr{lt(tStr, "apple"), lt(tStr, "")}}, b(T, F, N, F, T, F)},
		{"f64 IN (NaN, 0)", &InList{E: col("f64", tF64), List: []Expr{lt(tF64, math.NaN()), lt(tF64, 0.0)}}, b(F, T, N, F, F, T)},
		{"i32 IN (many)", &InList{E: col("i32", tI32), List: manyInts(tI32, 3, 20)}, b(F, F, N, T, F, F)},
		{"dec IN (3.33)", &InList{E: col("dec", tDec), List: []Expr{lt(tDec, dec("3.33", tDec))}}, b(F, F, N, F, F, T)},
		{"b IN (false)", &InList{E: col("b", tBool), List: []Expr{lt(tBool, false)}}, b(F, T, N, F, T, N)},
		{"i64 IN (i64b, 500)", &InList{E: col("i64", tI64), List: []Expr{col("i64b", tI64), lt(tI64, int64(500))}}, b(T, F, N, T, F, T)},
		{"i64 NOT IN (i64b)", &InList{E: col("i64", tI64), List: []Expr{col("i64b", tI64)}, Negated: true}, b(F, T, N, N, T, F)},
		// BETWEEN
		{"i64 BETWEEN 0 AND 500", &Between{E: col("i64", tI64), Low: lt(tI64, int64(0)), High: lt(tI64, int64(500))}, b(T, F, N, T, F, T)},
		{"i64 NOT BETWEEN 0 AND 500", &Between{E: col("i64", tI64), Low: lt(tI64, int64(0)), High: lt(tI64, int64(500)), Negated: true}, b(F, T, N, F, T, F)},
		{"i64 BETWEEN NULL AND 1", &Between{E: col("i64", tI64), Low: lt(tI64, nil), High: lt(tI64, int64(1))}, b(N, N, N, F, F, N)},
		// LIKE
		{"s LIKE 'a%'", &Like{E: col("s", tStr), Pattern: lt(tStr, "a%")}, b(T, F, N, F, F, T)},
		{"s ILIKE 'a%'", &Like{E: col("s", tStr), Pattern: lt(tStr, "a%"), CaseInsensitive: true}, b(T, F, N, T, F, T)},
		{"s NOT LIKE '%an%'", &Like{E: col("s", tStr), Pattern: lt(tStr, "%an%"), Negated: true}, b(T, F, N, T, T, T)},
		{"s LIKE '_pple'", &Like{E: col("s", tStr), Pattern: lt(tStr, "_pple")}, b(T, F, N, F, F, F)},
		{`s LIKE 'a\%b'`, &Like{E: col("s", tStr), Pattern: lt(tStr, `a\%b`)}, b(F, F, N, F, F, T)},
		{"ls LIKE '%a'", &Like{E: col("ls", tLStr), Pattern: lt(tLStr, "%a")}, b(F, T, N, F, F, F)},
		{"s LIKE ''", &Like{E: col("s", tStr), Pattern: lt(tStr, "")}, b(F, F, N, F, T, F)},
		{"s LIKE NULL", &Like{E: col("s", tStr), Pattern: lt(tStr, nil)}, b(N, N, N, N, N, N)},
		// arithmetic
		{"i64+1", bin(OpAdd, col("i32", tI32), lt(tI32, int64(1))), I(int64(2), int64(3), N, int64(4), int64(-3), int64(1))},
		{"10-i32", bin(OpSub, lt(tI32, int64(10)), col("i32", tI32)), I(int64(9), int64(8), N, int64(7), int64(14), int64(10))},
		{"i32*i32", bin(OpMul, col("i32", tI32), col("i32", tI32)), I(int64(1), int64(4), N, int64(9), int64(16), int64(0))},
		{"i32/2 truncates", bin(OpDiv, col("i32", tI32), lt(tI32, int64(2))), I(int64(0), int64(1), N, int64(1), int64(-2), int64(0))},
		{"i32%3", bin(OpMod, col("i32", tI32), lt(tI32, int64(3))), I(int64(1), int64(2), N, int64(0), int64(-1), int64(0))},
		{"i64b/i64b null skips zero", bin(OpDiv, lt(tI64, int64(12)), col("i64b", tI64)), nil}, // row 5 divides by zero: error case
		{"u32+1 overflow", nil, nil},
		{"f64*2", bin(OpMul, col("f32", tF32), lt(tF32, 2.0)), I(3.0, 4.0, N, -1.0, 6.0, 0.0)},
		{"f32/2", bin(OpDiv, col("f32", tF32), lt(tF32, 2.0)), I(0.75, 1.0, N, -0.25, 1.5, 0.0)},
		{"-i8", &Negate{E: col("i32", tI32)}, I(int64(-1), int64(-2), N, int64(-3), int64(4), int64(0))},
		{"-dec", &Negate{E: col("dec", tDec)}, I(dec("-1.5", tDec), dec("2.25", tDec), N, dec("-100", tDec), dec("0", tDec), dec("-3.33", tDec))},
		{"dec+dec", bin(OpAdd, col("dec", tDec), col("dec", tDec)), I(dec("3", tDec), dec("-4.5", tDec), N, dec("200", tDec), dec("0", tDec), dec("6.66", tDec))},
		{"dec*dec", &Binary{Op: OpMul, L: col("dec", tDec), R: col("dec", tDec), Type: tDec4}, I(dec("2.25", tDec4), dec("5.0625", tDec4), N, dec("10000", tDec4), dec("0", tDec4), dec("11.0889", tDec4))},
		{"dec/3", &Binary{Op: OpDiv, L: col("dec", tDec), R: lt(tDec, dec("3", tDec)), Type: tDec4}, I(dec("0.5", tDec4), dec("-0.75", tDec4), N, dec("33.3333", tDec4), dec("0", tDec4), dec("1.11", tDec4))},
		{"dur+dur", bin(OpAdd, col("dur", tDur), col("dur", tDur)), I(int64(2000), int64(-10), N, int64(0), int64(120000), int64(14))},
		{"i64+NULL", bin(OpAdd, col("i64", tI64), lt(tI64, nil)), I(N, N, N, N, N, N)},
		// casts
		{"CAST(i32 AS BIGINT)", &Cast{E: col("i32", tI32), To: tI64}, I(int64(1), int64(2), N, int64(3), int64(-4), int64(0))},
		{"CAST(i32 AS DOUBLE)", &Cast{E: col("i32", tI32), To: tF64}, I(1.0, 2.0, N, 3.0, -4.0, 0.0)},
		{"CAST(f32 AS INT)", &Cast{E: col("f32", tF32), To: tI32}, I(int64(2), int64(2), N, int64(0), int64(3), int64(0))},
		{"CAST(i32 AS VARCHAR)", &Cast{E: col("i32", tI32), To: tStr}, I("1", "2", N, "3", "-4", "0")},
		{"CAST(d AS VARCHAR)", &Cast{E: col("d", tDate), To: tStr}, I("1970-01-01", "2022-01-08", N, "1969-12-31", "2024-10-04", "1970-01-02")},
		{"CAST(d AS TIMESTAMP)", &Cast{E: col("d", tDate), To: tTSsec}, I(int64(0), int64(19000*86400), N, int64(-86400), int64(20000*86400), int64(86400))},
		{"CAST(ts AS DATE)", &Cast{E: col("ts", tTS), To: tDate}, I(int64(0), int64(19675), N, int64(-1), int64(1), int64(0))},
		{"CAST(dec AS INT)", &Cast{E: col("dec", tDec), To: tI64}, I(int64(2), int64(-2), N, int64(100), int64(0), int64(3))},
		{"CAST(i32 AS DECIMAL)", &Cast{E: col("i32", tI32), To: tDec}, I(dec("1", tDec), dec("2", tDec), N, dec("3", tDec), dec("-4", tDec), dec("0", tDec))},
		{"CAST(b AS VARCHAR)", &Cast{E: col("b", tBool), To: tStr}, I("true", "false", N, "true", "false", N)},
		{"CAST(i8 AS TINYINT UNSIGNED) fails", nil, nil},
		// literals and constant folding
		{"literal", lt(tI64, int64(7)), I(int64(7), int64(7), int64(7), int64(7), int64(7), int64(7))},
		{"1+2*3", bin(OpAdd, lt(tI64, int64(1)), bin(OpMul, lt(tI64, int64(2)), lt(tI64, int64(3)))), I(int64(7), int64(7), int64(7), int64(7), int64(7), int64(7))},
		{"column", col("s", tStr), I("apple", "banana", N, "Apricot", "", "a%b")},
		{"bin column", col("bin", tBin), I([]byte("a"), []byte{0xff}, N, []byte{}, []byte("ab"), []byte("b"))},
	}
}

func manyInts(dt arrow.DataType, from, n int) []Expr {
	out := make([]Expr, n)
	for i := range out {
		out[i] = lt(dt, int64(from+i*10))
	}
	return out
}

var selections = map[string][]int32{"nil": nil, "empty": {}, "partial": {1, 3, 4}, "all": {0, 1, 2, 3, 4, 5}}

func pick(want []any, sel []int32) []any {
	if sel == nil {
		return want
	}
	out := make([]any, len(sel))
	for j, i := range sel {
		out[j] = want[i]
	}
	return out
}

func equalValues(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if fx, ok := x.(float64); ok {
			if fy, ok := y.(float64); ok && (fx == fy || (math.IsNaN(fx) && math.IsNaN(fy))) {
				continue
			}
			return false
		}
		if bx, ok := x.([]byte); ok {
			if by, ok := y.([]byte); ok && string(bx) == string(by) {
				continue
			}
			return false
		}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

func TestEval(t *testing.T) { runEvalCases(t, evalCases()) }

// runEvalCases evaluates each case over the fixture under every selection
// (and as a predicate when it is boolean) on a checked allocator.
func runEvalCases(t *testing.T, cases []evalCase) {
	for _, tc := range cases {
		if tc.e == nil || tc.want == nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			mem := checked(t)
			rec := fixture(t, mem)
			defer rec.Release()
			c, err := Compile(tc.e, rec.Schema())
			if err != nil {
				t.Fatalf("Compile(%s): %v", tc.e, err)
			}
			for sname, sel := range selections {
				arr, err := c.Eval(mem, rec, sel)
				if err != nil {
					t.Fatalf("%s: Eval: %v", sname, err)
				}
				if !arrow.TypeEqual(arr.DataType(), c.DataType()) {
					t.Errorf("%s: type %s, DataType() says %s", sname, arr.DataType(), c.DataType())
				}
				got, want := valuesOf(arr), pick(tc.want, sel)
				arr.Release()
				if !equalValues(got, want) {
					t.Errorf("%s: %s = %v, want %v", sname, tc.e, got, want)
				}
			}
			if !isBool(c.DataType()) {
				return
			}
			p, err := CompilePredicate(tc.e, rec.Schema())
			if err != nil {
				t.Fatalf("CompilePredicate: %v", err)
			}
			for sname, sel := range selections {
				var want []int32
				for j, v := range pick(tc.want, sel) {
					if v == true {
						i := int32(j)
						if sel != nil {
							i = sel[j]
						}
						want = append(want, i)
					}
				}
				got, err := p.Select(mem, rec, sel, nil)
				if err != nil {
					t.Fatalf("%s: Select: %v", sname, err)
				}
				if len(got) != 0 || len(want) != 0 {
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s: Select(%s) = %v, want %v", sname, tc.e, got, want)
					}
				}
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	cases := []struct {
		name    string
		e       Expr
		compile string // error from Compile (or CompilePredicate)
		eval    string // error from Eval
	}{
		{"unknown column", bin(OpGt, col("nope", tI64), lt(tI64, int64(1))), `unknown column "nope"`, ""},
		{"column type mismatch", col("i64", tI32), `column "i64" has type BIGINT`, ""},
		{"compare mismatched types", bin(OpGe, col("s", tStr), col("ls", tLStr)), "cannot compare VARCHAR with VARCHAR", ""},
		{"AND of ints", bin(OpAnd, col("i64", tI64), col("i64", tI64)), "must be BOOLEAN", ""},
		{"param", bin(OpEq, col("i64", tI64), &Param{Index: 1, Type: tI64}), "unbound parameter $1", ""},
		{"aggregate", &Aggregate{Func: AggSum, Arg: col("i64", tI64), Type: tI64}, "aggregate sum(i64)", ""},
		{"constant division by zero", bin(OpDiv, lt(tI64, int64(1)), lt(tI64, int64(0))), "division by zero", ""},
		{"division by zero", bin(OpDiv, lt(tI64, int64(12)), col("i64b", tI64)), "", "division by zero"},
		{"modulo by zero", bin(OpMod, col("i64", tI64), col("i64b", tI64)), "", "division by zero"},
		{"float division by zero", bin(OpDiv, col("f32", tF32), lt(tF32, 0.0)), "", "division by zero"},
		{"decimal division by zero", &Binary{Op: OpDiv, L: col("dec", tDec), R: lt(tDec, dec("0", tDec)), Type: tDec4}, "", "division by zero"},
		{"int64 add overflow", bin(OpAdd, col("i64", tI64), lt(tI64, int64(1))), "", "bigint out of range"},
		{"int64 mul overflow", bin(OpMul, col("i64", tI64), lt(tI64, int64(2))), "", "bigint out of range"},
		{"int64 sub overflow", bin(OpSub, lt(tI64, int64(-2)), col("i64", tI64)), "", "bigint out of range"},
		{"int8 add overflow", bin(OpAdd, col("i8", tI8), lt(tI8, int64(1))), "", "tinyint out of range"},
		{"int8 negate overflow", &Negate{E: col("i8", tI8)}, "", "integer out of range"},
		{"uint32 add overflow", bin(OpAdd, col("u32", tU32), lt(tU32, uint64(1))), "", "integer unsigned out of range"},
		{"uint32 sub below zero", bin(OpSub, col("u32", tU32), lt(tU32, uint64(2))), "", "integer unsigned out of range"},
		{"constant overflow", bin(OpMul, lt(tI64, int64(math.MaxInt64)), lt(tI64, int64(2))), "bigint out of range", ""},
		{"min / -1", bin(OpDiv, lt(tI64, int64(math.MinInt64)), lt(tI64, int64(-1))), "bigint out of range", ""},
		{"decimal overflow", bin(OpMul, col("dec", tDec), lt(tDec, dec("99999999", tDec))), "", "numeric field overflow"},
		{"bad cast", &Cast{E: col("s", tStr), To: tI64}, "", `invalid input syntax for type BIGINT: "apple"`},
		{"narrowing cast", &Cast{E: col("i8", tI8), To: tU8}, "", "out of range"},
		{"float to int cast", &Cast{E: col("f64", tF64), To: tI64}, "", "out of range"},
		{"impossible cast", &Cast{E: col("d", tDate), To: tI64}, "cannot cast type DATE to BIGINT", ""},
		{"constant bad cast", &Cast{E: lt(tStr, "x1"), To: tI32}, "invalid input syntax", ""},
		{"LIKE on ints", &Like{E: col("i64", tI64), Pattern: lt(tStr, "1%")}, "LIKE needs text operands", ""},
		{"LIKE bad escape", &Like{E: col("s", tStr), Pattern: lt(tStr, `a\`)}, "must not end with escape", ""},
		{"LIKE column pattern", &Like{E: col("s", tStr), Pattern: col("s", tStr)}, "pattern must be a constant", ""},
		{"arith on strings", bin(OpAdd, col("s", tStr), col("s", tStr)), "operator does not exist", ""},
		{"negate string", &Negate{E: col("s", tStr)}, "operator does not exist", ""},
		{"bad literal", lit(Scalar{Type: tI64, Value: "x"}), "does not represent BIGINT", ""},
		{"nil", nil, "nil expression", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := checked(t)
			rec := fixture(t, mem)
			defer rec.Release()
			c, err := Compile(tc.e, rec.Schema())
			if tc.compile != "" {
				if err == nil || !strings.Contains(err.Error(), tc.compile) {
					t.Fatalf("Compile error = %v, want %q", err, tc.compile)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			arr, err := c.Eval(mem, rec, nil)
			if err == nil {
				arr.Release()
				t.Fatalf("Eval succeeded, want %q", tc.eval)
			}
			if !strings.Contains(err.Error(), tc.eval) {
				t.Fatalf("Eval error = %v, want %q", err, tc.eval)
			}
			// The failing rows excluded by a selection evaluate fine: null
			// and unselected slots never raise errors.
		})
	}
}

func TestErrorsOnlyFromSelectedRows(t *testing.T) {
	mem := checked(t)
	rec := fixture(t, mem)
	defer rec.Release()
	// 12 / i64b fails only on row 5 (0); row 3 is NULL, not an error.
	c, err := Compile(bin(OpDiv, lt(tI64, int64(12)), col("i64b", tI64)), rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	arr, err := c.Eval(mem, rec, []int32{0, 1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Release()
	if got, want := valuesOf(arr), []any{int64(12), int64(-4), int64(3), nil, int64(12)}; !equalValues(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	// The predicate evaluates the division only where i64b <> 0 held.
	p, err := CompilePredicate(bin(OpAnd, bin(OpNe, col("i64b", tI64), lt(tI64, int64(0))),
		bin(OpGt, bin(OpDiv, lt(tI64, int64(12)), col("i64b", tI64)), lt(tI64, int64(3)))), rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Select(mem, rec, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int32{0, 4}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestBadInput(t *testing.T) {
	mem := checked(t)
	rec := fixture(t, mem)
	defer rec.Release()
	c, err := Compile(col("i64", tI64), rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Eval(mem, rec, []int32{0, 99}); err == nil {
		t.Fatal("out-of-range selection accepted")
	}
	if _, err := c.Eval(mem, nil, nil); err == nil {
		t.Fatal("nil record accepted")
	}
	other := record(t, mem, colSpec{"i64", tStr, []any{"x"}})
	defer other.Release()
	if _, err := c.Eval(mem, other, nil); err == nil {
		t.Fatal("record of another schema accepted")
	}
	p, err := CompilePredicate(bin(OpGt, col("i64", tI64), lt(tI64, int64(0))), rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Select(mem, rec, []int32{-1}, nil); err == nil {
		t.Fatal("negative selection accepted")
	}
	if _, err := CompilePredicate(col("i64", tI64), rec.Schema()); err == nil {
		t.Fatal("non-boolean predicate accepted")
	}
}

func TestEvalScalar(t *testing.T) {
	cases := []struct {
		e    Expr
		want Scalar
	}{
		{bin(OpAdd, lt(tI64, int64(1)), lt(tI64, int64(2))), Int64(3)},
		{bin(OpAnd, lt(tBool, nil), lt(tBool, false)), Bool(false)},
		{bin(OpOr, lt(tBool, nil), lt(tBool, false)), Null(tBool)},
		{&InList{E: lt(tI64, int64(2)), List: []Expr{lt(tI64, int64(1)), lt(tI64, nil)}, Negated: true}, Null(tBool)},
		{&Cast{E: lt(tStr, "2026-01-02"), To: tDate}, Date32(20455)},
		{&Like{E: lt(tStr, "Hello"), Pattern: lt(tStr, "h%"), CaseInsensitive: true}, Bool(true)},
		{&Negate{E: lt(tF64, 1.5)}, Float64(-1.5)},
	}
	for _, tc := range cases {
		got, err := EvalScalar(tc.e)
		if err != nil {
			t.Errorf("EvalScalar(%s): %v", tc.e, err)
			continue
		}
		if !Equal(got, tc.want) {
			t.Errorf("EvalScalar(%s) = %v, want %v", tc.e, got, tc.want)
		}
	}
	if _, err := EvalScalar(col("x", tI64)); err == nil || !strings.Contains(err.Error(), "unknown column") {
		t.Errorf("EvalScalar(column) error = %v", err)
	}
	_, err := EvalScalar(bin(OpDiv, lt(tI64, int64(1)), lt(tI64, int64(0))))
	if !errors.Is(err, errDivZero) {
		t.Errorf("EvalScalar(1/0) error = %v", err)
	}
}
