package physical

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Integer sum and avg are exact: the running total may leave the result
// type's range, only the final sum has to fit; avg divides the exact sum
// by the count once. Every case runs over every order of its values and
// in every plan shape (Single, Partial/Final, SinglePartitioned, global
// Single and Partial/Final).

// exactCol builds an array of typ from int64, uint64 or nil values.
func exactCol(mem memory.Allocator, typ arrow.DataType, vals []any) arrow.Array {
	b := array.NewBuilder(mem, typ)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch bb := b.(type) {
		case *array.Int64Builder:
			bb.Append(v.(int64))
		case *array.Int32Builder:
			bb.Append(int32(v.(int64)))
		case *array.Int8Builder:
			bb.Append(int8(v.(int64)))
		case *array.Uint64Builder:
			bb.Append(v.(uint64))
		case *array.DurationBuilder:
			bb.Append(arrow.Duration(v.(int64)))
		default:
			panic(fmt.Sprintf("exactCol: unsupported builder %T", b))
		}
	}
	return b.NewArray()
}

// exactLeaves lays out rows (k, v) one row per batch: spread round-robin
// over parts partitions (so one group's rows meet only in a Final phase),
// and by key (every group in one partition, declared key-partitioned, for
// SinglePartitioned).
func exactLeaves(mem memory.Allocator, typ arrow.DataType, keys []int64, vals []any, parts int) (spread, byKey *leafExec) {
	s := schemaOf("k", i64, "v", typ)
	sp := make([][]plan.Batch, parts)
	bk := make([][]plan.Batch, parts)
	for i := range keys {
		one := func() plan.Batch {
			return plan.Batch{Record: rec(s, exactCol(mem, i64, []any{keys[i]}), exactCol(mem, typ, []any{vals[i]}))}
		}
		sp[i%parts] = append(sp[i%parts], one())
		bk[int(keys[i])%parts] = append(bk[int(keys[i])%parts], one())
	}
	spread, byKey = newLeaf(s, sp...), newLeaf(s, bk...)
	byKey.props.Partitioning = plan.Partitioning{Kind: plan.KeyPartitioning, Columns: []string{"k"}}
	return spread, byKey
}

// exactShapes plans aggs over the leaves in every shape, checking each
// shape is the one it is named after. byKey nil: only the global shapes
// (over spread).
func exactShapes(t *testing.T, spread, byKey *leafExec, aggs []AggregateExpr) map[string]plan.ExecutionPlan {
	t.Helper()
	k := []expr.Expr{colExpr("k", i64)}
	out := map[string]plan.ExecutionPlan{}
	add := func(name string, p plan.ExecutionPlan, err error, mode AggregateMode) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := p.(*HashAggregateExec).Mode(); got != mode {
			t.Fatalf("%s: mode %s, want %s:\n%s", name, got, mode, Explain(p))
		}
		out[name] = p
	}
	if byKey != nil {
		p, err := NewHashAggregate(AggregateSingle, spread, k, []string{"k"}, aggs)
		add("single", p, err, AggregateSingle)
		pp, err := PlanAggregate(spread, k, []string{"k"}, aggs, 2)
		add("partial/final", pp, err, AggregateFinal)
		pp, err = PlanAggregate(byKey, k, []string{"k"}, aggs, 2)
		add("single-partitioned", pp, err, AggregateSinglePartitioned)
		return out
	}
	p, err := NewHashAggregate(AggregateSingle, spread, nil, nil, aggs)
	add("global-single", p, err, AggregateSingle)
	pp, err := PlanAggregate(spread, nil, nil, aggs, 2)
	add("global-partial/final", pp, err, AggregateFinal)
	return out
}

// runExact collects p's rows, sorted, or its error.
func runExact(mem memory.Allocator, p plan.ExecutionPlan) ([]string, error) {
	recs, err := Collect(context.Background(), p, &plan.TaskContext{Allocator: mem, BatchSize: 2, Parallelism: 2})
	if err != nil {
		return nil, err
	}
	defer release(recs)
	r := rows(recs)
	slices.Sort(r)
	return r, nil
}

