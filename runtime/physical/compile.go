package physical

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// evaluator computes an expression over a batch. Plain column references
// are the common case (sort keys, group keys, aggregate arguments) and need
// no evaluation at all: they return the input column and the batch's
// selection, so callers read selected rows in place instead of copying.
type evaluator interface {
	// eval returns the values for b: either arr holds every row of the
	// record and sel (b.Sel) picks the rows, or sel is nil and arr is
	// dense, one value per selected row. The caller releases arr.
	eval(mem memory.Allocator, b plan.Batch) (arr arrow.Array, sel []int32, err error)
	// column returns the input column index when the expression is a
	// plain column reference, -1 otherwise.
	column() int
}

// columnEval reads an input column without copying it.
type columnEval struct{ idx int }

func (c columnEval) eval(_ memory.Allocator, b plan.Batch) (arrow.Array, []int32, error) {
	a := b.Record.Column(c.idx)
	a.Retain()
	return a, b.Sel, nil
}

func (c columnEval) column() int { return c.idx }

// compileEval binds e to schema.
func compileEval(e expr.Expr, schema *arrow.Schema) (evaluator, error) {
	if e == nil {
		return nil, fmt.Errorf("nil expression")
	}
	if c, ok := e.(*expr.Column); ok {
		idx := schema.FieldIndices(c.Name)
		switch len(idx) {
		case 0:
			return nil, fmt.Errorf("column %q not found in input (%s)", c.Name, fieldNames(schema))
		case 1:
		default:
			return nil, fmt.Errorf("column name %q is ambiguous in input", c.Name)
		}
		return columnEval{idx[0]}, nil
	}
	return compileGeneral(e, schema)
}

// compileEvals binds every expression of es.
func compileEvals(es []expr.Expr, schema *arrow.Schema) ([]evaluator, error) {
	out := make([]evaluator, len(es))
	for i, e := range es {
		ev, err := compileEval(e, schema)
		if err != nil {
			return nil, err
		}
		out[i] = ev
	}
	return out, nil
}

func fieldNames(s *arrow.Schema) string {
	out := ""
	for i, f := range s.Fields() {
		if i > 0 {
			out += ", "
		}
		out += f.Name
	}
	return out
}
