package sql

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/tpgen/tpgen/runtime/sql/internal/pgast"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/logical"
)

var windowFunctions = map[string]expr.WindowFunc{
	"row_number": expr.WinRowNumber, "rank": expr.WinRank, "dense_rank": expr.WinDenseRank,
	"percent_rank": expr.WinPercentRank, "cume_dist": expr.WinCumeDist, "ntile": expr.WinNtile,
	"lag": expr.WinLag, "lead": expr.WinLead, "first_value": expr.WinFirstValue,
	"last_value": expr.WinLastValue, "nth_value": expr.WinNthValue,
	"count": expr.WinCount, "sum": expr.WinSum, "avg": expr.WinAvg, "min": expr.WinMin, "max": expr.WinMax,
}

// PostgreSQL's frame option bits (parsenodes.h, FRAMEOPTION_*).
const (
	frameNonDefault       = 0x00001
	frameRange            = 0x00002
	frameRows             = 0x00004
	frameGroups           = 0x00008
	frameStartUnbPrec     = 0x00020
	frameEndUnbPrec       = 0x00040
	frameStartUnbFoll     = 0x00080
	frameEndUnbFoll       = 0x00100
	frameStartOffsetPrec  = 0x00800
	frameEndOffsetPrec    = 0x01000
	frameStartOffsetFoll  = 0x02000
	frameEndOffsetFoll    = 0x04000
	frameExcludeAnything  = 0x08000 | 0x10000 | 0x20000
	frameOffsetBoundFlags = frameStartOffsetPrec | frameEndOffsetPrec | frameStartOffsetFoll | frameEndOffsetFoll
)

// bindWindow binds a window function call `f(...) OVER (...)`.
func (b *binder) bindWindow(f *pg.FuncCall, name string, depth int) (bound, error) {
	pos := int(f.Location)
	fn, ok := windowFunctions[name]
	switch {
	case !ok:
		return bound{}, b.unsupported(pos, "window function %s", name)
	case b.clause != "SELECT" && b.clause != "ORDER BY":
		return bound{}, b.errorf(pos, "window functions are not allowed in %s", b.clause)
	case b.inWindow:
		return bound{}, b.errorf(pos, "window function calls cannot be nested")
	case b.inAgg:
		return bound{}, b.errorf(pos, "aggregate function calls cannot contain window function calls")
	case f.AggFilter != nil:
		return bound{}, b.unsupported(nodeLocation(f.AggFilter), "FILTER in window functions")
	case f.AggDistinct:
		return bound{}, b.errorf(pos, "DISTINCT is not implemented for window functions")
	case len(f.AggOrder) > 0:
		return bound{}, b.unsupported(nodeLocation(f.AggOrder[0]), "ORDER BY in window function arguments")
	case f.AggStar && fn != expr.WinCount:
		return bound{}, b.errorf(pos, "%s(*) is not allowed; only count(*)", name)
	}
	def, err := b.windowDef(f.Over)
	if err != nil {
		return bound{}, err
	}
	b.inWindow = true
	defer func() { b.inWindow = false }()
	w := &expr.Window{Func: fn, Frame: expr.DefaultFrame}
	if w.Frame, err = b.windowFrame(def); err != nil {
		return bound{}, err
	}
	for _, n := range def.PartitionClause {
		e, err := b.bindWindowKey(n, depth)
		if err != nil {
			return bound{}, err
		}
		w.PartitionBy = append(w.PartitionBy, e)
	}
	for _, n := range def.OrderClause {
		sb := n.GetSortBy()
		if sb == nil || sb.SortbyDir == pg.SortByDir_SORTBY_USING {
			return bound{}, b.unsupported(nodeLocation(n), "this window ORDER BY entry")
		}
		o := expr.WindowOrder{Descending: sb.SortbyDir == pg.SortByDir_SORTBY_DESC}
		o.NullsFirst = o.Descending
		switch sb.SortbyNulls {
		case pg.SortByNulls_SORTBY_NULLS_FIRST:
			o.NullsFirst = true
		case pg.SortByNulls_SORTBY_NULLS_LAST:
			o.NullsFirst = false
		}
		if o.Expr, err = b.bindWindowKey(sb.Node, depth); err != nil {
			return bound{}, err
		}
		w.OrderBy = append(w.OrderBy, o)
	}
	if err := b.bindWindowArgs(w, f, name, depth); err != nil {
		return bound{}, err
	}
	b.sawWindow = true
	return bound{e: w, pos: pos}, nil
}