func exactAggs(typ arrow.DataType) []AggregateExpr {
	v := colExpr("v", typ)
	return []AggregateExpr{
		{Func: expr.AggSum, Arg: v, Name: "sum"},
		{Func: expr.AggAvg, Arg: v, Name: "avg"},
		{Func: expr.AggCount, Arg: v, Name: "count"},
	}
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

const (
	maxI = int64(math.MaxInt64)
	minI = int64(math.MinInt64)
)

func TestAggregateIntegerSumIsOrderIndependent(t *testing.T) {
	mem := checked(t)
	type tc struct {
		name string
		typ  arrow.DataType
		vals []any
		// sum and count of vals, rendered (exactAvg has the avg); err
		// non-empty when the final sum does not fit the result type.
		sum, count string
		err        string
	}
	cases := []tc{
		{"max+1-1", i64, []any{maxI, int64(1), int64(-1)}, strconv.FormatInt(maxI, 10), "3", ""},
		{"min-1+1", i64, []any{minI, int64(-1), int64(1)}, strconv.FormatInt(minI, 10), "3", ""},
		{"twice max, min, 1", i64, []any{maxI, maxI, minI, int64(1)}, strconv.FormatInt(maxI, 10), "4", ""},
		{"nulls around", i64, []any{nil, maxI, nil, int64(2), int64(-2)}, strconv.FormatInt(maxI, 10), "3", ""},
		{"only nulls", i64, []any{nil, nil}, "NULL", "0", ""},
		{"cancellation", i64, []any{int64(1) << 60, int64(3), -(int64(1) << 60)}, "3", "3", ""},
		{"int8", arrow.PrimitiveTypes.Int8, []any{int64(127), int64(127), int64(-128), nil}, "126", "3", ""},
		{"int32", arrow.PrimitiveTypes.Int32, []any{int64(math.MaxInt32), int64(math.MaxInt32), int64(math.MinInt32)}, strconv.Itoa(math.MaxInt32 - 1), "3", ""},
		{"uint64 max", arrow.PrimitiveTypes.Uint64, []any{uint64(math.MaxUint64), uint64(0), nil}, "18446744073709551615", "2", ""},
		{"overflow at the end", i64, []any{maxI, int64(1)}, "", "", "integer out of range"},
		{"underflow at the end", i64, []any{minI, int64(-1)}, "", "", "integer out of range"},
		{"overflow after a dip", i64, []any{maxI, maxI, minI, int64(2)}, "", "", "integer out of range"},
		// uint64 sums are numeric (decimal(38, 0)), exact beyond 2^64.
		{"uint64 beyond 2^64", arrow.PrimitiveTypes.Uint64, []any{uint64(math.MaxUint64), uint64(1)}, "18446744073709551616", "2", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, perm := range permutations(len(c.vals)) {
				vals := make([]any, len(perm))
				for i, j := range perm {
					vals[i] = c.vals[j]
				}
				// Group 1 holds the case, group 2 a small control group
				// interleaved with it.
				var keys []int64
				var all []any
				for i, v := range vals {
					keys, all = append(keys, 1), append(all, v)
					if i < 2 {
						keys, all = append(keys, 2), append(all, controlVal(c.typ, i))
					}
				}
				spread, byKey := exactLeaves(mem, c.typ, keys, all, 3)
				global, globalByKey := exactLeaves(mem, c.typ, slices.Repeat([]int64{1}, len(vals)), vals, 3)
				grouped := exactShapes(t, spread, byKey, exactAggs(c.typ))
				globals := exactShapes(t, global, nil, exactAggs(c.typ))
				check := func(name string, p plan.ExecutionPlan, want []string) {
					got, err := runExact(mem, p)
					if c.err != "" {
						var pe *plan.Error
						if err == nil || !strings.Contains(err.Error(), c.err) || !errors.As(err, &pe) || pe.Operator != "AggregateExec" {
							t.Errorf("order %v, %s: rows %v, err %v; want a located %q", perm, name, got, err, c.err)
						}
						return
					}
					if err != nil {
						t.Errorf("order %v, %s: %v\n%s", perm, name, err, Explain(p))
						return
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("order %v, %s (-want +got):\n%s\n%s", perm, name, diff, Explain(p))
					}
				}
				row := c.sum + "," + exactAvg(c.vals) + "," + c.count
				for name, p := range grouped {
					check(name, p, []string{"1," + row, "2,4,2,2"})
				}
				for name, p := range globals {
					check(name, p, []string{row})
				}
				for _, l := range []*leafExec{spread, byKey, global, globalByKey} {
					l.release()
				}
			}
		})
	}
}

