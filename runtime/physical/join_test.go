package physical

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// joinRow is one row of a join test input: an integer key, a string key
// (either may be NULL) and a value the residual filter compares.
type joinRow struct {
	k  *int64
	s  *string
	v  int64
	id int
}

func (r joinRow) cells() []string {
	out := []string{"NULL", "NULL", fmt.Sprint(r.v)}
	if r.k != nil {
		out[0] = fmt.Sprint(*r.k)
	}
	if r.s != nil {
		out[1] = *r.s
	}
	return out
}

func randomJoinRows(rng *rand.Rand, n, domain int) []joinRow {
	rows := make([]joinRow, n)
	for i := range rows {
		r := joinRow{v: int64(rng.IntN(10)), id: i}
		if rng.IntN(6) > 0 {
			k := int64(rng.IntN(domain))
			r.k = &k
		}
		if rng.IntN(6) > 0 {
			s := fmt.Sprintf("s%d", rng.IntN(domain))
			r.s = &s
		}
		rows[i] = r
	}
	return rows
}

// joinLeaf spreads rows over parts partitions in batches of 3 rows, some
// behind a selection vector (a hidden row is inserted and unselected).
func joinLeaf(t *testing.T, mem allocator, prefix string, rows []joinRow, parts int) *leafExec {
	s := schemaOf(prefix+"k", i64, prefix+"s", str, prefix+"v", i64)
	batches := make([][]plan.Batch, parts)
	for p := range parts {
		var mine []joinRow
		for i, r := range rows {
			if i%parts == p {
				mine = append(mine, r)
			}
		}
		for start := 0; start < len(mine); start += 3 {
			chunk := mine[start:min(start+3, len(mine))]
			var ks, ss, vs []any
			var sel []int32
			for i, r := range chunk {
				if i == 1 {
					ks, ss, vs = append(ks, 999), append(ss, "hidden"), append(vs, 0)
				}
				sel = append(sel, int32(len(ks)))
				if r.k != nil {
					ks = append(ks, int(*r.k))
				} else {
					ks = append(ks, nil)
				}
				if r.s != nil {
					ss = append(ss, *r.s)
				} else {
					ss = append(ss, nil)
				}
				vs = append(vs, int(r.v))
			}
			b := plan.Batch{Record: rec(s, col(mem, i64, ks...), col(mem, str, ss...), col(mem, i64, vs...))}
			if len(sel) != len(ks) {
				b.Sel = sel
			}
			batches[p] = append(batches[p], b)
		}
	}
	leaf := newLeaf(s, batches...)
	t.Cleanup(leaf.release)
	return leaf
}

type joinKeys int

const (
	intKey joinKeys = iota
	strKey
	bothKeys
)

func (k joinKeys) match(l, r joinRow) bool {
	switch k {
	case intKey:
		return l.k != nil && r.k != nil && *l.k == *r.k
	case strKey:
		return l.s != nil && r.s != nil && *l.s == *r.s
	}
	return intKey.match(l, r) && strKey.match(l, r)
}

func (k joinKeys) exprs(prefix string) []expr.Expr {
	ke := expr.Expr(colExpr(prefix+"k", i64))
	se := expr.Expr(colExpr(prefix+"s", str))
	switch k {
	case intKey:
		return []expr.Expr{ke}
	case strKey:
		return []expr.Expr{se}
	}
	return []expr.Expr{ke, se}
}

