package physical

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// The whole-batch paths (one group per batch: exactSum without per-row
// overflow checks, count by row count, oneInt/oneBytes detecting a batch
// of one key) are checked against math/big and a Go map, on batches of
// many rows, with extremes at the overflow boundary, NULLs, selections
// and batches of several runs.

func bigSum[T signedInt](vals []T) *big.Int {
	s := new(big.Int)
	for _, v := range vals {
		s.Add(s, big.NewInt(int64(v)))
	}
	return s
}

func (x int128) big() *big.Int {
	b := new(big.Int).Lsh(big.NewInt(x.hi), 64)
	return b.Add(b, new(big.Int).SetUint64(x.lo))
}

// extremeInt64 draws from the values that break naive sums: the limits,
// their neighbours, powers of two around 2^32 and 2^63, and small values.
func extremeInt64(r *rand.Rand) int64 {
	switch r.IntN(6) {
	case 0:
		return []int64{math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1}[r.IntN(4)]
	case 1:
		return int64(r.Uint64())
	case 2:
		return int64(1)<<(31+r.IntN(3)) - int64(r.IntN(3)) // around 2^32
	case 3:
		return -(int64(1) << (31 + r.IntN(3)))
	case 4:
		return int64(1) << 62
	}
	return r.Int64N(2000) - 1000
}

func TestExactSumMatchesBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 3, 7, 8, 9, 15, 16, 17, 63, 100, 8193} {
		for range 20 {
			vals := make([]int64, n)
			for i := range vals {
				vals[i] = extremeInt64(r)
			}
			if got, want := exactSum(vals).big(), bigSum(vals); got.Cmp(want) != 0 {
				t.Fatalf("n=%d: exactSum = %s, want %s", n, got, want)
			}
			sel := make([]int32, 0, n)
			for i := range n {
				if r.IntN(3) > 0 {
					sel = append(sel, int32(i))
				}
			}
			var picked []int64
			for _, i := range sel {
				picked = append(picked, vals[i])
			}
			if got, want := exactSumSel(vals, sel).big(), bigSum(picked); got.Cmp(want) != 0 {
				t.Fatalf("n=%d: exactSumSel = %s, want %s", n, got, want)
			}
			narrow := make([]int32, n)
			for i := range narrow {
				narrow[i] = int32(vals[i])
			}
			if got, want := exactSum(narrow).big(), bigSum(narrow); got.Cmp(want) != 0 {
				t.Fatalf("n=%d: exactSum(int32) = %s, want %s", n, got, want)
			}
		}
	}
	// Every value the maximum or the minimum: the largest magnitudes a
	// block can reach.
	for _, v := range []int64{math.MaxInt64, math.MinInt64} {
		vals := slices.Repeat([]int64{v}, 8192)
		if got, want := exactSum(vals).big(), bigSum(vals); got.Cmp(want) != 0 {
			t.Fatalf("8192 x %d: exactSum = %s, want %s", v, got, want)
		}
	}
}

// wideBatches cuts rows (k, v) into batches of the given sizes.
func wideBatches(mem memory.Allocator, s *arrow.Schema, keyType arrow.DataType, keys, vals []any, sizes ...int) []plan.Batch {
	var out []plan.Batch
	at := 0
	for _, n := range sizes {
		out = append(out, plan.Batch{Record: rec(s, col(mem, keyType, keys[at:at+n]...), col(mem, i64, vals[at:at+n]...))})
		at += n
	}
	return out
}

// runGrouped runs SELECT k, count(*), count(v), sum(v) GROUP BY k (or
// without GROUP BY when k is nil) and returns the sorted rows or the
// error.
func runGrouped(mem memory.Allocator, leaf *leafExec, k expr.Expr) ([]string, error) {
	v := colExpr("v", i64)
	aggs := []AggregateExpr{
		{Func: expr.AggCount, Name: "n"},
		{Func: expr.AggCount, Arg: v, Name: "nv"},
		{Func: expr.AggSum, Arg: v, Name: "s"},
	}
	var gby []expr.Expr
	var names []string
	if k != nil {
		gby, names = []expr.Expr{k}, []string{"k"}
	}
	p, err := NewHashAggregate(AggregateSingle, leaf, gby, names, aggs)
	if err != nil {
		return nil, err
	}
	return runExact(mem, p)
}