// exactAvg is the correctly rounded average of the non-null int64 or
// uint64 values, rendered.
func exactAvg(vals []any) string {
	sum, n := new(big.Int), int64(0)
	for _, v := range vals {
		switch v := v.(type) {
		case int64:
			sum.Add(sum, big.NewInt(v))
		case uint64:
			sum.Add(sum, new(big.Int).SetUint64(v))
		default:
			continue
		}
		n++
	}
	if n == 0 {
		return "NULL"
	}
	f, _ := new(big.Rat).SetFrac(sum, big.NewInt(n)).Float64()
	return fmtFloat(f)
}

// controlVal is the i-th value of group 2: 7, then -3 (sum 4, avg 2), or
// 4 and 0 for unsigned types.
func controlVal(typ arrow.DataType, i int) any {
	if typ.ID() == arrow.UINT64 {
		return []any{uint64(4), uint64(0)}[i]
	}
	return []any{int64(7), int64(-3)}[i]
}

// permutations returns every order of 0..n-1.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := slices.Insert(slices.Clone(p), i, n-1)
			out = append(out, q)
		}
	}
	return out
}

func TestAggregateIntegerSumEmptyInput(t *testing.T) {
	mem := checked(t)
	for _, typ := range []arrow.DataType{i64, arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Int8} {
		spread, byKey := exactLeaves(mem, typ, nil, nil, 2)
		shapes := exactShapes(t, spread, byKey, exactAggs(typ))
		maps.Copy(shapes, exactShapes(t, spread, nil, exactAggs(typ)))
		for name, p := range shapes {
			got, err := runExact(mem, p)
			if err != nil {
				t.Fatalf("%s %s: %v", typ, name, err)
			}
			var want []string
			if strings.HasPrefix(name, "global") {
				want = []string{"NULL,NULL,0"}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", typ, name, diff)
			}
		}
	}
}

