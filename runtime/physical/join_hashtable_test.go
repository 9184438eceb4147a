package physical

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// TestKeyTableCollisions gives different keys one hash: every probe must
// still find its own key's rows (searching on past the others), keys
// absent from the table none, duplicates chain newest first.
func TestKeyTableCollisions(t *testing.T) {
	mem := checked(t)
	build := col(mem, str, "a", "b", "a", "c", "b", "a")
	probe := col(mem, str, "c", "a", "z", "b", "a")
	defer probe.Release()
	build.Retain()
	tab := newKeyTable([]arrow.Array{build}, 3)
	defer tab.release()
	next := make([]int32, build.Len())
	const h = 42 // every key collides
	for i := range build.Len() {
		next[i] = tab.insert(h, int32(i))
	}
	build.Release()
	if want := []int32{-1, -1, 0, -1, 1, 2}; !slices.Equal(next, want) {
		t.Fatalf("chains %v, want %v", next, want)
	}
	k := &keyBatch{cols: []keyColumn{{arr: probe}}, n: probe.Len(), null: make([]bool, probe.Len()), hash: slices.Repeat([]uint64{h}, probe.Len())}
	first := make([]int32, k.n)
	tab.lookup(k, first, &k.scratch)
	if want := []int32{3, 5, -1, 4, 5}; !slices.Equal(first, want) {
		t.Fatalf("first rows %v, want %v", first, want)
	}
	// A NULL probe row finds nothing even with a matching hash.
	k.null[1] = true
	tab.lookup(k, first, &k.scratch)
	if first[1] != -1 {
		t.Fatalf("NULL probe row matched row %d", first[1])
	}
}

// TestKeyTableSizes checks the table is sized at a load factor of at most
// one half for every build size, so inserts always find an empty slot.
func TestKeyTableSizes(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 1000, 1 << 16, 1<<16 + 1} {
		size := tableSize(n)
		if size&(size-1) != 0 || size < 2*n || size < 16 || (n > 8 && size >= 4*n) {
			t.Errorf("tableSize(%d) = %d", n, size)
		}
	}
}

// mixedRow is one row of the mixed-type key test; nil fields are NULL.
type mixedRow struct {
	f  any // float64
	d  any // int: a decimal(10,2) of d cents
	b  any // bool
	ts any // int: a timestamp
	ls any // string: a large string
	i8 any // int
}

var mixedSchemaTypes = []arrow.DataType{f64, &arrow.Decimal128Type{Precision: 10, Scale: 2}, arrow.FixedWidthTypes.Boolean,
	arrow.FixedWidthTypes.Timestamp_us, arrow.BinaryTypes.LargeString, arrow.PrimitiveTypes.Int8}

func randomMixedRows(rng *rand.Rand, n int) []mixedRow {
	pick := func(vals ...any) any {
		if rng.IntN(8) == 0 {
			return nil
		}
		return vals[rng.IntN(len(vals))]
	}
	out := make([]mixedRow, n)
	for i := range out {
		out[i] = mixedRow{
			f:  pick(0.0, math.Copysign(0, -1), math.NaN(), 1.5),
			d:  pick(-100, 250),
			b:  pick(true, false),
			ts: pick(0, 1_000_000),
			ls: pick("a\x00b", "a longer string than eight bytes", ""),
			i8: pick(-1, 1),
		}
	}
	return out
}

func (r mixedRow) values() []any { return []any{r.f, r.d, r.b, r.ts, r.ls, r.i8} }

// mixedEqual is SQL join equality: NULL matches nothing, -0 = +0 and
// NaN = NaN (as everywhere rows are hashed or sorted).
func mixedEqual(a, b mixedRow) bool {
	av, bv := a.values(), b.values()
	for i := range av {
		if av[i] == nil || bv[i] == nil {
			return false
		}
		if x, ok := av[i].(float64); ok {
			y := bv[i].(float64)
			if !(x == y || (math.IsNaN(x) && math.IsNaN(y))) {
				return false
			}
			continue
		}
		if av[i] != bv[i] {
			return false
		}
	}
	return true
}

