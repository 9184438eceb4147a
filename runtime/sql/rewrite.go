package sql

import (
	"fmt"

	"github.com/tpgen/tpgen/runtime/expr"
)

// mapExpr rebuilds e bottom-up, replacing each node by fn's answer for it
// (fn sees the node with its children already mapped). Nodes fn returns
// unchanged are shared, not copied, which is safe because expressions are
// immutable once bound.
func mapExpr(e expr.Expr, fn func(expr.Expr) (expr.Expr, error)) (expr.Expr, error) {
	if e == nil {
		return nil, nil
	}
	kids := e.Children()
	if len(kids) > 0 {
		mapped := make([]expr.Expr, len(kids))
		changed := false
		for i, k := range kids {
			m, err := mapExpr(k, fn)
			if err != nil {
				return nil, err
			}
			mapped[i] = m
			changed = changed || m != k
		}
		if changed {
			var err error
			if e, err = withChildren(e, mapped); err != nil {
				return nil, err
			}
		}
	}
	return fn(e)
}

// withChildren copies e with new children (in Children order).
func withChildren(e expr.Expr, c []expr.Expr) (expr.Expr, error) {
	switch x := e.(type) {
	case *expr.Binary:
		return &expr.Binary{Op: x.Op, L: c[0], R: c[1], Type: x.Type}, nil
	case *expr.Not:
		return &expr.Not{E: c[0]}, nil
	case *expr.Negate:
		return &expr.Negate{E: c[0]}, nil
	case *expr.IsNull:
		return &expr.IsNull{E: c[0], Negated: x.Negated}, nil
	case *expr.InList:
		return &expr.InList{E: c[0], List: c[1:], Negated: x.Negated}, nil
	case *expr.Between:
		return &expr.Between{E: c[0], Low: c[1], High: c[2], Negated: x.Negated}, nil
	case *expr.Like:
		return &expr.Like{E: c[0], Pattern: c[1], Negated: x.Negated, CaseInsensitive: x.CaseInsensitive}, nil
	case *expr.Cast:
		return &expr.Cast{E: c[0], To: x.To}, nil
	case *expr.Aggregate:
		return &expr.Aggregate{Func: x.Func, Arg: c[0], Distinct: x.Distinct, Type: x.Type}, nil
	case *expr.Case, *expr.Window:
		return expr.WithChildren(e, c)
	case *expr.Func:
		return &expr.Func{Name: x.Name, Args: c, Type: x.Type}, nil
	}
	return nil, fmt.Errorf("cannot rebuild expression %T", e)
}

// aggOutputs maps the expressions an Aggregate computes (group keys and
// aggregate calls, by SQL text) to the names of its output columns.
type aggOutputs map[string]string

// toAggOutput rewrites an expression evaluated above an Aggregate so it
// reads the Aggregate's output: group keys and aggregate calls become
// column references, and any other column reference is PostgreSQL's
// "must appear in the GROUP BY clause" error.
func (b *binder) toAggOutput(e expr.Expr, outs aggOutputs) (expr.Expr, error) {
	if name, ok := outs[e.String()]; ok {
		return &expr.Column{Name: name, Type: e.DataType()}, nil
	}
	switch x := e.(type) {
	case *expr.Column:
		if b.scalarCols[x.Name] {
			return e, nil // a scalar subquery's value, joined in above the aggregate
		}
		return nil, b.errorf(b.colPos[x], "column %s must appear in the GROUP BY clause or be used in an aggregate function", quote(x.Name))
	case *expr.Literal, *expr.Param, *expr.CurrentTime:
		return e, nil
	case *expr.Aggregate:
		return nil, b.errorf(0, "internal error: aggregate %s has no output", x)
	}
	kids := e.Children()
	mapped := make([]expr.Expr, len(kids))
	for i, k := range kids {
		m, err := b.toAggOutput(k, outs)
		if err != nil {
			return nil, err
		}
		mapped[i] = m
	}
	return withChildren(e, mapped)
}
