package expr

import (
	"fmt"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// kernelFunc computes a function over dense argument arrays of equal
// length (constants broadcast) and returns a new array of the result type.
type kernelFunc func(mem memory.Allocator, args []arrow.Array) (arrow.Array, error)

// funcCompiler checks a call's compiled arguments and picks its kernel.
type funcCompiler func(args []node, f *Func) (node, error)

// functions maps each scalar function's name to its compiler. COALESCE is
// not here: it evaluates its arguments lazily (see eval_case.go).
var functions map[string]funcCompiler

func init() {
	functions = map[string]funcCompiler{
		"nullif":   compileNullif,
		"greatest": compileExtreme(true),
		"least":    compileExtreme(false),
		"row":      compileRow,
	}
	for name, fc := range stringFunctions {
		functions[name] = fc
	}
	for name, fc := range mathFunctions {
		functions[name] = fc
	}
	for name, fc := range timeFunctions {
		functions[name] = fc
	}
}

// FunctionNames lists the scalar functions Compile evaluates, sorted.
func FunctionNames() []string {
	out := []string{"coalesce"}
	for n := range functions {
		if n != "||" && n != "row" && n != "timestamp_plus" && n != "timestamp_minus" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func (c *compiler) function(f *Func) (node, error) {
	if f.Type == nil {
		return nil, fmt.Errorf("function %s without a result type", f.Name)
	}
	if f.Name == "coalesce" {
		return c.coalesce(f)
	}
	fc, ok := functions[f.Name]
	if !ok {
		return nil, fmt.Errorf("unknown function %s", f.Name)
	}
	args := make([]node, len(f.Args))
	for i, a := range f.Args {
		n, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		args[i] = n
	}
	n, err := fc(args, f)
	if err != nil {
		return nil, err
	}
	return fold(n)
}

// funcNode applies a kernel to its evaluated arguments. Strict functions
// (NULL in, NULL out) get that from their kernels, which combine the
// arguments' validity.
type funcNode struct {
	name string
	args []node
	t    arrow.DataType
	k    kernelFunc
	// oneConst makes constant arguments one-element arrays instead of a
	// copy per row; kernels that set it broadcast them themselves.
	oneConst bool
}

func (n *funcNode) inputs() []node { return n.args }

func (n *funcNode) dataType() arrow.DataType { return n.t }

func (n *funcNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	var arrs []arrow.Array
	var err error
	if n.oneConst {
		arrs = make([]arrow.Array, 0, len(n.args))
		for _, a := range n.args {
			var x arrow.Array
			if k, ok := a.(*constNode); ok {
				x = MakeArray(mem, k.s, 1)
			} else if x, err = a.eval(mem, rec, sel); err != nil {
				releaseAll(arrs)
				return nil, err
			}
			arrs = append(arrs, x)
		}
	} else if arrs, err = evalAll(mem, rec, sel, n.args...); err != nil {
		return nil, err
	}
	defer releaseAll(arrs)
	out, err := n.k(mem, arrs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.name, err)
	}
	return out, nil
}

// strict returns a NULL constant of f's type when some argument is a NULL
// constant (strict functions return NULL for any NULL argument), else nil.
func strict(args []node, f *Func) node {
	for _, a := range args {
		if isNullConst(a) {
			return &constNode{s: Null(f.Type)}
		}
	}
	return nil
}

// checkArgs verifies the argument count and that every argument passes
// ok, which names the expected type in the error.
func checkArgs(f *Func, args []node, minN, maxN int, ok func(i int, t arrow.DataType) bool) error {
	if len(args) < minN || len(args) > maxN {
		return fmt.Errorf("function %s takes %s, not %d", f.Name, argCount(minN, maxN), len(args))
	}
	for i, a := range args {
		if isNullConst(a) {
			continue
		}
		if !ok(i, a.dataType()) {
			return fmt.Errorf("function %s does not take an argument of type %s", f.Name, SQLTypeName(a.dataType()))
		}
	}
	return nil
}

func argCount(minN, maxN int) string {
	switch {
	case minN == maxN && minN == 1:
		return "1 argument"
	case minN == maxN:
		return fmt.Sprintf("%d arguments", minN)
	}
	return fmt.Sprintf("%d to %d arguments", minN, maxN)
}