// mixedLeaf is rows as one partition of a leaf with columns
// <prefix>id, then the six key columns.
func mixedLeaf(t *testing.T, mem allocator, prefix string, rows []mixedRow) *leafExec {
	fields := []any{prefix + "id", i64}
	for i, dt := range mixedSchemaTypes {
		fields = append(fields, fmt.Sprintf("%sk%d", prefix, i), dt)
	}
	s := schemaOf(fields...)
	var batches []plan.Batch
	for start := 0; start < len(rows); start += 7 {
		chunk := rows[start:min(start+7, len(rows))]
		ids := make([]any, len(chunk))
		cols := make([][]any, len(mixedSchemaTypes))
		for i, r := range chunk {
			ids[i] = start + i
			for c, v := range r.values() {
				cols[c] = append(cols[c], v)
			}
		}
		arrs := []arrow.Array{col(mem, i64, ids...)}
		for c, dt := range mixedSchemaTypes {
			arrs = append(arrs, col(mem, dt, cols[c]...))
		}
		batches = append(batches, plan.Batch{Record: rec(s, arrs...)})
	}
	leaf := newLeaf(s, batches)
	t.Cleanup(leaf.release)
	return leaf
}

// TestHashJoinMixedKeys joins on six keys of six types (float with -0 and
// NaN, decimal, bool, timestamp, large string with a zero byte, int8),
// with NULLs and duplicates on both sides, through the hashed key table,
// and checks the matched (left id, right id) pairs against a nested loop
// over the Go values; the join is projected to the two ids.
func TestHashJoinMixedKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	for round := range 3 {
		left, right := randomMixedRows(rng, 150), randomMixedRows(rng, 60+round*40)
		for _, jt := range []plan.JoinType{plan.InnerJoin, plan.LeftJoin} {
			var want []string
			for i, l := range left {
				matched := false
				for j, r := range right {
					if mixedEqual(l, r) {
						want = append(want, fmt.Sprintf("%d,%d", i, j))
						matched = true
					}
				}
				if !matched && jt == plan.LeftJoin {
					want = append(want, fmt.Sprintf("%d,NULL", i))
				}
			}
			slices.Sort(want)
			if jt == plan.InnerJoin && len(want) < 10 {
				t.Fatalf("only %d matches: the test data should match more", len(want))
			}
			t.Run(fmt.Sprintf("round%d/%s", round, jt), func(t *testing.T) {
				mem := checked(t)
				var lk, rk []expr.Expr
				for i, dt := range mixedSchemaTypes {
					lk = append(lk, colExpr(fmt.Sprintf("lk%d", i), dt))
					rk = append(rk, colExpr(fmt.Sprintf("rk%d", i), dt))
				}
				l, r := mixedLeaf(t, mem, "l", left), mixedLeaf(t, mem, "r", right)
				lr, err := NewRepartition(l, lk, 3)
				if err != nil {
					t.Fatal(err)
				}
				rr, err := NewRepartition(r, rk, 3)
				if err != nil {
					t.Fatal(err)
				}
				proj := []int{0, 1 + len(mixedSchemaTypes)} // lid, rid
				for _, tc := range []struct {
					name string
					l, r plan.ExecutionPlan
					mode HashJoinMode
				}{{"single", l, r, HashJoinPartitioned}, {"repartitioned", lr, rr, HashJoinPartitioned}, {"collect", l, r, HashJoinCollectBuild}} {
					j, err := NewHashJoin(tc.l, tc.r, jt, lk, rk, HashJoinOptions{Mode: tc.mode, Projection: proj})
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, sortedRows(t, mem, j)); diff != "" {
						t.Errorf("%s: pairs differ (-want +got):\n%s", tc.name, diff)
					}
				}
			})
		}
	}
}

// TestHashJoinLargeBuild joins a build side large enough for tables of
// many slots (int64 and string keys), with every key repeated, so chains
// and probes run over batches of full size.
func TestHashJoinLargeBuild(t *testing.T) {
	const n = 5000
	mem := checked(t)
	var rows []joinRow
	for i := range n {
		k, s := int64(i%1700), fmt.Sprintf("s%d", i%1700)
		rows = append(rows, joinRow{k: &k, s: &s, v: int64(i % 3), id: i})
	}
	for _, keys := range []joinKeys{intKey, bothKeys} {
		want := referenceJoin(plan.InnerJoin, keys, false, rows[:900], rows)
		l, r := joinLeaf(t, mem, "l", rows[:900], 2), joinLeaf(t, mem, "r", rows, 3)
		j, err := NewHashJoin(l, r, plan.InnerJoin, keys.exprs("l"), keys.exprs("r"), HashJoinOptions{Mode: HashJoinCollectBuild})
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, mem, fmt.Sprintf("keys%d", keys), j, want)
	}
}
