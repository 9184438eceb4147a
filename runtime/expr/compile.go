package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Compiled is an expression bound to an input schema: column names are
// resolved to indices, types checked, constant sub-expressions folded and
// kernels chosen once, so evaluating a batch does no name lookups or type
// switches per row.
type Compiled interface {
	// Eval evaluates the expression for the selected rows of rec (every
	// row when sel is nil) and returns a dense array with one value per
	// selected row, in order. The caller releases it.
	Eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error)
	// DataType is the type of the arrays Eval returns.
	DataType() arrow.DataType
}

// node is a compiled expression node. eval returns a dense array with one
// value per selected row.
type node interface {
	eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error)
	dataType() arrow.DataType
}

type compiled struct {
	root   node
	schema *arrow.Schema
}

// Compile binds e to schema. It fails, naming the culprit, on unknown
// columns, type mismatches, unsupported operators for a type, and on
// *Param and *Aggregate nodes (which the planner must have replaced).
// Constant sub-expressions are evaluated here, so errors such as 1/0 in
// constants surface at compile time, as they do in PostgreSQL's planner.
func Compile(e Expr, schema *arrow.Schema) (Compiled, error) {
	if schema == nil {
		schema = arrow.NewSchema(nil, nil)
	}
	c := &compiler{schema: schema}
	n, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	return &compiled{root: n, schema: schema}, nil
}

// Eval implements Compiled.
func (c *compiled) Eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (out arrow.Array, err error) {
	if err := checkInput(rec, sel, c.schema); err != nil {
		return nil, err
	}
	defer guard(&err)
	return c.root.eval(mem, rec, sel)
}

// DataType implements Compiled.
func (c *compiled) DataType() arrow.DataType { return c.root.dataType() }

// checkInput rejects records that do not match the compiled schema and
// selections that are not ascending indices into the record, so kernels
// can index without bounds surprises.
func checkInput(rec arrow.RecordBatch, sel []int32, schema *arrow.Schema) error {
	if rec == nil {
		return fmt.Errorf("nil record")
	}
	if int(rec.NumCols()) < schema.NumFields() {
		return fmt.Errorf("record has %d columns, expression was compiled for %d", rec.NumCols(), schema.NumFields())
	}
	for i := 0; i < schema.NumFields(); i++ {
		// Field(i), not Fields(): Fields copies the slice on every batch.
		f := schema.Field(i)
		col := rec.Column(i)
		if !arrow.TypeEqual(col.DataType(), f.Type) {
			return fmt.Errorf("column %d (%s) has type %s, expression was compiled for %s", i, f.Name, col.DataType(), f.Type)
		}
		if int64(col.Len()) < rec.NumRows() {
			return fmt.Errorf("column %d (%s) has %d rows, record has %d", i, f.Name, col.Len(), rec.NumRows())
		}
	}
	// Only the ends are checked: a full scan would cost as much as the
	// comparison it guards. Kernels index within [sel[0], sel[last]], and
	// a malformed middle is caught by the recover in guard.
	if len(sel) > 0 && (sel[0] < 0 || int64(sel[len(sel)-1]) >= rec.NumRows()) {
		return fmt.Errorf("selection out of range for %d rows", rec.NumRows())
	}
	return nil
}

// guard turns a panic escaping a kernel (a malformed selection vector or
// array) into an error, so bad input never crashes the query.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("expression evaluation failed: %v", r)
	}
}

type compiler struct {
	schema *arrow.Schema
}

func (c *compiler) compile(e Expr) (node, error) {
	n, err := c.compileNode(e)
	if err != nil {
		return nil, err
	}
	return fold(n)
}

func (c *compiler) compileNode(e Expr) (node, error) {
	switch e := e.(type) {
	case nil:
		return nil, fmt.Errorf("nil expression")
	case *Column:
		return c.column(e)
	case *Literal:
		if e.Value.Type == nil {
			return nil, fmt.Errorf("literal without a type")
		}
		if !e.Value.Null && !valueMatchesType(e.Value) {
			return nil, fmt.Errorf("literal %v has a %T value, which does not represent %s", e.Value.Value, e.Value.Value, SQLTypeName(e.Value.Type))
		}
		return &constNode{s: e.Value}, nil
	case *Param:
		return nil, fmt.Errorf("unbound parameter $%d", e.Index)
	case *Aggregate:
		return nil, fmt.Errorf("aggregate %s cannot be evaluated as a scalar expression", e)
	case *Window:
		return nil, fmt.Errorf("window function %s cannot be evaluated as a scalar expression", e)
	case *Binary:
		return c.binary(e)
	case *Not:
		return c.not(e)
	case *Negate:
		return c.negate(e)
	case *IsNull:
		in, err := c.compile(e.E)
		if err != nil {
			return nil, err
		}
		return &isNullNode{e: in, negated: e.Negated}, nil
	case *InList:
		return c.inList(e)
	case *Between:
		return c.compile(desugarBetween(e))
	case *Like:
		return c.like(e)
	case *Cast:
		return c.cast(e)
	case *Case:
		return c.caseExpr(e)
	case *Func:
		return c.function(e)
	case *CurrentTime:
		return nil, fmt.Errorf("%s must be replaced by its value before evaluation", e)
	}
	return nil, fmt.Errorf("unsupported expression %T", e)
}

