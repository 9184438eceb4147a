package expr

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func fn(name string, t arrow.DataType, args ...Expr) Expr {
	return &Func{Name: name, Args: args, Type: t}
}

// funcCases run over the fixture of eval_test.go (NULLs in row 2) under
// every selection, on a checked allocator.
func funcCases() []evalCase {
	T, F := true, false
	var N any
	v := func(vs ...any) []any { return vs }
	i64, s := col("i64", tI64), col("s", tStr)
	i64b := col("i64b", tI64)
	dec0 := &arrow.Decimal128Type{Precision: 9, Scale: 0}
	dec1 := &arrow.Decimal128Type{Precision: 10, Scale: 1}
	y20 := &arrow.Decimal128Type{Precision: 20, Scale: 0}
	day := int64(86_400_000_000)
	return []evalCase{
		{"case", &Case{Type: tStr, Whens: []When{{Cond: bin(OpGt, i64, lt(tI64, int64(0))), Result: s}}, Else: lt(tStr, "neg")},
			v("apple", "neg", "neg", "Apricot", "", "neg")},
		{"case evaluates arms only where taken", &Case{Type: tI64, Whens: []When{{Cond: bin(OpNe, i64b, lt(tI64, int64(0))), Result: bin(OpDiv, lt(tI64, int64(100)), i64b)}}},
			v(int64(100), int64(-33), int64(25), N, int64(100), N)},
		{"case bool cond no else", &Case{Type: tI32, Whens: []When{{Cond: col("b", tBool), Result: col("i32", tI32)}}},
			v(int64(1), N, N, int64(3), N, N)},
		{"case two arms", &Case{Type: tI64, Whens: []When{
			{Cond: bin(OpLt, i64, lt(tI64, int64(0))), Result: lt(tI64, int64(-1))},
			{Cond: bin(OpGt, i64, lt(tI64, int64(100))), Result: lt(tI64, int64(1))}}, Else: lt(tI64, int64(0))},
			v(int64(0), int64(-1), int64(0), int64(1), int64(1), int64(0))},
		{"case constant true arm", &Case{Type: tI64, Whens: []When{{Cond: lt(tBool, false), Result: lt(tI64, int64(9))}, {Cond: lt(tBool, true), Result: i64b}}},
			v(int64(1), int64(-3), int64(4), N, int64(1), int64(0))},
		{"case bool result", &Case{Type: tBool, Whens: []When{{Cond: bin(OpGt, i64, lt(tI64, int64(0))), Result: lt(tBool, true)}}, Else: lt(tBool, false)},
			v(T, F, F, T, T, F)},
		{"coalesce", fn("coalesce", tI64, i64b, i64, lt(tI64, int64(7))), v(int64(1), int64(-3), int64(4), int64(500), int64(1), int64(0))},
		{"coalesce text", fn("coalesce", tStr, s, lt(tStr, "x")), v("apple", "banana", "x", "Apricot", "", "a%b")},
		{"coalesce large text", fn("coalesce", tLStr, col("ls", tLStr), lt(tLStr, "x")), v("apple", "banana", "x", "Apricot", "", "a%b")},
		{"coalesce all null", fn("coalesce", tI64, lt(tI64, nil), lt(tI64, nil)), v(N, N, N, N, N, N)},
		{"nullif", fn("nullif", tI64, i64, lt(tI64, int64(500))), v(int64(1), int64(-2), N, N, int64(math.MaxInt64), int64(0))},
		{"nullif text", fn("nullif", tStr, s, lt(tStr, "banana")), v("apple", N, N, "Apricot", "", "a%b")},
		{"nullif NaN equals NaN", fn("nullif", tF64, col("f64", tF64), lt(tF64, math.NaN())), v(1.5, N, N, -0.5, 1e300, 0.0)},
		{"greatest", fn("greatest", tI64, i64, i64b), v(int64(1), int64(-2), int64(4), int64(500), int64(math.MaxInt64), int64(0))},
		{"least", fn("least", tI64, i64, i64b), v(int64(1), int64(-3), int64(4), int64(500), int64(1), int64(0))},
		{"greatest NaN", fn("greatest", tF64, col("f64", tF64), lt(tF64, 1.0)), v(1.5, math.NaN(), 1.0, 1.0, 1e300, 1.0)},
		{"least text", fn("least", tStr, s, lt(tStr, "b")), v("apple", "b", "b", "Apricot", "", "a%b")},
		{"greatest decimal", fn("greatest", tDec, col("dec", tDec), lt(tDec, dec("0", tDec))),
			v(dec("1.50", tDec), dec("0", tDec), dec("0", tDec), dec("100.00", tDec), dec("0", tDec), dec("3.33", tDec))},
		{"lower", fn("lower", tStr, s), v("apple", "banana", N, "apricot", "", "a%b")},
		{"upper large", fn("upper", tStr, col("ls", tLStr)), v("APPLE", "BANANA", N, "APRICOT", "", "A%B")},
		{"length", fn("length", tI32, s), v(int64(5), int64(6), N, int64(7), int64(0), int64(3))},
		{"length bytes", fn("length", tI32, col("bin", tBin)), v(int64(1), int64(1), N, int64(0), int64(2), int64(1))},
		{"substr", fn("substr", tStr, s, lt(tI64, int64(2)), lt(tI64, int64(2))), v("pp", "an", N, "pr", "", "%b")},
		{"substr from", fn("substr", tStr, s, lt(tI64, int64(4))), v("le", "ana", N, "icot", "", "")},
		{"substr before start", fn("substr", tStr, s, lt(tI64, int64(-1)), lt(tI64, int64(3))), v("a", "b", N, "A", "", "a")},
		{"substr column start", fn("substr", tStr, s, i64b), v("apple", "banana", N, N, "", "a%b")},
		{"btrim", fn("btrim", tStr, s, lt(tStr, "a")), v("pple", "banan", N, "Apricot", "", "%b")},
		{"ltrim", fn("ltrim", tStr, lt(tStr, "  x "), lt(tStr, " ")), v("x ", "x ", "x ", "x ", "x ", "x ")},
		{"rtrim default", fn("rtrim", tStr, fn("||", tStr, s, lt(tStr, "  "))), v("apple", "banana", N, "Apricot", "", "a%b")},
		{"replace", fn("replace", tStr, s, lt(tStr, "a"), lt(tStr, "A")), v("Apple", "bAnAnA", N, "Apricot", "", "A%b")},
		{"replace empty pattern", fn("replace", tStr, s, lt(tStr, ""), lt(tStr, "X")), v("apple", "banana", N, "Apricot", "", "a%b")},
		{"concat skips NULL", fn("concat", tStr, s, lt(tStr, "!"), lt(tStr, nil)), v("apple!", "banana!", "!", "Apricot!", "!", "a%b!")},
		{"concat operator is strict", fn("||", tStr, s, lt(tStr, "!")), v("apple!", "banana!", N, "Apricot!", "!", "a%b!")},
		{"starts_with", fn("starts_with", tBool, s, lt(tStr, "a")), v(T, F, N, F, F, T)},
		{"abs int", fn("abs", tI32, col("i32", tI32)), v(int64(1), int64(2), N, int64(3), int64(4), int64(0))},
		{"abs decimal", fn("abs", tDec, col("dec", tDec)), v(dec("1.50", tDec), dec("2.25", tDec), N, dec("100.00", tDec), dec("0", tDec), dec("3.33", tDec))},
		{"round double half even", fn("round", tF64, col("f64", tF64)), v(2.0, math.NaN(), N, 0.0, 1e300, 0.0)},
		{"round decimal half away", fn("round", dec1, col("dec", tDec), lt(tI64, int64(1))),
			v(dec("1.5", dec1), dec("-2.3", dec1), N, dec("100.0", dec1), dec("0", dec1), dec("3.3", dec1))},
		{"round decimal to tens", fn("round", dec0, col("dec", tDec), lt(tI64, int64(-1))),
			v(dec("0", dec0), dec("0", dec0), N, dec("100", dec0), dec("0", dec0), dec("0", dec0))},
		{"floor decimal", fn("floor", dec0, col("dec", tDec)), v(dec("1", dec0), dec("-3", dec0), N, dec("100", dec0), dec("0", dec0), dec("3", dec0))},
		{"ceil decimal", fn("ceil", dec0, col("dec", tDec)), v(dec("2", dec0), dec("-2", dec0), N, dec("100", dec0), dec("0", dec0), dec("4", dec0))},
		{"floor double", fn("floor", tF64, col("f64", tF64)), v(1.0, math.NaN(), N, -1.0, 1e300, 0.0)},
		{"date_trunc day", fn("date_trunc", tTS, lt(tStr, "day"), col("ts", tTS)), v(int64(0), 19675*day, N, -day, day, int64(0))},
		{"extract year", fn("extract", y20, lt(tStr, "year"), col("d", tDate)),
			v(dec("1970", y20), dec("2022", y20), N, dec("1969", y20), dec("2024", y20), dec("1970", y20))},
		{"date_part dow", fn("date_part", tF64, lt(tStr, "dow"), col("d", tDate)), v(4.0, 6.0, N, 3.0, 5.0, 5.0)},
	}
}

