package physical

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// exprEval evaluates a compiled expression into a dense array.
type exprEval struct{ c expr.Compiled }

func (e exprEval) eval(mem memory.Allocator, b plan.Batch) (arrow.Array, []int32, error) {
	arr, err := e.c.Eval(mem, b.Record, b.Sel)
	return arr, nil, err
}

func (e exprEval) column() int { return -1 }

// compileGeneral binds a non-column expression through the expr engine.
func compileGeneral(e expr.Expr, schema *arrow.Schema) (evaluator, error) {
	c, err := expr.Compile(e, schema)
	if err != nil {
		return nil, err
	}
	return exprEval{c}, nil
}
