package physical

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tpgen/tpgen/runtime/plan"
)

// TestFixedTopNExamples pins the fixed-width top-N on small inputs whose
// answers are written out: ties keep arrival order, NULLs go first or last
// in either direction, and a selection vector hides rows.
func TestFixedTopNExamples(t *testing.T) {
	mem := checked(t)
	s := schemaOf("k", i64, "id", i64)
	leaf := newLeaf(s,
		[]plan.Batch{
			{Record: rec(s, col(mem, i64, 3, nil, 1, 3), col(mem, i64, 0, 1, 2, 3))},
			{Record: rec(s, col(mem, i64), col(mem, i64))},
			// The selection hides row 0 (the 9 with id 4).
			{Record: rec(s, col(mem, i64, 9, 2, nil, 3), col(mem, i64, 4, 5, 6, 7)), Sel: []int32{1, 2, 3}},
		})
	defer leaf.release()
	k := colExpr("k", i64)
	cases := []struct {
		key   SortExpr
		fetch int
		want  []string
	}{
		{SortExpr{Expr: k}, 3, []string{"1,2", "2,5", "3,0"}},
		{SortExpr{Expr: k}, 5, []string{"1,2", "2,5", "3,0", "3,3", "3,7"}},
		{SortExpr{Expr: k}, 100, []string{"1,2", "2,5", "3,0", "3,3", "3,7", "NULL,1", "NULL,6"}},
		{SortExpr{Expr: k, NullsFirst: true}, 3, []string{"NULL,1", "NULL,6", "1,2"}},
		{SortExpr{Expr: k, Descending: true, NullsFirst: true}, 4, []string{"NULL,1", "NULL,6", "3,0", "3,3"}},
		{SortExpr{Expr: k, Descending: true}, 4, []string{"3,0", "3,3", "3,7", "2,5"}},
		{SortExpr{Expr: k, Descending: true}, 1, []string{"3,0"}},
		{SortExpr{Expr: k, Descending: true}, 7, []string{"3,0", "3,3", "3,7", "2,5", "1,2", "NULL,1", "NULL,6"}},
	}
	for _, c := range cases {
		keys := []SortExpr{c.key}
		if newFixedTopN(keys, c.fetch) == nil {
			t.Fatalf("%s: not a fixed-width top-N", sortExprsString(keys))
		}
		srt, err := NewSort(leaf, keys, c.fetch, false)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c.want, collectRows(t, mem, srt)); diff != "" {
			t.Errorf("%s fetch=%d (-want +got):\n%s", sortExprsString(keys), c.fetch, diff)
		}
	}
}

// TestFixedTopNFloats orders the special floats as PostgreSQL does: -0
// equals +0 (arrival breaks the tie) and NaN sorts after +Inf.
func TestFixedTopNFloats(t *testing.T) {
	mem := checked(t)
	f64 := arrow.PrimitiveTypes.Float64
	s := schemaOf("k", f64, "id", i64)
	leaf := newLeaf(s, []plan.Batch{{Record: rec(s,
		col(mem, f64, math.NaN(), 1.0, math.Copysign(0, -1), math.Inf(1), 0.0, math.Inf(-1), nil, -2.5),
		col(mem, i64, 0, 1, 2, 3, 4, 5, 6, 7))}})
	defer leaf.release()
	ids := func(keys []SortExpr, fetch int) []int {
		srt, err := NewSort(leaf, keys, fetch, false)
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, r := range collectRows(t, mem, srt) {
			out = append(out, lastInt(r))
		}
		return out
	}
	k := colExpr("k", f64)
	if got, want := ids([]SortExpr{{Expr: k}}, 8), []int{5, 7, 2, 4, 1, 3, 0, 6}; !cmp.Equal(got, want) {
		t.Errorf("ASC: ids %v, want %v", got, want)
	}
	if got, want := ids([]SortExpr{{Expr: k, Descending: true, NullsFirst: true}}, 4), []int{6, 0, 3, 1}; !cmp.Equal(got, want) {
		t.Errorf("DESC: ids %v, want %v", got, want)
	}
	if got, want := ids([]SortExpr{{Expr: k, Descending: true}}, 5), []int{0, 3, 1, 2, 4}; !cmp.Equal(got, want) {
		t.Errorf("DESC NULLS LAST: ids %v, want %v", got, want)
	}
}

