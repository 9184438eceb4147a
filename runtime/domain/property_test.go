package domain

import (
	"math/rand/v2"
	"testing"

	"github.com/tpgen/tpgen/runtime/expr"
)

// The property tests check Analyze against a reference evaluator: a
// deliberately simple row-at-a-time interpreter of SQL's three-valued
// logic over Scalars, independent of the vectorized engine.

type row map[string]expr.Scalar

var nullBool = expr.Null(bln)

func evalRef(e expr.Expr, r row) expr.Scalar {
	switch e := e.(type) {
	case *expr.Column:
		return r[e.Name]
	case *expr.Literal:
		return e.Value
	case *expr.Cast:
		v := evalRef(e.E, r) // the tests only cast within a family
		v.Type = e.To
		return v
	case *expr.Binary:
		return evalBinary(e, r)
	case *expr.Not:
		v := evalRef(e.E, r)
		if v.Null {
			return nullBool
		}
		return expr.Bool(!v.Value.(bool))
	case *expr.IsNull:
		return expr.Bool(evalRef(e.E, r).Null != e.Negated)
	case *expr.InList:
		v := evalRef(e.E, r)
		if v.Null {
			return nullBool
		}
		res := expr.Bool(false)
		for _, it := range e.List {
			x := evalRef(it, r)
			switch {
			case x.Null:
				res = nullBool
			case CompareScalars(v, x) == 0:
				return expr.Bool(!e.Negated)
			}
		}
		if res.Null {
			return res
		}
		return expr.Bool(e.Negated)
	case *expr.Between:
		in := evalRef(bin(expr.OpAnd, bin(expr.OpGe, e.E, e.Low), bin(expr.OpLe, e.E, e.High)), r)
		if e.Negated {
			return evalRef(&expr.Not{E: &expr.Literal{Value: in}}, r)
		}
		return in
	case *expr.Like:
		v, p := evalRef(e.E, r), evalRef(e.Pattern, r)
		if v.Null || p.Null {
			return nullBool
		}
		return expr.Bool(likeMatch(v.Value.(string), p.Value.(string)) != e.Negated)
	}
	panic("evalRef: unsupported " + e.String())
}

func evalBinary(e *expr.Binary, r row) expr.Scalar {
	l, rr := evalRef(e.L, r), evalRef(e.R, r)
	switch e.Op {
	case expr.OpAnd, expr.OpOr:
		short := e.Op == expr.OpOr // the value that decides the result
		if (!l.Null && l.Value.(bool) == short) || (!rr.Null && rr.Value.(bool) == short) {
			return expr.Bool(short)
		}
		if l.Null || rr.Null {
			return nullBool
		}
		return expr.Bool(!short)
	case expr.OpAdd:
		if l.Null || rr.Null {
			return expr.Null(l.Type)
		}
		return expr.Int64(l.Int64Value() + rr.Int64Value())
	}
	if l.Null || rr.Null {
		return nullBool
	}
	c := CompareScalars(l, rr)
	return expr.Bool(map[expr.Op]bool{
		expr.OpEq: c == 0, expr.OpNe: c != 0, expr.OpLt: c < 0,
		expr.OpLe: c <= 0, expr.OpGt: c > 0, expr.OpGe: c >= 0,
	}[e.Op])
}

// likeMatch matches SQL LIKE by backtracking over bytes (the test pools
// are ASCII plus one invalid byte, where bytes and characters agree).
func likeMatch(v, p string) bool {
	if p == "" {
		return v == ""
	}
	switch p[0] {
	case '%':
		for i := 0; i <= len(v); i++ {
			if likeMatch(v[i:], p[1:]) {
				return true
			}
		}
		return false
	case '_':
		return v != "" && likeMatch(v[1:], p[1:])
	case '\\':
		p = p[1:]
	}
	return v != "" && v[0] == p[0] && likeMatch(v[1:], p[1:])
}

func isTrue(s expr.Scalar) bool { return !s.Null && s.Value.(bool) }

// gen builds random filters and rows over columns a, b (int64), s (string)
// and f (bool), with small value pools so that literals and row values
// collide often.
type gen struct{ r *rand.Rand }

var (
	strPool  = []string{"", "a", "ab", "abc", "abd", "b", "ba", "a%", "\xff"}
	likePool = []string{"a%", "ab%", "a_", "%b", "a", "", "%", `a\%`, "ab_%", "\xff%", "b%%"}
	colF     = &expr.Column{Name: "f", Type: bln}
)

func (g gen) intLit() expr.Expr {
	if g.r.IntN(8) == 0 {
		return lit(i64)
	}
	return lit(g.r.IntN(7) - 3)
}

func (g gen) strLit() expr.Expr {
	if g.r.IntN(8) == 0 {
		return lit(str)
	}
	return lit(strPool[g.r.IntN(len(strPool))])
}

