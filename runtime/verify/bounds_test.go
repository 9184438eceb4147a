package verify_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/verify"
)

// declaring adds declared partition bounds to a memtable's plans.
type declaring struct {
	*memtable.Table
	bounds [][]plan.ColumnBound // per partition; nil declares nothing
}

func (d *declaring) Scan(ctx context.Context, req plan.ScanRequest) (plan.ExecutionPlan, error) {
	p, err := d.Table.Scan(ctx, req)
	if err != nil {
		return nil, err
	}
	return &boundedPlan{ExecutionPlan: p, bounds: d.bounds}, nil
}

type boundedPlan struct {
	plan.ExecutionPlan
	bounds [][]plan.ColumnBound
}

func (p *boundedPlan) PartitionBounds(i int) ([]plan.ColumnBound, bool) {
	return p.bounds[i], p.bounds[i] != nil
}

func key(col string, v expr.Scalar) plan.ColumnBound {
	return plan.ColumnBound{Column: col, Key: true, Min: v, Max: v}
}

func TestPartitionBounds(t *testing.T) {
	str := schema.Field(0).Type
	cases := []struct {
		name   string
		parts  [][][]any
		bounds [][]plan.ColumnBound
		req    plan.ScanRequest
		want   string // "" when the data keeps the declarations
	}{
		{"keys kept", goodParts[1:], [][]plan.ColumnBound{{key("k", expr.String("c"))}, {key("k", expr.String("d"))}},
			plan.ScanRequest{Limit: plan.NoLimit}, ""},
		{"key broken", goodParts, [][]plan.ColumnBound{nil, {key("k", expr.String("c"))}, {key("k", expr.String("e"))}},
			plan.ScanRequest{Limit: plan.NoLimit}, "partition 2): verify: row 0: partition key k = 'e' violated: row has k = 'd'"},
		{"NULL key", [][][]any{{{nil, 1}, {"a", 2}}}, [][]plan.ColumnBound{{key("k", expr.Null(str))}},
			plan.ScanRequest{Limit: plan.NoLimit}, "partition 0): verify: row 1: partition key k IS NULL violated: row has k = 'a'"},
		{"key rejects NULL", [][][]any{{{nil, 1}}}, [][]plan.ColumnBound{{key("k", expr.String("a"))}},
			plan.ScanRequest{Limit: plan.NoLimit}, "partition 0): verify: row 0: partition key k = 'a' violated: row has k = NULL"},
		{"range kept, NULL outside the promise", [][][]any{{{"a", 1}, {"a", nil}, {"a", 4}}},
			[][]plan.ColumnBound{{{Column: "ts", Min: expr.Int64(1), Max: expr.Int64(5), MaxExclusive: true}}},
			plan.ScanRequest{Limit: plan.NoLimit}, ""},
		{"range high exclusive", [][][]any{{{"a", 1}, {"a", 5}}},
			[][]plan.ColumnBound{{{Column: "ts", Min: expr.Int64(1), Max: expr.Int64(5), MaxExclusive: true}}},
			plan.ScanRequest{Limit: plan.NoLimit}, "partition 0): verify: row 1: partition range ts [1, 5) violated: row has ts = 5"},
		{"range open low", [][][]any{{{"a", -7}, {"a", 6}}}, [][]plan.ColumnBound{{{Column: "ts", Max: expr.Int64(5)}}},
			plan.ScanRequest{Limit: plan.NoLimit}, "partition 0): verify: row 1: partition range ts (-inf, 5] violated: row has ts = 6"},
		// The filter selects around the out-of-range row; only selected
		// rows are checked.
		{"selection respected", [][][]any{{{"a", 1}, {"a", 9}, {"a", 3}}},
			[][]plan.ColumnBound{{{Column: "ts", Min: expr.Int64(0), Max: expr.Int64(5)}}},
			plan.ScanRequest{Filters: []expr.Expr{lt(colTS, 5)}, Limit: plan.NoLimit}, ""},
		// A bound on a column the scan does not output is not checked.
		{"unprojected", goodParts, [][]plan.ColumnBound{{key("k", expr.String("zz"))}, nil, nil},
			plan.ScanRequest{Projection: []int{1}, Limit: plan.NoLimit}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			d := &declaring{Table: build(t, mem, tc.parts, memtable.WithFilterPushdown(plan.Exact)), bounds: tc.bounds}
			defer d.Release()
			p, err := verify.Verify(d, "events").Scan(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			_, err = drain(t, mem, p)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var v *verify.Violation
			if err == nil || !strings.Contains(err.Error(), "(table events, "+tc.want) || !errors.As(err, &v) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func lt(c *expr.Column, v int64) expr.Expr {
	return &expr.Binary{Op: expr.OpLt, L: c, R: &expr.Literal{Value: expr.Int64(v)}, Type: gt(c, v).(*expr.Binary).Type}
}
