package sql

import (
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
)

// maxParams bounds $n so a typo like $99999999 cannot allocate a huge
// parameter list (PostgreSQL's own limit is 65535).
const maxParams = 65535

// bindExpr resolves one expression of the parse tree, folding its
// constant parts.
func (b *binder) bindExpr(n *pg.Node) (bound, error) {
	x, err := b.bindDepth(n, 0)
	if err != nil {
		return bound{}, err
	}
	return b.foldBound(x)
}

// bindDepth binds n without folding it as a whole, remembering where each
// bound node was written (for errors raised while folding it later).
func (b *binder) bindDepth(n *pg.Node, depth int) (bound, error) {
	x, err := b.bindNode(n, depth)
	if err == nil && x.e != nil {
		if _, seen := b.exprPos[x.e]; !seen {
			b.exprPos[x.e] = x.pos
		}
	}
	return x, err
}

func (b *binder) bindNode(n *pg.Node, depth int) (bound, error) {
	if n == nil || n.Node == nil {
		return bound{}, b.errorf(0, "missing expression")
	}
	if depth > b.maxDepth {
		return bound{}, b.errorf(nodeLocation(n), "expressions are nested too deeply (the limit is %d, set by the MaxNestingDepth limit)", b.maxDepth)
	}
	depth++
	switch v := n.Node.(type) {
	case *pg.Node_ColumnRef:
		return b.bindColumnRef(v.ColumnRef)
	case *pg.Node_AConst:
		return b.bindConst(v.AConst)
	case *pg.Node_ParamRef:
		return b.bindParam(v.ParamRef)
	case *pg.Node_TypeCast:
		return b.bindCast(v.TypeCast, depth)
	case *pg.Node_AExpr:
		return b.bindAExpr(v.AExpr, depth)
	case *pg.Node_BoolExpr:
		return b.bindBoolExpr(v.BoolExpr, depth)
	case *pg.Node_NullTest:
		x, err := b.bindDepth(v.NullTest.Arg, depth)
		if err != nil {
			return bound{}, err
		}
		e, err := b.finish(x)
		if err != nil {
			return bound{}, err
		}
		return bound{e: &expr.IsNull{E: e, Negated: v.NullTest.Nulltesttype == pg.NullTestType_IS_NOT_NULL}, pos: int(v.NullTest.Location)}, nil
	case *pg.Node_BooleanTest:
		return b.bindBoolTest(v.BooleanTest, depth)
	case *pg.Node_FuncCall:
		return b.bindFunc(v.FuncCall, depth)
	case *pg.Node_SubLink:
		if v.SubLink.SubLinkType == pg.SubLinkType_EXPR_SUBLINK {
			return b.bindScalarSubquery(v.SubLink)
		}
		return bound{}, b.errorf(int(v.SubLink.Location), "this subquery is not supported here: EXISTS and IN (SELECT ...) are supported as conditions of WHERE (joined by AND, possibly under NOT)")
	case *pg.Node_CaseExpr:
		return b.bindCase(v.CaseExpr, depth)
	case *pg.Node_CoalesceExpr:
		return b.bindValueList("coalesce", v.CoalesceExpr.Args, int(v.CoalesceExpr.Location), depth)
	case *pg.Node_MinMaxExpr:
		return b.bindMinMax(v.MinMaxExpr, depth)
	case *pg.Node_SqlvalueFunction:
		if x, ok := b.bindSQLValue(v.SqlvalueFunction); ok {
			return x, nil
		}
	}
	return bound{}, b.unsupportedNode(n)
}

// unsupportedNode names an expression construct tpgen does not evaluate.
func (b *binder) unsupportedNode(n *pg.Node) *Error {
	pos := nodeLocation(n)
	switch v := n.Node.(type) {
	case *pg.Node_SubLink:
		return b.unsupportedPlural(pos, "subqueries")
	case *pg.Node_AArrayExpr:
		return b.unsupported(pos, "ARRAY")
	case *pg.Node_RowExpr:
		return b.unsupported(pos, "ROW")
	case *pg.Node_CollateClause:
		return b.unsupported(int(v.CollateClause.Location), "COLLATE")
	case *pg.Node_AIndirection:
		return b.unsupportedPlural(pos, "subscripts and field selection")
	case *pg.Node_GroupingFunc:
		return b.unsupported(pos, "GROUPING")
	case *pg.Node_SqlvalueFunction:
		return b.unsupported(pos, "%s", strings.ToUpper(tokenAt(b.sql, max(pos, 0))))
	case *pg.Node_AStar:
		return b.errorf(pos, "* is not allowed here")
	}
	name := strings.TrimPrefix(strings.TrimPrefix(nodeTypeName(n), "Node_"), "pg.")
	return b.unsupported(pos, "expression %s", name)
}

