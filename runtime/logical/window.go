package logical

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/expr"
)

// Window computes window functions over its input. Its output is the
// input's columns followed by one column per function, Funcs[i] named
// Names[i]. All its functions share one PARTITION BY and ORDER BY (the SQL
// front end builds one Window per distinct specification); each keeps its
// own frame.
type Window struct {
	Input Plan
	Funcs []*expr.Window
	Names []string
}

// Schema implements Plan.
func (w *Window) Schema() *arrow.Schema {
	fields := append([]arrow.Field(nil), w.Input.Schema().Fields()...)
	for i, f := range w.Funcs {
		fields = append(fields, arrow.Field{Name: w.Names[i], Type: f.Type, Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// Children implements Plan.
func (w *Window) Children() []Plan { return []Plan{w.Input} }

// String implements Plan.
func (w *Window) String() string {
	parts := make([]string, len(w.Funcs))
	for i, f := range w.Funcs {
		parts[i] = f.String()
	}
	return "Window: " + strings.Join(parts, ", ")
}
