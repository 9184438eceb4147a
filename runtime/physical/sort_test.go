package physical

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tpgen/tpgen/runtime/plan"
)

func TestSortMultiKeyNullsAndSelection(t *testing.T) {
	mem := checked(t)
	s := schemaOf("a", arrow.PrimitiveTypes.Int64, "b", arrow.BinaryTypes.String)
	p0 := []plan.Batch{
		{Record: rec(s, col(mem, arrow.PrimitiveTypes.Int64, 3, nil, 1, 2), col(mem, arrow.BinaryTypes.String, "x", "y", "z", "w"))},
		{Record: rec(s, col(mem, arrow.PrimitiveTypes.Int64), col(mem, arrow.BinaryTypes.String))},
	}
	// The selection hides row 0 (1,"drop").
	p1 := []plan.Batch{{Record: rec(s, col(mem, arrow.PrimitiveTypes.Int64, 1, 1, nil, 2), col(mem, arrow.BinaryTypes.String, "drop", "a", nil, "b")), Sel: []int32{1, 2, 3}}}
	leaf := newLeaf(s, p0, p1, nil)
	defer leaf.release()

	a, b := colExpr("a", arrow.PrimitiveTypes.Int64), colExpr("b", arrow.BinaryTypes.String)
	cases := []struct {
		keys []SortExpr
		want []string
	}{
		{[]SortExpr{{Expr: a}, {Expr: b}}, []string{"1,a", "1,z", "2,b", "2,w", "3,x", "NULL,y", "NULL,NULL"}},
		{[]SortExpr{{Expr: a, Descending: true, NullsFirst: true}, {Expr: b, Descending: true}}, []string{"NULL,y", "NULL,NULL", "3,x", "2,w", "2,b", "1,z", "1,a"}},
		{[]SortExpr{{Expr: a, Descending: true}, {Expr: b, NullsFirst: true}}, []string{"3,x", "2,b", "2,w", "1,a", "1,z", "NULL,NULL", "NULL,y"}},
	}
	for _, c := range cases {
		for _, fetch := range []int{-1, 0, 2, 100} {
			srt, err := NewSort(leaf, c.keys, fetch, false)
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			if fetch >= 0 && fetch < len(want) {
				want = want[:fetch]
			}
			if diff := cmp.Diff(want, collectRows(t, mem, srt), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s fetch=%d (-want +got):\n%s", sortExprsString(c.keys), fetch, diff)
			}
		}
	}
}

func TestSortPreservePartitioning(t *testing.T) {
	mem := checked(t)
	s := schemaOf("a", arrow.PrimitiveTypes.Int64)
	leaf := newLeaf(s,
		[]plan.Batch{{Record: rec(s, col(mem, arrow.PrimitiveTypes.Int64, 5, 1, 3))}},
		[]plan.Batch{{Record: rec(s, col(mem, arrow.PrimitiveTypes.Int64, 4, 2))}})
	defer leaf.release()
	srt, err := NewSort(leaf, []SortExpr{{Expr: colExpr("a", arrow.PrimitiveTypes.Int64)}}, -1, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := srt.Properties(); got.Partitions != 2 || len(got.Ordering) != 1 || got.Ordering[0].Column != "a" {
		t.Fatalf("properties = %+v", got)
	}
	// Each partition is sorted on its own; the coalesce interleaves them,
	// so compare per partition.
	for p, want := range [][]string{{"1", "3", "5"}, {"2", "4"}} {
		got := collectRows(t, mem, &onePartition{srt, p})
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("partition %d (-want +got):\n%s", p, diff)
		}
	}
	if got, want := srt.String(), "SortExec: expr=[a ASC], preserve_partitioning=true"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestSortEveryType sorts random columns of every key type and checks the
// result against sort.SliceStable over the Go values.
func TestSortEveryType(t *testing.T) {
	mem := checked(t)
	types := []arrow.DataType{
		arrow.PrimitiveTypes.Int8, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint64,
		arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String, arrow.BinaryTypes.LargeString, arrow.BinaryTypes.Binary,
		arrow.FixedWidthTypes.Boolean, arrow.FixedWidthTypes.Date32, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
		&arrow.DurationType{Unit: arrow.Millisecond}, &arrow.Decimal128Type{Precision: 18, Scale: 2},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, typ := range types {
		for _, desc := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/desc=%v", typ, desc), func(t *testing.T) {
				vals := make([]any, 40)
				ints := make([]int, 40)
				for i := range vals {
					ints[i] = rng.IntN(21) - 10
					if i%7 == 3 {
						vals[i] = nil
						continue
					}
					vals[i] = goValue(typ, ints[i])
				}
				s := schemaOf("k", typ, "i", arrow.PrimitiveTypes.Int64)
				idx := make([]any, len(vals))
				for i := range idx {
					idx[i] = i
				}
				leaf := newLeaf(s, []plan.Batch{{Record: rec(s, col(mem, typ, vals[:25]...), col(mem, arrow.PrimitiveTypes.Int64, idx[:25]...))}},
					[]plan.Batch{{Record: rec(s, col(mem, typ, vals[25:]...), col(mem, arrow.PrimitiveTypes.Int64, idx[25:]...))}})
				defer leaf.release()
				srt, err := NewSort(leaf, []SortExpr{{Expr: colExpr("k", typ), Descending: desc, NullsFirst: desc}, {Expr: colExpr("i", arrow.PrimitiveTypes.Int64)}}, -1, false)
				if err != nil {
					t.Fatal(err)
				}
				got := collectRows(t, mem, srt)
				order := make([]int, len(vals))
				for i := range order {
					order[i] = i
				}
				sort.SliceStable(order, func(x, y int) bool {
					a, b := order[x], order[y]
					if (vals[a] == nil) != (vals[b] == nil) {
						return vals[a] != nil != desc // nulls last asc, first desc
					}
					if vals[a] == nil || ints[a] == ints[b] || typ.ID() == arrow.BOOL && (ints[a] > 0) == (ints[b] > 0) {
						return a < b
					}
					less := keyLess(typ, ints[a], ints[b])
					if desc {
						return keyLess(typ, ints[b], ints[a])
					}
					return less
				})
				var want []int
				for _, r := range got {
					var k string
					var i int
					fmt.Sscanf(r[len(r)-3:], "%s", &k)
					_ = k
					i = lastInt(r)
					want = append(want, i)
				}
				if !slices.Equal(order, want) {
					t.Errorf("order = %v\nwant    %v\nrows %v", want, order, got)
				}
			})
		}
	}
}