// windowDef resolves OVER w, OVER (w ...) and OVER (...) against the
// query's WINDOW clause.
func (b *binder) windowDef(over *pg.WindowDef) (*pg.WindowDef, error) {
	ref := over.Refname
	if over.Name != "" && len(over.PartitionClause) == 0 && len(over.OrderClause) == 0 && over.FrameOptions&frameNonDefault == 0 {
		ref = over.Name // OVER w
	}
	if ref == "" {
		return over, nil
	}
	base, ok := b.windows[ref]
	if !ok {
		return nil, b.errorf(int(over.Location), "window %q does not exist", ref)
	}
	if ref == over.Name {
		return base, nil
	}
	// OVER (w ORDER BY ...): PostgreSQL copies w's PARTITION BY and lets
	// the new window add an ORDER BY and a frame when w has none.
	if len(over.PartitionClause) > 0 {
		return nil, b.errorf(int(over.Location), "cannot override PARTITION BY clause of window %q", ref)
	}
	if len(over.OrderClause) > 0 && len(base.OrderClause) > 0 {
		return nil, b.errorf(int(over.Location), "cannot override ORDER BY clause of window %q", ref)
	}
	if base.FrameOptions&frameNonDefault != 0 {
		return nil, b.errorf(int(over.Location), "cannot copy window %q because it has a frame clause", ref)
	}
	merged := &pg.WindowDef{PartitionClause: base.PartitionClause, OrderClause: base.OrderClause,
		FrameOptions: over.FrameOptions, StartOffset: over.StartOffset, EndOffset: over.EndOffset, Location: over.Location}
	if len(over.OrderClause) > 0 {
		merged.OrderClause = over.OrderClause
	}
	return merged, nil
}

// setWindowClause records a SELECT's WINDOW clause for OVER w.
func (b *binder) setWindowClause(defs []*pg.Node) error {
	b.windows = nil
	for _, n := range defs {
		d := n.GetWindowDef()
		if d == nil {
			return b.errorf(nodeLocation(n), "unexpected WINDOW clause entry")
		}
		if d.Refname != "" {
			return b.unsupported(int(d.Location), "a WINDOW definition based on another window")
		}
		if b.windows == nil {
			b.windows = map[string]*pg.WindowDef{}
		}
		if _, dup := b.windows[d.Name]; dup {
			return b.errorf(int(d.Location), "window %q is already defined", d.Name)
		}
		b.windows[d.Name] = d
	}
	return nil
}

// bindWindowKey binds a PARTITION BY or window ORDER BY expression, which
// must be orderable (and so comparable).
func (b *binder) bindWindowKey(n *pg.Node, depth int) (expr.Expr, error) {
	x, err := b.bindDepth(n, depth)
	if err != nil {
		return nil, err
	}
	e, err := b.finish(x)
	if err != nil {
		return nil, err
	}
	if t := e.DataType(); t.ID() != arrow.NULL && !orderable(t) {
		return nil, b.errorf(nodeLocation(n), "could not identify an ordering operator for type %s", typeName(t))
	}
	return e, nil
}

// windowFrame reads the frame clause: ROWS with offsets, and RANGE
// without (RANGE with an offset and GROUPS are refused by name).
func (b *binder) windowFrame(def *pg.WindowDef) (expr.WindowFrame, error) {
	opts := def.FrameOptions
	pos := int(def.Location)
	if opts&frameNonDefault == 0 {
		return expr.DefaultFrame, nil
	}
	switch {
	case opts&frameGroups != 0:
		return expr.WindowFrame{}, b.unsupportedPlural(pos, "GROUPS frames")
	case opts&frameExcludeAnything != 0:
		return expr.WindowFrame{}, b.unsupported(pos, "EXCLUDE in window frames")
	case opts&frameRange != 0 && opts&frameOffsetBoundFlags != 0:
		return expr.WindowFrame{}, b.unsupportedPlural(pos, "RANGE frames with an offset")
	}
	f := expr.WindowFrame{Rows: opts&frameRows != 0}
	var err error
	if f.Start, err = b.frameBound(opts, def.StartOffset, pos, startBits); err != nil {
		return f, err
	}
	if f.End, err = b.frameBound(opts, def.EndOffset, pos, endBits); err != nil {
		return f, err
	}
	// PostgreSQL: the frame cannot start after it ends by kind.
	if f.Start.Kind == expr.CurrentRow && f.End.Kind == expr.Preceding ||
		f.Start.Kind == expr.Following && (f.End.Kind == expr.Preceding || f.End.Kind == expr.CurrentRow) {
		return f, b.errorf(pos, "frame starting from %s cannot have preceding rows", map[bool]string{true: "current row", false: "following row"}[f.Start.Kind == expr.CurrentRow])
	}
	return f, nil
}

