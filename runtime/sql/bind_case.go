package sql

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
)

// valueSetOps are the constructs whose operands are alternative values of
// one result type (not operands of an operator), for unify's messages.
var valueSetOps = map[string]bool{"CASE": true, "COALESCE": true, "GREATEST": true, "LEAST": true}

// resultType is the type a set of alternative values resolves to, as
// PostgreSQL's select_common_type: values of unknown type alone are text.
func (b *binder) unifyValues(what string, pos int, xs []bound) ([]expr.Expr, arrow.DataType, error) {
	es, t, err := b.unify(what, pos, xs...)
	if err != nil {
		return nil, nil, err
	}
	if t.ID() == arrow.NULL {
		t = arrow.BinaryTypes.String
		for i, e := range es {
			if lit, ok := e.(*expr.Literal); ok && lit.Value.Null {
				es[i] = &expr.Literal{Value: expr.Null(t)}
			}
		}
	}
	return es, t, nil
}

// bindCase binds both forms of CASE. The simple form `CASE x WHEN v THEN
// ...` becomes the searched form with conditions x = v, bound as the
// comparison would be (so x's and v's types meet as in `x = v`).
func (b *binder) bindCase(c *pg.CaseExpr, depth int) (bound, error) {
	pos := int(c.Location)
	var subject *bound
	if c.Arg != nil {
		x, err := b.bindDepth(c.Arg, depth)
		if err != nil {
			return bound{}, err
		}
		subject = &x
	}
	var conds []expr.Expr
	var results []bound
	for _, a := range c.Args {
		w := a.GetCaseWhen()
		if w == nil {
			return bound{}, b.errorf(nodeLocation(a), "unexpected CASE arm")
		}
		cx, err := b.bindDepth(w.Expr, depth)
		if err != nil {
			return bound{}, err
		}
		if subject != nil {
			if cx, err = b.binaryOp("=", int(w.Location), *subject, cx); err != nil {
				return bound{}, err
			}
		}
		cond, err := b.mustBool(cx, "CASE/WHEN")
		if err != nil {
			return bound{}, err
		}
		r, err := b.bindDepth(w.Result, depth)
		if err != nil {
			return bound{}, err
		}
		conds = append(conds, cond)
		results = append(results, r)
	}
	if len(conds) == 0 {
		return bound{}, b.errorf(pos, "CASE needs at least one WHEN")
	}
	hasElse := c.Defresult != nil
	if hasElse {
		r, err := b.bindDepth(c.Defresult, depth)
		if err != nil {
			return bound{}, err
		}
		results = append(results, r)
	}
	es, t, err := b.unifyValues("CASE", pos, results)
	if err != nil {
		return bound{}, err
	}
	out := &expr.Case{Type: t}
	for i, cond := range conds {
		out.Whens = append(out.Whens, expr.When{Cond: cond, Result: es[i]})
	}
	if hasElse {
		out.Else = es[len(es)-1]
	}
	return bound{e: out, pos: pos}, nil
}

// bindValueList binds COALESCE(...), GREATEST(...) and LEAST(...) into a
// Func of their common type.
func (b *binder) bindValueList(name string, args []*pg.Node, pos, depth int) (bound, error) {
	xs := make([]bound, 0, len(args))
	for _, a := range args {
		x, err := b.bindDepth(a, depth)
		if err != nil {
			return bound{}, err
		}
		xs = append(xs, x)
	}
	what := map[string]string{"coalesce": "COALESCE", "greatest": "GREATEST", "least": "LEAST"}[name]
	es, t, err := b.unifyValues(what, pos, xs)
	if err != nil {
		return bound{}, err
	}
	if name != "coalesce" && !orderable(t) {
		return bound{}, b.errorf(pos, "could not identify a comparison function for type %s", typeName(t))
	}
	return bound{e: &expr.Func{Name: name, Args: es, Type: t}, pos: pos}, nil
}

func (b *binder) bindMinMax(m *pg.MinMaxExpr, depth int) (bound, error) {
	name := "greatest"
	if m.Op == pg.MinMaxOp_IS_LEAST {
		name = "least"
	}
	return b.bindValueList(name, m.Args, int(m.Location), depth)
}

// bindNullif binds NULLIF(a, b): a and b meet as in a = b, and the result
// has the type of that comparison's left operand.
func (b *binder) bindNullif(a *pg.A_Expr, depth int) (bound, error) {
	pos := int(a.Location)
	l, err := b.bindDepth(a.Lexpr, depth)
	if err != nil {
		return bound{}, err
	}
	r, err := b.bindDepth(a.Rexpr, depth)
	if err != nil {
		return bound{}, err
	}
	es, t, err := b.unify("=", pos, l, r)
	if err != nil {
		return bound{}, err
	}
	if t.ID() == arrow.NULL {
		t = arrow.BinaryTypes.String
		es = []expr.Expr{&expr.Literal{Value: expr.Null(t)}, &expr.Literal{Value: expr.Null(t)}}
	}
	if !orderable(t) {
		return bound{}, b.errorf(pos, "operator does not exist: %s = %s", l.describe(), r.describe())
	}
	return bound{e: &expr.Func{Name: "nullif", Args: es, Type: t}, pos: pos}, nil
}

