package sql

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
)

// Constant folding. Every sub-expression without column references,
// parameters or aggregates is evaluated at bind time (with the same
// kernels the engine runs, through expr.EvalScalar) and replaced by its
// value, so `x > 1 + 2` reaches pushdown and domain analysis as `x > 3`.
// An error while folding (division by zero, overflow) is the query's
// error, reported at the operator that raised it, as PostgreSQL's planner
// reports errors of the constant expressions it folds.

// isConstant reports whether e reads no column, parameter, aggregate or
// window function.
func isConstant(e expr.Expr) bool {
	constant := true
	expr.Walk(e, func(x expr.Expr) bool {
		switch x.(type) {
		case *expr.Column, *expr.Param, *expr.Aggregate, *expr.Window, *expr.CurrentTime:
			constant = false
		}
		return constant
	})
	return constant
}

// foldConstants replaces every constant sub-expression of e by a literal,
// bottom up. onErr turns an evaluation error of node (a node of e as
// given) into the error returned.
func foldConstants(e expr.Expr, onErr func(node expr.Expr, err error) error) (expr.Expr, error) {
	switch e.(type) {
	case nil, *expr.Literal, *expr.Column, *expr.Param, *expr.CurrentTime:
		return e, nil
	}
	kids := e.Children()
	mapped := make([]expr.Expr, len(kids))
	changed, allLit := false, true
	for i, k := range kids {
		m, err := foldConstants(k, onErr)
		if err != nil {
			return nil, err
		}
		mapped[i] = m
		changed = changed || m != k
		if _, ok := m.(*expr.Literal); !ok {
			allLit = false
		}
	}
	out := e
	if changed {
		var err error
		if out, err = withChildren(e, mapped); err != nil {
			return nil, err
		}
	}
	if isCall(e) || !allLit {
		return simplifyLogic(out), nil
	}
	v, err := expr.EvalScalar(out)
	if err != nil {
		return nil, onErr(e, err)
	}
	if !arrow.TypeEqual(v.Type, out.DataType()) {
		// Not expected; keep the expression rather than change its type.
		return out, nil
	}
	return &expr.Literal{Value: v}, nil
}

// fold folds the constant parts of e, locating errors by where each node
// was written.
func (b *binder) fold(e expr.Expr) (expr.Expr, error) {
	return foldConstants(e, func(node expr.Expr, err error) error {
		return b.errorf(b.exprPos[node], "%v", err)
	})
}

// foldBound folds x; a wholly constant x becomes a literal that the
// coercion rules treat as written in the query (cast to a column's type
// when that loses nothing).
func (b *binder) foldBound(x bound) (bound, error) {
	if x.soft != concrete || x.e == nil {
		return x, nil
	}
	if _, ok := x.e.(*expr.Literal); ok {
		return x, nil
	}
	e, err := b.fold(x.e)
	if err != nil {
		return bound{}, err
	}
	if _, ok := e.(*expr.Literal); ok {
		x.lit = true
	}
	x.e = e
	return x, nil
}

// simplifyLogic drops a constant operand of AND/OR where three-valued
// logic allows: true AND x is x, false AND x is false, true OR x is true,
// false OR x is x (a NULL operand decides nothing and stays).
func simplifyLogic(e expr.Expr) expr.Expr {
	bin, ok := e.(*expr.Binary)
	if !ok || (bin.Op != expr.OpAnd && bin.Op != expr.OpOr) {
		return e
	}
	for _, side := range [][2]expr.Expr{{bin.L, bin.R}, {bin.R, bin.L}} {
		lit, ok := side[0].(*expr.Literal)
		if !ok || lit.Value.Null {
			continue
		}
		v, ok := lit.Value.Value.(bool)
		if !ok {
			continue
		}
		if v == (bin.Op == expr.OpAnd) {
			return side[1] // true AND x, false OR x
		}
		return lit // false AND x, true OR x
	}
	return e
}

// isCall reports whether e is an aggregate or window call, which has a
// value per group or row even when its arguments are constant.
func isCall(e expr.Expr) bool {
	switch e.(type) {
	case *expr.Aggregate, *expr.Window:
		return true
	}
	return false
}