// goValue maps a small int to a value of typ whose order matches the int's
// (strings are zero-padded, booleans are v > 0).
func goValue(typ arrow.DataType, v int) any {
	switch typ.ID() {
	case arrow.FLOAT32, arrow.FLOAT64:
		return float64(v) / 4
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY:
		return fmt.Sprintf("s%03d", v+10)
	case arrow.BOOL:
		return v > 0
	case arrow.UINT8, arrow.UINT64:
		return v + 10
	}
	return v
}

func keyLess(typ arrow.DataType, a, b int) bool {
	if typ.ID() == arrow.BOOL {
		return !(a > 0) && b > 0
	}
	return a < b
}

func lastInt(row string) int {
	i := len(row) - 1
	for i >= 0 && row[i] != ',' {
		i--
	}
	var n int
	fmt.Sscanf(row[i+1:], "%d", &n)
	return n
}

// onePartition exposes one partition of a plan as a single-partition plan.
type onePartition struct {
	plan.ExecutionPlan
	p int
}

func (o *onePartition) Properties() plan.Properties {
	p := o.ExecutionPlan.Properties()
	p.Partitions = 1
	return p
}
func (o *onePartition) Execute(ctx context.Context, _ int, task *plan.TaskContext) (plan.RecordStream, error) {
	return o.ExecutionPlan.Execute(ctx, o.p, task)
}

// TestSortPassesAnOrderedBatchOn checks that a partition whose only batch
// is already in order (with or without a selection) comes out as that
// batch, not a copy, and that a batch out of order is still sorted.
func TestSortPassesAnOrderedBatchOn(t *testing.T) {
	mem := checked(t)
	s := schemaOf("a", arrow.PrimitiveTypes.Int64)
	in := func(vals []any, sel []int32) *leafExec {
		return newLeaf(s, []plan.Batch{{Record: rec(s, col(mem, arrow.PrimitiveTypes.Int64, vals...)), Sel: sel}})
	}
	a := colExpr("a", arrow.PrimitiveTypes.Int64)
	for _, c := range []struct {
		name string
		leaf *leafExec
		same bool
		want []string
	}{
		{"one row", in([]any{7}, nil), true, []string{"7"}},
		{"in order", in([]any{1, 2, 2, 5}, nil), true, []string{"1", "2", "2", "5"}},
		{"selected in order", in([]any{9, 1, 0, 3}, []int32{1, 3}), true, []string{"1", "3"}},
		{"out of order", in([]any{2, 1}, nil), false, []string{"1", "2"}},
	} {
		srt, err := NewSort(c.leaf, []SortExpr{{Expr: a}}, -1, true)
		if err != nil {
			t.Fatal(err)
		}
		st, err := srt.Execute(context.Background(), 0, &plan.TaskContext{Allocator: mem, BatchSize: 8})
		if err != nil {
			t.Fatal(err)
		}
		b, err := st.Next()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if same := b.Record == c.leaf.parts[0][0].Record; same != c.same {
			t.Errorf("%s: the input batch was handed on: %v, want %v", c.name, same, c.same)
		}
		var got []string
		for i := range b.NumRows() {
			got = append(got, b.Record.Column(0).ValueStr(rowOf(b.Sel, i)))
		}
		b.Release()
		if _, err := st.Next(); err == nil {
			t.Errorf("%s: a second batch", c.name)
		}
		st.Close()
		c.leaf.release()
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}