// refGrouped computes runGrouped's answer over the selected rows.
func refGrouped(keys, vals []any, grouped bool) []string {
	type acc struct {
		n, nv int64
		s     *big.Int
	}
	m := map[string]*acc{}
	for i := range keys {
		k := "-"
		if grouped {
			k = "NULL"
			if keys[i] != nil {
				k = fmt.Sprint(keys[i])
			}
		}
		a := m[k]
		if a == nil {
			a = &acc{}
			m[k] = a
		}
		a.n++
		if vals[i] != nil {
			a.nv++
			if a.s == nil {
				a.s = new(big.Int)
			}
			a.s.Add(a.s, big.NewInt(int64(vals[i].(int))))
		}
	}
	if !grouped && len(m) == 0 {
		m["-"] = &acc{}
	}
	var out []string
	for k, a := range m {
		s := "NULL"
		if a.s != nil {
			s = a.s.String()
		}
		row := fmt.Sprintf("%d,%d,%s", a.n, a.nv, s)
		if grouped {
			row = k + "," + row
		}
		out = append(out, row)
	}
	slices.Sort(out)
	return out
}

func TestAggregateOneGroupBatches(t *testing.T) {
	mem := checked(t)
	big := func(v int64) any { return int(v) }
	repeat := func(v any, n int) []any { return slices.Repeat([]any{v}, n) }
	cat := func(parts ...[]any) []any { return slices.Concat(parts...) }
	vals := func(n int, f func(i int) any) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	seq := vals(300, func(i int) any { return i*7 - 900 })
	for _, c := range []struct {
		name    string
		keyType arrow.DataType
		keys    []any
		vals    []any
		sizes   []int
		sel     []int32 // applied to every batch
	}{
		{name: "one string key per batch", keyType: str,
			keys: cat(repeat("region-01", 100), repeat("region-02", 100), repeat("region-01", 100)), vals: seq, sizes: []int{100, 100, 100}},
		{name: "several runs in a batch", keyType: str,
			keys: cat(repeat("a", 70), repeat("b", 60), repeat("a", 70), repeat("c", 100)), vals: seq, sizes: []int{100, 100, 100}},
		{name: "equal lengths, one row differs at the end", keyType: str,
			keys: cat(repeat("ab", 99), []any{"ba"}), vals: seq[:100], sizes: []int{100}},
		// "a", "bab" keeps the data "abab...": periodic with the first
		// row's length and as long, but the offsets differ.
		{name: "periodic data, other offsets", keyType: str,
			keys: cat(repeat("ab", 50), []any{"a", "bab"}, repeat("ab", 48)), vals: seq[:100], sizes: []int{100}},
		{name: "short batch of one key", keyType: str,
			keys: repeat("x", 5), vals: seq[:5], sizes: []int{5}},
		{name: "NULL keys", keyType: str,
			keys: cat(repeat(nil, 80), repeat("k", 20)), vals: seq[:100], sizes: []int{80, 20}},
		{name: "empty strings", keyType: str,
			keys: repeat("", 100), vals: seq[:100], sizes: []int{100}},
		{name: "one int key per batch", keyType: i64,
			keys: cat(repeat(7, 100), repeat(8, 100)), vals: seq[:200], sizes: []int{100, 100}},
		{name: "int key, one row differs", keyType: i64,
			keys: cat(repeat(7, 99), []any{8}), vals: seq[:100], sizes: []int{100}},
		{name: "NULL values", keyType: i64,
			keys: repeat(1, 100), vals: cat(repeat(nil, 10), seq[:80], repeat(nil, 10)), sizes: []int{100}},
		{name: "all values NULL", keyType: i64,
			keys: repeat(1, 100), vals: repeat(nil, 100), sizes: []int{100}},
		{name: "selection", keyType: str,
			keys: cat(repeat("a", 100), repeat("a", 50), repeat("b", 50)), vals: seq[:200], sizes: []int{100, 100},
			sel: []int32{0, 3, 40, 41, 42, 60, 99}},
		{name: "selection of one key in a batch of two", keyType: str,
			keys: cat(repeat("a", 50), repeat("b", 50)), vals: seq[:100], sizes: []int{100},
			sel: []int32{1, 2, 3, 10}},
		{name: "int key selection", keyType: i64,
			keys: cat(repeat(3, 100), repeat(3, 50), repeat(4, 50)), vals: seq[:200], sizes: []int{100, 100},
			sel: []int32{0, 5, 49, 50, 99}},
		{name: "NULL values, selection", keyType: str,
			keys: repeat("a", 100), vals: cat(repeat(nil, 10), seq[:90]), sizes: []int{100},
			sel: []int32{0, 9, 10, 11, 50}},
		{name: "intermediate overflow, final sum fits", keyType: str,
			keys: repeat("a", 100), vals: cat(repeat(big(math.MaxInt64), 50), repeat(big(-math.MaxInt64), 50)), sizes: []int{100}},
		{name: "sum exactly MaxInt64", keyType: str,
			keys: repeat("a", 100), vals: cat(repeat(big(math.MaxInt64/99), 99), []any{big(math.MaxInt64 - 99*(math.MaxInt64/99))}), sizes: []int{100}},
		{name: "sum exactly MinInt64", keyType: str,
			keys: repeat("a", 64), vals: repeat(big(math.MinInt64/64), 64), sizes: []int{64}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := schemaOf("k", c.keyType, "v", i64)
			batches := wideBatches(mem, s, c.keyType, c.keys, c.vals, c.sizes...)
			var keys, vs []any
			at := 0
			for i := range batches {
				n := c.sizes[i]
				if c.sel == nil {
					keys, vs = append(keys, c.keys[at:at+n]...), append(vs, c.vals[at:at+n]...)
				} else {
					batches[i].Sel = c.sel
					for _, r := range c.sel {
						keys, vs = append(keys, c.keys[at+int(r)]), append(vs, c.vals[at+int(r)])
					}
				}
				at += n
			}
			leaf := newLeaf(s, batches)
			defer leaf.release()
			for _, grouped := range []bool{true, false} {
				var k expr.Expr
				if grouped {
					k = colExpr("k", c.keyType)
				}
				got, err := runGrouped(mem, leaf, k)
				if err != nil {
					t.Fatalf("grouped=%v: %v", grouped, err)
				}
				if diff := cmp.Diff(refGrouped(keys, vs, grouped), got); diff != "" {
					t.Errorf("grouped=%v (-want +got):\n%s", grouped, diff)
				}
			}
		})
	}
}

