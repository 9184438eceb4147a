package counting

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/generator"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/source/sourcetest"
	"github.com/tpgen/tpgen/spec"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestGeneratedFilesAreCurrent(t *testing.T) {
	s, err := spec.Load("counting.tpgen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files, err := generator.Generate(s, generator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff, stale := generator.Diff(".", files); stale {
		t.Errorf("generated files are stale; run go generate ./examples/counting:\n%s", diff)
	}
}

func valueCmp(op expr.Op, v int64) expr.Expr {
	return &expr.Binary{Op: op, L: &expr.Column{Name: "value", Type: arrow.PrimitiveTypes.Int64},
		R: &expr.Literal{Value: expr.Int64(v)}, Type: arrow.FixedWidthTypes.Boolean}
}

func TestExactFilterAndPruning(t *testing.T) {
	res := sourcetest.Run(t, NewTable(&Counter{N: 100, P: 10}), plan.ScanRequest{
		Projection: []int{1}, Filters: []expr.Expr{valueCmp(expr.OpGe, 42), valueCmp(expr.OpLt, 45)}, Limit: plan.NoLimit})
	if got := strings.Join(res.Rows, ","); got != "42,43,44" {
		t.Errorf("rows %s", got)
	}
	if !strings.HasPrefix(res.Plan.String(), "CountingExec: partitions=1/10,") {
		t.Errorf("EXPLAIN %s", res.Plan)
	}
}

func TestLimitPerScan(t *testing.T) {
	res := sourcetest.Run(t, NewTable(&Counter{N: 1_000_000, P: 2}), plan.ScanRequest{Limit: 3})
	if got := strings.Join(res.Rows, ","); got != "0|0,0|1,0|2,1|500000,1|500001,1|500002" {
		t.Errorf("rows %s", got)
	}
}

func TestSession(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithVerify(true))
	if err := s.Register("counting", NewTable(&Counter{N: 10_000, P: 8})); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for sql, want := range map[string]string{
		"SELECT count(*), sum(value) FROM counting":                                                                        "[[10000 49995000]]",
		"SELECT count(*) FROM counting WHERE value < 100 OR value = 9999":                                                  "[[101]]",
		"SELECT value FROM counting WHERE value >= 5000 ORDER BY value LIMIT 2":                                            "[[5000] [5001]]",
		"SELECT partition, count(*) FROM counting WHERE value BETWEEN 1249 AND 1250 GROUP BY partition ORDER BY partition": "[[0 1] [1 1]]",
	} {
		res, err := s.Query(ctx, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if got := fmt.Sprint(res.Rows()); got != want {
			t.Errorf("%s\n got %s\nwant %s", sql, got, want)
		}
		res.Release()
	}
	p, err := s.Explain(ctx, "SELECT value FROM counting WHERE value > 9990")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p, "CountingExec: partitions=1/8") || strings.Contains(p, "FilterExec") {
		t.Errorf("exact filter not pushed:\n%s", p)
	}
}
