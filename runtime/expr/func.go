package expr

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Case is the searched CASE expression:
//
//	CASE WHEN c1 THEN r1 [WHEN c2 THEN r2 ...] [ELSE e] END
//
// The first WHEN whose condition is TRUE (not FALSE, not NULL) gives the
// value; no match gives Else, or NULL without one. A result is evaluated
// only for the rows that reach it, so `CASE WHEN x <> 0 THEN 1 / x END`
// never divides by zero. The binder rewrites the simple form `CASE x
// WHEN v ...` into this one and gives every result the type Type.
type Case struct {
	Whens []When
	Else  Expr // nil: NULL
	Type  arrow.DataType
}

// When is one WHEN cond THEN result arm of a Case.
type When struct {
	Cond, Result Expr
}

// Func is a call of a scalar function, by its lower-case SQL name. The
// binder checks the arguments and converts them to the types the
// function's kernel takes (see the function table in funcs.go), and
// records the result type in Type.
type Func struct {
	Name string
	Args []Expr
	Type arrow.DataType
}

// CurrentTime is now() / CURRENT_TIMESTAMP (a TIMESTAMP(us, UTC)) or
// CURRENT_DATE (a DATE). Its value is fixed once per statement execution,
// so the SQL front end replaces it by a literal when a statement is bound
// for a run; Compile rejects it like a Param.
type CurrentTime struct {
	Type arrow.DataType
}

// DataType implements Expr.
func (c *Case) DataType() arrow.DataType { return c.Type }

// DataType implements Expr.
func (f *Func) DataType() arrow.DataType { return f.Type }

// DataType implements Expr.
func (c *CurrentTime) DataType() arrow.DataType { return c.Type }

// Children implements Expr: each WHEN's condition and result in order,
// then ELSE when there is one.
func (c *Case) Children() []Expr {
	out := make([]Expr, 0, 2*len(c.Whens)+1)
	for _, w := range c.Whens {
		out = append(out, w.Cond, w.Result)
	}
	if c.Else != nil {
		out = append(out, c.Else)
	}
	return out
}

// WithChildren returns a copy of c with new children, given in Children
// order.
func (c *Case) WithChildren(kids []Expr) (*Case, error) {
	n := len(c.Whens)
	if len(kids) != 2*n && len(kids) != 2*n+1 {
		return nil, fmt.Errorf("CASE with %d arms cannot take %d children", n, len(kids))
	}
	out := &Case{Type: c.Type, Whens: make([]When, n)}
	for i := range out.Whens {
		out.Whens[i] = When{Cond: kids[2*i], Result: kids[2*i+1]}
	}
	if len(kids) == 2*n+1 {
		out.Else = kids[2*n]
	}
	return out, nil
}

// Children implements Expr.
func (f *Func) Children() []Expr { return f.Args }

// Children implements Expr.
func (*CurrentTime) Children() []Expr { return nil }

// String implements Expr.
func (c *Case) String() string {
	var sb strings.Builder
	sb.WriteString("CASE")
	for _, w := range c.Whens {
		sb.WriteString(" WHEN " + w.Cond.String() + " THEN " + w.Result.String())
	}
	if c.Else != nil {
		sb.WriteString(" ELSE " + c.Else.String())
	}
	sb.WriteString(" END")
	return sb.String()
}

// String implements Expr, in the syntax the function is written in.
func (f *Func) String() string {
	args := make([]string, len(f.Args))
	for i, a := range f.Args {
		args[i] = a.String()
	}
	switch f.Name {
	case "||":
		if len(f.Args) == 2 {
			return concatOperand(f.Args[0]) + " || " + concatOperand(f.Args[1])
		}
	case "timestamp_plus", "timestamp_minus":
		if len(f.Args) == 2 {
			op := OpAdd
			if f.Name == "timestamp_minus" {
				op = OpSub
			}
			return (&Binary{Op: op, L: f.Args[0], R: f.Args[1], Type: f.Type}).String()
		}
	case "row":
		return "(" + strings.Join(args, ", ") + ")"
	case "coalesce", "nullif", "greatest", "least":
		return strings.ToUpper(f.Name) + "(" + strings.Join(args, ", ") + ")"
	case "extract":
		if len(f.Args) == 2 {
			if l, ok := f.Args[0].(*Literal); ok {
				if s, ok := l.Value.Value.(string); ok {
					return "EXTRACT(" + s + " FROM " + args[1] + ")"
				}
			}
		}
	}
	return f.Name + "(" + strings.Join(args, ", ") + ")"
}

// concatOperand parenthesises operands of || that bind looser than it.
func concatOperand(e Expr) string {
	switch e.(type) {
	case *Binary, *Between, *InList, *Like, *IsNull, *Not:
		return "(" + e.String() + ")"
	}
	return e.String()
}

// String implements Expr.
func (c *CurrentTime) String() string {
	if c.Type != nil && c.Type.ID() == arrow.DATE32 {
		return "CURRENT_DATE"
	}
	return "now()"
}
