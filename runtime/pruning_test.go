package runtime

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/memtable"
	"github.com/tpgen/tpgen/runtime/plan"
)

// TestPruningAgreesWithFiltering runs filters over every kind of value a
// partition's min/max statistics must get right (NaN, -0, infinities,
// extreme integers, large unsigned values, strings with high bytes, NULL)
// on a table that prunes partitions and takes filters exactly, and on one
// that takes none: the results must be equal.
func TestPruningAgreesWithFiltering(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "u", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	nan, inf := math.NaN(), math.Inf(1)
	parts := [][][]any{
		{{nan, int64(math.MinInt64), uint64(0), "a"}, {1.5, int64(-1), uint64(1), "b"}},
		{{math.Copysign(0, -1), int64(0), uint64(math.MaxUint64), "\xff"}, {nil, nil, nil, nil}},
		{{-inf, int64(math.MaxInt64), uint64(1 << 63), ""}, {inf, int64(5), uint64(7), "ab"}},
		{{nan, int64(2), uint64(2), "zz"}},
		{{nil, nil, nil, nil}},
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := NewSession(WithAllocator(mem), WithParallelism(2), WithVerify(true))
	for name, mode := range map[string]plan.FilterPushdown{"pruned": plan.Exact, "plain": plan.Unsupported, "inexact": plan.Inexact} {
		tbl, err := memtable.Build(memory.NewGoAllocator(), schema, parts, memtable.WithFilterPushdown(mode))
		if err != nil {
			t.Fatal(err)
		}
		defer tbl.Release()
		if err := s.Register(name, tbl); err != nil {
			t.Fatal(err)
		}
	}
	filters := []string{
		"f > 1", "f >= 'NaN'::float8", "f = 'NaN'::float8", "f < 0", "f = 0", "f <= -1", "f <> 1.5", "f IN (0, 2)", "f IS NULL",
		"f > 'Infinity'::float8", "f BETWEEN -1 AND 1",
		"i > 3", "i < -9223372036854775807", "i = 9223372036854775807", "i IN (0, 2)", "i IS NOT NULL", "NOT (i > 0)",
		"u > 9223372036854775807", "u = 18446744073709551615", "u < 2", "u BETWEEN 1 AND 7",
		"s > 'z'", "s = ''", "s LIKE 'a%'", "s < 'a'", "s IN ('b', 'zz')", "s IS NULL OR s = 'ab'",
	}
	for _, f := range filters {
		var want [][]any
		for i, table := range []string{"plain", "pruned", "inexact"} {
			q := fmt.Sprintf("SELECT f, i, u, s FROM %s WHERE %s", table, f)
			res, err := s.Query(context.Background(), q)
			if err != nil {
				t.Errorf("%s: %v", q, err)
				break
			}
			got := res.Rows()
			res.Release()
			sort.Slice(got, func(a, b int) bool { return fmt.Sprint(got[a]) < fmt.Sprint(got[b]) })
			if i == 0 {
				want = got
				continue
			}
			if diff := cmp.Diff(fmt.Sprint(want), fmt.Sprint(got)); diff != "" {
				t.Errorf("%s (-plain +%s):\n%s", q, table, diff)
			}
		}
	}
}