// referenceJoin computes a join row by row.
func referenceJoin(jt plan.JoinType, keys joinKeys, filtered bool, left, right []joinRow) []string {
	ok := func(l, r joinRow) bool { return keys.match(l, r) && (!filtered || l.v < r.v) }
	nulls := []string{"NULL", "NULL", "NULL"}
	var out []string
	emit := func(l, r []string) { out = append(out, strings.Join(append(append([]string(nil), l...), r...), ",")) }
	rightMatched := make([]bool, len(right))
	for _, l := range left {
		matched := false
		for j, r := range right {
			if ok(l, r) {
				matched = true
				rightMatched[j] = true
				if jt.OutputsRight() {
					emit(l.cells(), r.cells())
				}
			}
		}
		switch {
		case jt == plan.LeftSemiJoin && matched, jt == plan.LeftAntiJoin && !matched:
			emit(l.cells(), nil)
		case jt == plan.LeftAntiNullAwareJoin:
			hasNull := false
			for _, r := range right {
				hasNull = hasNull || r.k == nil
			}
			if len(right) == 0 || (!matched && !hasNull && l.k != nil) {
				emit(l.cells(), nil)
			}
		case jt.PreservesLeft() && !matched:
			emit(l.cells(), nulls)
		}
	}
	if jt.PreservesRight() {
		for j, r := range right {
			if !rightMatched[j] {
				emit(nulls, r.cells())
			}
		}
	}
	slices.Sort(out)
	return out
}

func lessFilter() expr.Expr {
	return &expr.Binary{Op: expr.OpLt, L: colExpr("lv", i64), R: colExpr("rv", i64), Type: arrow.FixedWidthTypes.Boolean}
}

func equalities(keys joinKeys) expr.Expr {
	var out expr.Expr
	l, r := keys.exprs("l"), keys.exprs("r")
	for i := range l {
		eq := &expr.Binary{Op: expr.OpEq, L: l[i], R: r[i], Type: arrow.FixedWidthTypes.Boolean}
		if out == nil {
			out = eq
		} else {
			out = &expr.Binary{Op: expr.OpAnd, L: out, R: eq, Type: arrow.FixedWidthTypes.Boolean}
		}
	}
	return out
}

// TestJoinsMatchReference runs every join type, key shape and physical
// strategy over random inputs with duplicate and NULL keys, selections and
// empty partitions, and compares with a row-by-row join.
func TestJoinsMatchReference(t *testing.T) {
	types := []plan.JoinType{plan.InnerJoin, plan.LeftJoin, plan.RightJoin, plan.FullJoin, plan.LeftSemiJoin, plan.LeftAntiJoin, plan.LeftAntiNullAwareJoin}
	rng := rand.New(rand.NewPCG(7, 13))
	for round := range 4 {
		nl, nr := 5+rng.IntN(30), rng.IntN(25)
		if round == 3 {
			nr = 0 // an empty build side
		}
		domain := 2 + rng.IntN(8)
		left, right := randomJoinRows(rng, nl, domain), randomJoinRows(rng, nr, domain)
		if round == 1 {
			// Unique right keys: the aligned path.
			for i := range right {
				k, s := int64(i), fmt.Sprintf("s%d", i)
				right[i].k, right[i].s = &k, &s
			}
		}
		for _, jt := range types {
			for _, keys := range []joinKeys{intKey, strKey, bothKeys} {
				if jt == plan.LeftAntiNullAwareJoin && keys != intKey {
					continue
				}
				for _, filtered := range []bool{false, true} {
					if filtered && jt == plan.LeftAntiNullAwareJoin {
						continue
					}
					want := referenceJoin(jt, keys, filtered, left, right)
					name := fmt.Sprintf("round%d/%s/keys%d/filter=%v", round, jt, keys, filtered)
					t.Run(name, func(t *testing.T) {
						mem := checked(t)
						var filter expr.Expr
						if filtered {
							filter = lessFilter()
						}
						lk, rk := keys.exprs("l"), keys.exprs("r")
						for _, strat := range joinStrategies(t, mem, jt, left, right, lk, rk, filter) {
							got := sortedRows(t, mem, strat.p)
							if diff := cmp.Diff(want, got); diff != "" {
								t.Errorf("%s (%s): rows differ (-want +got):\n%s", strat.name, Explain(strat.p), diff)
							}
							checkProjected(t, mem, strat, want)
						}
						if jt != plan.LeftAntiNullAwareJoin {
							cond := equalities(keys)
							if filter != nil {
								cond = &expr.Binary{Op: expr.OpAnd, L: cond, R: filter, Type: arrow.FixedWidthTypes.Boolean}
							}
							for _, buildLeft := range []bool{false, true} {
								if buildLeft && !jt.OutputsRight() {
									continue
								}
								l, r := joinLeaf(t, mem, "l", left, 2), joinLeaf(t, mem, "r", right, 3)
								var probe plan.ExecutionPlan = l
								if buildLeft {
									probe = r
								}
								_ = probe
								if (buildLeft && jt.PreservesLeft()) || (!buildLeft && jt.PreservesRight()) {
									if buildLeft {
										rr := NewCoalescePartitions(r)
										nlj, err := NewNestedLoopJoin(l, rr, jt, cond, true, 0)
										if err != nil {
											t.Fatal(err)
										}
										checkRows(t, mem, "nested-loop build=left", nlj, want)
										continue
									}
									nlj, err := NewNestedLoopJoin(NewCoalescePartitions(l), r, jt, cond, false, 0)
									if err != nil {
										t.Fatal(err)
									}
									checkRows(t, mem, "nested-loop build=right", nlj, want)
									continue
								}
								nlj, err := NewNestedLoopJoin(l, r, jt, cond, buildLeft, 0)
								if err != nil {
									t.Fatal(err)
								}
								checkRows(t, mem, fmt.Sprintf("nested-loop buildLeft=%v", buildLeft), nlj, want)
							}
						}
					})
				}
			}
		}
	}
}

