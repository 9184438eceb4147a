package runtime

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/plan"
)

// guardedTable lets a test see which partitions a query executed, and
// fails partitions it must not touch.
type guardedTable struct {
	plan.TableProvider
	forbid func(partition int) bool

	mu       sync.Mutex
	executed []int
}

func (g *guardedTable) Scan(ctx context.Context, req plan.ScanRequest) (plan.ExecutionPlan, error) {
	p, err := g.TableProvider.Scan(ctx, req)
	if err != nil {
		return nil, err
	}
	return &guardedExec{ExecutionPlan: p, g: g}, nil
}

func (g *guardedTable) partitions() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := g.executed
	g.executed = nil
	return out
}

type guardedExec struct {
	plan.ExecutionPlan
	g *guardedTable
}

func (e *guardedExec) Execute(ctx context.Context, p int, task *plan.TaskContext) (plan.RecordStream, error) {
	e.g.mu.Lock()
	e.g.executed = append(e.g.executed, p)
	e.g.mu.Unlock()
	if e.g.forbid != nil && e.g.forbid(p) {
		return nil, fmt.Errorf("partition %d must not be executed", p)
	}
	return e.ExecutionPlan.Execute(ctx, p, task)
}

var rangedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "ts", Type: arrow.PrimitiveTypes.Int64},
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// rangedTable has four partitions covering ts 1-5, 10-14, 20-24 and
// 30-34, each ordered by ts (descending when desc) then id, in batches of
// two rows.
func rangedTable(t *testing.T, desc bool) *guardedTable {
	t.Helper()
	parts := make([][][]any, 4)
	for p := range parts {
		for i := range 5 {
			ts := int64(10*p + i)
			if p == 0 {
				ts = int64(i + 1)
			}
			if desc {
				ts = int64(10*p + 4 - i)
				if p == 0 {
					ts = int64(5 - i)
				}
			}
			var note any
			if ts%3 != 0 {
				note = fmt.Sprint("n", ts)
			}
			parts[p] = append(parts[p], []any{ts, -ts, note}, []any{ts, 1000 + ts, note})
		}
	}
	key := plan.SortKey{Column: "ts", Descending: desc, NullsFirst: desc}
	tbl, err := memtable.Build(memory.NewGoAllocator(), rangedSchema, parts,
		memtable.WithRangePartitioning("ts"), memtable.WithOrdering(key, plan.SortKey{Column: "id"}), memtable.WithBatchRows(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tbl.Release)
	return &guardedTable{TableProvider: tbl}
}

func rangedSession(t *testing.T, tables map[string]TableProvider) (*Session, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s := NewSession(WithAllocator(mem), WithParallelism(4), WithVerify(true))
	for name, tbl := range tables {
		if err := s.Register(name, tbl); err != nil {
			t.Fatal(err)
		}
	}
	return s, mem
}

func explainContains(t *testing.T, s *Session, q, want string) {
	t.Helper()
	text, err := s.Explain(context.Background(), q)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", q, err)
	}
	if !strings.Contains(text, want) {
		t.Errorf("EXPLAIN %s:\n%s\nwant a line %q", q, text, want)
	}
}

