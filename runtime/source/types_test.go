package source

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/domain"
	"github.com/tpgen/tpgen/runtime/expr"
)

// The Types' Compare must order values as the engine does, or domains
// disagree with the filters they stand for: an exact filter applied with
// Contains, or pruning by statistics, would drop rows the engine keeps.
// PostgreSQL (and the engine) orders NaN after every other float.
func TestFloatCompareMatchesEngine(t *testing.T) {
	vals := []float64{math.Inf(-1), -1.5, math.Copysign(0, -1), 0, 0.1, 5, math.Inf(1), math.NaN()}
	sign := func(x int) int { return min(max(x, -1), 1) }
	for _, a := range vals {
		for _, b := range vals {
			want := sign(domain.CompareScalars(expr.Float64(a), expr.Float64(b)))
			if got := sign(Float64.Compare(a, b)); got != want {
				t.Errorf("Float64.Compare(%v, %v) = %d, engine says %d", a, b, got, want)
			}
			if got := sign(Float32.Compare(float32(a), float32(b))); got != want {
				t.Errorf("Float32.Compare(%v, %v) = %d, engine says %d", a, b, got, want)
			}
		}
	}
}

// A NaN row satisfies x > c and x >= c for every c, as in PostgreSQL, so
// the domain of such filters holds NaN and that of x < c does not.
func TestFloatDomainNaN(t *testing.T) {
	x := &expr.Column{Name: "x", Type: arrow.PrimitiveTypes.Float64}
	cmp := func(op expr.Op, c float64) expr.Expr {
		return &expr.Binary{Op: op, L: x, R: &expr.Literal{Value: expr.Float64(c)}, Type: arrow.FixedWidthTypes.Boolean}
	}
	nan := math.NaN()
	for _, c := range []struct {
		f    expr.Expr
		want bool
	}{
		{cmp(expr.OpGt, 1), true},
		{cmp(expr.OpGe, math.Inf(1)), true},
		{cmp(expr.OpLt, 1), false},
		{cmp(expr.OpEq, nan), true},
		{cmp(expr.OpNe, 1), true},
	} {
		if got := DomainOf([]expr.Expr{c.f}, "x", Float64).Contains(nan); got != c.want {
			t.Errorf("%v: Contains(NaN) = %v, want %v", c.f, got, c.want)
		}
	}
	// Statistics bounding [0, NaN] may hold rows above 1.
	if !(MinMax[float64]{Min: 0, Max: nan, Valid: true}).Overlaps(DomainOf([]expr.Expr{cmp(expr.OpGt, 1)}, "x", Float64)) {
		t.Error("statistics up to NaN pruned by x > 1")
	}
}

// Null.In is how a source applies a filter on a nullable column: NULL is
// in a domain only when the domain allows NULL.
func TestNullIn(t *testing.T) {
	x := &expr.Column{Name: "x", Type: arrow.BinaryTypes.String}
	eq := DomainOf([]expr.Expr{&expr.Binary{Op: expr.OpEq, L: x, R: &expr.Literal{Value: expr.String("a")},
		Type: arrow.FixedWidthTypes.Boolean}}, "x", String)
	isNull := DomainOf([]expr.Expr{&expr.IsNull{E: x}}, "x", String)
	all := DomainOf(nil, "x", String)
	for _, c := range []struct {
		v    Null[string]
		d    domain.Domain[string]
		want bool
	}{
		{Some("a"), eq, true}, {Some("b"), eq, false}, {Null[string]{}, eq, false},
		{Null[string]{}, isNull, true}, {Some("a"), isNull, false},
		{Null[string]{}, all, true}, {Some("b"), all, true},
	} {
		if got := c.v.In(c.d); got != c.want {
			t.Errorf("%+v.In(%v) = %v, want %v", c.v, c.d, got, c.want)
		}
	}
}