// TestAggregateOneGroupOverflow: a batch summed without per-row checks
// still fails exactly when the sum leaves BIGINT, one past either limit.
func TestAggregateOneGroupOverflow(t *testing.T) {
	mem := checked(t)
	for _, c := range []struct {
		name string
		vals []any
		sel  []int32
	}{
		{"MaxInt64 + 1", append(slices.Repeat([]any{int(math.MaxInt64 / 2)}, 2), 1, 1), nil},
		{"MinInt64 - 1", append(slices.Repeat([]any{int(math.MinInt64 / 2)}, 2), -1), nil},
		{"many large values", slices.Repeat([]any{1 << 60}, 100), nil},
		{"selected rows overflow", slices.Repeat([]any{1 << 61}, 100), []int32{0, 10, 20, 30}},
	} {
		t.Run(c.name, func(t *testing.T) {
			keys := slices.Repeat([]any{"a"}, len(c.vals))
			s := schemaOf("k", str, "v", i64)
			batches := wideBatches(mem, s, str, keys, c.vals, len(c.vals))
			batches[0].Sel = c.sel
			leaf := newLeaf(s, batches)
			defer leaf.release()
			for _, k := range []expr.Expr{colExpr("k", str), nil} {
				_, err := runGrouped(mem, leaf, k)
				if !errors.Is(err, errIntRange) {
					t.Errorf("GROUP BY %v: err = %v, want %v", k, err, errIntRange)
				}
			}
		})
	}
}