// TestOrderByRangePartitionsConcatenates: ORDER BY the range column of a
// table whose partitions are each ordered by it reads them in order, and
// under LIMIT executes only the partitions it needs.
func TestOrderByRangePartitionsConcatenates(t *testing.T) {
	up, down := rangedTable(t, false), rangedTable(t, true)
	s, mem := rangedSession(t, map[string]TableProvider{"up": up, "down": down})
	defer mem.AssertSize(t, 0)

	tests := []struct {
		tbl      *guardedTable
		sql      string
		explain  string
		want     [][]any
		executed []int // nil: not checked
	}{
		{up, "SELECT ts, id FROM up ORDER BY ts LIMIT 3", "OrderedConcatExec: [ts ASC], fetch=3",
			[][]any{{int64(1), int64(-1)}, {int64(1), int64(1001)}, {int64(2), int64(-2)}}, []int{0}},
		{up, "SELECT ts FROM up ORDER BY ts, id LIMIT 3 OFFSET 9", "OrderedConcatExec: [ts ASC, id ASC], fetch=12",
			[][]any{{int64(5)}, {int64(10)}, {int64(10)}}, []int{0, 1}},
		// The filter prunes partition 0 (exact pushdown); ranges still
		// ascend over the partitions kept.
		{up, "SELECT ts, note FROM up WHERE ts >= 12 ORDER BY ts LIMIT 7", "OrderedConcatExec: [ts ASC], fetch=7",
			[][]any{{int64(12), nil}, {int64(12), nil}, {int64(13), "n13"}, {int64(13), "n13"}, {int64(14), "n14"}, {int64(14), "n14"}, {int64(20), "n20"}},
			[]int{0, 1}},
		{up, "SELECT ts, note FROM up WHERE ts >= 12 ORDER BY ts LIMIT 5", "OrderedConcatExec: [ts ASC], fetch=5",
			[][]any{{int64(12), nil}, {int64(12), nil}, {int64(13), "n13"}, {int64(13), "n13"}, {int64(14), "n14"}}, []int{0}},
		{down, "SELECT ts FROM down ORDER BY ts DESC LIMIT 3", "OrderedConcatExec: [ts DESC], reverse=true, fetch=3",
			[][]any{{int64(34)}, {int64(34)}, {int64(33)}}, []int{3}},
		// Renamed through the select list.
		{up, "SELECT ts AS t FROM up ORDER BY t LIMIT 2", "OrderedConcatExec: [t ASC], fetch=2",
			[][]any{{int64(1)}, {int64(1)}}, []int{0}},
	}
	for _, tc := range tests {
		tc.tbl.forbid = nil
		explainContains(t, s, tc.sql, tc.explain)
		tc.tbl.partitions()
		// Partitions past those the limit needs fail if executed.
		need := map[int]bool{}
		for _, p := range tc.executed {
			need[p] = true
		}
		tc.tbl.forbid = func(p int) bool { return !need[p] }
		if diff := cmp.Diff(tc.want, query(t, s, tc.sql)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.sql, diff)
		}
		if diff := cmp.Diff(tc.executed, tc.tbl.partitions()); diff != "" {
			t.Errorf("%s: executed partitions (-want +got):\n%s", tc.sql, diff)
		}
		tc.tbl.forbid = nil
	}

	// Without LIMIT every partition is read, several at once, and the
	// result is the full table in order.
	for _, q := range []string{"SELECT ts, id FROM up ORDER BY ts, id", "SELECT ts, id FROM down ORDER BY ts DESC, id"} {
		got := query(t, s, q)
		if len(got) != 40 {
			t.Fatalf("%s: %d rows, want 40", q, len(got))
		}
		desc := strings.Contains(q, "DESC")
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			ta, tb := a[0].(int64), b[0].(int64)
			if desc {
				ta, tb = tb, ta
			}
			if ta > tb || (ta == tb && a[1].(int64) >= b[1].(int64)) {
				t.Fatalf("%s: row %d %v after %v", q, i, b, a)
			}
		}
	}
	explainContains(t, s, "SELECT ts, id FROM up ORDER BY ts, id", "OrderedConcatExec: [ts ASC, id ASC]\n")
}

// TestOrderByNullableRangeColumn: range partitioning says nothing about
// where NULLs live, so a nullable range column is merged, unless a filter
// rejects NULL.
func TestOrderByNullableRangeColumn(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	tbl, err := memtable.Build(memory.NewGoAllocator(), schema, [][][]any{
		{{int64(1)}, {int64(2)}, {nil}},
		{{int64(3)}, {nil}},
		{{int64(4)}, {int64(5)}},
	}, memtable.WithRangePartitioning("k"), memtable.WithOrdering(plan.SortKey{Column: "k"}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tbl.Release)
	s, mem := rangedSession(t, map[string]TableProvider{"n": tbl})
	defer mem.AssertSize(t, 0)

	explainContains(t, s, "SELECT k FROM n ORDER BY k", "SortPreservingMergeExec: [k ASC]")
	want := [][]any{{int64(1)}, {int64(2)}, {int64(3)}, {int64(4)}, {int64(5)}, {nil}, {nil}}
	if diff := cmp.Diff(want, query(t, s, "SELECT k FROM n ORDER BY k")); diff != "" {
		t.Errorf("ORDER BY k (-want +got):\n%s", diff)
	}
	explainContains(t, s, "SELECT k FROM n WHERE k > 1 ORDER BY k LIMIT 3", "OrderedConcatExec: [k ASC], fetch=3")
	if diff := cmp.Diff(want[1:4], query(t, s, "SELECT k FROM n WHERE k > 1 ORDER BY k LIMIT 3")); diff != "" {
		t.Errorf("WHERE k > 1 (-want +got):\n%s", diff)
	}
	explainContains(t, s, "SELECT k FROM n WHERE k IS NOT NULL ORDER BY k", "OrderedConcatExec: [k ASC]")
	explainContains(t, s, "SELECT k FROM n WHERE k > 1 OR k IS NULL ORDER BY k", "SortPreservingMergeExec: [k ASC]")
	if diff := cmp.Diff(want[1:], query(t, s, "SELECT k FROM n WHERE k > 1 OR k IS NULL ORDER BY k")); diff != "" {
		t.Errorf("WHERE k > 1 OR k IS NULL (-want +got):\n%s", diff)
	}
	// The NULLs of partitions 0 and 1 are one group.
	got := query(t, s, "SELECT k, count(*) AS n FROM n GROUP BY k ORDER BY k")
	wantGroups := [][]any{{int64(1), int64(1)}, {int64(2), int64(1)}, {int64(3), int64(1)}, {int64(4), int64(1)}, {int64(5), int64(1)}, {nil, int64(2)}}
	if diff := cmp.Diff(wantGroups, got); diff != "" {
		t.Errorf("GROUP BY k (-want +got):\n%s", diff)
	}
}