func (b *binder) bindColumnRef(c *pg.ColumnRef) (bound, error) {
	pos := int(c.Location)
	names := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		if _, star := f.Node.(*pg.Node_AStar); star {
			return bound{}, b.errorf(pos, "* is not allowed here")
		}
		names[i] = f.GetString_().GetSval()
	}
	qual := ""
	switch len(names) {
	case 1:
	case 2:
		qual, names = names[0], names[1:]
	default:
		return bound{}, b.errorf(pos, "improper qualified name (too many dotted names): %s", strings.Join(names, "."))
	}
	e, err := b.resolveColumn(qual, names[0], pos)
	if err != nil {
		return bound{}, err
	}
	return bound{e: e, pos: pos}, nil
}

// bindConst types a literal. Integers are BIGINT (PostgreSQL makes small
// ones INTEGER; one integer type keeps coercion simple and the binder
// narrows a literal to the column's type when it fits). Fractional
// literals such as 1.5 or 1e-3 are NUMERIC, as in PostgreSQL: decimal(p, s)
// with exactly their digits, so 0.1 + 0.2 = 0.3 holds and CAST(2.5 AS int)
// rounds as numeric does; one needing more than 38 digits (1e300) is DOUBLE
// PRECISION, 128-bit decimals holding no more. Quoted strings are of
// unknown type until their context fixes it.
func (b *binder) bindConst(c *pg.A_Const) (bound, error) {
	pos := int(c.Location)
	if c.Isnull {
		return bound{pos: pos, soft: nullLit, e: &expr.Literal{Value: expr.Null(arrow.Null)}}, nil
	}
	lit := func(s expr.Scalar) (bound, error) {
		return bound{e: &expr.Literal{Value: s}, pos: pos, lit: true}, nil
	}
	switch v := c.Val.(type) {
	case *pg.A_Const_Ival:
		return lit(expr.Int64(int64(v.Ival.GetIval())))
	case *pg.A_Const_Fval:
		text := v.Fval.GetFval()
		if i, err := strconv.ParseInt(text, 0, 64); err == nil {
			return lit(expr.Int64(i))
		}
		if !strings.ContainsAny(text, ".eE") {
			// An integer too large for BIGINT stays exact as NUMERIC(38, 0).
			if n, err := decimal128.FromString(text, 38, 0); err == nil {
				return lit(expr.Decimal(&arrow.Decimal128Type{Precision: 38, Scale: 0}, n))
			}
		}
		if d, ok := numericLiteral(text); ok {
			return lit(d)
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(f, 0) {
			return bound{}, b.errorf(pos, "numeric literal %s is out of range", text)
		}
		return lit(expr.Float64(f))
	case *pg.A_Const_Sval:
		return bound{e: &expr.Literal{Value: expr.String(v.Sval.GetSval())}, pos: pos, soft: unknownString, lit: true}, nil
	case *pg.A_Const_Boolval:
		return lit(expr.Bool(v.Boolval.GetBoolval()))
	case *pg.A_Const_Bsval:
		return bound{}, b.unsupportedPlural(pos, "bit-string literals")
	}
	return bound{}, b.errorf(pos, "unrecognised constant")
}

func (b *binder) bindParam(p *pg.ParamRef) (bound, error) {
	pos := int(p.Location)
	n := int(p.Number)
	if n < 1 || n > maxParams {
		return bound{}, b.errorf(pos, "parameter $%d is out of range (1..%d)", n, maxParams)
	}
	if _, seen := b.paramPos[n]; !seen {
		b.paramPos[n] = pos
	}
	if t := b.params[n]; t != nil {
		return bound{e: &expr.Param{Index: n, Type: t}, pos: pos}, nil
	}
	return bound{pos: pos, soft: untypedParam, param: n}, nil
}

// bindCast binds CAST(x AS t) and x::t. A cast of a constant is folded into
// a literal of the target type (DATE '2026-01-01' is such a cast).
func (b *binder) bindCast(c *pg.TypeCast, depth int) (bound, error) {
	x, err := b.bindDepth(c.Arg, depth)
	if err != nil {
		return bound{}, err
	}
	to, err := b.resolveType(c.TypeName)
	if err != nil {
		return bound{}, err
	}
	pos := int(c.Location)
	if pos < 0 {
		pos = x.pos
	}
	if isDuration(to) && isStringLiteral(x) {
		// INTERVAL '1 hour', '90 minutes'::interval, CAST('...' AS INTERVAL).
		mods, err := b.typmods(c.TypeName)
		if err != nil {
			return bound{}, err
		}
		spec, err := intervalSpecOf(mods)
		if err != nil {
			return bound{}, b.errorf(int(c.TypeName.Location), "%v", err)
		}
		return b.intervalLiteral(x, spec)
	}
	if x.soft == concrete && isString(x.typ()) && isDuration(to) {
		return bound{}, b.errorf(pos, "cannot cast type %s to interval: only text constants are read as intervals", typeName(x.typ()))
	}
	if x.soft == concrete && !canCast(x.typ(), to) {
		return bound{}, b.errorf(pos, "cannot cast type %s to %s", typeName(x.typ()), typeName(to))
	}
	e, err := b.coerce(x, to)
	if err != nil {
		return bound{}, err
	}
	_, isLit := e.(*expr.Literal)
	if _, isCast := e.(*expr.Cast); isCast {
		b.exprPos[e] = pos // an error folding the cast is the cast's
	}
	return bound{e: e, pos: x.pos, lit: isLit && x.lit}, nil
}

// isStringLiteral reports whether x is a quoted literal, of unknown type
// or already text.
func isStringLiteral(x bound) bool {
	lit, ok := x.e.(*expr.Literal)
	return ok && x.lit && !lit.Value.Null && isString(lit.Value.Type)
}

// intervalLiteral reads a quoted literal as PostgreSQL interval text and
// returns it as a duration literal (see interval.go).
func (b *binder) intervalLiteral(x bound, spec intervalSpec) (bound, error) {
	text, _ := x.e.(*expr.Literal).Value.Value.(string)
	ns, err := parseInterval(text, spec)
	if err != nil {
		return bound{}, b.errorf(x.pos, "%v", err)
	}
	t := intervalLiteralType(ns, spec)
	v, err := durationValue(ns, t, false)
	if err != nil {
		return bound{}, b.errorf(x.pos, "%v", err)
	}
	return bound{e: &expr.Literal{Value: expr.Duration(t, v)}, pos: x.pos, lit: true}, nil
}

var comparisonOps = map[string]expr.Op{
	"=": expr.OpEq, "<>": expr.OpNe, "!=": expr.OpNe, "<": expr.OpLt, "<=": expr.OpLe, ">": expr.OpGt, ">=": expr.OpGe,
}

var arithmeticOps = map[string]expr.Op{
	"+": expr.OpAdd, "-": expr.OpSub, "*": expr.OpMul, "/": expr.OpDiv, "%": expr.OpMod,
}

func opName(names []*pg.Node) string {
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1].GetString_().GetSval()
}

