package allops

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/source"
	"github.com/tpgen/tpgen/runtime/source/sourcetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// names is a source applying the exact name filter itself, as the spec
// promises.
type names struct{ seen *Scan }

func (s *names) Partitions(_ context.Context, scan *Scan) ([]Partition, error) {
	s.seen = scan
	return []Partition{{}}, nil
}

func (*names) Read(_ context.Context, _ Partition, scan *Scan, w *Writer) error {
	for _, n := range []source.Null[string]{source.Some("alice"), source.Some("alan"), source.Some("bob"), {}} {
		if n.Valid && !scan.Filters.Name.Contains(n.V) || !n.Valid && !scan.Filters.Name.NullAllowed() {
			continue
		}
		if err := w.Append(Row{Name: n}); err != nil {
			return err
		}
	}
	return nil
}

func column(name string) *expr.Column {
	return &expr.Column{Name: name, Type: allopsSchema.Field(allopsSchema.FieldIndices(name)[0]).Type}
}

func lit(v expr.Scalar) expr.Expr { return &expr.Literal{Value: v} }

func bin(op expr.Op, c string, v expr.Scalar) expr.Expr {
	return &expr.Binary{Op: op, L: column(c), R: lit(v), Type: arrow.FixedWidthTypes.Boolean}
}

func TestSupportsEveryOp(t *testing.T) {
	s := expr.String("al")
	cases := []struct {
		e    expr.Expr
		want plan.FilterPushdown
	}{
		{bin(expr.OpEq, "name", s), plan.Exact},
		{bin(expr.OpNe, "name", s), plan.Exact},
		{bin(expr.OpLt, "name", s), plan.Exact},
		{&expr.Binary{Op: expr.OpLt, L: lit(s), R: column("name"), Type: arrow.FixedWidthTypes.Boolean}, plan.Exact},
		{&expr.InList{E: column("name"), List: []expr.Expr{lit(s)}}, plan.Exact},
		{&expr.InList{E: column("name"), List: []expr.Expr{lit(s)}, Negated: true}, plan.Exact},
		{&expr.IsNull{E: column("name")}, plan.Exact},
		{&expr.IsNull{E: column("name"), Negated: true}, plan.Exact},
		{&expr.Like{E: column("name"), Pattern: lit(expr.String("al%"))}, plan.Exact},
		{&expr.Like{E: column("name"), Pattern: lit(expr.String("%al"))}, plan.Unsupported},
		{&expr.Like{E: column("name"), Pattern: lit(expr.String("a_%"))}, plan.Unsupported},
		{bin(expr.OpEq, "payload", expr.Bytes([]byte("x"))), plan.Inexact},
		{bin(expr.OpNe, "payload", expr.Bytes([]byte("x"))), plan.Unsupported},
		{&expr.Between{E: column("n"), Low: lit(expr.Int64(1)), High: lit(expr.Int64(5))}, plan.Exact},
		{bin(expr.OpLt, "x", expr.Float64(1)), plan.Inexact},
		{bin(expr.OpLe, "x", expr.Float64(1)), plan.Unsupported},
		{bin(expr.OpEq, "flag", expr.Bool(true)), plan.Exact},
		{bin(expr.OpEq, "n", expr.String("1")), plan.Unsupported}, // literal of another type
		{&expr.Binary{Op: expr.OpEq, L: column("n"), R: column("n"), Type: arrow.FixedWidthTypes.Boolean}, plan.Unsupported},
	}
	tbl := NewTable(&names{})
	for _, c := range cases {
		got, err := tbl.SupportsFilters([]expr.Expr{c.e})
		if err != nil || got[0] != c.want {
			t.Errorf("%s: %v %v, want %v", c.e, got, err, c.want)
		}
	}
}

func TestExactFiltersBecomeDomains(t *testing.T) {
	cases := []struct {
		filters []expr.Expr
		want    []string
	}{
		{[]expr.Expr{&expr.Like{E: column("name"), Pattern: lit(expr.String("al%"))}}, []string{"alice", "alan"}},
		{[]expr.Expr{bin(expr.OpNe, "name", expr.String("bob"))}, []string{"alice", "alan"}},
		{[]expr.Expr{&expr.IsNull{E: column("name")}}, []string{"(null)"}},
		{[]expr.Expr{&expr.InList{E: column("name"), List: []expr.Expr{lit(expr.String("bob")), lit(expr.String("alan"))}, Negated: true}}, []string{"alice", "(null)"}[:1]},
		{[]expr.Expr{bin(expr.OpGe, "name", expr.String("alb")), bin(expr.OpLt, "name", expr.String("b"))}, []string{"alice"}},
		{[]expr.Expr{bin(expr.OpEq, "name", expr.Null(arrow.BinaryTypes.String))}, nil},
	}
	for _, c := range cases {
		res := sourcetest.Run(t, NewTable(&names{}), plan.ScanRequest{Projection: []int{0}, Filters: c.filters, Limit: plan.NoLimit})
		if !slices.Equal(res.Rows, c.want) {
			t.Errorf("%v: rows %q, want %q", c.filters, res.Rows, c.want)
		}
	}
}

func TestExplainListsFilters(t *testing.T) {
	f := []expr.Expr{bin(expr.OpEq, "name", expr.String("bob")), &expr.IsNull{E: column("n"), Negated: true}}
	res := sourcetest.Run(t, NewTable(&names{}), plan.ScanRequest{Projection: []int{0}, Filters: f, Limit: 5})
	want := "AllopsExec: partitions=1/1, projection=[name], filter=[name = 'bob', n IS NOT NULL], limit=5"
	if got := res.Plan.String(); got != want || !strings.Contains(strings.Join(res.Rows, ","), "bob") {
		t.Errorf("EXPLAIN %q, want %q; rows %v", got, want, res.Rows)
	}
}