// The partial state of an integer sum or avg is the exact 128-bit sum, so
// a partition whose own sum leaves BIGINT's range does not fail.
func TestAggregateIntegerPartialStateIsExact(t *testing.T) {
	mem := checked(t)
	s := schemaOf("v", i64)
	leaf := newLeaf(s, []plan.Batch{{Record: rec(s, exactCol(mem, i64, []any{maxI, maxI, nil}))}})
	defer leaf.release()
	v := colExpr("v", i64)
	p, err := NewHashAggregate(AggregatePartial, leaf, nil, nil, []AggregateExpr{{Func: expr.AggSum, Arg: v, Name: "s"}, {Func: expr.AggAvg, Arg: v, Name: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := runExact(mem, p)
	if err != nil {
		t.Fatal(err)
	}
	twice := new(big.Int).Mul(big.NewInt(maxI), big.NewInt(2)).String()
	if diff := cmp.Diff([]string{twice + "," + twice + ",2"}, got); diff != "" {
		t.Errorf("partial state (-want +got):\n%s\nschema %s", diff, p.Schema())
	}
}

func durationStr(mem memory.Allocator, typ arrow.DataType, v int64) string {
	a := exactCol(mem, typ, []any{v})
	defer a.Release()
	return a.ValueStr(0)
}

func TestAggregateDurationSumIsExact(t *testing.T) {
	mem := checked(t)
	typ := &arrow.DurationType{Unit: arrow.Nanosecond}
	for _, c := range []struct {
		vals []any
		want string
		err  string
	}{
		{[]any{maxI, int64(1), int64(-1)}, durationStr(mem, typ, maxI), ""},
		{[]any{maxI, int64(1)}, "", "interval out of range"},
	} {
		for _, perm := range permutations(len(c.vals)) {
			vals := make([]any, len(perm))
			for i, j := range perm {
				vals[i] = c.vals[j]
			}
			leaf, byKey := exactLeaves(mem, typ, make([]int64, len(vals)), vals, 2)
			for name, p := range exactShapes(t, leaf, nil, []AggregateExpr{{Func: expr.AggSum, Arg: colExpr("v", typ), Name: "s"}}) {
				got, err := runExact(mem, p)
				switch {
				case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
					t.Errorf("%v %s: rows %v, err %v, want %q", perm, name, got, err, c.err)
				case c.err == "" && err != nil:
					t.Errorf("%v %s: %v", perm, name, err)
				case c.err == "" && !slices.Equal(got, []string{c.want}):
					t.Errorf("%v %s: %v, want %s", perm, name, got, c.want)
				}
			}
			leaf.release()
			byKey.release()
		}
	}
}

// TestAggregateIntegerSumAvgRandom compares sum and avg of random values,
// extremes included, with math/big: sum exactly (an error exactly when it
// leaves the result type's range), avg correctly rounded.
func TestAggregateIntegerSumAvgRandom(t *testing.T) {
	mem := checked(t)
	rng := rand.New(rand.NewPCG(7, 11))
	for _, typ := range []arrow.DataType{i64, arrow.PrimitiveTypes.Uint64} {
		lo, hi := big.NewInt(minI), big.NewInt(maxI)
		if typ.ID() == arrow.UINT64 {
			lo, hi = big.NewInt(0), new(big.Int).SetUint64(math.MaxUint64)
		}
		for trial := range 60 {
			n := 1 + rng.IntN(40)
			groups := 1 + rng.IntN(4)
			keys := make([]int64, n)
			vals := make([]any, n)
			balanced := trial%2 == 0
			sums := make([]*big.Int, groups)
			counts := make([]int64, groups)
			for g := range sums {
				sums[g] = new(big.Int)
			}
			for i := range n {
				g := rng.IntN(groups)
				keys[i] = int64(g)
				if rng.IntN(10) == 0 {
					continue
				}
				var b *big.Int
				if typ.ID() == arrow.UINT64 {
					u := rng.Uint64N(1 << 54)
					switch rng.IntN(10) {
					case 0:
						u = math.MaxUint64 - rng.Uint64N(3)
					case 1:
						u = rng.Uint64()
					}
					vals[i], b = u, new(big.Int).SetUint64(u)
				} else {
					// Balanced trials alternate near-maximal and
					// near-minimal values per group: running sums leave
					// BIGINT depending on the order, the final sum fits.
					v := int64(rng.Uint64())
					switch {
					case balanced && counts[g]%2 == 0:
						v = maxI - rng.Int64N(3)
					case balanced:
						v = minI + rng.Int64N(3)
					case rng.IntN(3) == 0:
						v = maxI - rng.Int64N(3)
					case rng.IntN(2) == 0:
						v = minI + rng.Int64N(3)
					}
					vals[i], b = v, big.NewInt(v)
				}
				sums[g].Add(sums[g], b)
				counts[g]++
			}
			// Shuffle, so a group's values arrive in no particular order.
			rng.Shuffle(n, func(i, j int) {
				keys[i], keys[j] = keys[j], keys[i]
				vals[i], vals[j] = vals[j], vals[i]
			})
			var want []string
			fails := false
			for g := range groups {
				if !slices.Contains(keys, int64(g)) {
					continue
				}
				if counts[g] == 0 {
					want = append(want, fmt.Sprintf("%d,NULL,NULL,0", g))
					continue
				}
				// A uint64 sum is numeric: it never fails.
				fails = fails || (typ.ID() != arrow.UINT64 && (sums[g].Cmp(lo) < 0 || sums[g].Cmp(hi) > 0))
				avg, _ := new(big.Rat).SetFrac(sums[g], big.NewInt(counts[g])).Float64()
				want = append(want, fmt.Sprintf("%d,%s,%s,%d", g, sums[g], fmtFloat(avg), counts[g]))
			}
			slices.Sort(want)
			spread, byKey := exactLeaves(mem, typ, keys, vals, 2+rng.IntN(3))
			for name, p := range exactShapes(t, spread, byKey, exactAggs(typ)) {
				got, err := runExact(mem, p)
				switch {
				case fails && (err == nil || !strings.Contains(err.Error(), "integer out of range")):
					t.Errorf("%s trial %d %s: rows %v, err %v, want integer out of range", typ, trial, name, got, err)
				case !fails && err != nil:
					t.Errorf("%s trial %d %s: %v", typ, trial, name, err)
				case !fails:
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s trial %d %s (-want +got):\n%s", typ, trial, name, diff)
					}
				}
			}
			// avg alone never fails.
			avgOnly := exactAggs(typ)[1:]
			for name, p := range exactShapes(t, spread, byKey, avgOnly) {
				got, err := runExact(mem, p)
				if err != nil {
					t.Errorf("%s trial %d %s avg: %v", typ, trial, name, err)
					continue
				}
				var wantAvg []string
				for _, w := range want {
					wantAvg = append(wantAvg, dropField(w, 1))
				}
				if diff := cmp.Diff(wantAvg, got); diff != "" {
					t.Errorf("%s trial %d %s avg (-want +got):\n%s", typ, trial, name, diff)
				}
			}
			spread.release()
			byKey.release()
		}
	}
}

// avg of int64 divides the exact sum once: float64 running sums would lose
// the small values next to 2^60 (and depend on the order).
func TestAggregateIntegerAvgIsCorrectlyRounded(t *testing.T) {
	mem := checked(t)
	for _, c := range []struct {
		vals []any
		want float64
	}{
		{[]any{int64(1) << 60, int64(3), -(int64(1) << 60)}, 1},
		{[]any{int64(1)<<53 + 1, int64(1)<<53 + 1, int64(1)<<53 + 1}, float64(int64(1)<<53 + 1)},
		{[]any{maxI, maxI, maxI}, float64(maxI)},
		{[]any{maxI, int64(1)}, 1 << 62},
		{[]any{int64(1)<<62 + 1, int64(1) << 62, int64(0)}, 0}, // filled in below
	} {
		if c.want == 0 {
			r := new(big.Rat).SetFrac(new(big.Int).Add(big.NewInt(1<<62+1), big.NewInt(1<<62)), big.NewInt(3))
			c.want, _ = r.Float64()
		}
		for _, perm := range permutations(len(c.vals)) {
			vals := make([]any, len(perm))
			for i, j := range perm {
				vals[i] = c.vals[j]
			}
			leaf, byKey := exactLeaves(mem, i64, make([]int64, len(vals)), vals, 2)
			for name, p := range exactShapes(t, leaf, nil, exactAggs(i64)[1:2]) {
				got, err := runExact(mem, p)
				if err != nil || !slices.Equal(got, []string{fmtFloat(c.want)}) {
					t.Errorf("avg%v %s = %v, %v; want %s", vals, name, got, err, fmtFloat(c.want))
				}
			}
			leaf.release()
			byKey.release()
		}
	}
}

// quotient against math/big over random 128-bit sums and counts.
func TestQuotientIsCorrectlyRounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for range 20000 {
		x := int128{int64(rng.Uint64()) >> rng.IntN(64), rng.Uint64() >> rng.IntN(64)}
		if rng.IntN(4) == 0 {
			x = int128{int64(rng.Uint64()) >> 63, rng.Uint64() >> rng.IntN(64)}
		}
		n := int64(rng.Uint64()>>1) >> rng.IntN(63)
		if n == 0 {
			n = 1
		}
		b := new(big.Int).Lsh(big.NewInt(x.hi), 64)
		b.Add(b, new(big.Int).SetUint64(x.lo))
		want, _ := new(big.Rat).SetFrac(b, big.NewInt(n)).Float64()
		if got := quotient(x, n); got != want {
			t.Fatalf("quotient(%s, %d) = %v, want %v", b, n, got, want)
		}
	}
}
