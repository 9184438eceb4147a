package sql

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
)

// binder resolves the names and types of one statement against the
// FROM items in scope (see scope.go).
type binder struct {
	sql string
	cat Catalog

	scope      *scope
	taken      map[string]bool   // internal column names used so far
	visible    map[string]string // internal column name -> the name SQL uses
	outerRefs  map[string]int    // columns of an enclosing query referenced, and where
	ctes       []*cteFrame
	scalars    []scalarSub          // scalar subqueries bound but not joined in yet
	scalarCols map[string]bool      // the output columns of scalar subqueries
	exprNames  map[expr.Expr]string // names of merged USING columns that are not plain columns
	cteIndex   int                  // set by lookupCTE

	params   map[int]arrow.DataType // inferred type of $n
	paramPos map[int]int            // first occurrence of $n
	colPos   map[*expr.Column]int   // where each bound column reference was written
	exprPos  map[expr.Expr]int      // where each bound expression was written

	maxDepth int // Limits.MaxNestingDepth: bounds recursion over expression trees

	clause     string // the clause being bound, for messages ("WHERE", "GROUP BY", ...)
	aggAllowed bool
	inAgg      bool
	sawAgg     bool
	inWindow   bool                     // binding a window function's arguments or keys
	sawWindow  bool                     // the SELECT being bound calls window functions
	windows    map[string]*pg.WindowDef // its WINDOW clause, by name
	usesNow    bool                     // now() / CURRENT_TIMESTAMP appear: Bind fixes their value per run
}

func newBinder(sql string) *binder {
	return &binder{
		sql:        sql,
		taken:      map[string]bool{},
		scalarCols: map[string]bool{},
		exprNames:  map[expr.Expr]string{},
		visible:    map[string]string{},
		params:     map[int]arrow.DataType{},
		paramPos:   map[int]int{},
		colPos:     map[*expr.Column]int{},
		exprPos:    map[expr.Expr]int{},
		maxDepth:   DefaultMaxNestingDepth,
	}
}

func (b *binder) errorf(pos int, format string, args ...any) *Error {
	return newError(b.sql, pos, format, args...)
}

// softKind marks constants whose type comes from their context, as in
// PostgreSQL: a quoted literal is of unknown type until compared with a
// column, a parameter's type is inferred from where it is used, and NULL
// takes the type of whatever it meets.
type softKind int

const (
	concrete softKind = iota
	unknownString
	nullLit
	untypedParam
)

// bound is an expression during binding: the resolved tree plus what the
// coercion rules need to know about where it came from.
type bound struct {
	e     expr.Expr // nil for an untypedParam
	pos   int
	soft  softKind
	param int  // $n, for untypedParam
	lit   bool // a literal written in the query (cast preferably)
}

func (x bound) typ() arrow.DataType {
	if x.e == nil {
		return nil
	}
	return x.e.DataType()
}

// describe names the type of x for messages.
func (x bound) describe() string {
	switch x.soft {
	case unknownString:
		return "text"
	case nullLit, untypedParam:
		return "unknown"
	}
	return typeName(x.typ())
}

// coerce converts x to type to: literals are cast at bind time (so the
// plan holds `col op literal`), parameters and NULL take the type, and
// other expressions get a Cast node.
func (b *binder) coerce(x bound, to arrow.DataType) (expr.Expr, error) {
	switch x.soft {
	case untypedParam:
		if err := b.setParam(x.param, to, x.pos); err != nil {
			return nil, err
		}
		return &expr.Param{Index: x.param, Type: to}, nil
	case nullLit:
		return &expr.Literal{Value: expr.Null(to)}, nil
	}
	if arrow.TypeEqual(x.typ(), to) {
		return x.e, nil
	}
	if lit, ok := x.e.(*expr.Literal); ok {
		v, err := castScalar(lit.Value, to)
		if err != nil {
			return nil, b.errorf(x.pos, "%v", err)
		}
		return &expr.Literal{Value: v}, nil
	}
	if !canCast(x.typ(), to) {
		return nil, b.errorf(x.pos, "cannot cast type %s to %s", typeName(x.typ()), typeName(to))
	}
	return &expr.Cast{E: x.e, To: to}, nil
}

func (b *binder) setParam(n int, t arrow.DataType, pos int) error {
	if old, ok := b.params[n]; ok && old != nil && !arrow.TypeEqual(old, t) {
		return b.errorf(pos, "inconsistent types deduced for parameter $%d: %s versus %s", n, typeName(old), typeName(t))
	}
	b.params[n] = t
	return nil
}

// finish gives a standalone expression its own type: unknown strings are
// text, NULL stays of the null type, and an untyped parameter is an error.
func (b *binder) finish(x bound) (expr.Expr, error) {
	switch x.soft {
	case untypedParam:
		return nil, b.errorf(x.pos, "could not determine data type of parameter $%d", x.param)
	case nullLit:
		return &expr.Literal{Value: expr.Null(arrow.Null)}, nil
	}
	return x.e, nil
}