func checkRows(t *testing.T, mem allocator, name string, p plan.ExecutionPlan, want []string) {
	t.Helper()
	got := sortedRows(t, mem, p)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s:\n%s\nrows differ (-want +got):\n%s", name, Explain(p), diff)
	}
}

// checkProjected runs a strategy projected to its odd columns in reverse
// order (the build side's key columns among those dropped) and compares
// with want projected alike.
func checkProjected(t *testing.T, mem allocator, strat joinStrategy, want []string) {
	t.Helper()
	j := strat.p.(*HashJoinExec)
	var proj []int
	for i := j.Schema().NumFields() - 1; i >= 0; i-- {
		if i%2 == 1 {
			proj = append(proj, i)
		}
	}
	pj, err := j.WithProjection(proj)
	if err != nil {
		t.Fatal(err)
	}
	var projected []string
	for _, row := range want {
		cells := strings.Split(row, ",")
		var out []string
		for _, i := range proj {
			out = append(out, cells[i])
		}
		projected = append(projected, strings.Join(out, ","))
	}
	slices.Sort(projected)
	if diff := cmp.Diff(projected, sortedRows(t, mem, pj)); diff != "" {
		t.Errorf("%s projected to %v (%s): rows differ (-want +got):\n%s", strat.name, proj, Explain(pj), diff)
	}
}

type joinStrategy struct {
	name string
	p    plan.ExecutionPlan
}

// joinStrategies returns the hash joins that compute jt: partitioned over
// repartitioned inputs, partitioned over single partitions, and collecting
// either side where allowed.
func joinStrategies(t *testing.T, mem allocator, jt plan.JoinType, left, right []joinRow, lk, rk []expr.Expr, filter expr.Expr) []joinStrategy {
	t.Helper()
	var out []joinStrategy
	add := func(name string, p plan.ExecutionPlan, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, joinStrategy{name, p})
	}
	for _, buildLeft := range []bool{false, true} {
		if buildLeft && !jt.OutputsRight() {
			continue
		}
		if jt != plan.LeftAntiNullAwareJoin {
			l, r := joinLeaf(t, mem, "l", left, 2), joinLeaf(t, mem, "r", right, 3)
			lr, err := NewRepartition(l, lk, 3)
			if err != nil {
				t.Fatal(err)
			}
			rr, err := NewRepartition(r, rk, 3)
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewHashJoin(lr, rr, jt, lk, rk, HashJoinOptions{Mode: HashJoinPartitioned, BuildLeft: buildLeft, Filter: filter})
			add(fmt.Sprintf("partitioned buildLeft=%v", buildLeft), p, err)
		}
		l, r := joinLeaf(t, mem, "l", left, 1), joinLeaf(t, mem, "r", right, 1)
		p, err := NewHashJoin(l, r, jt, lk, rk, HashJoinOptions{Mode: HashJoinPartitioned, BuildLeft: buildLeft, Filter: filter})
		add(fmt.Sprintf("single buildLeft=%v", buildLeft), p, err)
		preserved := (buildLeft && jt.PreservesLeft()) || (!buildLeft && jt.PreservesRight())
		if !preserved {
			l, r := joinLeaf(t, mem, "l", left, 2), joinLeaf(t, mem, "r", right, 3)
			p, err := NewHashJoin(l, r, jt, lk, rk, HashJoinOptions{Mode: HashJoinCollectBuild, BuildLeft: buildLeft, Filter: filter})
			add(fmt.Sprintf("collect buildLeft=%v", buildLeft), p, err)
		}
	}
	return out
}