// frameBits are the option bits of one end of a frame, and the bound
// that end may not be (PostgreSQL: a frame cannot start at UNBOUNDED
// FOLLOWING nor end at UNBOUNDED PRECEDING).
type frameBits struct {
	unbPrec, unbFoll, offPrec, offFoll int32
	end                                string
	refused                            expr.BoundKind
}

var (
	startBits = frameBits{frameStartUnbPrec, frameStartUnbFoll, frameStartOffsetPrec, frameStartOffsetFoll, "start", expr.UnboundedFollowing}
	endBits   = frameBits{frameEndUnbPrec, frameEndUnbFoll, frameEndOffsetPrec, frameEndOffsetFoll, "end", expr.UnboundedPreceding}
)

// frameBound reads one end of a frame from its option bits.
func (b *binder) frameBound(opts int32, offset *pg.Node, pos int, bits frameBits) (expr.FrameBound, error) {
	var fb expr.FrameBound
	var err error
	switch {
	case opts&bits.unbPrec != 0:
		fb.Kind = expr.UnboundedPreceding
	case opts&bits.unbFoll != 0:
		fb.Kind = expr.UnboundedFollowing
	case opts&bits.offPrec != 0:
		fb.Kind = expr.Preceding
		fb.Offset, err = b.frameOffset(offset)
	case opts&bits.offFoll != 0:
		fb.Kind = expr.Following
		fb.Offset, err = b.frameOffset(offset)
	default: // CURRENT ROW, also when only a start is given
		fb.Kind = expr.CurrentRow
	}
	if err == nil && fb.Kind == bits.refused {
		err = b.errorf(pos, "frame %s cannot be %s", bits.end, fb)
	}
	return fb, err
}

// frameOffset reads a ROWS frame offset: a non-negative integer constant.
func (b *binder) frameOffset(n *pg.Node) (int64, error) {
	v, ok := b.constInt(n)
	if !ok {
		return 0, b.unsupported(nodeLocation(n), "a frame offset that is not an integer constant")
	}
	if v < 0 {
		return 0, b.errorf(nodeLocation(n), "frame starting or ending offset must not be negative")
	}
	return v, nil
}

// constInt reads an integer constant (possibly negated).
func (b *binder) constInt(n *pg.Node) (int64, bool) {
	x, err := b.bindExpr(n)
	if err != nil {
		return 0, false
	}
	e, err := b.finish(x)
	if err != nil {
		return 0, false
	}
	s, err := expr.EvalScalar(e)
	if err != nil || s.Null {
		return 0, false
	}
	switch v := s.Value.(type) {
	case int64:
		return v, true
	case int32:
		return int64(v), true
	case int16:
		return int64(v), true
	case int8:
		return int64(v), true
	}
	return 0, false
}