func (b *binder) bindAExpr(a *pg.A_Expr, depth int) (bound, error) {
	pos := int(a.Location)
	op := opName(a.Name)
	switch a.Kind {
	case pg.A_Expr_Kind_AEXPR_OP:
		if a.Lexpr == nil {
			return b.bindUnary(op, a, depth)
		}
		return b.bindBinary(op, a, depth)
	case pg.A_Expr_Kind_AEXPR_IN:
		return b.bindIn(a, op == "<>", depth)
	case pg.A_Expr_Kind_AEXPR_LIKE, pg.A_Expr_Kind_AEXPR_ILIKE:
		return b.bindLike(a, strings.HasPrefix(op, "!"), a.Kind == pg.A_Expr_Kind_AEXPR_ILIKE, depth)
	case pg.A_Expr_Kind_AEXPR_BETWEEN, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN:
		return b.bindBetween(a, a.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN, depth)
	case pg.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		return b.bindBetweenSymmetric(a, a.Kind == pg.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM, depth)
	case pg.A_Expr_Kind_AEXPR_DISTINCT, pg.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		return b.bindIsDistinct(a, a.Kind == pg.A_Expr_Kind_AEXPR_NOT_DISTINCT, depth)
	case pg.A_Expr_Kind_AEXPR_NULLIF:
		return b.bindNullif(a, depth)
	case pg.A_Expr_Kind_AEXPR_OP_ANY, pg.A_Expr_Kind_AEXPR_OP_ALL:
		return bound{}, b.unsupported(pos, "ANY/ALL")
	case pg.A_Expr_Kind_AEXPR_SIMILAR:
		return bound{}, b.unsupported(pos, "SIMILAR TO")
	}
	return bound{}, b.unsupported(pos, "operator %s", op)
}

