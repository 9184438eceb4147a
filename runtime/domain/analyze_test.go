package domain

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
)

var (
	i64  = arrow.PrimitiveTypes.Int64
	i32  = arrow.PrimitiveTypes.Int32
	str  = arrow.BinaryTypes.String
	bln  = arrow.FixedWidthTypes.Boolean
	colA = &expr.Column{Name: "a", Type: i64}
	colB = &expr.Column{Name: "b", Type: i64}
	colS = &expr.Column{Name: "s", Type: str}
)

func lit(v any) expr.Expr {
	switch v := v.(type) {
	case int:
		return &expr.Literal{Value: expr.Int64(int64(v))}
	case string:
		return &expr.Literal{Value: expr.String(v)}
	case bool:
		return &expr.Literal{Value: expr.Bool(v)}
	case arrow.DataType:
		return &expr.Literal{Value: expr.Null(v)}
	}
	panic("bad literal")
}

func bin(op expr.Op, l, r expr.Expr) expr.Expr {
	var t arrow.DataType = bln
	if op.IsArithmetic() {
		t = l.DataType()
	}
	return &expr.Binary{Op: op, L: l, R: r, Type: t}
}

func in(e expr.Expr, negated bool, items ...any) expr.Expr {
	l := &expr.InList{E: e, Negated: negated}
	for _, it := range items {
		l.List = append(l.List, lit(it))
	}
	return l
}

func like(e expr.Expr, pat any, negated bool) expr.Expr {
	return &expr.Like{E: e, Pattern: lit(pat), Negated: negated}
}

func TestAnalyzeCases(t *testing.T) {
	cases := []struct {
		name    string
		filters []expr.Expr
		want    map[string]string
	}{
		{"eq", []expr.Expr{bin(expr.OpEq, colA, lit(1))}, map[string]string{"a": "{1}"}},
		{"flipped", []expr.Expr{bin(expr.OpLt, lit(5), colA)}, map[string]string{"a": "(5, +inf)"}},
		{"ne", []expr.Expr{bin(expr.OpNe, colA, lit(5))}, map[string]string{"a": "(-inf, 5) ∪ (5, +inf)"}},
		{"range conjunction", []expr.Expr{bin(expr.OpGe, colA, lit(10)), bin(expr.OpLt, colA, lit(20))}, map[string]string{"a": "[10, 20)"}},
		{"in", []expr.Expr{in(colS, false, "us-west-2", "us-east-1", str)}, map[string]string{"s": "{'us-east-1', 'us-west-2'}"}},
		{"not in", []expr.Expr{in(colA, true, 1, 3)}, map[string]string{"a": "(-inf, 1) ∪ (1, 3) ∪ (3, +inf)"}},
		{"not in with null", []expr.Expr{in(colA, true, 1, i64)}, map[string]string{"a": "NONE"}},
		{"between", []expr.Expr{&expr.Between{E: colA, Low: lit(1), High: lit(5)}}, map[string]string{"a": "[1, 5]"}},
		{"not between null", []expr.Expr{&expr.Between{E: colA, Low: lit(i64), High: lit(5), Negated: true}}, map[string]string{"a": "(5, +inf)"}},
		{"is null", []expr.Expr{&expr.IsNull{E: colA}}, map[string]string{"a": "NULL"}},
		{"is not null", []expr.Expr{&expr.IsNull{E: colA, Negated: true}}, map[string]string{"a": "(-inf, +inf)"}},
		{"null literal", []expr.Expr{bin(expr.OpEq, colA, lit(i64)), bin(expr.OpEq, colB, lit(2))}, map[string]string{"a": "NONE", "b": "NONE"}},
		{"contradiction spreads", []expr.Expr{bin(expr.OpEq, colA, lit(1)), bin(expr.OpEq, colA, lit(2)), bin(expr.OpGt, colB, lit(0))}, map[string]string{"a": "NONE", "b": "NONE"}},
		{"like prefix", []expr.Expr{like(colS, "abc%", false)}, map[string]string{"s": "['abc', 'abd')"}},
		{"like plain", []expr.Expr{like(colS, `a\%b`, false)}, map[string]string{"s": "{'a%b'}"}},
		{"like inner wildcard", []expr.Expr{like(colS, "ab_d%", false)}, map[string]string{"s": "['ab', 'ac')"}},
		{"not like prefix", []expr.Expr{like(colS, "b%", true)}, map[string]string{"s": "(-inf, 'b') ∪ ['c', +inf)"}},
		{"not like inner wildcard", []expr.Expr{like(colS, "b_c", true)}, map[string]string{}},
		{"ilike", []expr.Expr{&expr.Like{E: colS, Pattern: lit("a%"), CaseInsensitive: true}}, map[string]string{}},
		{"or same column", []expr.Expr{bin(expr.OpOr, bin(expr.OpEq, colA, lit(1)), bin(expr.OpGt, colA, lit(10)))}, map[string]string{"a": "{1} ∪ (10, +inf)"}},
		{"or across columns", []expr.Expr{bin(expr.OpOr,
			bin(expr.OpAnd, bin(expr.OpEq, colA, lit(1)), bin(expr.OpEq, colB, lit(2))),
			bin(expr.OpEq, colA, lit(3)))}, map[string]string{"a": "{1, 3}"}},
		{"or with impossible side", []expr.Expr{bin(expr.OpOr, bin(expr.OpEq, colA, lit(i64)), bin(expr.OpEq, colB, lit(4)))}, map[string]string{"b": "{4}"}},
		{"not pushed", []expr.Expr{&expr.Not{E: bin(expr.OpOr, bin(expr.OpLt, colA, lit(1)), bin(expr.OpGt, colA, lit(9)))}}, map[string]string{"a": "[1, 9]"}},
		{"not in list", []expr.Expr{&expr.Not{E: in(colA, false, 2)}}, map[string]string{"a": "(-inf, 2) ∪ (2, +inf)"}},
		{"bool column", []expr.Expr{&expr.Not{E: &expr.Column{Name: "f", Type: bln}}}, map[string]string{"f": "{false}"}},
		{"widening cast", []expr.Expr{bin(expr.OpGt, &expr.Cast{E: &expr.Column{Name: "n", Type: i32}, To: i64}, lit(-5_000_000_000))}, map[string]string{"n": "[-2147483648, 2147483647]"}},
		{"narrowing cast ignored", []expr.Expr{bin(expr.OpGt, &expr.Cast{E: colA, To: i32}, &expr.Literal{Value: expr.Scalar{Type: i32, Value: int64(1)}})}, map[string]string{}},
		{"cast to string ignored", []expr.Expr{bin(expr.OpEq, &expr.Cast{E: colA, To: str}, lit("1"))}, map[string]string{}},
		{"column vs column ignored", []expr.Expr{bin(expr.OpLt, colA, colB)}, map[string]string{}},
		{"arithmetic ignored", []expr.Expr{bin(expr.OpGt, bin(expr.OpAdd, colA, lit(1)), lit(3))}, map[string]string{}},
		{"tautology dropped", []expr.Expr{bin(expr.OpOr, &expr.IsNull{E: colA}, &expr.IsNull{E: colA, Negated: true})}, map[string]string{}},
		{"false literal", []expr.Expr{lit(false), bin(expr.OpGt, colA, lit(1))}, map[string]string{"a": "NONE"}},
		{"true literal", []expr.Expr{lit(true)}, map[string]string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Analyze(tc.filters)
			if len(got) != len(tc.want) {
				t.Errorf("got %d entries %v, want %v", len(got), got, tc.want)
			}
			for c, w := range tc.want {
				if d, ok := got[c]; !ok || d.String() != w {
					t.Errorf("%s: got %v, want %s", c, got[c], w)
				}
			}
		})
	}
}

