package sql

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
)

// A scalarBinder resolves a call of one scalar function: it checks the
// bound arguments against the function's PostgreSQL signatures, converts
// them to the types the kernel takes, and returns the call. name is the
// name as written (substring, ceiling, ...).
type scalarBinder func(b *binder, name string, pos int, args []bound) (bound, error)

// scalarFunctions lists the scalar functions by SQL name. Synonyms map to
// one kernel: substring -> substr, ceiling -> ceil, char_length -> length.
var scalarFunctions map[string]scalarBinder

func init() {
	scalarFunctions = map[string]scalarBinder{
		"lower":            textFunc("lower", 1, 1),
		"upper":            textFunc("upper", 1, 1),
		"btrim":            textFunc("btrim", 1, 2),
		"ltrim":            textFunc("ltrim", 1, 2),
		"rtrim":            textFunc("rtrim", 1, 2),
		"replace":          textFunc("replace", 3, 3),
		"length":           bindLength,
		"char_length":      bindLength,
		"character_length": bindLength,
		"substr":           bindSubstr,
		"substring":        bindSubstr,
		"concat":           bindConcat,
		"starts_with":      bindStartsWith,
		"abs":              bindAbs,
		"round":            bindRound,
		"floor":            bindFloorCeil("floor"),
		"ceil":             bindFloorCeil("ceil"),
		"ceiling":          bindFloorCeil("ceil"),
		"mod":              bindMod,
		"date_trunc":       bindDateTrunc,
		"extract":          bindExtract("extract"),
		"date_part":        bindExtract("date_part"),
		"now":              bindNow,
	}
}

// bindScalarCall binds the arguments of a scalar function call and hands
// them to its binder.
func (b *binder) bindScalarCall(name string, sb scalarBinder, f *pg.FuncCall, depth int) (bound, error) {
	pos := int(f.Location)
	switch {
	case f.AggStar:
		return bound{}, b.errorf(pos, "%s(*) specified, but %s is not an aggregate function", name, name)
	case f.AggDistinct:
		return bound{}, b.errorf(pos, "DISTINCT specified, but %s is not an aggregate function", name)
	case len(f.AggOrder) > 0:
		return bound{}, b.errorf(pos, "ORDER BY specified, but %s is not an aggregate function", name)
	case f.AggFilter != nil:
		return bound{}, b.errorf(pos, "FILTER specified, but %s is not an aggregate function", name)
	case f.AggWithinGroup:
		return bound{}, b.errorf(pos, "WITHIN GROUP specified, but %s is not an aggregate function", name)
	case f.FuncVariadic:
		return bound{}, b.unsupported(pos, "VARIADIC")
	}
	args := make([]bound, len(f.Args))
	for i, a := range f.Args {
		x, err := b.bindDepth(a, depth)
		if err != nil {
			return bound{}, err
		}
		args[i] = x
	}
	return sb(b, name, pos, args)
}

// noFunction is PostgreSQL's error for a call no signature matches.
func (b *binder) noFunction(pos int, name string, args []bound) *Error {
	descs := make([]string, len(args))
	for i, a := range args {
		descs[i] = a.describe()
	}
	return b.errorf(pos, "function %s(%s) does not exist", name, strings.Join(descs, ", "))
}

// asText converts an argument to text: unknown literals, NULL and
// parameters take the type; other values must already be text.
func (b *binder) asText(x bound) (expr.Expr, bool, error) {
	if x.soft == concrete && !isString(x.typ()) {
		return nil, false, nil
	}
	e, err := b.coerce(x, arrow.BinaryTypes.String)
	return e, true, err
}

// asInt converts an integer argument to BIGINT.
func (b *binder) asInt(x bound) (expr.Expr, bool, error) {
	if x.soft == concrete && !isInteger(x.typ()) {
		return nil, false, nil
	}
	if x.soft == unknownString {
		return nil, false, nil
	}
	e, err := b.coerce(x, arrow.PrimitiveTypes.Int64)
	return e, true, err
}

func call(name string, pos int, t arrow.DataType, args ...expr.Expr) bound {
	return bound{e: &expr.Func{Name: name, Args: args, Type: t}, pos: pos}
}

// textFunc binds a function of text arguments returning text.
func textFunc(kernel string, minN, maxN int) scalarBinder {
	return func(b *binder, name string, pos int, args []bound) (bound, error) {
		if len(args) < minN || len(args) > maxN {
			return bound{}, b.noFunction(pos, name, args)
		}
		es := make([]expr.Expr, len(args))
		for i, a := range args {
			e, ok, err := b.asText(a)
			if err != nil {
				return bound{}, err
			}
			if !ok {
				return bound{}, b.noFunction(pos, name, args)
			}
			es[i] = e
		}
		return call(kernel, pos, arrow.BinaryTypes.String, es...), nil
	}
}

