package planner

import (
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

func optimized(t *testing.T, lp logical.Plan) string {
	t.Helper()
	before := logical.Format(lp)
	out, err := Optimize(lp)
	if err != nil {
		t.Fatal(err)
	}
	if after := logical.Format(lp); after != before {
		t.Errorf("Optimize modified its input:\n%s\nbecame\n%s", before, after)
	}
	return logical.Format(out)
}

func checkPlan(t *testing.T, got, want string) {
	t.Helper()
	want = strings.TrimLeft(want, "\n")
	if got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

func TestFilterPushdown(t *testing.T) {
	tests := []struct {
		name   string
		answer plan.FilterPushdown
		want   string
	}{
		{"exact", plan.Exact, `
Projection: region, event_type
  Filter: event_type = 'click'
    Scan: events, projection=[region, event_type], filters=[region = 'us-east-1']
`},
		{"inexact", plan.Inexact, `
Projection: region, event_type
  Filter: region = 'us-east-1' AND event_type = 'click'
    Scan: events, projection=[region, event_type], filters=[region = 'us-east-1']
`},
		{"unsupported", plan.Unsupported, `
Projection: region, event_type
  Filter: region = 'us-east-1' AND event_type = 'click'
    Scan: events, projection=[region, event_type]
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := events()
			ev.answer = exactOn("region", tc.answer)
			where := and(cmpOp(expr.OpEq, col(ev, "region"), str("us-east-1")), cmpOp(expr.OpEq, col(ev, "event_type"), str("click")))
			lp := project(&logical.Filter{Input: scanOf(ev), Predicate: where}, "region", "event_type")
			checkPlan(t, optimized(t, lp), tc.want)
		})
	}
}

func TestFilterPushdownAllExactRemovesFilter(t *testing.T) {
	ev := events()
	ev.answer = func(expr.Expr) plan.FilterPushdown { return plan.Exact }
	where := and(cmpOp(expr.OpEq, col(ev, "region"), str("us-east-1")), cmpOp(expr.OpGt, col(ev, "user_id"), i64(7)))
	lp := project(&logical.Filter{Input: scanOf(ev), Predicate: where}, "event_type")
	checkPlan(t, optimized(t, lp), `
Projection: event_type
  Scan: events, projection=[event_type], filters=[region = 'us-east-1', user_id > 7]
`)
}

func TestFilterPushdownStackedFiltersAndConstants(t *testing.T) {
	ev := events()
	ev.answer = func(expr.Expr) plan.FilterPushdown { return plan.Exact }
	inner := &logical.Filter{Input: scanOf(ev), Predicate: cmpOp(expr.OpEq, col(ev, "region"), str("eu"))}
	constant := cmpOp(expr.OpEq, i64(1), i64(1))
	outer := &logical.Filter{Input: inner, Predicate: and(constant, cmpOp(expr.OpLt, col(ev, "user_id"), i64(3)))}
	checkPlan(t, optimized(t, project(outer, "region")), `
Projection: region
  Filter: 1 = 1
    Scan: events, projection=[region], filters=[region = 'eu', user_id < 3]
`)
}

func TestFilterPushdownBadProvider(t *testing.T) {
	for name, answers := range map[string][]plan.FilterPushdown{
		"too few":  {},
		"too many": {plan.Exact, plan.Exact},
		"invalid":  {plan.FilterPushdown(9)},
	} {
		t.Run(name, func(t *testing.T) {
			ev := events()
			ev.answers = answers
			lp := &logical.Filter{Input: scanOf(ev), Predicate: cmpOp(expr.OpEq, col(ev, "region"), str("eu"))}
			_, err := Optimize(lp)
			if err == nil || !strings.Contains(err.Error(), "table events") {
				t.Fatalf("got %v, want an error naming table events", err)
			}
		})
	}
}

func TestProjectionPushdown(t *testing.T) {
	ev := events()
	agg := &logical.Aggregate{
		Input:      scanOf(ev),
		GroupBy:    []expr.Expr{col(ev, "region")},
		GroupNames: []string{"region"},
		Aggs:       []*expr.Aggregate{{Func: expr.AggSum, Arg: col(ev, "user_id"), Type: col(ev, "user_id").Type}},
		AggNames:   []string{"sum(user_id)"},
	}
	// Columns are listed in table order, whatever order the query uses.
	checkPlan(t, optimized(t, agg), `
Aggregate: groupBy=[region], aggr=[sum(user_id)]
  Scan: events, projection=[region, user_id]
`)
}

// count(*) reads no column: the scan's batches carry only a row count.
func TestProjectionPushdownCountStarReadsNoColumn(t *testing.T) {
	ev := events()
	agg := &logical.Aggregate{
		Input:    scanOf(ev),
		Aggs:     []*expr.Aggregate{{Func: expr.AggCount, Type: col(ev, "user_id").Type}},
		AggNames: []string{"count(*)"},
	}
	checkPlan(t, optimized(t, agg), `
Aggregate: groupBy=[], aggr=[count(*)]
  Scan: events, projection=[]
`)
}

func TestProjectionPushdownKeepsAllColumnsForSelectStar(t *testing.T) {
	ev := events()
	checkPlan(t, optimized(t, &logical.Limit{Input: scanOf(ev), Fetch: 3}), `
Limit: offset=0, fetch=3
  Scan: events, limit=3
`)
}

func TestProjectionPushdownSortKeysAndFilters(t *testing.T) {
	ev := events()
	filter := &logical.Filter{Input: scanOf(ev), Predicate: cmpOp(expr.OpGt, col(ev, "user_id"), i64(1))}
	sort := &logical.Sort{Input: project(filter, "region", "ts"), Keys: []logical.SortExpr{{Expr: col(ev, "ts")}}}
	checkPlan(t, optimized(t, sort), `
Sort: ts ASC
  Projection: region, ts
    Filter: user_id > 1
      Scan: events, projection=[region, ts, user_id]
`)
}

func TestLimitPushdown(t *testing.T) {
	ev := events()
	ev.answer = exactOn("region", plan.Exact)
	region := cmpOp(expr.OpEq, col(ev, "region"), str("eu"))
	other := cmpOp(expr.OpEq, col(ev, "event_type"), str("click"))
	tests := []struct {
		name string
		lp   logical.Plan
		want string
	}{
		{"through projection", &logical.Limit{Input: project(scanOf(ev), "ts"), Offset: 2, Fetch: 5}, `
Limit: offset=2, fetch=5
  Projection: ts
    Scan: events, projection=[ts], limit=7
`},
		{"exact filter absorbed", &logical.Limit{Input: project(&logical.Filter{Input: scanOf(ev), Predicate: region}, "ts"), Fetch: 5}, `
Limit: offset=0, fetch=5
  Projection: ts
    Scan: events, projection=[ts], filters=[region = 'eu'], limit=5
`},
		{"filter stays", &logical.Limit{Input: project(&logical.Filter{Input: scanOf(ev), Predicate: other}, "ts"), Fetch: 5}, `
Limit: offset=0, fetch=5
  Projection: ts
    Filter: event_type = 'click'
      Scan: events, projection=[event_type, ts]
`},
		{"sort in between", &logical.Limit{Input: &logical.Sort{Input: project(scanOf(ev), "ts"), Keys: []logical.SortExpr{{Expr: col(ev, "ts")}}}, Fetch: 5}, `
Limit: offset=0, fetch=5
  Sort: ts ASC
    Projection: ts
      Scan: events, projection=[ts]
`},
		{"offset only", &logical.Limit{Input: project(scanOf(ev), "ts"), Offset: 2, Fetch: -1}, `
Limit: offset=2, fetch=-1
  Projection: ts
    Scan: events, projection=[ts]
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkPlan(t, optimized(t, tc.lp), tc.want) })
	}
}
