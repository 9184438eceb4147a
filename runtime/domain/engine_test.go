package domain

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
)

// TestAnalyzeIsSoundAgainstEngine repeats the soundness property with the
// vectorized engine as the judge of which rows satisfy the filters, so the
// analysis and the kernels agree on NULLs, NaN-free comparisons and LIKE.
func TestAnalyzeIsSoundAgainstEngine(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	g := gen{rand.New(rand.NewPCG(5, 6))}
	rows := make([]row, 300)
	for i := range rows {
		rows[i] = g.row()
	}
	rec := rowsRecord(mem, rows)
	defer rec.Release()
	for range 1000 {
		filters := make([]expr.Expr, 1+g.r.IntN(3))
		for i := range filters {
			filters[i] = g.pred(3)
		}
		pred, err := expr.CompilePredicate(expr.Conjunction(filters), rec.Schema())
		if err != nil {
			t.Fatalf("compile %v: %v", filters, err)
		}
		sel, err := pred.Select(mem, rec, nil, nil)
		if err != nil {
			t.Fatalf("select %v: %v", filters, err)
		}
		doms := Analyze(filters)
		for _, i := range sel {
			r := rows[i]
			for c, d := range doms {
				if !inDomain(d, r[c]) {
					t.Fatalf("unsound: filters %v, row %v passes the engine but %s = %v is outside %s", filters, r, c, r[c], d)
				}
			}
		}
	}
}

func rowsRecord(mem memory.Allocator, rows []row) arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: i64, Nullable: true}, {Name: "b", Type: i64, Nullable: true},
		{Name: "s", Type: str, Nullable: true}, {Name: "f", Type: bln, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, r := range rows {
		for i, name := range []string{"a", "b"} {
			if v := r[name]; v.Null {
				b.Field(i).AppendNull()
			} else {
				b.Field(i).(*array.Int64Builder).Append(v.Int64Value())
			}
		}
		if v := r["s"]; v.Null {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append(v.Value.(string))
		}
		if v := r["f"]; v.Null {
			b.Field(3).AppendNull()
		} else {
			b.Field(3).(*array.BooleanBuilder).Append(v.Value.(bool))
		}
	}
	return b.NewRecordBatch()
}