// bindLength: length(text) counts characters, length(bytea) bytes; both
// are INTEGER.
func bindLength(b *binder, name string, pos int, args []bound) (bound, error) {
	if len(args) != 1 {
		return bound{}, b.noFunction(pos, name, args)
	}
	x := args[0]
	if x.soft == concrete && isBinary(x.typ()) && name == "length" {
		return call("length", pos, arrow.PrimitiveTypes.Int32, x.e), nil
	}
	e, ok, err := b.asText(x)
	if err != nil {
		return bound{}, err
	}
	if !ok {
		return bound{}, b.noFunction(pos, name, args)
	}
	return call("length", pos, arrow.PrimitiveTypes.Int32, e), nil
}

// bindSubstr: substr(text, start [, count]), also written
// substring(text FROM start [FOR count]). substring(text FROM pattern) is
// a regular expression match, which tpgen does not support.
func bindSubstr(b *binder, name string, pos int, args []bound) (bound, error) {
	if len(args) < 2 || len(args) > 3 {
		return bound{}, b.noFunction(pos, name, args)
	}
	s, ok, err := b.asText(args[0])
	if err != nil {
		return bound{}, err
	}
	if !ok {
		return bound{}, b.noFunction(pos, name, args)
	}
	es := []expr.Expr{s}
	for _, a := range args[1:] {
		if name == "substring" && (a.soft == unknownString || (a.soft == concrete && isString(a.typ()))) {
			return bound{}, b.unsupported(a.pos, "substring with a regular expression (SIMILAR) pattern")
		}
		e, ok, err := b.asInt(a)
		if err != nil {
			return bound{}, err
		}
		if !ok {
			return bound{}, b.noFunction(pos, name, args)
		}
		es = append(es, e)
	}
	return call("substr", pos, arrow.BinaryTypes.String, es...), nil
}

// bindConcat: concat(any...) joins the text forms of its non-NULL
// arguments.
func bindConcat(b *binder, name string, pos int, args []bound) (bound, error) {
	if len(args) == 0 {
		return bound{}, b.noFunction(pos, name, args)
	}
	es := make([]expr.Expr, len(args))
	for i, a := range args {
		e, err := b.toText(a)
		if err != nil {
			return bound{}, err
		}
		es[i] = e
	}
	return call("concat", pos, arrow.BinaryTypes.String, es...), nil
}

// toText converts any value to its text form (as concat and || do).
func (b *binder) toText(x bound) (expr.Expr, error) {
	if x.soft == concrete && !isString(x.typ()) {
		if !canCast(x.typ(), arrow.BinaryTypes.String) {
			return nil, b.errorf(x.pos, "cannot convert type %s to text", typeName(x.typ()))
		}
		if lit, ok := x.e.(*expr.Literal); ok {
			v, err := castScalar(lit.Value, arrow.BinaryTypes.String)
			if err != nil {
				return nil, b.errorf(x.pos, "%v", err)
			}
			return &expr.Literal{Value: v}, nil
		}
		return &expr.Cast{E: x.e, To: arrow.BinaryTypes.String}, nil
	}
	return b.coerce(x, arrow.BinaryTypes.String)
}

// bindConcatOp binds a || b: text with text, or text with any other
// non-array value, which is converted to text (PostgreSQL's anynonarray ||
// text); two non-text operands have no || operator.
func (b *binder) bindConcatOp(pos int, l, r bound) (bound, error) {
	textish := func(x bound) bool { return x.soft != concrete || isString(x.typ()) }
	if !textish(l) && !textish(r) {
		return bound{}, b.errorf(pos, "operator does not exist: %s || %s", l.describe(), r.describe())
	}
	le, err := b.toText(l)
	if err != nil {
		return bound{}, err
	}
	re, err := b.toText(r)
	if err != nil {
		return bound{}, err
	}
	return call("||", pos, arrow.BinaryTypes.String, le, re), nil
}

func bindStartsWith(b *binder, name string, pos int, args []bound) (bound, error) {
	if len(args) != 2 {
		return bound{}, b.noFunction(pos, name, args)
	}
	es := make([]expr.Expr, 2)
	for i, a := range args {
		e, ok, err := b.asText(a)
		if err != nil {
			return bound{}, err
		}
		if !ok {
			return bound{}, b.noFunction(pos, name, args)
		}
		es[i] = e
	}
	return call("starts_with", pos, arrow.FixedWidthTypes.Boolean, es...), nil
}

