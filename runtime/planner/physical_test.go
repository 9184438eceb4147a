package planner

import (
	"context"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

func explain(t *testing.T, lp logical.Plan, opts Options) string {
	t.Helper()
	p, err := Plan(context.Background(), lp, opts)
	if err != nil {
		t.Fatal(err)
	}
	return Explain(p)
}

func sortBy(in logical.Plan, keys ...logical.SortExpr) *logical.Sort {
	return &logical.Sort{Input: in, Keys: keys}
}

func asc(c *expr.Column) logical.SortExpr { return logical.SortExpr{Expr: c} }

func desc(c *expr.Column) logical.SortExpr {
	return logical.SortExpr{Expr: c, Descending: true, NullsFirst: true}
}

func TestPhysicalFilterPushdown(t *testing.T) {
	tests := []struct {
		name   string
		answer plan.FilterPushdown
		want   string
	}{
		{"exact", plan.Exact, `
FilterExec: event_type = 'click'
  events: partitions=1, projection=[region, event_type], filter=[region = 'us-east-1']
`},
		{"inexact", plan.Inexact, `
FilterExec: region = 'us-east-1' AND event_type = 'click'
  events: partitions=1, projection=[region, event_type], filter=[region = 'us-east-1']
`},
		{"unsupported", plan.Unsupported, `
FilterExec: region = 'us-east-1' AND event_type = 'click'
  events: partitions=1, projection=[region, event_type]
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := events()
			ev.answer = exactOn("region", tc.answer)
			where := and(cmpOp(expr.OpEq, col(ev, "region"), str("us-east-1")), cmpOp(expr.OpEq, col(ev, "event_type"), str("click")))
			lp := project(&logical.Filter{Input: scanOf(ev), Predicate: where}, "region", "event_type")
			checkPlan(t, explain(t, lp, Options{}), tc.want)
		})
	}
}

func TestPhysicalAllExactLeavesOnlyTheScan(t *testing.T) {
	ev := events()
	ev.answer = func(expr.Expr) plan.FilterPushdown { return plan.Exact }
	where := and(cmpOp(expr.OpEq, col(ev, "region"), str("us-east-1")), cmpOp(expr.OpEq, col(ev, "event_type"), str("click")))
	lp := project(&logical.Filter{Input: scanOf(ev), Predicate: where}, "user_id")
	checkPlan(t, explain(t, lp, Options{}), `
events: partitions=1, projection=[user_id], filter=[region = 'us-east-1', event_type = 'click']
`)
}

func TestPhysicalLimit(t *testing.T) {
	ev := events()
	ev.partitions = 3
	other := cmpOp(expr.OpEq, col(ev, "event_type"), str("click"))
	t.Run("pushed", func(t *testing.T) {
		lp := &logical.Limit{Input: project(scanOf(ev), "ts"), Offset: 1, Fetch: 5}
		checkPlan(t, explain(t, lp, Options{}), `
GlobalLimitExec: offset=1, fetch=5
  CoalescePartitionsExec
    LocalLimitExec: fetch=6
      events: partitions=3, projection=[ts], limit=6
`)
	})
	t.Run("filter stays", func(t *testing.T) {
		lp := &logical.Limit{Input: project(&logical.Filter{Input: scanOf(ev), Predicate: other}, "ts"), Fetch: 5}
		checkPlan(t, explain(t, lp, Options{}), `
GlobalLimitExec: offset=0, fetch=5
  CoalescePartitionsExec
    LocalLimitExec: fetch=5
      ProjectionExec: expr=[ts]
        FilterExec: event_type = 'click'
          events: partitions=3, projection=[event_type, ts]
`)
	})
}

func TestPhysicalSort(t *testing.T) {
	tsOrdered := []plan.SortKey{{Column: "ts"}, {Column: "user_id"}}
	tests := []struct {
		name       string
		partitions int
		ordering   []plan.SortKey
		lp         func(ev *fakeTable) logical.Plan
		want       string
	}{
		{"sorted single partition: no sort", 1, tsOrdered,
			func(ev *fakeTable) logical.Plan {
				return &logical.Limit{Input: sortBy(project(scanOf(ev), "ts", "region"), asc(col(ev, "ts"))), Fetch: 10}
			}, `
GlobalLimitExec: offset=0, fetch=10
  ProjectionExec: expr=[ts, region]
    events: partitions=1, projection=[region, ts], limit=10
`},
		{"sorted partitions: merge with fetch", 4, tsOrdered,
			func(ev *fakeTable) logical.Plan {
				return &logical.Limit{Input: sortBy(scanOf(ev), asc(col(ev, "ts")), asc(col(ev, "user_id"))), Fetch: 10}
			}, `
SortPreservingMergeExec: [ts ASC, user_id ASC], fetch=10
  events: partitions=4, projection=[region, event_type, ts, user_id, flag], limit=10
`},
		{"direction differs: top-N", 4, tsOrdered,
			func(ev *fakeTable) logical.Plan {
				return &logical.Limit{Input: sortBy(project(scanOf(ev), "ts"), desc(col(ev, "ts"))), Offset: 2, Fetch: 3}
			}, `
GlobalLimitExec: offset=2, fetch=3
  SortPreservingMergeExec: [ts DESC], fetch=5
    SortExec: expr=[ts DESC], fetch=5, preserve_partitioning=true
      events: partitions=4, projection=[ts]
`},
		{"unsorted single partition", 1, nil,
			func(ev *fakeTable) logical.Plan {
				return sortBy(project(scanOf(ev), "user_id"), asc(col(ev, "user_id")))
			}, `
SortExec: expr=[user_id ASC]
  events: partitions=1, projection=[user_id]
`},
		{"ordering survives a rename", 2, tsOrdered,
			func(ev *fakeTable) logical.Plan {
				p := &logical.Projection{Input: scanOf(ev), Exprs: []expr.Expr{col(ev, "ts")}, Names: []string{"t"}}
				return sortBy(p, logical.SortExpr{Expr: &expr.Column{Name: "t", Type: col(ev, "ts").Type}})
			}, `
SortPreservingMergeExec: [t ASC]
  ProjectionExec: expr=[ts AS t]
    events: partitions=2, projection=[ts]
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := events()
			ev.partitions, ev.ordering = tc.partitions, tc.ordering
			checkPlan(t, explain(t, tc.lp(ev), Options{}), tc.want)
		})
	}
}