func TestFunctions(t *testing.T) { runEvalCases(t, funcCases()) }

// TestFunctionsLazyCase runs the cases with CASE always taking the lazy
// path (the one-pass path must give the same answers).
func TestFunctionsLazyCase(t *testing.T) {
	eagerCase = false
	defer func() { eagerCase = true }()
	runEvalCases(t, funcCases())
}

func TestFunctionErrors(t *testing.T) {
	mem := checked(t)
	rec := fixture(t, mem)
	defer rec.Release()
	cases := []struct {
		name    string
		e       Expr
		compile string // error from Compile
		eval    string // error from Eval
	}{
		{"lower of int", fn("lower", tStr, col("i64", tI64)), "does not take an argument of type BIGINT", ""},
		{"substr negative", fn("substr", tStr, col("s", tStr), lt(tI64, int64(1)), lt(tI64, int64(-1))), "", "negative substring length not allowed"},
		{"abs overflow", fn("abs", tI64, lt(tI64, int64(math.MinInt64))), "integer out of range", ""},
		{"round column places", fn("round", tDec, col("dec", tDec), col("i64", tI64)), "constant n", ""},
		{"unknown function", fn("soundex", tStr, col("s", tStr)), "unknown function soundex", ""},
		{"extract hour of date", fn("extract", tDec, lt(tStr, "hour"), col("d", tDate)), `unit "hour" not supported for type date`, ""},
		{"date_trunc bad unit", fn("date_trunc", tTS, lt(tStr, "fortnight"), col("ts", tTS)), `unit "fortnight" not recognized`, ""},
		{"case non-bool cond", &Case{Type: tI64, Whens: []When{{Cond: col("i64", tI64), Result: lt(tI64, int64(1))}}}, "must be type BOOLEAN", ""},
		{"current time", &CurrentTime{Type: tTS}, "must be replaced", ""},
		{"division in taken arm", &Case{Type: tI64, Whens: []When{{Cond: bin(OpEq, col("i64b", tI64), lt(tI64, int64(0))), Result: bin(OpDiv, lt(tI64, int64(1)), col("i64b", tI64))}}}, "", "division by zero"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Compile(tc.e, rec.Schema())
			if tc.compile != "" {
				if err == nil || !strings.Contains(err.Error(), tc.compile) {
					t.Fatalf("Compile(%s) error %v, want %q", tc.e, err, tc.compile)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile(%s): %v", tc.e, err)
			}
			arr, err := c.Eval(mem, rec, nil)
			if err == nil {
				arr.Release()
			}
			if err == nil || !strings.Contains(err.Error(), tc.eval) {
				t.Fatalf("Eval(%s) error %v, want %q", tc.e, err, tc.eval)
			}
		})
	}
}