// numericArg is a concrete numeric argument (unknown literals, NULL and
// untyped parameters are not: PostgreSQL cannot pick an overload for them
// either).
func numericArg(x bound) bool { return x.soft == concrete && isNumeric(x.typ()) }

func bindAbs(b *binder, name string, pos int, args []bound) (bound, error) {
	if len(args) != 1 || !numericArg(args[0]) {
		return bound{}, b.noFunction(pos, name, args)
	}
	x := args[0]
	t := x.typ()
	if t.ID() == arrow.UINT64 || t.ID() == arrow.UINT32 || t.ID() == arrow.UINT16 || t.ID() == arrow.UINT8 {
		return x, nil // already non-negative
	}
	return call("abs", pos, t, x.e), nil
}

// toDouble converts an integer or real argument to DOUBLE PRECISION.
func (b *binder) toDouble(x bound) (expr.Expr, error) {
	return b.coerce(x, arrow.PrimitiveTypes.Float64)
}

func decimalOf(t arrow.DataType) *arrow.Decimal128Type {
	d, _ := t.(*arrow.Decimal128Type)
	return d
}

// bindRound: round(double) and round(numeric) keep the type (numeric
// becomes scale 0); round(numeric, n) has scale n; an integer argument
// is DOUBLE PRECISION alone and NUMERIC with n, as PostgreSQL resolves.
func bindRound(b *binder, name string, pos int, args []bound) (bound, error) {
	if len(args) < 1 || len(args) > 2 || !numericArg(args[0]) {
		return bound{}, b.noFunction(pos, name, args)
	}
	x := args[0]
	if len(args) == 1 {
		if isDecimal(x.typ()) {
			d := decimalOf(x.typ())
			return call("round", pos, &arrow.Decimal128Type{Precision: min(38, d.Precision-d.Scale+1), Scale: 0}, x.e), nil
		}
		e, err := b.toDouble(x)
		if err != nil {
			return bound{}, err
		}
		return call("round", pos, arrow.PrimitiveTypes.Float64, e), nil
	}
	n, ok, err := b.asInt(args[1])
	if err != nil {
		return bound{}, err
	}
	if !ok {
		return bound{}, b.noFunction(pos, name, args)
	}
	lit, isLit := n.(*expr.Literal)
	if !isLit {
		return bound{}, b.unsupported(args[1].pos, "round(x, n) with a non-constant n")
	}
	if lit.Value.Null {
		return bound{e: &expr.Literal{Value: expr.Null(arrow.PrimitiveTypes.Float64)}, pos: pos, lit: true}, nil
	}
	places := lit.Value.Int64Value()
	if places < -38 || places > 38 {
		return bound{}, b.errorf(args[1].pos, "round: %d decimal places is out of range (-38..38)", places)
	}
	if isFloat(x.typ()) {
		e, err := b.toDouble(x)
		if err != nil {
			return bound{}, err
		}
		return call("round", pos, arrow.PrimitiveTypes.Float64, e, n), nil
	}
	xe := x.e
	d := decimalOf(x.typ())
	if d == nil {
		d = &arrow.Decimal128Type{Precision: intDigits(x.typ()), Scale: 0}
		if xe, err = b.coerce(x, d); err != nil {
			return bound{}, err
		}
	}
	rt := d
	if int32(places) < d.Scale {
		scale := max(int32(places), 0)
		rt = &arrow.Decimal128Type{Precision: min(38, d.Precision-d.Scale+scale+1), Scale: scale}
	}
	return call("round", pos, rt, xe, n), nil
}

// bindFloorCeil: floor/ceil of DOUBLE PRECISION (integers are converted
// to it, as in PostgreSQL) or of NUMERIC (scale 0).
func bindFloorCeil(kernel string) scalarBinder {
	return func(b *binder, name string, pos int, args []bound) (bound, error) {
		if len(args) != 1 || !numericArg(args[0]) {
			return bound{}, b.noFunction(pos, name, args)
		}
		x := args[0]
		if d := decimalOf(x.typ()); d != nil {
			return call(kernel, pos, &arrow.Decimal128Type{Precision: min(38, d.Precision-d.Scale+1), Scale: 0}, x.e), nil
		}
		e, err := b.toDouble(x)
		if err != nil {
			return bound{}, err
		}
		return call(kernel, pos, arrow.PrimitiveTypes.Float64, e), nil
	}
}

