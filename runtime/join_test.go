package runtime

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/plan"
)

var updateGolden = flag.Bool("update", false, "rewrite the EXPLAIN goldens under golden/explain")

// joinTables registers, in s:
//   - sales: key-partitioned on region, one region per partition (a, b, c);
//   - regions: key-partitioned on name, one name per partition, in the
//     same order: compatible with sales;
//   - managers: three rows in one partition (a broadcast build side);
//   - shuffled: like regions but without statistics, so the planner
//     cannot tell its size.
func joinTables(t *testing.T, s *Session) {
	t.Helper()
	mem := memory.NewGoAllocator()
	salesSchema := arrow.NewSchema([]arrow.Field{
		{Name: "region", Type: arrow.BinaryTypes.String},
		{Name: "item", Type: arrow.BinaryTypes.String},
		{Name: "qty", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	sales := memtable.MustBuild(mem, salesSchema, [][][]any{
		{{"a", "apple", int64(3)}, {"a", "pear", int64(1)}},
		{{"b", "apple", int64(5)}, {"b", "kiwi", int64(2)}, {"b", "plum", int64(7)}},
		{{"c", "kiwi", int64(6)}},
	}, memtable.WithKeyPartitioning("region"), memtable.WithFilterPushdown(plan.Exact))
	regionSchema := arrow.NewSchema([]arrow.Field{
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "manager", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	regionRows := [][][]any{{{"a", int64(1)}}, {{"b", int64(2)}}, {{"c", int64(1)}}}
	regions := memtable.MustBuild(mem, regionSchema, regionRows, memtable.WithKeyPartitioning("name"), memtable.WithFilterPushdown(plan.Exact))
	shuffled := memtable.MustBuild(mem, regionSchema, regionRows, memtable.WithFilterPushdown(plan.Exact))
	managers := memtable.MustBuild(mem, arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "boss", Type: arrow.BinaryTypes.String},
	}, nil), [][][]any{{{int64(1), "ann"}, {int64(2), "bob"}, {int64(3), "cid"}}})
	for name, tbl := range map[string]TableProvider{"sales": sales, "regions": regions, "managers": managers, "shuffled": noStats{shuffled}} {
		if err := s.Register(name, tbl); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { sales.Release(); regions.Release(); shuffled.Release(); managers.Release() })
}

// noStats hides a table's statistics.
type noStats struct{ *memtable.Table }

func (n noStats) Statistics() plan.Statistics { return plan.Statistics{Rows: -1} }

func (n noStats) Scan(ctx context.Context, req plan.ScanRequest) (plan.ExecutionPlan, error) {
	p, err := n.Table.Scan(ctx, req)
	if err != nil {
		return nil, err
	}
	return noStatsPlan{p}, nil
}

type noStatsPlan struct{ plan.ExecutionPlan }

func (noStatsPlan) Statistics() plan.Statistics { return plan.Statistics{Rows: -1} }

// TestJoinPlans checks the plan and the rows of the join strategies: the
// co-partitioned join (no repartition, also under a GROUP BY on the key),
// the broadcast join of a small table, the repartitioned join, and filter
// pushdown through a join with key-domain transfer. Each plan is an
// EXPLAIN golden under golden/explain.
func TestJoinPlans(t *testing.T) {
	for _, verify := range []bool{false, true} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		s := NewSession(WithAllocator(mem), WithParallelism(2), WithVerify(verify))
		joinTables(t, s)
		for _, tc := range []struct {
			golden, sql string
			want        [][]any
			has, lacks  []string
		}{
			{"join_copartitioned.txt",
				"SELECT s.region, s.item, r.manager FROM sales s JOIN regions r ON s.region = r.name WHERE s.qty > 1 ORDER BY s.item, s.region",
				[][]any{{"a", "apple", int64(1)}, {"b", "apple", int64(2)}, {"b", "kiwi", int64(2)}, {"c", "kiwi", int64(1)}, {"b", "plum", int64(2)}},
				[]string{"mode=CoPartitioned"}, []string{"RepartitionExec"}},
			{"join_copartitioned_groupby.txt",
				"SELECT s.region, count(*), sum(s.qty), max(r.manager) FROM sales s JOIN regions r ON s.region = r.name GROUP BY s.region ORDER BY s.region",
				[][]any{{"a", int64(2), int64(4), int64(1)}, {"b", int64(3), int64(14), int64(2)}, {"c", int64(1), int64(6), int64(1)}},
				[]string{"mode=CoPartitioned", "mode=SinglePartitioned"}, []string{"RepartitionExec"}},
			{"join_broadcast.txt",
				"SELECT r.name, m.boss FROM regions r JOIN managers m ON r.manager = m.id ORDER BY r.name",
				[][]any{{"a", "ann"}, {"b", "bob"}, {"c", "ann"}},
				[]string{"mode=CollectBuild"}, []string{"RepartitionExec"}},
			{"join_repartitioned.txt",
				"SELECT s.item, x.manager FROM sales s JOIN shuffled x ON s.region = x.name WHERE x.manager = 2 ORDER BY s.item",
				[][]any{{"apple", int64(2)}, {"kiwi", int64(2)}, {"plum", int64(2)}},
				[]string{"mode=Partitioned", "RepartitionExec"}, nil},
			{"join_filter_pushdown.txt",
				"SELECT s.item, r.manager FROM sales s JOIN regions r ON s.region = r.name WHERE r.name IN ('a', 'c') AND s.qty < 6 ORDER BY s.item",
				[][]any{{"apple", int64(1)}, {"pear", int64(1)}},
				[]string{"partitions=2/3", "filter=[qty < 6, region IN ('a', 'c')]", "partitions=2/3, filter=[name IN ('a', 'c')]"}, []string{"FilterExec"}},
		} {
			t.Run(tc.golden, func(t *testing.T) {
				got := query(t, s, tc.sql)
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
				text, err := s.Explain(context.Background(), tc.sql)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range tc.has {
					if !strings.Contains(text, h) {
						t.Errorf("plan lacks %q:\n%s", h, text)
					}
				}
				for _, l := range tc.lacks {
					if strings.Contains(text, l) {
						t.Errorf("plan has %q:\n%s", l, text)
					}
				}
				if verify {
					return // verify mode wraps scans; the goldens are of plain plans
				}
				checkExplainGolden(t, tc.golden, "-- "+tc.sql+"\n"+text)
			})
		}
		mem.AssertSize(t, 0)
	}
}

func checkExplainGolden(t *testing.T, file, got string) {
	t.Helper()
	path := filepath.Join("..", "golden", "explain", file)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./runtime -run TestJoinPlans -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestJoinMemoryBudget: a build side larger than the session's budget
// fails the query with an error naming the join and the budget.
func TestJoinMemoryBudget(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := NewSession(WithAllocator(mem), WithParallelism(2), WithJoinMemoryBudget(64))
	joinTables(t, s)
	_, err := s.Query(context.Background(), "SELECT count(*) FROM sales s JOIN managers m ON s.qty = m.id")
	if err == nil || !strings.Contains(err.Error(), "the build side of join on [(qty, id)] needs more than the join memory budget of 64 B") {
		t.Fatalf("error %v, want the budget error", err)
	}
	s2 := NewSession(WithAllocator(mem), WithParallelism(2))
	joinTables(t, s2)
	if got := query(t, s2, "SELECT count(*) FROM sales s JOIN managers m ON s.qty = m.id"); got[0][0] != int64(3) {
		t.Errorf("with the default budget: %v, want 3", got)
	}
}

// TestJoinVerifiesScans: verify mode keeps checking the promises of every
// scan of a join; a table whose partitions break its declared key fails
// the join query.
func TestJoinVerifiesScans(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := NewSession(WithAllocator(mem), WithParallelism(2), WithVerify(true))
	joinTables(t, s)
	liar := memtable.MustBuild(memory.NewGoAllocator(), arrow.NewSchema([]arrow.Field{
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	}, nil), [][][]any{{{"a", int64(1)}}, {{"a", int64(2)}}}, memtable.WithKeyPartitioning("name"), memtable.WithoutValidation())
	defer liar.Release()
	if err := s.Register("liar", liar); err != nil {
		t.Fatal(err)
	}
	_, err := s.Query(context.Background(), "SELECT count(*) FROM sales s JOIN liar l ON s.region = l.name")
	if err == nil || !strings.Contains(err.Error(), "partitioning Key([name]) violated") {
		t.Fatalf("error %v, want a partitioning violation", err)
	}
}

// TestOuterJoinPushdown: a WHERE conjunct on the NULL-supplying side of a
// LEFT JOIN stays above the join (pushing it would keep rows it removes),
// an ON conjunct on that side goes into its scan, a WHERE conjunct on the
// preserved side goes into its scan, and the results say so.
func TestOuterJoinPushdown(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := NewSession(WithAllocator(mem), WithParallelism(2))
	joinTables(t, s)
	for _, tc := range []struct {
		sql        string
		want       [][]any
		has, lacks []string
	}{
		{"SELECT r.name, m.boss FROM regions r LEFT JOIN managers m ON r.manager = m.id WHERE m.boss = 'bob'",
			[][]any{{"b", "bob"}},
			[]string{"FilterExec: boss = 'bob'", "HashJoinExec: mode=CollectBuild, join_type=Left"}, []string{"filter=[boss"}},
		{"SELECT r.name, m.boss FROM regions r LEFT JOIN managers m ON r.manager = m.id AND m.boss = 'bob' ORDER BY r.name",
			[][]any{{"a", nil}, {"b", "bob"}, {"c", nil}},
			[]string{"join_type=Left", "MemoryExec: partitions=1/1, filter=[boss = 'bob']"}, []string{"FilterExec"}},
		{"SELECT r.name, m.boss FROM regions r LEFT JOIN managers m ON r.manager = m.id WHERE r.name <> 'b' ORDER BY r.name",
			[][]any{{"a", "ann"}, {"c", "ann"}},
			[]string{"join_type=Left", "filter=[name <> 'b']"}, []string{"FilterExec"}},
		{"SELECT r.name, m.boss FROM regions r LEFT JOIN managers m ON r.manager = m.id AND r.name = 'a' ORDER BY r.name",
			[][]any{{"a", "ann"}, {"b", nil}, {"c", nil}},
			[]string{"join_type=Left", "filter=name = 'a'"}, []string{"filter=[name"}},
	} {
		got := query(t, s, tc.sql)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: rows (-want +got):\n%s", tc.sql, diff)
		}
		text, err := s.Explain(context.Background(), tc.sql)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range tc.has {
			if !strings.Contains(text, h) {
				t.Errorf("%s: plan lacks %q:\n%s", tc.sql, h, text)
			}
		}
		for _, l := range tc.lacks {
			if strings.Contains(text, l) {
				t.Errorf("%s: plan has %q:\n%s", tc.sql, l, text)
			}
		}
	}
}

// TestJoinExplainAnalyze: EXPLAIN ANALYZE runs a join and reports rows per
// operator, both inputs included.
func TestJoinExplainAnalyze(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := NewSession(WithAllocator(mem), WithParallelism(2))
	joinTables(t, s)
	rows := query(t, s, "EXPLAIN ANALYZE SELECT s.item, m.boss FROM sales s JOIN regions r ON s.region = r.name JOIN managers m ON r.manager = m.id")
	text := fmt.Sprint(rows)
	for _, want := range []string{"HashJoinExec: mode=CoPartitioned", "HashJoinExec: mode=CollectBuild", "output_rows=6"} {
		if !strings.Contains(text, want) {
			t.Errorf("EXPLAIN ANALYZE lacks %q:\n%s", want, text)
		}
	}
}

// TestJoinParameters: $n parameters in a join's ON and WHERE and in a
// subquery are bound like anywhere else.
func TestJoinParameters(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := NewSession(WithAllocator(mem), WithParallelism(2))
	joinTables(t, s)
	const q = "SELECT s.item FROM sales s JOIN regions r ON s.region = r.name AND s.qty > $1 WHERE r.manager = $2 AND s.qty IN (SELECT qty FROM sales WHERE qty < $3) ORDER BY s.item"
	for _, tc := range []struct {
		args []any
		want [][]any
	}{
		{[]any{1, 1, 10}, [][]any{{"apple"}, {"kiwi"}}},
		{[]any{2, 2, 6}, [][]any{{"apple"}}},
	} {
		if diff := cmp.Diff(tc.want, query(t, s, q, tc.args...)); diff != "" {
			t.Errorf("%v: (-want +got)\n%s", tc.args, diff)
		}
	}
}

// TestCoPartitioningNeedsTheSameValues: tables key-partitioned on the join
// key but holding their values in different partitions (another order, a
// partition with two keys) are not co-partitioned: the join repartitions
// or broadcasts, and the rows are still right.
func TestCoPartitioningNeedsTheSameValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := NewSession(WithAllocator(mem), WithParallelism(2), WithVerify(true))
	joinTables(t, s)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "manager", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	for name, parts := range map[string][][][]any{
		"reversed": {{{"c", int64(1)}}, {{"b", int64(2)}}, {{"a", int64(1)}}},
		"mixed":    {{{"a", int64(1)}, {"b", int64(2)}}, {{"c", int64(1)}}, {}},
	} {
		tbl := memtable.MustBuild(memory.NewGoAllocator(), schema, parts, memtable.WithKeyPartitioning("name"))
		defer tbl.Release()
		if err := s.Register(name, tbl); err != nil {
			t.Fatal(err)
		}
		q := "SELECT s.item, r.manager FROM sales s JOIN " + name + " r ON s.region = r.name ORDER BY s.item, r.manager"
		want := [][]any{{"apple", int64(1)}, {"apple", int64(2)}, {"kiwi", int64(1)}, {"kiwi", int64(2)}, {"pear", int64(1)}, {"plum", int64(2)}}
		if diff := cmp.Diff(want, query(t, s, q)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", name, diff)
		}
		text, err := s.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "CoPartitioned") {
			t.Errorf("%s: co-partitioned plan for incompatible partitions:\n%s", name, text)
		}
	}
}