// describeTypes lists the distinct types of xs for messages: "integer and
// text", "integer, date and text".
func describeTypes(xs []bound) string {
	var names []string
	seen := map[string]bool{}
	for _, x := range xs {
		if d := x.describe(); !seen[d] && x.soft != nullLit {
			seen[d] = true
			names = append(names, d)
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// bindRowValue binds a row constructor (a, b, ...) as count's argument,
// the one place tpgen takes a row value: count(DISTINCT (a, b)) counts
// distinct combinations, NULL fields included (a row is never NULL).
func (b *binder) bindRowValue(r *pg.RowExpr, depth int) (bound, error) {
	pos := int(r.Location)
	if len(r.Args) < 2 {
		return bound{}, b.unsupported(pos, "ROW with fewer than 2 fields")
	}
	args := make([]expr.Expr, len(r.Args))
	for i, a := range r.Args {
		x, err := b.bindDepth(a, depth)
		if err != nil {
			return bound{}, err
		}
		if x.soft == unknownString {
			x.soft = concrete // an unknown literal field is text
		}
		e, err := b.finish(x)
		if err != nil {
			return bound{}, err
		}
		if t := e.DataType(); t.ID() != arrow.NULL && !orderable(t) {
			return bound{}, b.errorf(x.pos, "could not identify an equality operator for type %s", typeName(t))
		}
		args[i] = e
	}
	return bound{e: &expr.Func{Name: "row", Args: args, Type: arrow.BinaryTypes.Binary}, pos: pos}, nil
}

// bindIsDistinct binds a IS [NOT] DISTINCT FROM b, equality that treats
// NULL as a value and is never NULL, as the CASE
//
//	CASE WHEN a IS NULL THEN b IS NOT NULL WHEN b IS NULL THEN true ELSE a <> b END
//
// (negated for IS NOT DISTINCT FROM). a and b meet as in a = b.
func (b *binder) bindIsDistinct(a *pg.A_Expr, negated bool, depth int) (bound, error) {
	pos := int(a.Location)
	l, err := b.bindDepth(a.Lexpr, depth)
	if err != nil {
		return bound{}, err
	}
	r, err := b.bindDepth(a.Rexpr, depth)
	if err != nil {
		return bound{}, err
	}
	es, t, err := b.unify("IS DISTINCT FROM", pos, l, r)
	if err != nil {
		return bound{}, err
	}
	boolean := arrow.FixedWidthTypes.Boolean
	lit := func(v bool) expr.Expr { return &expr.Literal{Value: expr.Bool(v)} }
	if t.ID() == arrow.NULL {
		return bound{e: lit(negated), pos: pos, lit: true}, nil // NULL vs NULL: not distinct
	}
	if !orderable(t) {
		return bound{}, b.errorf(pos, "operator does not exist: %s = %s", l.describe(), r.describe())
	}
	x, y := es[0], es[1]
	ne := expr.OpNe
	if negated {
		ne = expr.OpEq
	}
	out := &expr.Case{Type: boolean, Whens: []expr.When{
		{Cond: &expr.IsNull{E: x}, Result: &expr.IsNull{E: y, Negated: !negated}},
		{Cond: &expr.IsNull{E: y}, Result: lit(!negated)},
	}, Else: &expr.Binary{Op: ne, L: x, R: y, Type: boolean}}
	return bound{e: out, pos: pos}, nil
}

// bindBetweenSymmetric binds x [NOT] BETWEEN SYMMETRIC a AND b: BETWEEN
// with the bounds in either order, as (x BETWEEN a AND b) OR (x BETWEEN b
// AND a), negated as the AND of both NOT BETWEENs.
func (b *binder) bindBetweenSymmetric(a *pg.A_Expr, negated bool, depth int) (bound, error) {
	x, err := b.bindBetween(a, negated, depth)
	if err != nil {
		return x, err
	}
	bt, ok := x.e.(*expr.Between)
	if !ok {
		return x, nil // folded to NULL
	}
	swapped := &expr.Between{E: bt.E, Low: bt.High, High: bt.Low, Negated: negated}
	op := expr.OpOr
	if negated {
		op = expr.OpAnd
	}
	x.e = &expr.Binary{Op: op, L: bt, R: swapped, Type: arrow.FixedWidthTypes.Boolean}
	return x, nil
}