func (b *binder) bindUnary(op string, a *pg.A_Expr, depth int) (bound, error) {
	pos := int(a.Location)
	if op != "-" && op != "+" {
		return bound{}, b.unsupported(pos, "prefix operator %s", op)
	}
	x, err := b.bindDepth(a.Rexpr, depth)
	if err != nil {
		return bound{}, err
	}
	if x.soft != concrete || !(isNumeric(x.typ()) || isDuration(x.typ())) || (op == "-" && isUnsigned(x.typ())) {
		return bound{}, b.errorf(pos, "operator does not exist: %s %s", op, x.describe())
	}
	if op == "+" {
		return x, nil
	}
	if lit, ok := x.e.(*expr.Literal); ok {
		if v, ok := negateScalar(lit.Value); ok {
			return bound{e: &expr.Literal{Value: v}, pos: pos, lit: x.lit}, nil
		}
	}
	return bound{e: &expr.Negate{E: x.e}, pos: pos}, nil
}

// negateScalar folds -literal; false when the value has no negation in its
// type (the minimum BIGINT), leaving the run-time kernel to report it.
func negateScalar(s expr.Scalar) (expr.Scalar, bool) {
	if s.Null {
		return s, true
	}
	switch v := s.Value.(type) {
	case int64:
		if v == math.MinInt64 {
			return s, false
		}
		out, err := intScalar(-v, s.Type)
		return out, err == nil
	case float64:
		return expr.Scalar{Type: s.Type, Value: -v}, true
	case decimal128.Num:
		return expr.Scalar{Type: s.Type, Value: v.Negate()}, true
	}
	return s, false
}

func (b *binder) bindBinary(op string, a *pg.A_Expr, depth int) (bound, error) {
	pos := int(a.Location)
	_, isCmp := comparisonOps[op]
	_, isArith := arithmeticOps[op]
	if !isCmp && !isArith && op != "||" {
		return bound{}, b.unsupported(pos, "operator %s", op)
	}
	l, err := b.bindDepth(a.Lexpr, depth)
	if err != nil {
		return bound{}, err
	}
	r, err := b.bindDepth(a.Rexpr, depth)
	if err != nil {
		return bound{}, err
	}
	if op == "||" {
		return b.bindConcatOp(pos, l, r)
	}
	return b.binaryOp(op, pos, l, r)
}

// binaryOp binds l op r for a comparison or arithmetic operator.
func (b *binder) binaryOp(op string, pos int, l, r bound) (bound, error) {
	cmpOp, _ := comparisonOps[op]
	arOp, isArith := arithmeticOps[op]
	sym := op
	if sym == "!=" {
		sym = "<>"
	}
	if isArith && (isTimeLike(l) || isTimeLike(r)) {
		return b.bindTemporalArith(arOp, sym, pos, l, r)
	}
	if isArith {
		for _, x := range []bound{l, r} {
			if x.soft == concrete && !isNumeric(x.typ()) {
				return bound{}, b.errorf(pos, "operator does not exist: %s %s %s", l.describe(), sym, r.describe())
			}
		}
	}
	es, t, err := b.unify(sym, pos, l, r)
	if err != nil {
		return bound{}, err
	}
	if isArith && isInteger(t) {
		if es, t, err = b.promoteIntegers(es, l, r, t); err != nil {
			return bound{}, err
		}
	}
	if isArith {
		if !isNumeric(t) {
			return bound{}, b.errorf(pos, "operator does not exist: %s %s %s", l.describe(), sym, r.describe())
		}
		if isDecimal(t) {
			return b.decimalArith(arOp, pos, l, r, t)
		}
		return bound{e: &expr.Binary{Op: arOp, L: es[0], R: es[1], Type: t}, pos: pos}, nil
	}
	if t.ID() != arrow.NULL && !orderable(t) {
		return bound{}, b.errorf(pos, "operator does not exist: %s %s %s", l.describe(), sym, r.describe())
	}
	return bound{e: &expr.Binary{Op: cmpOp, L: es[0], R: es[1], Type: arrow.FixedWidthTypes.Boolean}, pos: pos}, nil
}

