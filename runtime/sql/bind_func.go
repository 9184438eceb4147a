package sql

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
)

var aggregates = map[string]expr.AggFunc{
	"count": expr.AggCount, "sum": expr.AggSum, "min": expr.AggMin, "max": expr.AggMax, "avg": expr.AggAvg,
}

// nodeTypeName is the parse-tree node's kind, e.g. "SubLink".
func nodeTypeName(n *pg.Node) string {
	s := fmt.Sprintf("%T", n.Node)
	if i := strings.LastIndex(s, "Node_"); i >= 0 {
		return s[i+len("Node_"):]
	}
	return s
}

func (b *binder) bindFunc(f *pg.FuncCall, depth int) (bound, error) {
	pos := int(f.Location)
	names := make([]string, len(f.Funcname))
	for i, n := range f.Funcname {
		names[i] = n.GetString_().GetSval()
	}
	name := strings.Join(names, ".")
	if len(names) == 2 && names[0] == "pg_catalog" {
		name = names[1]
	}
	if f.Over != nil {
		return b.bindWindow(f, name, depth)
	}
	fn, isAgg := aggregates[name]
	if !isAgg {
		if sb, ok := scalarFunctions[name]; ok {
			return b.bindScalarCall(name, sb, f, depth)
		}
		return bound{}, b.unsupported(pos, "function %s(%s)", name, b.argTypes(f.Args, depth))
	}
	switch {
	case !b.aggAllowed:
		return bound{}, b.errorf(pos, "aggregate functions are not allowed in %s", b.clause)
	case b.inAgg:
		return bound{}, b.errorf(pos, "aggregate function calls cannot be nested")
	case f.AggFilter != nil:
		return bound{}, b.unsupported(nodeLocation(f.AggFilter), "FILTER in aggregate functions")
	case len(f.AggOrder) > 0:
		return bound{}, b.unsupported(nodeLocation(f.AggOrder[0]), "ORDER BY in aggregate functions")
	case f.AggWithinGroup:
		return bound{}, b.unsupported(pos, "WITHIN GROUP")
	case f.FuncVariadic:
		return bound{}, b.unsupported(pos, "VARIADIC")
	}
	b.sawAgg = true
	if f.AggStar {
		if fn != expr.AggCount {
			return bound{}, b.errorf(pos, "%s(*) is not allowed; only count(*)", name)
		}
		return bound{e: &expr.Aggregate{Func: expr.AggCount, Type: arrow.PrimitiveTypes.Int64}, pos: pos}, nil
	}
	if len(f.Args) != 1 {
		return bound{}, b.unsupported(pos, "function %s(%s)", name, b.argTypes(f.Args, depth))
	}
	b.inAgg = true
	var x bound
	var err error
	if row := f.Args[0].GetRowExpr(); row != nil && fn == expr.AggCount {
		x, err = b.bindRowValue(row, depth)
	} else {
		x, err = b.bindDepth(f.Args[0], depth)
	}
	b.inAgg = false
	if err != nil {
		return bound{}, err
	}
	if x.soft == unknownString && fn != expr.AggCount {
		// PostgreSQL reads an unknown literal here as text, as we do.
		x.soft = concrete
	}
	arg, err := b.finish(x)
	if err != nil {
		return bound{}, err
	}
	t := arg.DataType()
	var rt arrow.DataType
	switch fn {
	case expr.AggCount:
		rt = arrow.PrimitiveTypes.Int64
	case expr.AggSum:
		rt, _ = sumType(t)
	case expr.AggAvg:
		// avg is float64 for every numeric input, decimals included, so
		// one kernel serves all (PostgreSQL returns numeric for decimals).
		if isNumeric(t) {
			rt = arrow.PrimitiveTypes.Float64
		}
	case expr.AggMin, expr.AggMax:
		if orderable(t) {
			rt = t
		}
	}
	if rt == nil {
		return bound{}, b.unsupported(pos, "function %s(%s)", name, x.describe())
	}
	return bound{e: &expr.Aggregate{Func: fn, Arg: arg, Distinct: f.AggDistinct, Type: rt}, pos: pos}, nil
}

// argTypes describes the argument types of an unsupported function call
// for its error message, binding each argument on a scratch binder so
// that nothing (parameter types, aggregate flags) leaks into the real one;
// arguments that do not bind show as "?".
func (b *binder) argTypes(args []*pg.Node, depth int) string {
	scratch := *b
	scratch.params = map[int]arrow.DataType{}
	scratch.paramPos = map[int]int{}
	scratch.colPos = map[*expr.Column]int{}
	scratch.exprPos = map[expr.Expr]int{}
	scratch.aggAllowed = true
	scratch.inAgg = false
	descs := make([]string, len(args))
	for i, a := range args {
		x, err := scratch.bindDepth(a, depth)
		if err != nil {
			descs[i] = "?"
			continue
		}
		descs[i] = x.describe()
	}
	return strings.Join(descs, ", ")
}