func TestAnalyzeCastKeepsColumnType(t *testing.T) {
	n := &expr.Column{Name: "n", Type: i32}
	d := Analyze([]expr.Expr{bin(expr.OpEq, &expr.Cast{E: n, To: i64}, lit(7))})["n"]
	vs, ok := d.Values()
	if !ok || len(vs) != 1 || !arrow.TypeEqual(vs[0].Type, i32) || vs[0].Int64Value() != 7 {
		t.Fatalf("got %v %v", vs, ok)
	}
}

func TestExactly(t *testing.T) {
	cases := []struct {
		e    expr.Expr
		col  string
		want bool
	}{
		{bin(expr.OpEq, colA, lit(1)), "a", true},
		{in(colS, false, "x", "y"), "s", true},
		{like(colS, "ab%", false), "s", true},
		{like(colS, "a_b%", false), "", false},
		{bin(expr.OpOr, bin(expr.OpEq, colA, lit(1)), &expr.IsNull{E: colA}), "a", true},
		{bin(expr.OpOr, bin(expr.OpEq, colA, lit(1)), bin(expr.OpEq, colB, lit(1))), "", false},
		{bin(expr.OpAnd, bin(expr.OpEq, colA, lit(1)), bin(expr.OpEq, colB, lit(1))), "", false},
		{bin(expr.OpLt, colA, colB), "", false},
	}
	for _, tc := range cases {
		col, ok := Exactly(tc.e)
		if ok != tc.want || col != tc.col {
			t.Errorf("Exactly(%s) = %q, %v; want %q, %v", tc.e, col, ok, tc.col, tc.want)
		}
	}
}

func TestCompareScalars(t *testing.T) {
	nan := expr.Float64(0)
	nan.Value = func() float64 { z := 0.0; return z / z }()
	ordered := []expr.Scalar{expr.Null(arrow.PrimitiveTypes.Float64), expr.Float64(-1), expr.Float64(2), nan}
	for i := range ordered {
		for j := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := CompareScalars(ordered[i], ordered[j]); got != want {
				t.Errorf("CompareScalars(%v, %v) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	// Mixed families stay ordered without panicking.
	a, b := expr.Int64(1), expr.String("1")
	if CompareScalars(a, b) != -CompareScalars(b, a) || CompareScalars(a, b) == 0 {
		t.Error("mixed families must be totally ordered")
	}
}