func (b *binder) bindIn(a *pg.A_Expr, negated bool, depth int) (bound, error) {
	pos := int(a.Location)
	list := a.Rexpr.GetList()
	if list == nil {
		return bound{}, b.unsupported(pos, "IN with a subquery")
	}
	x, err := b.bindDepth(a.Lexpr, depth)
	if err != nil {
		return bound{}, err
	}
	xs := []bound{x}
	for _, item := range list.Items {
		y, err := b.bindDepth(item, depth)
		if err != nil {
			return bound{}, err
		}
		xs = append(xs, y)
	}
	es, t, err := b.unify("IN", pos, xs...)
	if err != nil {
		return bound{}, err
	}
	if t.ID() == arrow.NULL {
		// Only NULLs: the answer is NULL (the kernels compare no NULL type).
		return bound{e: &expr.Literal{Value: expr.Null(arrow.FixedWidthTypes.Boolean)}, pos: pos, lit: true}, nil
	}
	if !orderable(t) {
		return bound{}, b.errorf(pos, "IN is not supported for type %s", typeName(t))
	}
	return bound{e: &expr.InList{E: es[0], List: es[1:], Negated: negated}, pos: pos}, nil
}

func (b *binder) bindBetween(a *pg.A_Expr, negated bool, depth int) (bound, error) {
	pos := int(a.Location)
	bounds := a.Rexpr.GetList()
	if bounds == nil || len(bounds.Items) != 2 {
		return bound{}, b.errorf(pos, "BETWEEN needs two bounds")
	}
	x, err := b.bindDepth(a.Lexpr, depth)
	if err != nil {
		return bound{}, err
	}
	lo, err := b.bindDepth(bounds.Items[0], depth)
	if err != nil {
		return bound{}, err
	}
	hi, err := b.bindDepth(bounds.Items[1], depth)
	if err != nil {
		return bound{}, err
	}
	es, t, err := b.unify("BETWEEN", pos, x, lo, hi)
	if err != nil {
		return bound{}, err
	}
	if t.ID() == arrow.NULL {
		return bound{e: &expr.Literal{Value: expr.Null(arrow.FixedWidthTypes.Boolean)}, pos: pos, lit: true}, nil
	}
	if !orderable(t) {
		return bound{}, b.errorf(pos, "BETWEEN is not supported for type %s", typeName(t))
	}
	return bound{e: &expr.Between{E: es[0], Low: es[1], High: es[2], Negated: negated}, pos: pos}, nil
}

func (b *binder) bindLike(a *pg.A_Expr, negated, insensitive bool, depth int) (bound, error) {
	pos := int(a.Location)
	x, err := b.bindDepth(a.Lexpr, depth)
	if err != nil {
		return bound{}, err
	}
	var p bound
	if fc := a.Rexpr.GetFuncCall(); fc != nil && opName(fc.Funcname) == "like_escape" && len(fc.Args) == 2 {
		p, err = b.bindLikeEscape(fc, depth)
	} else {
		p, err = b.bindDepth(a.Rexpr, depth)
	}
	if err != nil {
		return bound{}, err
	}
	op := "LIKE"
	if insensitive {
		op = "ILIKE"
	}
	// bytea LIKE matches bytes, as in PostgreSQL; the kernel reads string
	// and binary arrays alike, so only the operand types need checking.
	binaryLike := x.soft == concrete && isBinary(x.typ()) && !insensitive
	for _, y := range []bound{x, p} {
		if y.soft == concrete && !isString(y.typ()) && !(binaryLike && isBinary(y.typ())) {
			return bound{}, b.errorf(pos, "operator does not exist: %s %s %s", x.describe(), op, p.describe())
		}
	}
	str := arrow.DataType(arrow.BinaryTypes.String)
	xt := str
	if binaryLike {
		xt = x.typ()
	}
	xe, err := b.coerce(x, xt)
	if err != nil {
		return bound{}, err
	}
	pe, err := b.coerce(p, str)
	if err != nil {
		return bound{}, err
	}
	return bound{e: &expr.Like{E: xe, Pattern: pe, Negated: negated, CaseInsensitive: insensitive}, pos: pos}, nil
}