// TestFixedTopNMatchesFullSort compares the fixed-width top-N with the
// prefix of a full stable sort (which row-encodes its keys) for every
// supported type, both directions, both NULL placements and fetch below
// and above the row count, over batches with selection vectors, empty
// batches and many ties.
func TestFixedTopNMatchesFullSort(t *testing.T) {
	mem := checked(t)
	types := []arrow.DataType{
		arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int32, i64, arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint64,
		arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Date32,
		&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, &arrow.DurationType{Unit: arrow.Millisecond},
		&arrow.Decimal128Type{Precision: 18, Scale: 2},
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, typ := range types {
		s := schemaOf("k", typ, "id", i64)
		var parts [][]plan.Batch
		id := 0
		for range 2 {
			var batches []plan.Batch
			for b := range 9 {
				n := rng.IntN(7)
				var ks, ids []any
				for range n {
					if rng.IntN(6) == 0 {
						ks = append(ks, nil)
					} else {
						ks = append(ks, goValue(typ, rng.IntN(9)-4))
					}
					ids = append(ids, id)
					id++
				}
				batch := plan.Batch{Record: rec(s, col(mem, typ, ks...), col(mem, i64, ids...))}
				if b%3 == 1 && n > 0 {
					for i := range n {
						if i%2 == 0 {
							batch.Sel = append(batch.Sel, int32(i))
						}
					}
				}
				batches = append(batches, batch)
			}
			parts = append(parts, batches)
		}
		leaf := newLeaf(s, parts...)
		// The same batches in one partition, in the order a merge breaks
		// ties in: by partition, then by arrival.
		single := newLeaf(s, append(parts[0], parts[1]...))
		for _, desc := range []bool{false, true} {
			for _, nullsFirst := range []bool{false, true} {
				keys := []SortExpr{{Expr: colExpr("k", typ), Descending: desc, NullsFirst: nullsFirst}}
				name := fmt.Sprintf("%s %s", typ, sortExprsString(keys))
				checkTopNAgainstSort(t, mem, name, single, leaf, keys, []int{1, 2, 5, 13, 1000})
			}
		}
		leaf.release()
	}
}

// TestFixedTopNPrunesAndCompacts feeds rising and falling keys through
// many small batches, so that the candidate buffer is selected on many
// times and the kept rows pin enough batches to be compacted.
func TestFixedTopNPrunesAndCompacts(t *testing.T) {
	mem := checked(t)
	s := schemaOf("k", i64, "id", i64)
	var batches []plan.Batch
	for b := range 400 {
		var ks, ids []any
		for i := range 10 {
			g := b*10 + i
			ks = append(ks, g*7%1000+g/1000) // rises in steps of 7, then wraps
			ids = append(ids, g)
		}
		batches = append(batches, plan.Batch{Record: rec(s, col(mem, i64, ks...), col(mem, i64, ids...))})
	}
	leaf := newLeaf(s, batches)
	defer leaf.release()
	for _, desc := range []bool{false, true} {
		keys := []SortExpr{{Expr: colExpr("k", i64), Descending: desc}}
		checkTopNAgainstSort(t, mem, sortExprsString(keys), leaf, leaf, keys, []int{1, 10, 300, 700})
	}
}

// TestFixedTopNWideDecimals orders decimals whose values need both 64-bit
// words, negative ones included.
func TestFixedTopNWideDecimals(t *testing.T) {
	mem := checked(t)
	typ := &arrow.Decimal128Type{Precision: 38, Scale: 0}
	s := schemaOf("k", typ, "id", i64)
	vals := []decimal128.Num{
		decimal128.New(1, 0), decimal128.New(0, math.MaxUint64), decimal128.New(-1, 5), decimal128.New(0, 1),
		decimal128.New(-2, math.MaxUint64), decimal128.New(1, 0), decimal128.New(math.MaxInt64, 3), decimal128.New(-1, math.MaxUint64),
	}
	b := array.NewDecimal128Builder(mem, typ)
	b.AppendValues(vals, nil)
	b.AppendNull()
	ids := make([]any, len(vals)+1)
	for i := range ids {
		ids[i] = i
	}
	leaf := newLeaf(s, []plan.Batch{{Record: rec(s, b.NewArray(), col(mem, i64, ids...))}})
	b.Release()
	defer leaf.release()
	for _, desc := range []bool{false, true} {
		keys := []SortExpr{{Expr: colExpr("k", typ), Descending: desc}}
		checkTopNAgainstSort(t, mem, sortExprsString(keys), leaf, leaf, keys, []int{1, 4, 9})
	}
}

// checkTopNAgainstSort checks that the merge of the sorted partitions of
// parts is the full sort of single, and, for each fetch and with small
// and large output batches, that the top-N by keys of single (one partition) and the
// merge of the per-partition top-Ns of parts (the same rows) are the
// prefix of the full sort of single.
func checkTopNAgainstSort(t *testing.T, mem memory.Allocator, name string, single, parts plan.ExecutionPlan, keys []SortExpr, fetches []int) {
	t.Helper()
	full, err := NewSort(single, keys, -1, false)
	if err != nil {
		t.Fatal(err)
	}
	all := collectRows(t, mem, full)
	// The merge of the fully sorted partitions, which compares one
	// fixed-width key by images too.
	sorted, err := NewSort(parts, keys, -1, true)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := NewSortPreservingMerge(sorted, keys, -1)
	if err != nil {
		t.Fatal(err)
	}
	if !merged.fixed {
		t.Fatalf("%s: the merge does not compare images", name)
	}
	if diff := cmp.Diff(all, collectRows(t, mem, merged), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: merge (-want +got):\n%s", name, diff)
	}
	for _, fetch := range fetches {
		if newFixedTopN(keys, fetch) == nil {
			t.Fatalf("%s: not a fixed-width top-N", name)
		}
		want := all[:min(fetch, len(all))]
		for _, preserve := range []bool{false, true} {
			in := single
			if preserve {
				in = parts
			}
			top, err := NewSort(in, keys, fetch, preserve)
			if err != nil {
				t.Fatal(err)
			}
			var p plan.ExecutionPlan = top
			if preserve {
				if p, err = NewSortPreservingMerge(top, keys, fetch); err != nil {
					t.Fatal(err)
				}
			}
			for _, size := range []int{3, 8192} {
				recs, err := Collect(context.Background(), p, &plan.TaskContext{Allocator: mem, BatchSize: size, Parallelism: 2})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, rows(recs), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s fetch=%d preserve=%v batch=%d (-want +got):\n%s", name, fetch, preserve, size, diff)
				}
				release(recs)
			}
		}
	}
}