// bindMod: mod(a, b) is a % b.
func bindMod(b *binder, name string, pos int, args []bound) (bound, error) {
	if len(args) != 2 {
		return bound{}, b.noFunction(pos, name, args)
	}
	for _, a := range args {
		if a.soft == concrete && !isInteger(a.typ()) && !isDecimal(a.typ()) {
			return bound{}, b.noFunction(pos, name, args)
		}
	}
	return b.binaryOp("%", pos, args[0], args[1])
}

// timeArg converts the date/time argument of date_trunc or extract: an
// unknown literal is read as a timestamp with time zone; dates stay dates
// where the function takes them (extract) and become timestamps with time
// zone where it does not (date_trunc), as PostgreSQL's implicit casts do.
func (b *binder) timeArg(x bound, dateOK bool) (expr.Expr, bool, error) {
	tstz := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	switch {
	case x.soft != concrete:
		e, err := b.coerce(x, tstz)
		return e, true, err
	case x.typ().ID() == arrow.TIMESTAMP:
		return x.e, true, nil
	case x.typ().ID() == arrow.DATE32:
		if dateOK {
			return x.e, true, nil
		}
		e, err := b.coerce(x, tstz)
		return e, true, err
	}
	return nil, false, nil
}

// fieldArg reads the constant text naming a date/time field.
func (b *binder) fieldArg(x bound, name string) (string, error) {
	lit, ok := x.e.(*expr.Literal)
	if !ok || x.soft == untypedParam || (x.soft == concrete && !isString(x.typ())) {
		return "", b.errorf(x.pos, "the first argument of %s must be a constant text field name such as 'day'", name)
	}
	s, _ := lit.Value.Value.(string)
	if lit.Value.Null {
		return "", nil
	}
	return s, nil
}

func bindDateTrunc(b *binder, name string, pos int, args []bound) (bound, error) {
	if len(args) != 2 {
		return bound{}, b.noFunction(pos, name, args)
	}
	field, err := b.fieldArg(args[0], name)
	if err != nil {
		return bound{}, err
	}
	ts, ok, err := b.timeArg(args[1], false)
	if err != nil {
		return bound{}, err
	}
	if !ok {
		return bound{}, b.noFunction(pos, name, args)
	}
	if err := expr.CheckTruncField(field); err != nil && field != "" {
		return bound{}, b.errorf(args[0].pos, "%v", err)
	}
	return call("date_trunc", pos, ts.DataType(), &expr.Literal{Value: expr.String(expr.TimeField(field))}, ts), nil
}

// bindExtract: EXTRACT(field FROM x) is NUMERIC (PostgreSQL 14+);
// date_part(field, x) is DOUBLE PRECISION.
func bindExtract(kernel string) scalarBinder {
	return func(b *binder, name string, pos int, args []bound) (bound, error) {
		if len(args) != 2 {
			return bound{}, b.noFunction(pos, name, args)
		}
		field, err := b.fieldArg(args[0], name)
		if err != nil {
			return bound{}, err
		}
		x, ok, err := b.timeArg(args[1], true)
		if err != nil {
			return bound{}, err
		}
		if !ok {
			return bound{}, b.noFunction(pos, name, args)
		}
		rt, err := expr.ExtractType(field, x.DataType())
		if err != nil {
			return bound{}, b.errorf(args[0].pos, "%v", err)
		}
		if kernel == "date_part" {
			rt = arrow.PrimitiveTypes.Float64
		}
		return call(kernel, pos, rt, &expr.Literal{Value: expr.String(expr.TimeField(field))}, x), nil
	}
}

// bindNow: now() is the statement's start time (see expr.CurrentTime).
func bindNow(b *binder, name string, pos int, args []bound) (bound, error) {
	if len(args) != 0 {
		return bound{}, b.noFunction(pos, name, args)
	}
	b.usesNow = true
	return bound{e: &expr.CurrentTime{Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}}, pos: pos}, nil
}

// bindSQLValue binds CURRENT_TIMESTAMP, CURRENT_DATE and LOCALTIMESTAMP
// (with UTC as the session time zone); false for the other SQL value
// functions (CURRENT_USER, ...), which stay unsupported.
func (b *binder) bindSQLValue(f *pg.SQLValueFunction) (bound, bool) {
	var t arrow.DataType
	switch f.Op {
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP:
		t = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case pg.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP:
		t = &arrow.TimestampType{Unit: arrow.Microsecond}
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		t = arrow.FixedWidthTypes.Date32
	default:
		return bound{}, false
	}
	b.usesNow = true
	return bound{e: &expr.CurrentTime{Type: t}, pos: int(f.Location)}, true
}