func (b *binder) bindBoolExpr(be *pg.BoolExpr, depth int) (bound, error) {
	pos := int(be.Location)
	what := map[pg.BoolExprType]string{pg.BoolExprType_AND_EXPR: "AND", pg.BoolExprType_OR_EXPR: "OR", pg.BoolExprType_NOT_EXPR: "NOT"}[be.Boolop]
	args := make([]expr.Expr, 0, len(be.Args))
	for _, a := range be.Args {
		x, err := b.bindDepth(a, depth)
		if err != nil {
			return bound{}, err
		}
		e, err := b.mustBool(x, what)
		if err != nil {
			return bound{}, err
		}
		args = append(args, e)
	}
	if len(args) == 0 {
		return bound{}, b.errorf(pos, "%s without operands", what)
	}
	if be.Boolop == pg.BoolExprType_NOT_EXPR {
		return bound{e: &expr.Not{E: args[0]}, pos: pos}, nil
	}
	op := expr.OpAnd
	if be.Boolop == pg.BoolExprType_OR_EXPR {
		op = expr.OpOr
	}
	out := args[0]
	for _, e := range args[1:] {
		out = &expr.Binary{Op: op, L: out, R: e, Type: arrow.FixedWidthTypes.Boolean}
	}
	return bound{e: out, pos: pos}, nil
}

// bindBoolTest rewrites IS [NOT] TRUE/FALSE/UNKNOWN into IS NULL, NOT and
// AND, which give the same never-NULL answers under three-valued logic.
func (b *binder) bindBoolTest(t *pg.BooleanTest, depth int) (bound, error) {
	x, err := b.bindDepth(t.Arg, depth)
	if err != nil {
		return bound{}, err
	}
	e, err := b.mustBool(x, "IS TRUE")
	if err != nil {
		return bound{}, err
	}
	boolean := arrow.FixedWidthTypes.Boolean
	notNull := &expr.IsNull{E: e, Negated: true}
	isTrue := &expr.Binary{Op: expr.OpAnd, L: notNull, R: e, Type: boolean}
	isFalse := &expr.Binary{Op: expr.OpAnd, L: notNull, R: &expr.Not{E: e}, Type: boolean}
	var out expr.Expr
	switch t.Booltesttype {
	case pg.BoolTestType_IS_TRUE:
		out = isTrue
	case pg.BoolTestType_IS_NOT_TRUE:
		out = &expr.Not{E: isTrue}
	case pg.BoolTestType_IS_FALSE:
		out = isFalse
	case pg.BoolTestType_IS_NOT_FALSE:
		out = &expr.Not{E: isFalse}
	case pg.BoolTestType_IS_UNKNOWN:
		out = &expr.IsNull{E: e}
	default:
		out = notNull
	}
	return bound{e: out, pos: int(t.Location)}, nil
}

// numericLiteral types a fractional literal (1.50, .5, 2.5e-3) as the
// decimal holding exactly its digits: 1.50 is decimal(3, 2), as
// PostgreSQL's numeric keeps the scale written. ok is false when it needs
// more than 38 digits.
func numericLiteral(text string) (expr.Scalar, bool) {
	neg := strings.HasPrefix(text, "-")
	text = strings.TrimLeft(text, "+-")
	mant, exp := text, 0
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		e, err := strconv.Atoi(text[i+1:])
		if err != nil || e > 1000 || e < -1000 {
			return expr.Scalar{}, false
		}
		mant, exp = text[:i], e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	scale := len(frac) - exp
	if scale < 0 {
		digits += strings.Repeat("0", -scale)
		scale = 0
	}
	if digits == "" {
		digits = "0"
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return expr.Scalar{}, false
		}
	}
	prec := max(len(digits), scale, 1)
	if prec > 38 {
		return expr.Scalar{}, false
	}
	n, err := decimal128.FromString(digits, int32(prec), 0)
	if err != nil {
		return expr.Scalar{}, false
	}
	if neg {
		n = n.Negate()
	}
	return expr.Decimal(&arrow.Decimal128Type{Precision: int32(prec), Scale: int32(scale)}, n), true
}