// bindWindowArgs binds the call's arguments and sets its result type.
func (b *binder) bindWindowArgs(w *expr.Window, f *pg.FuncCall, name string, depth int) error {
	pos := int(f.Location)
	args := make([]bound, len(f.Args))
	for i, a := range f.Args {
		x, err := b.bindDepth(a, depth)
		if err != nil {
			return err
		}
		args[i] = x
	}
	arity := func(lo, hi int) error {
		if len(args) < lo || len(args) > hi {
			descs := make([]string, len(args))
			for i, a := range args {
				descs[i] = a.describe()
			}
			return b.errorf(pos, "function %s(%s) does not exist", name, strings.Join(descs, ", "))
		}
		return nil
	}
	value := func() (expr.Expr, error) {
		x := args[0]
		if x.soft == unknownString {
			x.soft = concrete
		}
		return b.finish(x)
	}
	count := func(x bound, what string, lowest int64) (expr.Expr, error) {
		e, err := b.coerce(x, arrow.PrimitiveTypes.Int64)
		if err != nil {
			return nil, err
		}
		s, err := expr.EvalScalar(e)
		if err != nil || s.Null {
			return nil, b.unsupported(x.pos, "a %s that is not a constant", what)
		}
		if v := s.Value.(int64); v < lowest {
			return nil, b.errorf(x.pos, "%s must be at least %d", what, lowest)
		}
		return &expr.Literal{Value: s}, nil
	}
	switch w.Func {
	case expr.WinRowNumber, expr.WinRank, expr.WinDenseRank:
		if err := arity(0, 0); err != nil {
			return err
		}
		w.Type = arrow.PrimitiveTypes.Int64
	case expr.WinPercentRank, expr.WinCumeDist:
		if err := arity(0, 0); err != nil {
			return err
		}
		w.Type = arrow.PrimitiveTypes.Float64
	case expr.WinNtile:
		if err := arity(1, 1); err != nil {
			return err
		}
		n, err := count(args[0], "argument of ntile", 1)
		if err != nil {
			return err
		}
		w.Args, w.Type = []expr.Expr{n}, arrow.PrimitiveTypes.Int64
	case expr.WinLag, expr.WinLead:
		if err := arity(1, 3); err != nil {
			return err
		}
		v, err := value()
		if err != nil {
			return err
		}
		w.Args, w.Type = []expr.Expr{v}, v.DataType()
		if len(args) > 1 {
			off, err := count(args[1], "offset of "+name, 0)
			if err != nil {
				return err
			}
			w.Args = append(w.Args, off)
		}
		if len(args) > 2 {
			d, err := b.coerce(args[2], v.DataType())
			if err != nil {
				return err
			}
			s, err := expr.EvalScalar(d)
			if err != nil {
				return b.unsupported(args[2].pos, "a default of %s that is not a constant", name)
			}
			w.Args = append(w.Args, &expr.Literal{Value: s})
		}
	case expr.WinFirstValue, expr.WinLastValue:
		if err := arity(1, 1); err != nil {
			return err
		}
		v, err := value()
		if err != nil {
			return err
		}
		w.Args, w.Type = []expr.Expr{v}, v.DataType()
	case expr.WinNthValue:
		if err := arity(2, 2); err != nil {
			return err
		}
		v, err := value()
		if err != nil {
			return err
		}
		n, err := count(args[1], "argument of nth_value", 1)
		if err != nil {
			return err
		}
		w.Args, w.Type = []expr.Expr{v, n}, v.DataType()
	case expr.WinCount:
		w.Type = arrow.PrimitiveTypes.Int64
		if f.AggStar {
			return nil
		}
		if err := arity(1, 1); err != nil {
			return err
		}
		v, err := value()
		if err != nil {
			return err
		}
		w.Args = []expr.Expr{v}
	default: // sum, avg, min, max
		if err := arity(1, 1); err != nil {
			return err
		}
		v, err := value()
		if err != nil {
			return err
		}
		t := v.DataType()
		switch w.Func {
		case expr.WinSum:
			w.Type, _ = sumType(t)
		case expr.WinAvg:
			if isNumeric(t) {
				w.Type = arrow.PrimitiveTypes.Float64
			}
		default:
			if orderable(t) {
				w.Type = t
			}
		}
		if w.Type == nil {
			return b.errorf(pos, "function %s(%s) does not exist", name, typeName(t))
		}
		w.Args = []expr.Expr{v}
	}
	if w.Args == nil && len(args) > 0 && w.Func != expr.WinCount {
		return b.errorf(pos, "function %s takes no arguments", name)
	}
	return nil
}

// buildWindows plans the window functions of the select list (and of
// hidden ORDER BY items) over input: one logical.Window per distinct
// window specification, in order of first use, and rewrites the items to
// read the functions' output columns.
func buildWindows(input logical.Plan, items []item) (logical.Plan, error) {
	var specs []*logical.Window
	bySpec := map[string]*logical.Window{}
	names := map[string]string{} // window call text -> output column
	for _, it := range items {
		expr.Walk(it.e, func(x expr.Expr) bool {
			w, ok := x.(*expr.Window)
			if !ok {
				return true
			}
			key := w.String()
			if _, dup := names[key]; dup {
				return false
			}
			names[key] = key
			sk := windowSpecKey(w)
			n, ok := bySpec[sk]
			if !ok {
				n = &logical.Window{}
				bySpec[sk] = n
				specs = append(specs, n)
			}
			n.Funcs = append(n.Funcs, w)
			n.Names = append(n.Names, key)
			return false
		})
	}
	for _, n := range specs {
		n.Input = input
		input = n
	}
	for i := range items {
		e, err := replaceWindows(items[i].e, names)
		if err != nil {
			return nil, err
		}
		items[i].e = e
	}
	return input, nil
}

// windowSpecKey identifies a window by its PARTITION BY and ORDER BY.
func windowSpecKey(w *expr.Window) string {
	c := *w
	c.Func, c.Args, c.Frame = expr.WinRowNumber, nil, expr.DefaultFrame
	return c.SpecString()
}

// replaceWindows rewrites window calls in e into references to the
// columns that compute them.
func replaceWindows(e expr.Expr, names map[string]string) (expr.Expr, error) {
	return mapExpr(e, func(x expr.Expr) (expr.Expr, error) {
		if w, ok := x.(*expr.Window); ok {
			return &expr.Column{Name: names[w.String()], Type: w.Type}, nil
		}
		return x, nil
	})
}
