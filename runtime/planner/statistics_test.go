package planner

import (
	"testing"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/plan"
)

// statsExec is a fake scan that knows its statistics.
type statsExec struct {
	*fakeExec
	st plan.Statistics
}

func (e *statsExec) Statistics() plan.Statistics { return e.st }

func TestStatisticsPropagatesRowCounts(t *testing.T) {
	ev := events()
	scan := func(rows int64) plan.ExecutionPlan {
		return &statsExec{&fakeExec{t: ev, schema: ev.schema, partitions: 2}, plan.Statistics{Rows: rows, Exact: true}}
	}
	if got := Statistics(scan(1000)); got.Rows != 1000 || !got.Exact {
		t.Errorf("scan: %+v", got)
	}
	f, err := physical.NewFilter(scan(1000), cmpOp(expr.OpEq, col(ev, "region"), str("x")))
	if err != nil {
		t.Fatal(err)
	}
	got := Statistics(physical.NewCoalescePartitions(f))
	if got.Rows != 1000 || got.Exact {
		t.Errorf("filter over 1000 rows: %+v, want an inexact 1000 (an upper bound)", got)
	}
	unknown := &fakeExec{t: ev, schema: ev.schema, partitions: 1}
	if got := Statistics(unknown); got.Rows != -1 {
		t.Errorf("a scan without statistics: %+v", got)
	}
	f2, _ := physical.NewFilter(unknown, cmpOp(expr.OpEq, col(ev, "region"), str("x")))
	if got := Statistics(f2); got.Rows != -1 {
		t.Errorf("above a scan without statistics: %+v", got)
	}
}
