package domain

import (
	"github.com/tpgen/tpgen/runtime/expr"
)

// ScalarDomain is the domain Analyze computes for a column.
type ScalarDomain = Domain[expr.Scalar]

// Analyze turns filter conjuncts into one domain per column: for every row
// that satisfies all filters, each column's value lies in its domain (NULL
// only where NullAllowed). The analysis is sound, never complete: a column
// constrained only by predicates it does not understand (or not mentioned)
// gets no entry, which means All.
//
// Understood: comparisons of a column with a literal on either side,
// <>, IN / NOT IN, BETWEEN / NOT BETWEEN, IS [NOT] NULL, LIKE with a literal
// prefix, a bare boolean column, AND (intersection), OR (union, for each
// column constrained on both sides), NOT (pushed down by De Morgan and
// operator inversion, which is exact under SQL's three-valued logic), and
// CAST(column AS t) when the cast widens within one family (INT -> BIGINT,
// REAL -> DOUBLE, VARCHAR -> large string), so it preserves order and
// equality. A comparison with a NULL literal can never be true and gives
// NONE. When the filters can never all be true, every column they mention
// gets NONE.
func Analyze(filters []expr.Expr) map[string]ScalarDomain {
	acc := facts{cols: map[string]ScalarDomain{}}
	for _, f := range filters {
		acc = and(acc, analyze(f))
	}
	out := make(map[string]ScalarDomain, len(acc.cols))
	if acc.never {
		for _, f := range filters {
			for _, c := range expr.Columns(f) {
				out[c] = None(CompareScalars)
			}
		}
		return out
	}
	for c, d := range acc.cols {
		if !d.IsAll() {
			out[c] = d
		}
	}
	return out
}

// Exactly reports whether the filter e is fully captured by the domain
// Analyze gives its column: a row satisfies e exactly when the column's
// value is in that domain (NULL exactly when NullAllowed). A provider that
// applies a column's domain itself (reads only those values) may then
// answer Exact for e. It returns the column's name.
func Exactly(e expr.Expr) (column string, ok bool) {
	f := analyze(e)
	return f.exact, f.exact != ""
}

// facts is what the analysis knows about a predicate.
type facts struct {
	// never: the predicate is never TRUE.
	never bool
	// cols holds, for each constrained column, a superset of the values it
	// has in rows where the predicate is TRUE.
	cols map[string]ScalarDomain
	// exact names the single column whose domain captures the predicate
	// exactly (TRUE iff the value is in cols[exact]); empty when none does.
	exact string
}

func unknown() facts { return facts{cols: map[string]ScalarDomain{}} }

func single(col string, d ScalarDomain, exact bool) facts {
	f := facts{cols: map[string]ScalarDomain{col: d}, never: d.IsNone()}
	if exact {
		f.exact = col
	}
	return f
}

func and(a, b facts) facts {
	out := facts{never: a.never || b.never, cols: make(map[string]ScalarDomain, len(a.cols)+len(b.cols))}
	for c, d := range a.cols {
		out.cols[c] = d
	}
	for c, d := range b.cols {
		if prev, ok := out.cols[c]; ok {
			d = prev.Intersect(d)
		}
		out.cols[c] = d
		out.never = out.never || d.IsNone()
	}
	if a.exact != "" && a.exact == b.exact && len(out.cols) == 1 {
		out.exact = a.exact
	}
	return out
}

// disjuncts flattens a tree of ORs (the binder builds a left-deep chain
// from `a OR b OR c ...`) without recursing, so long generated OR lists
// neither overflow nor cost quadratic time.
func disjuncts(e expr.Expr) []expr.Expr {
	var out []expr.Expr
	stack := []expr.Expr{e}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b, ok := n.(*expr.Binary); ok && b.Op == expr.OpOr {
			stack = append(stack, b.R, b.L)
			continue
		}
		out = append(out, n)
	}
	return out
}

// orAll analyses a disjunction. A column is constrained by it only if
// every disjunct constrains it: an unconstrained disjunct lets any value
// through. Disjuncts that are never TRUE drop out.
func orAll(terms []expr.Expr) facts {
	parts := make([]facts, 0, len(terms))
	for _, t := range terms {
		if f := analyze(t); !f.never {
			parts = append(parts, f)
		}
	}
	switch len(parts) {
	case 0:
		return facts{never: true, cols: map[string]ScalarDomain{}}
	case 1:
		return parts[0]
	}
	out := facts{cols: map[string]ScalarDomain{}}
	doms := make([]ScalarDomain, len(parts))
	for c := range parts[0].cols {
		found := true
		for i, p := range parts {
			d, ok := p.cols[c]
			if !ok {
				found = false
				break
			}
			doms[i] = d
		}
		if found {
			out.cols[c] = UnionAll(doms)
		}
	}
	exact := parts[0].exact
	for _, p := range parts {
		if p.exact == "" || p.exact != exact || len(p.cols) != 1 {
			exact = ""
			break
		}
	}
	out.exact = exact
	return out
}