func (c *compiler) column(e *Column) (*colNode, error) {
	idx := c.schema.FieldIndices(e.Name)
	if len(idx) == 0 {
		return nil, fmt.Errorf("unknown column %q", e.Name)
	}
	if len(idx) > 1 {
		return nil, fmt.Errorf("ambiguous column %q", e.Name)
	}
	f := c.schema.Field(idx[0])
	if e.Type != nil && !arrow.TypeEqual(e.Type, f.Type) {
		return nil, fmt.Errorf("column %q has type %s, expression expects %s", e.Name, SQLTypeName(f.Type), SQLTypeName(e.Type))
	}
	return &colNode{idx: idx[0], name: e.Name, t: f.Type}, nil
}

// desugarBetween rewrites BETWEEN into comparisons; the rewrite has the
// same three-valued result and lets predicates narrow the selection
// between the two bounds.
func desugarBetween(e *Between) Expr {
	b := arrow.FixedWidthTypes.Boolean
	if e.Negated {
		return &Binary{Op: OpOr, Type: b,
			L: &Binary{Op: OpLt, L: e.E, R: e.Low, Type: b},
			R: &Binary{Op: OpGt, L: e.E, R: e.High, Type: b}}
	}
	return &Binary{Op: OpAnd, Type: b,
		L: &Binary{Op: OpGe, L: e.E, R: e.Low, Type: b},
		R: &Binary{Op: OpLe, L: e.E, R: e.High, Type: b}}
}

// oneRow is the input constant folding evaluates against: one row, no
// columns.
var oneRow = array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)

// fold replaces a node whose inputs are all constants by its value.
func fold(n node) (node, error) {
	if _, ok := n.(*constNode); ok || !allConst(n) {
		return n, nil
	}
	s, err := evalConst(n)
	if err != nil {
		return nil, err
	}
	return &constNode{s: s}, nil
}

func evalConst(n node) (Scalar, error) {
	arr, err := n.eval(memory.DefaultAllocator, oneRow, nil)
	if err != nil {
		return Scalar{}, err
	}
	defer arr.Release()
	if arr.Len() != 1 {
		return Scalar{}, fmt.Errorf("internal error: constant evaluated to %d values", arr.Len())
	}
	return ScalarAt(arr, 0), nil
}

// constInputs is implemented by nodes that can report whether every input
// is constant.
type constInputs interface{ inputs() []node }

func allConst(n node) bool {
	ci, ok := n.(constInputs)
	if !ok {
		return false
	}
	for _, in := range ci.inputs() {
		if _, ok := in.(*constNode); !ok {
			return false
		}
	}
	return true
}

// EvalScalar evaluates an expression without columns (constant folding).
func EvalScalar(e Expr) (Scalar, error) {
	n, err := (&compiler{schema: arrow.NewSchema(nil, nil)}).compile(e)
	if err != nil {
		return Scalar{}, err
	}
	if k, ok := n.(*constNode); ok {
		return k.s, nil
	}
	return evalConst(n)
}

// constNode is a literal or a folded constant.
type constNode struct{ s Scalar }

func (k *constNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	return MakeArray(mem, k.s, rowCount(rec, sel)), nil
}

func (k *constNode) dataType() arrow.DataType { return k.s.Type }

// colNode reads an input column.
type colNode struct {
	idx  int
	name string
	t    arrow.DataType
}

func (c *colNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	return gather(mem, rec.Column(c.idx), sel)
}

func (c *colNode) dataType() arrow.DataType { return c.t }

// evalAll evaluates nodes in order, releasing what was built on error.
func evalAll(mem memory.Allocator, rec arrow.RecordBatch, sel []int32, ns ...node) ([]arrow.Array, error) {
	out := make([]arrow.Array, 0, len(ns))
	for _, n := range ns {
		a, err := n.eval(mem, rec, sel)
		if err != nil {
			releaseAll(out)
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}

var boolType = arrow.FixedWidthTypes.Boolean

func isBool(dt arrow.DataType) bool { return dt != nil && dt.ID() == arrow.BOOL }
