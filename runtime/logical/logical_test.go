package logical

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// table is a provider whose only job is to have a schema.
type table struct{ schema *arrow.Schema }

func (t table) Schema() *arrow.Schema { return t.schema }
func (table) SupportsFilters(f []expr.Expr) ([]plan.FilterPushdown, error) {
	return make([]plan.FilterPushdown, len(f)), nil
}
func (table) Scan(context.Context, plan.ScanRequest) (plan.ExecutionPlan, error) { return nil, nil }

func TestFormatAndSchemas(t *testing.T) {
	i64 := arrow.PrimitiveTypes.Int64
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: i64}, {Name: "v", Type: i64}, {Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	k, v := &expr.Column{Name: "k", Type: i64}, &expr.Column{Name: "v", Type: i64}
	scan := &Scan{Table: "t", Provider: table{schema}, Projection: []int{0, 1}, Limit: plan.NoLimit,
		Filters: []expr.Expr{&expr.Binary{Op: expr.OpGt, L: v, R: &expr.Literal{Value: expr.Int64(1)}, Type: arrow.FixedWidthTypes.Boolean}}}
	sum := &expr.Aggregate{Func: expr.AggSum, Arg: v, Type: i64}
	agg := &Aggregate{Input: scan, GroupBy: []expr.Expr{k}, GroupNames: []string{"k"}, Aggs: []*expr.Aggregate{sum}, AggNames: []string{"sum(v)"}}
	proj := &Projection{Input: agg, Exprs: []expr.Expr{k, &expr.Column{Name: "sum(v)", Type: i64}}, Names: []string{"k", "total"}}
	sorted := &Sort{Input: proj, Keys: []SortExpr{{Expr: &expr.Column{Name: "total", Type: i64}, Descending: true, NullsFirst: true}}}
	top := &Explain{Input: &Limit{Input: sorted, Offset: 0, Fetch: 3}}

	want := `Explain
  Limit: offset=0, fetch=3
    Sort: total DESC
      Projection: k, sum(v) AS total
        Aggregate: groupBy=[k], aggr=[sum(v)]
          Scan: t, projection=[k, v], filters=[v > 1]
`
	if got := Format(top); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
	if got := scan.Schema().String(); got != arrow.NewSchema(schema.Fields()[:2], nil).String() {
		t.Errorf("scan schema %s", got)
	}
	if f := agg.Schema().Field(1); f.Name != "sum(v)" || !f.Nullable {
		t.Errorf("aggregate field %v: sums are nullable (NULL over no rows)", f)
	}
	if names := proj.Schema().Field(1).Name; names != "total" {
		t.Errorf("projection renames to %q", names)
	}
	if got := top.Schema().Field(0).Name; got != "plan" {
		t.Errorf("EXPLAIN yields column %q", got)
	}
}