func analyze(e expr.Expr) facts {
	switch e := e.(type) {
	case *expr.Binary:
		switch {
		case e.Op == expr.OpAnd:
			return and(analyze(e.L), analyze(e.R))
		case e.Op == expr.OpOr:
			return orAll(disjuncts(e))
		case e.Op.IsComparison():
			return analyzeComparison(e)
		}
	case *expr.Not:
		if n, ok := negate(e.E); ok {
			return analyze(n)
		}
	case *expr.IsNull:
		if ref, ok := columnRef(e.E); ok {
			if e.Negated {
				return single(ref.name, NotNull(CompareScalars), true)
			}
			return single(ref.name, OnlyNull(CompareScalars), true)
		}
	case *expr.InList:
		return analyzeInList(e)
	case *expr.Between:
		return analyze(betweenAsComparisons(e))
	case *expr.Like:
		return analyzeLike(e)
	case *expr.Column:
		if typeFamily(e.Type) == famBool {
			return analyze(&expr.Binary{Op: expr.OpEq, L: e, R: &expr.Literal{Value: expr.Bool(true)}, Type: boolType})
		}
	case *expr.Literal:
		if v, ok := e.Value.Value.(bool); ok && v && !e.Value.Null {
			return unknown() // TRUE constrains nothing
		}
		if e.Value.Null || typeFamily(e.Value.Type) == famBool {
			return facts{never: true, cols: map[string]ScalarDomain{}}
		}
	}
	return unknown()
}

// betweenAsComparisons rewrites BETWEEN into the comparisons SQL defines it
// as, which gets NULL bounds right for free: x BETWEEN NULL AND 5 is never
// true, x NOT BETWEEN NULL AND 5 is true when x > 5.
func betweenAsComparisons(e *expr.Between) expr.Expr {
	if e.Negated {
		return &expr.Binary{Op: expr.OpOr, Type: boolType,
			L: &expr.Binary{Op: expr.OpLt, L: e.E, R: e.Low, Type: boolType},
			R: &expr.Binary{Op: expr.OpGt, L: e.E, R: e.High, Type: boolType}}
	}
	return &expr.Binary{Op: expr.OpAnd, Type: boolType,
		L: &expr.Binary{Op: expr.OpGe, L: e.E, R: e.Low, Type: boolType},
		R: &expr.Binary{Op: expr.OpLe, L: e.E, R: e.High, Type: boolType}}
}

func analyzeComparison(e *expr.Binary) facts {
	op, l, r := e.Op, e.L, e.R
	if _, ok := l.(*expr.Literal); ok {
		op, l, r = op.Flip(), r, l
	}
	ref, ok := columnRef(l)
	lit, isLit := r.(*expr.Literal)
	if !ok || !isLit {
		return unknown()
	}
	v := lit.Value
	if v.Null {
		return single(ref.name, None(CompareScalars), true)
	}
	if !ref.accepts(v) {
		return unknown()
	}
	var d ScalarDomain
	switch op {
	case expr.OpEq:
		d = Single(CompareScalars, v)
	case expr.OpNe:
		d = FromRanges(CompareScalars, false,
			Range[expr.Scalar]{Low: Unbounded[expr.Scalar](), High: Exclusive(v)},
			Range[expr.Scalar]{Low: Exclusive(v), High: Unbounded[expr.Scalar]()})
	case expr.OpLt:
		d = FromRanges(CompareScalars, false, Range[expr.Scalar]{Low: Unbounded[expr.Scalar](), High: Exclusive(v)})
	case expr.OpLe:
		d = FromRanges(CompareScalars, false, Range[expr.Scalar]{Low: Unbounded[expr.Scalar](), High: Inclusive(v)})
	case expr.OpGt:
		d = FromRanges(CompareScalars, false, Range[expr.Scalar]{Low: Exclusive(v), High: Unbounded[expr.Scalar]()})
	case expr.OpGe:
		d = FromRanges(CompareScalars, false, Range[expr.Scalar]{Low: Inclusive(v), High: Unbounded[expr.Scalar]()})
	default:
		return unknown()
	}
	return single(ref.name, ref.fit(d), true)
}

func analyzeInList(e *expr.InList) facts {
	ref, ok := columnRef(e.E)
	if !ok {
		return unknown()
	}
	var vals []expr.Scalar
	sawNull := false
	for _, item := range e.List {
		lit, ok := item.(*expr.Literal)
		switch {
		case !ok:
			return unknown()
		case lit.Value.Null:
			sawNull = true
		case !ref.accepts(lit.Value):
			return unknown()
		default:
			vals = append(vals, lit.Value)
		}
	}
	d := FromValues(CompareScalars, vals...)
	if e.Negated {
		// x NOT IN (..., NULL) is never TRUE: it is FALSE or NULL.
		if sawNull {
			return single(ref.name, None(CompareScalars), true)
		}
		d = d.Complement().WithNull(false)
	}
	return single(ref.name, ref.fit(d), true)
}