func TestHashJoinBudgetError(t *testing.T) {
	mem := checked(t)
	rng := rand.New(rand.NewPCG(1, 2))
	left, right := randomJoinRows(rng, 20, 5), randomJoinRows(rng, 200, 5)
	for _, mode := range []HashJoinMode{HashJoinPartitioned, HashJoinCollectBuild} {
		l, r := joinLeaf(t, mem, "l", left, 1), joinLeaf(t, mem, "r", right, 1)
		p, err := NewHashJoin(l, r, plan.InnerJoin, intKey.exprs("l"), intKey.exprs("r"), HashJoinOptions{Mode: mode, MemoryBudget: 1000})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Collect(context.Background(), p, &plan.TaskContext{Allocator: mem})
		if err == nil || !strings.Contains(err.Error(), "the build side of join on [(lk, rk)] needs more than the join memory budget of 1000 B") {
			t.Errorf("mode %d: error %v, want the budget error", mode, err)
		}
	}
}

func TestScalarSubqueryJoin(t *testing.T) {
	mem := checked(t)
	rng := rand.New(rand.NewPCG(3, 4))
	left := randomJoinRows(rng, 10, 4)
	for _, n := range []int{0, 1, 2} {
		l, r := joinLeaf(t, mem, "l", left, 2), joinLeaf(t, mem, "r", randomJoinRows(rng, n, 4), 1)
		p, err := NewNestedLoopJoin(l, r, plan.LeftSingleJoin, nil, false, 0)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := Collect(context.Background(), p, &plan.TaskContext{Allocator: mem, BatchSize: 4})
		if n == 2 {
			if err == nil || !strings.Contains(err.Error(), "more than one row returned by a subquery") {
				t.Errorf("two rows: error %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got := rows(recs)
		release(recs)
		if len(got) != len(left) {
			t.Errorf("%d right rows: got %d rows, want %d", n, len(got), len(left))
		}
		for _, row := range got {
			if n == 0 && !strings.HasSuffix(row, "NULL,NULL,NULL") {
				t.Errorf("empty subquery: row %s lacks NULLs", row)
			}
		}
	}
}

func TestHashJoinCancelAndLimit(t *testing.T) {
	mem := checked(t)
	rng := rand.New(rand.NewPCG(5, 6))
	left, right := randomJoinRows(rng, 200, 3), randomJoinRows(rng, 50, 3)
	l, r := joinLeaf(t, mem, "l", left, 4), joinLeaf(t, mem, "r", right, 2)
	p, err := NewHashJoin(l, r, plan.InnerJoin, intKey.exprs("l"), intKey.exprs("r"), HashJoinOptions{Mode: HashJoinCollectBuild})
	if err != nil {
		t.Fatal(err)
	}
	lim, err := NewLimit(NewCoalescePartitions(p), 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // re-executing the plan builds again
		recs, err := Collect(context.Background(), lim, &plan.TaskContext{Allocator: mem, BatchSize: 2, Parallelism: 2})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(rows(recs)); n != 5 {
			t.Errorf("got %d rows, want 5", n)
		}
		release(recs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Stream(ctx, p, &plan.TaskContext{Allocator: mem, BatchSize: 2, Parallelism: 2})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	cancel()
	for {
		b, err := s.Next()
		if err != nil {
			break
		}
		b.Release()
	}
	s.Close()
}
