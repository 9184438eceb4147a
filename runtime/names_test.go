package runtime

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/physical"
	"github.com/tpgen/tpgen/runtime/planner"
)

// TestRepeatedOutputNames runs select lists that repeat an output name,
// which PostgreSQL allows, through sorts, limits and aggregates above
// them. The result keeps the names the user wrote.
func TestRepeatedOutputNames(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	tests := []struct {
		sql   string
		names []string
		want  [][]any
	}{
		{"SELECT region, region FROM events ORDER BY 2 LIMIT 3", []string{"region", "region"},
			[][]any{{"eu-west-1", "eu-west-1"}, {"eu-west-1", "eu-west-1"}, {"us-east-1", "us-east-1"}}},
		{"SELECT max(user_id), max(user_id) FROM events", []string{"max(user_id)", "max(user_id)"},
			[][]any{{int64(5), int64(5)}}},
		{"SELECT region, count(*), count(*) FROM events GROUP BY region ORDER BY 1", []string{"region", "count(*)", "count(*)"},
			[][]any{{"eu-west-1", int64(2), int64(2)}, {"us-east-1", int64(3), int64(3)}}},
		{"SELECT user_id, user_id FROM events ORDER BY region DESC, 2 DESC", []string{"user_id", "user_id"},
			[][]any{{int64(3), int64(3)}, {int64(2), int64(2)}, {int64(1), int64(1)}, {int64(5), int64(5)}, {int64(4), int64(4)}}},
		{"SELECT user_id AS x, user_id AS x FROM events ORDER BY x DESC LIMIT 2 OFFSET 1", []string{"x", "x"},
			[][]any{{int64(4), int64(4)}, {int64(3), int64(3)}}},
	}
	for _, tc := range tests {
		res, err := s.Query(context.Background(), tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		var names []string
		for _, f := range res.Schema.Fields() {
			names = append(names, f.Name)
		}
		if diff := cmp.Diff(tc.names, names); diff != "" {
			t.Errorf("%s: names (-want +got):\n%s", tc.sql, diff)
		}
		if diff := cmp.Diff(tc.want, res.Rows()); diff != "" {
			t.Errorf("%s: rows (-want +got):\n%s", tc.sql, diff)
		}
		res.Release()
	}
}

// TestRepeatedNameDifferentColumns: when two different columns share a
// name, a sort key naming it cannot be resolved from the logical plan; the
// planner refuses instead of guessing (the SQL front end must hand it an
// unambiguous reference, see TestRepeatedNameWithUniqueSortKey).
func TestRepeatedNameDifferentColumns(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	const q = "SELECT region AS x, event_type AS x FROM events ORDER BY 1"
	res, err := s.Query(context.Background(), q)
	if err == nil {
		rows := res.Rows()
		res.Release()
		// Accept a front end that disambiguates: then the order is by region.
		want := [][]any{{"eu-west-1", "click"}, {"eu-west-1", "click"}}
		if diff := cmp.Diff(want, rows[:2]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", q, diff)
		}
		return
	}
	if !strings.Contains(err.Error(), `"x" is ambiguous`) {
		t.Errorf("%s: err = %v, want an ambiguity error", q, err)
	}
}

// TestRepeatedNameWithUniqueSortKey plans the shape a front end produces
// for SELECT a AS x, b AS x ... ORDER BY 2 when it names the sorted column
// uniquely (x#2) and restores the names in a final projection: the
// planner must sort by b, resolve the final projection's two x positionally
// and return both columns named x.
func TestRepeatedNameWithUniqueSortKey(t *testing.T) {
	s, mem := newTestSession(t)
	defer mem.AssertSize(t, 0)
	s.mu.RLock()
	tbl, _ := s.catalog.Table("events")
	s.mu.RUnlock()
	str := arrow.BinaryTypes.String
	region := &expr.Column{Name: "region", Type: str}
	etype := &expr.Column{Name: "event_type", Type: str}
	uid := &expr.Column{Name: "user_id", Type: arrow.PrimitiveTypes.Int64}
	scan := &logical.Scan{Table: "events", Provider: tbl, Limit: -1}
	inner := &logical.Projection{Input: scan, Exprs: []expr.Expr{region, etype, uid}, Names: []string{"x", "x#2", "user_id"}}
	sorted := &logical.Sort{Input: inner, Keys: []logical.SortExpr{
		{Expr: &expr.Column{Name: "x#2", Type: str}, NullsFirst: true},
		{Expr: &expr.Column{Name: "user_id", Type: uid.Type}, Descending: true},
	}}
	final := &logical.Projection{Input: sorted,
		Exprs: []expr.Expr{&expr.Column{Name: "x", Type: str}, &expr.Column{Name: "x#2", Type: str}},
		Names: []string{"x", "x"}}
	// A second projection over it (as DISTINCT or a subquery would add)
	// reading both x positionally.
	outer := &logical.Projection{Input: final,
		Exprs: []expr.Expr{&expr.Column{Name: "x", Type: str}, &expr.Column{Name: "x", Type: str}},
		Names: []string{"x", "x"}}
	for _, lp := range []logical.Plan{final, outer} {
		p, err := planner.Plan(context.Background(), lp, s.planOptions())
		if err != nil {
			t.Fatal(err)
		}
		recs, err := physical.Collect(context.Background(), p, s.task())
		if err != nil {
			t.Fatal(err)
		}
		res := &Result{Schema: p.Schema(), Records: recs}
		want := [][]any{{"us-east-1", nil}, {"eu-west-1", "click"}, {"eu-west-1", "click"}, {"us-east-1", "click"}, {"us-east-1", "view"}}
		if diff := cmp.Diff(want, res.Rows()); diff != "" {
			t.Errorf("(-want +got):\n%s\n%s", diff, physical.Explain(p))
		}
		if got := res.Schema.Field(0).Name + "," + res.Schema.Field(1).Name; got != "x,x" {
			t.Errorf("names %s, want x,x\n%s", got, physical.Explain(p))
		}
		res.Release()
	}
}

// TestQueryStreamCloseEarlyReleasesEverything closes streams of
// multi-partition plans (repartitioned aggregate, merge, top-N) after
// their first batch, and cancels others mid-stream: each time every byte
// must be back by the time Close returns.
func TestQueryStreamCloseEarlyReleasesEverything(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s := NewSession(WithAllocator(mem), WithParallelism(3), WithBatchSize(1))
	big := make([][][]any, 5)
	for p := range big {
		for i := range 200 {
			big[p] = append(big[p], []any{fmt.Sprintf("r%d", (p*200+i)%37), nil, int64(p*1000 + i)})
		}
	}
	tbl, err := memtable.Build(memory.NewGoAllocator(), eventsSchema, big, memtable.WithBatchRows(7))
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if err := s.Register("events", tbl); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT region, count(*), sum(user_id) FROM events GROUP BY region",
		"SELECT region, count(DISTINCT user_id) FROM events GROUP BY region",
		"SELECT user_id FROM events ORDER BY user_id DESC",
		"SELECT user_id FROM events ORDER BY region, user_id LIMIT 50",
		"SELECT user_id FROM events WHERE user_id % 3 = 0",
	} {
		for _, cancelFirst := range []bool{false, true} {
			ctx, cancel := context.WithCancel(context.Background())
			st, err := s.QueryStream(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			b, err := st.Next()
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			b.Release()
			if cancelFirst {
				cancel()
				for {
					b, err := st.Next()
					if err != nil {
						break
					}
					b.Release()
				}
			}
			st.Close()
			cancel()
			if n := mem.CurrentAlloc(); n != 0 {
				t.Errorf("%s (cancel first: %v): %d bytes still allocated after Close", q, cancelFirst, n)
			}
		}
	}
}