// unify finds the one type a set of operands (of a comparison, arithmetic,
// IN list or BETWEEN) is converted to, and converts them. Soft operands
// take the type of the concrete ones; among concrete ones, literals are
// cast to the column side's type when that loses nothing, so `int32_col =
// 5` stays a comparison of int32s; otherwise everything widens to the
// common type.
func (b *binder) unify(op string, pos int, xs ...bound) ([]expr.Expr, arrow.DataType, error) {
	var t arrow.DataType
	_, arith := arithmeticOps[op]
	for _, x := range xs {
		if x.soft == concrete && isDuration(x.typ()) {
			// A quoted literal meeting an interval is interval text.
			for i := range xs {
				if xs[i].soft == unknownString {
					var err error
					if xs[i], err = b.intervalLiteral(xs[i], defaultIntervalSpec); err != nil {
						return nil, nil, err
					}
				}
			}
			break
		}
	}
	if !allConstant(xs) {
		// `x > 1 + 2` compares x with the literal 3, cast to x's type.
		for i := range xs {
			var err error
			if xs[i], err = b.foldBound(xs[i]); err != nil {
				return nil, nil, err
			}
		}
	}
	mismatch := func() error {
		for _, x := range xs {
			if p, ok := x.e.(*expr.Param); ok {
				other := t
				if arrow.TypeEqual(other, p.Type) {
					for _, y := range xs {
						if y.soft == concrete && !arrow.TypeEqual(y.typ(), p.Type) {
							other = y.typ()
						}
					}
				}
				return b.errorf(x.pos, "inconsistent types deduced for parameter $%d: %s versus %s", p.Index, typeName(p.Type), typeName(other))
			}
		}
		if valueSetOps[op] {
			return b.errorf(pos, "%s types %s cannot be matched", op, describeTypes(xs))
		}
		if len(xs) == 2 {
			return b.errorf(pos, "operator does not exist: %s %s %s", xs[0].describe(), op, xs[1].describe())
		}
		descs := ""
		for i, x := range xs {
			if i > 0 {
				descs += ", "
			}
			descs += x.describe()
		}
		return b.errorf(pos, "%s types %s cannot be matched", op, descs)
	}
	for _, x := range xs {
		if x.soft != concrete || x.lit {
			continue
		}
		if t == nil {
			t = x.typ()
			continue
		}
		ct, ok := commonType(t, x.typ())
		if !ok {
			return nil, nil, mismatch()
		}
		t = ct
	}
	for _, x := range xs {
		if x.soft != concrete || !x.lit {
			continue
		}
		if t == nil {
			t = x.typ()
			continue
		}
		if mixesTextAndNonText(t, x.typ()) || mixesBoolAndNonBool(t, x.typ()) {
			// `s = 1` on a text s: PostgreSQL has no text = integer; only
			// a quoted (unknown-typed) literal takes the other side's type.
			return nil, nil, mismatch()
		}
		if losslessTo(x.e.(*expr.Literal).Value, t) && !(arith && isInteger(t) && !isInteger(x.typ())) {
			// In arithmetic the type is the operation: user_id / 2.0
			// divides exactly, so 2.0 never narrows to an integer.
			continue
		}
		ct, ok := commonType(t, x.typ())
		if !ok {
			return nil, nil, mismatch()
		}
		t = ct
	}
	if t == nil {
		for _, x := range xs {
			if x.soft == unknownString {
				t = arrow.BinaryTypes.String
			}
		}
	}
	if t == nil {
		for _, x := range xs {
			if x.soft == untypedParam {
				return nil, nil, b.errorf(x.pos, "could not determine data type of parameter $%d", x.param)
			}
		}
		t = arrow.Null
	}
	out := make([]expr.Expr, len(xs))
	for i, x := range xs {
		e, err := b.coerce(x, t)
		if err != nil {
			return nil, nil, err
		}
		out[i] = e
	}
	return out, t, nil
}

// allConstant reports whether no operand reads a column, parameter or
// aggregate (such an expression is folded as a whole later).
func allConstant(xs []bound) bool {
	for _, x := range xs {
		if x.soft == untypedParam || (x.e != nil && !isConstant(x.e)) {
			return false
		}
	}
	return true
}

// losslessTo reports whether the literal v converts to type t and back
// unchanged, so casting it (rather than the column) keeps the comparison's
// meaning.
func losslessTo(v expr.Scalar, t arrow.DataType) bool {
	if v.Null {
		return true
	}
	c, err := castScalar(v, t)
	if err != nil {
		return false
	}
	back, err := castScalar(c, v.Type)
	return err == nil && expr.Equal(back, v)
}

// canCast reports whether CAST(from AS to) is defined.
func canCast(from, to arrow.DataType) bool {
	switch {
	case arrow.TypeEqual(from, to), from.ID() == arrow.NULL:
		return true
	case isNumeric(from):
		return isNumeric(to) || isString(to) || (isInteger(from) && isBool(to))
	case isString(from):
		return isNumeric(to) || isString(to) || isBinary(to) || isTemporal(to) || isBool(to)
	case isBool(from):
		return isBool(to) || isString(to) || isInteger(to)
	case isTemporal(from):
		return isTemporal(to) || isString(to)
	case isBinary(from):
		return isBinary(to)
	case isDuration(from):
		return isDuration(to)
	}
	return false
}

// mustBool converts a WHERE/HAVING/AND operand to boolean, as PostgreSQL
// does: `argument of WHERE must be type boolean, not type bigint`.
func (b *binder) mustBool(x bound, what string) (expr.Expr, error) {
	if x.soft != concrete {
		return b.coerce(x, arrow.FixedWidthTypes.Boolean)
	}
	if !isBool(x.typ()) {
		return nil, b.errorf(x.pos, "argument of %s must be type boolean, not type %s", what, typeName(x.typ()))
	}
	return x.e, nil
}

// unsupported reports a construct tpgen does not support, by name.
func (b *binder) unsupported(pos int, format string, args ...any) *Error {
	return b.errorf(pos, "%s is not supported", fmt.Sprintf(format, args...))
}

// unsupportedPlural is unsupported for constructs named in the plural
// ("subqueries are not supported").
func (b *binder) unsupportedPlural(pos int, what string) *Error {
	return b.errorf(pos, "%s are not supported", what)
}