// TestAggregateOneGroupSlicedStrings: key arrays sliced out of a larger
// one (offsets not starting at 0) take the offsets loop.
func TestAggregateOneGroupSlicedStrings(t *testing.T) {
	mem := checked(t)
	b := array.NewStringBuilder(mem)
	for i := range 300 {
		b.Append(strings.Repeat("k", 1+i/100)) // k, kk, kkk: one key per 100 rows
	}
	full := b.NewArray()
	b.Release()
	defer full.Release()
	s := schemaOf("k", str, "v", i64)
	var batches []plan.Batch
	for _, r := range [][2]int64{{0, 100}, {100, 200}, {150, 250}, {200, 300}} {
		keys := array.NewSlice(full, r[0], r[1])
		vals := col(mem, i64, slices.Repeat([]any{1}, int(r[1]-r[0]))...)
		batches = append(batches, plan.Batch{Record: rec(s, keys, vals)})
	}
	leaf := newLeaf(s, batches)
	defer leaf.release()
	got, err := runGrouped(mem, leaf, colExpr("k", str))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"k,100,100,100", "kk,150,150,150", "kkk,150,150,150"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// keyedLeaf is a leaf whose partitions declare bounds.
type keyedLeaf struct {
	*leafExec
	bounds [][]plan.ColumnBound // per partition; nil declares nothing
}

func (l *keyedLeaf) PartitionBounds(p int) ([]plan.ColumnBound, bool) {
	return l.bounds[p], l.bounds[p] != nil
}

// TestAggregateDeclaredKeyPartitions: partitions that declare their key
// are aggregated as one group each (several batches, a selection, an
// empty partition), next to one that declares nothing and holds two keys.
func TestAggregateDeclaredKeyPartitions(t *testing.T) {
	mem := checked(t)
	s := schemaOf("k", str, "v", i64)
	batch := func(k string, vals ...any) plan.Batch {
		return plan.Batch{Record: rec(s, col(mem, str, slices.Repeat([]any{k}, len(vals))...), col(mem, i64, vals...))}
	}
	sel := batch("b", 1, 2, 3, 4)
	sel.Sel = []int32{1, 3}
	mixed := plan.Batch{Record: rec(s, col(mem, str, "c", "d", "c"), col(mem, i64, 1, 2, nil))}
	leaf := newLeaf(s, []plan.Batch{batch("a", 1, 2), batch("a", 10)}, []plan.Batch{sel, batch("b", 100)}, nil, []plan.Batch{mixed})
	leaf.props.Partitioning = plan.Partitioning{Kind: plan.KeyPartitioning, Columns: []string{"k"}}
	defer leaf.release()
	key := func(v string) []plan.ColumnBound {
		return []plan.ColumnBound{{Column: "k", Key: true, Min: expr.String(v), Max: expr.String(v)}}
	}
	in := &keyedLeaf{leafExec: leaf, bounds: [][]plan.ColumnBound{key("a"), key("b"), key("e"), nil}}
	v := colExpr("v", i64)
	aggs := []AggregateExpr{{Func: expr.AggCount, Name: "n"}, {Func: expr.AggSum, Arg: v, Name: "s"}, {Func: expr.AggMax, Arg: v, Name: "m"}}
	p, err := PlanAggregate(in, []expr.Expr{colExpr("k", str)}, []string{"k"}, aggs, 2)
	if err != nil {
		t.Fatal(err)
	}
	agg := p.(*HashAggregateExec)
	if agg.Mode() != AggregateSinglePartitioned {
		t.Fatalf("mode %s, want SinglePartitioned:\n%s", agg.Mode(), Explain(p))
	}
	for part, want := range []bool{true, true, true, false} {
		if got := agg.declaredOneGroup(part); got != want {
			t.Errorf("partition %d: declaredOneGroup = %v, want %v", part, got, want)
		}
	}
	got, err := runExact(mem, p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a,3,13,10", "b,3,106,100", "c,2,1,1", "d,1,2,2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestAggregateDeclaredOneGroupNeedsKeyOfEveryGroupColumn: a declaration
// helps only when it is a key bound of every group column, and only in
// the per-partition modes.
func TestAggregateDeclaredOneGroupNeedsKeyOfEveryGroupColumn(t *testing.T) {
	s := schemaOf("k", str, "j", i64, "v", i64)
	leaf := newLeaf(s, nil)
	keyK := plan.ColumnBound{Column: "k", Key: true, Min: expr.String("a"), Max: expr.String("a")}
	keyJ := plan.ColumnBound{Column: "j", Key: true, Min: expr.Int64(1), Max: expr.Int64(1)}
	rangeK := plan.ColumnBound{Column: "k", Min: expr.String("a"), Max: expr.String("b")}
	aggs := []AggregateExpr{{Func: expr.AggCount, Name: "n"}}
	k, j := colExpr("k", str), colExpr("j", i64)
	for _, c := range []struct {
		name   string
		mode   AggregateMode
		gby    []expr.Expr
		bounds []plan.ColumnBound
		want   bool
	}{
		{"key of the group column", AggregateSinglePartitioned, []expr.Expr{k}, []plan.ColumnBound{keyK}, true},
		{"partial mode", AggregatePartial, []expr.Expr{k}, []plan.ColumnBound{keyK}, true},
		{"keys of both group columns", AggregatePartial, []expr.Expr{k, j}, []plan.ColumnBound{keyJ, keyK}, true},
		{"key of one of two group columns", AggregatePartial, []expr.Expr{k, j}, []plan.ColumnBound{keyK}, false},
		{"key of another column", AggregatePartial, []expr.Expr{j}, []plan.ColumnBound{keyK}, false},
		{"range bound", AggregatePartial, []expr.Expr{k}, []plan.ColumnBound{rangeK}, false},
		{"single mode", AggregateSingle, []expr.Expr{k}, []plan.ColumnBound{keyK}, false},
		{"no GROUP BY", AggregatePartial, nil, []plan.ColumnBound{keyK}, false},
	} {
		names := make([]string, len(c.gby))
		for i := range names {
			names[i] = fmt.Sprint("g", i)
		}
		p, err := NewHashAggregate(c.mode, &keyedLeaf{leafExec: leaf, bounds: [][]plan.ColumnBound{c.bounds}}, c.gby, names, aggs)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := p.declaredOneGroup(0); got != c.want {
			t.Errorf("%s: declaredOneGroup = %v, want %v", c.name, got, c.want)
		}
	}
}
