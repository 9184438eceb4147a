package expr

import "fmt"

// WithChildren returns a copy of e with new children, in Children order,
// so rewrites (substituting columns when a planner moves a predicate
// through a projection) can rebuild a tree without knowing every node. It
// returns an error for a node it does not know, which callers treat as
// "leave the expression where it is".
func WithChildren(e Expr, c []Expr) (Expr, error) {
	if len(c) != len(e.Children()) {
		return nil, fmt.Errorf("expr: %T has %d children, got %d", e, len(e.Children()), len(c))
	}
	// Copying the node keeps every field but its children, including
	// fields added later.
	switch x := e.(type) {
	case *Column, *Literal, *Param, *CurrentTime:
		return e, nil
	case *Case:
		return x.WithChildren(c)
	case *Window:
		return x.withChildren(c), nil
	case *Func:
		n := *x
		n.Args = append([]Expr(nil), c...)
		return &n, nil
	case *Binary:
		n := *x
		n.L, n.R = c[0], c[1]
		return &n, nil
	case *Not:
		n := *x
		n.E = c[0]
		return &n, nil
	case *Negate:
		n := *x
		n.E = c[0]
		return &n, nil
	case *IsNull:
		n := *x
		n.E = c[0]
		return &n, nil
	case *InList:
		n := *x
		n.E, n.List = c[0], append([]Expr(nil), c[1:]...)
		return &n, nil
	case *Between:
		n := *x
		n.E, n.Low, n.High = c[0], c[1], c[2]
		return &n, nil
	case *Like:
		if len(c) != 2 {
			break
		}
		n := *x
		n.E, n.Pattern = c[0], c[1]
		return &n, nil
	case *Cast:
		n := *x
		n.E = c[0]
		return &n, nil
	}
	return nil, fmt.Errorf("expr: cannot rebuild %T", e)
}
