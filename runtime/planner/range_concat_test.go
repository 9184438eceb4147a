package planner

import (
	"testing"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// TestRangeOrderedConcat: ORDER BY on the range-partitioning column of
// partitions that are each ordered reads them in order (OrderedConcatExec)
// instead of merging them, exactly when that is sound.
func TestRangeOrderedConcat(t *testing.T) {
	rangeOn := func(c string) plan.Partitioning {
		return plan.Partitioning{Kind: plan.RangePartitioning, Columns: []string{c}}
	}
	tsUser := []plan.SortKey{{Column: "ts"}, {Column: "user_id"}}
	limit := func(in logical.Plan, offset, fetch int) logical.Plan {
		return &logical.Limit{Input: in, Offset: offset, Fetch: fetch}
	}
	isClick := func(ev *fakeTable) expr.Expr { return cmpOp(expr.OpEq, col(ev, "event_type"), str("click")) }
	tests := []struct {
		name      string
		part      plan.Partitioning
		ordering  []plan.SortKey
		answer    plan.FilterPushdown // for filters on event_type
		lp        func(ev *fakeTable) logical.Plan
		want      string
		partCount int // default 4
	}{
		{name: "order by range column with limit", part: rangeOn("ts"), ordering: tsUser,
			lp: func(ev *fakeTable) logical.Plan {
				return limit(sortBy(project(scanOf(ev), "ts", "user_id"), asc(col(ev, "ts"))), 0, 10)
			}, want: `
OrderedConcatExec: [ts ASC], fetch=10
  events: partitions=4, projection=[ts, user_id], limit=10
`},
		{name: "more keys the ordering satisfies, offset", part: rangeOn("ts"), ordering: tsUser,
			lp: func(ev *fakeTable) logical.Plan {
				return limit(sortBy(project(scanOf(ev), "ts", "user_id"), asc(col(ev, "ts")), asc(col(ev, "user_id"))), 5, 10)
			}, want: `
GlobalLimitExec: offset=5, fetch=10
  OrderedConcatExec: [ts ASC, user_id ASC], fetch=15
    events: partitions=4, projection=[ts, user_id], limit=15
`},
		{name: "no limit", part: rangeOn("ts"), ordering: tsUser,
			lp: func(ev *fakeTable) logical.Plan {
				return sortBy(project(scanOf(ev), "ts"), asc(col(ev, "ts")))
			}, want: `
OrderedConcatExec: [ts ASC]
  events: partitions=4, projection=[ts]
`},
		{name: "descending partitions read in reverse", part: rangeOn("ts"),
			ordering: []plan.SortKey{{Column: "ts", Descending: true, NullsFirst: true}},
			lp: func(ev *fakeTable) logical.Plan {
				return limit(sortBy(project(scanOf(ev), "ts"), desc(col(ev, "ts"))), 0, 3)
			}, want: `
OrderedConcatExec: [ts DESC], reverse=true, fetch=3
  events: partitions=4, projection=[ts], limit=3
`},
		{name: "NULL placement is moot on a non-nullable column", part: rangeOn("ts"),
			// ts DESC NULLS LAST declared, ORDER BY ts DESC asks NULLS FIRST.
			ordering: []plan.SortKey{{Column: "ts", Descending: true}},
			lp: func(ev *fakeTable) logical.Plan {
				return limit(sortBy(project(scanOf(ev), "ts"), desc(col(ev, "ts"))), 0, 3)
			}, want: `
OrderedConcatExec: [ts DESC], reverse=true, fetch=3
  events: partitions=4, projection=[ts], limit=3
`},
		{name: "partitions ordered the other way: sort and merge", part: rangeOn("ts"), ordering: tsUser,
			lp: func(ev *fakeTable) logical.Plan {
				return limit(sortBy(project(scanOf(ev), "ts"), desc(col(ev, "ts"))), 0, 3)
			}, want: `
SortPreservingMergeExec: [ts DESC], fetch=3
  SortExec: expr=[ts DESC], fetch=3, preserve_partitioning=true
    events: partitions=4, projection=[ts]
`},
		{name: "key partitioning: merge", part: plan.Partitioning{Kind: plan.KeyPartitioning, Columns: []string{"ts"}}, ordering: tsUser,
			lp: func(ev *fakeTable) logical.Plan {
				return limit(sortBy(project(scanOf(ev), "ts"), asc(col(ev, "ts"))), 0, 10)
			}, want: `
SortPreservingMergeExec: [ts ASC], fetch=10
  events: partitions=4, projection=[ts], limit=10
`},
		{name: "first key is not the range column: merge", part: rangeOn("user_id"), ordering: tsUser,
			lp: func(ev *fakeTable) logical.Plan {
				return limit(sortBy(project(scanOf(ev), "ts", "user_id"), asc(col(ev, "ts"))), 0, 10)
			}, want: `
SortPreservingMergeExec: [ts ASC], fetch=10
  events: partitions=4, projection=[ts, user_id], limit=10
`},
		{name: "single partition: nothing to do", part: rangeOn("ts"), ordering: tsUser, partCount: 1,
			lp: func(ev *fakeTable) logical.Plan {
				return limit(sortBy(project(scanOf(ev), "ts"), asc(col(ev, "ts"))), 0, 10)
			}, want: `
GlobalLimitExec: offset=0, fetch=10
  events: partitions=1, projection=[ts], limit=10
`},
		{name: "renamed range column", part: rangeOn("ts"), ordering: tsUser,
			lp: func(ev *fakeTable) logical.Plan {
				p := &logical.Projection{Input: scanOf(ev), Exprs: []expr.Expr{col(ev, "ts"), col(ev, "user_id")}, Names: []string{"t", "u"}}
				return limit(sortBy(p, asc(&expr.Column{Name: "t", Type: col(ev, "ts").Type})), 0, 10)
			}, want: `
OrderedConcatExec: [t ASC], fetch=10
  ProjectionExec: expr=[ts AS t, user_id AS u]
    events: partitions=4, projection=[ts, user_id], limit=10
`},
		// event_type is nullable: its NULLs may be in any partition.
		{name: "nullable range column: merge", part: rangeOn("event_type"),
			ordering: []plan.SortKey{{Column: "event_type"}},
			lp: func(ev *fakeTable) logical.Plan {
				return limit(sortBy(project(scanOf(ev), "event_type"), asc(col(ev, "event_type"))), 0, 10)
			}, want: `
SortPreservingMergeExec: [event_type ASC], fetch=10
  events: partitions=4, projection=[event_type], limit=10
`},
		{name: "nullable, exact filter rejects NULL", part: rangeOn("event_type"), answer: plan.Exact,
			ordering: []plan.SortKey{{Column: "event_type"}},
			lp: func(ev *fakeTable) logical.Plan {
				f := &logical.Filter{Input: scanOf(ev), Predicate: isClick(ev)}
				return limit(sortBy(project(f, "event_type"), asc(col(ev, "event_type"))), 0, 10)
			}, want: `
OrderedConcatExec: [event_type ASC], fetch=10
  events: partitions=4, projection=[event_type], filter=[event_type = 'click'], limit=10
`},
		{name: "nullable, inexact filter rejects NULL", part: rangeOn("event_type"), answer: plan.Inexact,
			ordering: []plan.SortKey{{Column: "event_type"}},
			lp: func(ev *fakeTable) logical.Plan {
				f := &logical.Filter{Input: scanOf(ev), Predicate: isClick(ev)}
				return limit(sortBy(project(f, "event_type"), asc(col(ev, "event_type"))), 0, 10)
			}, want: `
OrderedConcatExec: [event_type ASC], fetch=10
  FilterExec: event_type = 'click'
    events: partitions=4, projection=[event_type], filter=[event_type = 'click']
`},
		{name: "nullable, unsupported filter rejects NULL", part: rangeOn("event_type"), answer: plan.Unsupported,
			ordering: []plan.SortKey{{Column: "event_type"}},
			lp: func(ev *fakeTable) logical.Plan {
				f := &logical.Filter{Input: scanOf(ev), Predicate: &expr.IsNull{E: col(ev, "event_type"), Negated: true}}
				return limit(sortBy(project(f, "event_type"), asc(col(ev, "event_type"))), 0, 10)
			}, want: `
OrderedConcatExec: [event_type ASC], fetch=10
  FilterExec: event_type IS NOT NULL
    events: partitions=4, projection=[event_type]
`},
		{name: "nullable, filter lets NULL through: merge", part: rangeOn("event_type"), answer: plan.Exact,
			ordering: []plan.SortKey{{Column: "event_type"}},
			lp: func(ev *fakeTable) logical.Plan {
				pred := &expr.Binary{Op: expr.OpOr, L: isClick(ev), R: &expr.IsNull{E: col(ev, "event_type")}, Type: isClick(ev).DataType()}
				f := &logical.Filter{Input: scanOf(ev), Predicate: pred}
				return limit(sortBy(project(f, "event_type"), asc(col(ev, "event_type"))), 0, 10)
			}, want: `
SortPreservingMergeExec: [event_type ASC], fetch=10
  events: partitions=4, projection=[event_type], filter=[event_type = 'click' OR event_type IS NULL], limit=10
`},
		{name: "nullable, filter on another column: merge", part: rangeOn("event_type"), answer: plan.Exact,
			ordering: []plan.SortKey{{Column: "event_type"}},
			lp: func(ev *fakeTable) logical.Plan {
				f := &logical.Filter{Input: scanOf(ev), Predicate: cmpOp(expr.OpGt, col(ev, "user_id"), i64(3))}
				return limit(sortBy(project(f, "event_type"), asc(col(ev, "event_type"))), 0, 10)
			}, want: `
SortPreservingMergeExec: [event_type ASC], fetch=10
  ProjectionExec: expr=[event_type]
    FilterExec: user_id > 3
      events: partitions=4, projection=[event_type, user_id]
`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := events()
			ev.partitions = 4
			if tc.partCount > 0 {
				ev.partitions = tc.partCount
			}
			ev.partition, ev.ordering = tc.part, tc.ordering
			ev.answer = exactOn("event_type", tc.answer)
			checkPlan(t, explain(t, tc.lp(ev), Options{}), tc.want)
		})
	}
}