func TestPhysicalAggregate(t *testing.T) {
	agg := func(ev *fakeTable) logical.Plan {
		return &logical.Aggregate{
			Input:      scanOf(ev),
			GroupBy:    []expr.Expr{col(ev, "region")},
			GroupNames: []string{"region"},
			Aggs:       []*expr.Aggregate{{Func: expr.AggCount, Type: col(ev, "user_id").Type}},
			AggNames:   []string{"count(*)"},
		}
	}
	t.Run("key-partitioned: single phase", func(t *testing.T) {
		ev := events()
		ev.partitions = 3
		ev.partition = plan.Partitioning{Kind: plan.KeyPartitioning, Columns: []string{"region"}}
		checkPlan(t, explain(t, agg(ev), Options{TargetPartitions: 2}), `
CoalescePartitionsExec
  AggregateExec: mode=SinglePartitioned, gby=[region], aggr=[count(*)]
    events: partitions=3, projection=[region]
`)
	})
	t.Run("unknown partitioning: partial, repartition, final", func(t *testing.T) {
		ev := events()
		ev.partitions = 3
		checkPlan(t, explain(t, agg(ev), Options{TargetPartitions: 2}), `
CoalescePartitionsExec
  AggregateExec: mode=Final, gby=[region], aggr=[count(*)]
    RepartitionExec: partitioning=Hash([region], 2), input_partitions=2
      AggregateExec: mode=Partial, gby=[region], aggr=[count(*)]
        SharePartitionsExec: partitions=2, input_partitions=3
          events: partitions=3, projection=[region]
`)
	})
}

