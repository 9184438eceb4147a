package domain

import "github.com/tpgen/tpgen/runtime/expr"

var negatedOp = map[expr.Op]expr.Op{
	expr.OpEq: expr.OpNe, expr.OpNe: expr.OpEq,
	expr.OpLt: expr.OpGe, expr.OpGe: expr.OpLt,
	expr.OpGt: expr.OpLe, expr.OpLe: expr.OpGt,
}

// negate returns an expression that is TRUE exactly when e is FALSE, or
// false when it does not know one. Every rewrite here holds under SQL's
// three-valued logic (NOT maps NULL to NULL, and so does each rewrite),
// which is why NOT is pushed through expressions rather than computed as a
// domain's complement. Float comparisons assume PostgreSQL's NaN semantics,
// where NaN equals itself and sorts above every number, so NOT (x < 1) is
// x >= 1 even for NaN.
func negate(e expr.Expr) (expr.Expr, bool) {
	switch e := e.(type) {
	case *expr.Not:
		return e.E, true
	case *expr.Binary:
		switch e.Op {
		case expr.OpAnd:
			return &expr.Binary{Op: expr.OpOr, L: negateOrWrap(e.L), R: negateOrWrap(e.R), Type: boolType}, true
		case expr.OpOr:
			return &expr.Binary{Op: expr.OpAnd, L: negateOrWrap(e.L), R: negateOrWrap(e.R), Type: boolType}, true
		}
		if op, ok := negatedOp[e.Op]; ok {
			return &expr.Binary{Op: op, L: e.L, R: e.R, Type: e.Type}, true
		}
	case *expr.IsNull:
		return &expr.IsNull{E: e.E, Negated: !e.Negated}, true
	case *expr.InList:
		return &expr.InList{E: e.E, List: e.List, Negated: !e.Negated}, true
	case *expr.Between:
		return &expr.Between{E: e.E, Low: e.Low, High: e.High, Negated: !e.Negated}, true
	case *expr.Like:
		return &expr.Like{E: e.E, Pattern: e.Pattern, Negated: !e.Negated, CaseInsensitive: e.CaseInsensitive}, true
	case *expr.Column:
		if typeFamily(e.Type) == famBool {
			return &expr.Binary{Op: expr.OpEq, L: e, R: &expr.Literal{Value: expr.Bool(false)}, Type: boolType}, true
		}
	case *expr.Literal:
		if v, ok := e.Value.Value.(bool); ok && !e.Value.Null {
			return &expr.Literal{Value: expr.Bool(!v)}, true
		}
		if e.Value.Null {
			return e, true
		}
	}
	return nil, false
}

// negateOrWrap negates e, leaving an opaque NOT that the analysis skips
// when it cannot.
func negateOrWrap(e expr.Expr) expr.Expr {
	if n, ok := negate(e); ok {
		return n
	}
	return &expr.Not{E: e}
}