// TestFunctionStrings checks how EXPLAIN prints the new nodes.
func TestFunctionStrings(t *testing.T) {
	s := col("s", tStr)
	cases := map[string]Expr{
		"CASE WHEN b THEN 1 ELSE 2 END": &Case{Type: tI64, Whens: []When{{Cond: col("b", tBool), Result: lt(tI64, int64(1))}}, Else: lt(tI64, int64(2))},
		"COALESCE(s, 'x')":              fn("coalesce", tStr, s, lt(tStr, "x")),
		"s || 'x'":                      fn("||", tStr, s, lt(tStr, "x")),
		"EXTRACT(year FROM d)":          fn("extract", tDec, lt(tStr, "year"), col("d", tDate)),
		"substr(s, 1, 2)":               fn("substr", tStr, s, lt(tI64, int64(1)), lt(tI64, int64(2))),
		"now()":                         &CurrentTime{Type: tTS},
		"CURRENT_DATE":                  &CurrentTime{Type: tDate},
		"(s LIKE 'a%') || 'x'":          fn("||", tStr, &Like{E: s, Pattern: lt(tStr, "a%")}, lt(tStr, "x")),
		"GREATEST(i64, 1)":              fn("greatest", tI64, col("i64", tI64), lt(tI64, int64(1))),
		"CASE WHEN b THEN s END || 'x'": fn("||", tStr, &Case{Type: tStr, Whens: []When{{Cond: col("b", tBool), Result: s}}}, lt(tStr, "x")),
		"date_trunc('day', ts)":         fn("date_trunc", tTS, lt(tStr, "day"), col("ts", tTS)),
		"lower(s) || upper(s)":          fn("||", tStr, fn("lower", tStr, s), fn("upper", tStr, s)),
		"NULLIF(s, 'a')":                fn("nullif", tStr, s, lt(tStr, "a")),
		"starts_with(s, 'a')":           fn("starts_with", tBool, s, lt(tStr, "a")),
		"round(dec, 1)":                 fn("round", tDec, col("dec", tDec), lt(tI64, int64(1))),
		"ts + INTERVAL '1s'":            fn("timestamp_plus", tTS, col("ts", tTS), lt(&arrow.DurationType{Unit: arrow.Microsecond}, int64(1_000_000))),
	}
	for want, e := range cases {
		if got := e.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

// TestRowValue checks that row values are equal exactly when their fields
// are equal as DISTINCT compares them.
func TestRowValue(t *testing.T) {
	mem := checked(t)
	rec := record(t, mem,
		colSpec{"a", tI64, []any{int64(1), int64(1), nil, int64(0), nil, int64(1)}},
		colSpec{"s", tStr, []any{"x", "x", "", "", nil, "x"}},
		colSpec{"f", tF64, []any{0.0, math.Copysign(0, -1), math.NaN(), math.NaN(), nil, 1.0}},
	)
	defer rec.Release()
	c, err := Compile(fn("row", tBin, col("a", tI64), col("s", tStr), col("f", tF64)), rec.Schema())
	if err != nil {
		t.Fatal(err)
	}
	for sname, sel := range map[string][]int32{"nil": nil, "partial": {0, 1, 5}, "empty": {}} {
		arr, err := c.Eval(mem, rec, sel)
		if err != nil {
			t.Fatal(err)
		}
		got, nulls := valuesOf(arr), arr.NullN()
		arr.Release()
		if nulls != 0 {
			t.Errorf("%s: a row value is never NULL", sname)
		}
		if sname != "nil" {
			continue
		}
		eq := func(i, j int) bool { return string(got[i].([]byte)) == string(got[j].([]byte)) }
		if !eq(0, 1) {
			t.Errorf("(1, 'x', 0) and (1, 'x', -0) differ")
		}
		for _, p := range [][2]int{{0, 5}, {2, 3}, {2, 4}, {3, 4}} {
			if eq(p[0], p[1]) {
				t.Errorf("rows %d and %d encode alike: %v", p[0], p[1], got)
			}
		}
	}
}