func (g gen) leaf() expr.Expr {
	col, litf := expr.Expr(colA), g.intLit
	switch g.r.IntN(3) {
	case 1:
		col = colB
	case 2:
		col, litf = colS, g.strLit
	}
	ops := []expr.Op{expr.OpEq, expr.OpNe, expr.OpLt, expr.OpLe, expr.OpGt, expr.OpGe}
	switch g.r.IntN(11) {
	case 0, 1, 2:
		if g.r.IntN(2) == 0 {
			return bin(ops[g.r.IntN(len(ops))], litf(), col)
		}
		return bin(ops[g.r.IntN(len(ops))], col, litf())
	case 3:
		l := &expr.InList{E: col, Negated: g.r.IntN(2) == 0}
		for range 1 + g.r.IntN(3) {
			l.List = append(l.List, litf())
		}
		return l
	case 4:
		return &expr.Between{E: col, Low: litf(), High: litf(), Negated: g.r.IntN(2) == 0}
	case 5:
		return &expr.IsNull{E: col, Negated: g.r.IntN(2) == 0}
	case 6:
		return like(colS, likePool[g.r.IntN(len(likePool))], g.r.IntN(2) == 0)
	case 7:
		return colF
	case 8:
		return bin(expr.OpLt, colA, colB)
	case 9:
		return bin(ops[g.r.IntN(len(ops))], &expr.Cast{E: colA, To: i64}, g.intLit())
	}
	return bin(expr.OpGt, bin(expr.OpAdd, colA, lit(1)), g.intLit())
}

func (g gen) pred(depth int) expr.Expr {
	if depth == 0 || g.r.IntN(3) == 0 {
		return g.leaf()
	}
	switch g.r.IntN(3) {
	case 0:
		return bin(expr.OpAnd, g.pred(depth-1), g.pred(depth-1))
	case 1:
		return bin(expr.OpOr, g.pred(depth-1), g.pred(depth-1))
	}
	return &expr.Not{E: g.pred(depth - 1)}
}

func (g gen) row() row {
	r := row{"a": expr.Null(i64), "b": expr.Null(i64), "s": expr.Null(str), "f": expr.Null(bln)}
	if g.r.IntN(6) != 0 {
		r["a"] = expr.Int64(int64(g.r.IntN(9) - 4))
	}
	if g.r.IntN(6) != 0 {
		r["b"] = expr.Int64(int64(g.r.IntN(9) - 4))
	}
	if g.r.IntN(6) != 0 {
		r["s"] = expr.String(strPool[g.r.IntN(len(strPool))] + []string{"", "", "a", "z"}[g.r.IntN(4)])
	}
	if g.r.IntN(6) != 0 {
		r["f"] = expr.Bool(g.r.IntN(2) == 0)
	}
	return r
}

func inDomain(d ScalarDomain, v expr.Scalar) bool {
	if v.Null {
		return d.NullAllowed()
	}
	return d.Contains(v)
}

// TestAnalyzeIsSound: whenever a row satisfies every filter, each column's
// value lies in its domain.
func TestAnalyzeIsSound(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(1, 2))}
	rows := make([]row, 200)
	for i := range rows {
		rows[i] = g.row()
	}
	for range 1500 {
		filters := make([]expr.Expr, 1+g.r.IntN(3))
		for i := range filters {
			filters[i] = g.pred(3)
		}
		doms := Analyze(filters)
		for _, r := range rows {
			ok := true
			for _, f := range filters {
				ok = ok && isTrue(evalRef(f, r))
			}
			if !ok {
				continue
			}
			for c, d := range doms {
				if !inDomain(d, r[c]) {
					t.Fatalf("unsound: filters %v, row %v satisfies them but %s = %v is outside %s", filters, r, c, r[c], d)
				}
			}
		}
	}
}

// TestAnalyzeExactIsPrecise: for a filter Exactly claims, membership in the
// column's domain decides the filter for every row.
func TestAnalyzeExactIsPrecise(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(3, 4))}
	rows := make([]row, 200)
	for i := range rows {
		rows[i] = g.row()
	}
	claimed := 0
	for range 4000 {
		f := g.pred(2)
		col, ok := Exactly(f)
		if !ok {
			continue
		}
		claimed++
		d, constrained := Analyze([]expr.Expr{f})[col]
		for _, r := range rows {
			want := isTrue(evalRef(f, r))
			got := !constrained || inDomain(d, r[col])
			if got != want {
				t.Fatalf("imprecise: %s claimed exact on %s with domain %s, but row %v gives %v", f, col, d, r, want)
			}
		}
	}
	if claimed < 500 {
		t.Fatalf("only %d exact claims: generator too weak", claimed)
	}
}