func TestPhysicalErrors(t *testing.T) {
	ev := events()
	ev.unbounded = true
	_, err := Plan(context.Background(), sortBy(scanOf(ev), asc(col(ev, "ts"))), Options{})
	if err == nil || !strings.Contains(err.Error(), "unbounded") {
		t.Errorf("sorting an unbounded scan: got %v", err)
	}
	_, err = Plan(context.Background(), &logical.Explain{Input: scanOf(events())}, Options{})
	if err != ErrExplain {
		t.Errorf("planning EXPLAIN: got %v, want ErrExplain", err)
	}
	bad := &badSchemaTable{events()}
	_, err = Plan(context.Background(), project(&logical.Scan{Table: "events", Provider: bad, Limit: plan.NoLimit}, "ts"), Options{})
	if err == nil || !strings.Contains(err.Error(), "table events") {
		t.Errorf("scan with the wrong columns: got %v", err)
	}
}

// badSchemaTable ignores the projection it is asked for.
type badSchemaTable struct{ *fakeTable }

func (b *badSchemaTable) Scan(ctx context.Context, req plan.ScanRequest) (plan.ExecutionPlan, error) {
	req.Projection = nil
	return b.fakeTable.Scan(ctx, req)
}

func TestPhysicalSortAfterAggregate(t *testing.T) {
	ev := events()
	ev.partitions = 3
	agg := &logical.Aggregate{
		Input:      scanOf(ev),
		GroupBy:    []expr.Expr{col(ev, "region")},
		GroupNames: []string{"region"},
		Aggs:       []*expr.Aggregate{{Func: expr.AggSum, Arg: col(ev, "user_id"), Type: col(ev, "user_id").Type}},
		AggNames:   []string{"total"},
	}
	total := &expr.Column{Name: "total", Type: col(ev, "user_id").Type}
	lp := &logical.Limit{Input: sortBy(agg, desc(total)), Fetch: 2}
	checkPlan(t, explain(t, lp, Options{TargetPartitions: 2}), `
SortPreservingMergeExec: [total DESC], fetch=2
  SortExec: expr=[total DESC], fetch=2, preserve_partitioning=true
    AggregateExec: mode=Final, gby=[region], aggr=[sum(user_id) AS total]
      RepartitionExec: partitioning=Hash([region], 2), input_partitions=2
        AggregateExec: mode=Partial, gby=[region], aggr=[sum(user_id) AS total]
          SharePartitionsExec: partitions=2, input_partitions=3
            events: partitions=3, projection=[region, user_id]
`)
}

// declaringTable is a fakeTable that declares its layout (as generated
// tables do) and counts its Scan calls.
type declaringTable struct {
	*fakeTable
	scans int
}

func (d *declaringTable) Scan(ctx context.Context, req plan.ScanRequest) (plan.ExecutionPlan, error) {
	d.scans++
	return d.fakeTable.Scan(ctx, req)
}

func (d *declaringTable) DeclaredLayout() (plan.Partitioning, []plan.SortKey) {
	return d.partition, d.ordering
}

// TestOrderedLimitScansOnce checks that ORDER BY the declared ordering
// with LIMIT calls the provider's Scan once, with the limit, when the
// table declares its ordering, and that other sorts are planned as before.
func TestOrderedLimitScansOnce(t *testing.T) {
	ts := []plan.SortKey{{Column: "ts"}}
	for _, c := range []struct {
		name      string
		key       string
		desc      bool
		scans     int
		wantLimit int
	}{
		{"declared order", "ts", false, 1, 4},
		{"declared column descending", "ts", true, 1, plan.NoLimit},
		{"other column", "user_id", false, 1, plan.NoLimit},
	} {
		ev := events()
		ev.partitions, ev.ordering = 4, ts
		d := &declaringTable{fakeTable: ev}
		scan := &logical.Scan{Table: "events", Provider: d, Limit: plan.NoLimit}
		keys := []logical.SortExpr{{Expr: col(ev, c.key), Descending: c.desc, NullsFirst: c.desc}}
		lp := &logical.Limit{Input: &logical.Sort{Input: project(scan, "region", "ts", "user_id"), Keys: keys}, Fetch: 4}
		p, err := Plan(context.Background(), lp, Options{TargetPartitions: 2})
		if err != nil {
			t.Fatal(err)
		}
		if d.scans != c.scans || ev.lastReq.Limit != c.wantLimit {
			t.Errorf("%s: %d Scan calls, last with limit %d; want %d, limit %d\n%s", c.name, d.scans, ev.lastReq.Limit, c.scans, c.wantLimit, Explain(p))
		}
	}
}
