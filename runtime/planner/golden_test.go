package planner

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files under golden/explain")

const goldenDir = "../../golden/explain"

// TestExplainGolden records the guide's before/after example: a MemTable
// events taking region = 'us-east-1' exactly (the FilterExec keeps only
// the other conjunct), inexactly (it keeps both, above a scan that prunes),
// not at all, and taking both conjuncts exactly (no FilterExec left).
func TestExplainGolden(t *testing.T) {
	const query = "SELECT * FROM events WHERE region = 'us-east-1' AND event_type = 'click'"
	for _, tc := range []struct {
		file    string
		answer  plan.FilterPushdown
		allCols bool // the table takes filters on every column, not just region
	}{
		{"filter_exact.txt", plan.Exact, false},
		{"filter_inexact.txt", plan.Inexact, false},
		{"filter_unsupported.txt", plan.Unsupported, false},
		{"filter_all_exact.txt", plan.Exact, true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			tbl := goldenEvents(t, tc.answer, tc.allCols)
			region := &expr.Column{Name: "region", Type: arrow.BinaryTypes.String}
			eventType := &expr.Column{Name: "event_type", Type: arrow.BinaryTypes.String}
			where := and(cmpOp(expr.OpEq, region, str("us-east-1")), cmpOp(expr.OpEq, eventType, str("click")))
			lp := &logical.Filter{Input: &logical.Scan{Table: "events", Provider: tbl, Limit: plan.NoLimit}, Predicate: where}
			p, err := Plan(context.Background(), lp, Options{TargetPartitions: 4})
			if err != nil {
				t.Fatal(err)
			}
			what := "region = 'us-east-1'"
			if tc.allCols {
				what = "every conjunct"
			}
			got := "-- " + query + "\n-- " + what + " pushed down as " + tc.answer.String() + "\n" + Explain(p)
			path := filepath.Join(goldenDir, tc.file)
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

// goldenEvents is a two-partition MemTable keyed by region that answers
// answer for filters on region alone and Unsupported for the rest, as the
// guide's provider does, or answer for every filter when allCols is set.
func goldenEvents(t *testing.T, answer plan.FilterPushdown, allCols bool) plan.TableProvider {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "region", Type: arrow.BinaryTypes.String},
		{Name: "event_type", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	tbl := memtable.MustBuild(memory.NewGoAllocator(), schema, [][][]any{
		{{"us-east-1", "click", int64(1)}, {"us-east-1", "view", int64(2)}},
		{{"eu-west-1", "click", int64(3)}, {"eu-west-1", nil, int64(4)}},
	}, memtable.WithKeyPartitioning("region"), memtable.WithFilterPushdown(answer))
	t.Cleanup(tbl.Release)
	if allCols {
		return tbl
	}
	return regionFilters{tbl}
}

// regionFilters narrows a MemTable's filter answers to filters on region.
type regionFilters struct{ *memtable.Table }

func (r regionFilters) SupportsFilters(fs []expr.Expr) ([]plan.FilterPushdown, error) {
	out, err := r.Table.SupportsFilters(fs)
	if err != nil {
		return nil, err
	}
	for i, f := range fs {
		if cols := expr.Columns(f); len(cols) != 1 || cols[0] != "region" {
			out[i] = plan.Unsupported
		}
	}
	return out, nil
}
