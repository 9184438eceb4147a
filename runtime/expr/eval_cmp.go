package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func (c *compiler) binary(e *Binary) (node, error) {
	l, err := c.compile(e.L)
	if err != nil {
		return nil, err
	}
	r, err := c.compile(e.R)
	if err != nil {
		return nil, err
	}
	switch {
	case e.Op.IsComparison():
		return newCmpNode(e.Op, l, r)
	case e.Op == OpAnd || e.Op == OpOr:
		return newLogicNode(e.Op, l, r)
	case e.Op.IsArithmetic():
		return newArithNode(e.Op, l, r, e.Type)
	}
	return nil, fmt.Errorf("unknown operator %d", int(e.Op))
}

// isNullConst reports whether n is a NULL literal (of any type).
func isNullConst(n node) bool {
	k, ok := n.(*constNode)
	return ok && k.s.Null
}

func newCmpNode(op Op, l, r node) (node, error) {
	if isNullConst(l) || isNullConst(r) {
		// Comparing with NULL is NULL whatever the other side holds.
		return &constNode{s: Null(boolType)}, nil
	}
	lt, rt := l.dataType(), r.dataType()
	if !arrow.TypeEqual(lt, rt) {
		return nil, fmt.Errorf("cannot compare %s with %s", SQLTypeName(lt), SQLTypeName(rt))
	}
	if !comparableType(lt) {
		return nil, fmt.Errorf("cannot compare values of type %s", SQLTypeName(lt))
	}
	if _, ok := l.(*constNode); ok {
		if _, ok := r.(*constNode); !ok {
			op, l, r = op.Flip(), r, l
		}
	}
	if k, ok := r.(*constNode); ok {
		kern, err := newScalarCmp(op, lt, k.s)
		if err != nil {
			return nil, err
		}
		return &cmpScalarNode{op: op, e: l, c: k.s, k: kern}, nil
	}
	return &cmpNode{op: op, l: l, r: r}, nil
}

// cmpScalarNode is `e op constant`, the shape of almost every filter.
type cmpScalarNode struct {
	op Op
	e  node
	c  Scalar
	k  scalarCmp
}

func (n *cmpScalarNode) inputs() []node { return []node{n.e} }

func (n *cmpScalarNode) dataType() arrow.DataType { return boolType }

func (n *cmpScalarNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	a, err := n.e.eval(mem, rec, sel)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	buf, bits := newBitmap(mem, a.Len())
	n.k.bits(a, bits)
	return fixedArray(mem, boolType, a.Len(), buf, validity(a)), nil
}

// cmpNode compares two computed operands.
type cmpNode struct {
	op   Op
	l, r node
}

func (n *cmpNode) inputs() []node { return []node{n.l, n.r} }

func (n *cmpNode) dataType() arrow.DataType { return boolType }

func (n *cmpNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	ab, err := evalAll(mem, rec, sel, n.l, n.r)
	if err != nil {
		return nil, err
	}
	defer releaseAll(ab)
	a, b := ab[0], ab[1]
	buf, bits := newBitmap(mem, a.Len())
	if err := bitsCmp(n.op, a, b, bits); err != nil {
		buf.Release()
		return nil, err
	}
	return fixedArray(mem, boolType, a.Len(), buf, andValidity(validity(a), validity(b), a.Len())), nil
}
