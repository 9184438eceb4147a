package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func newLogicNode(op Op, l, r node) (node, error) {
	if !isBool(l.dataType()) || !isBool(r.dataType()) {
		return nil, fmt.Errorf("argument of %s must be BOOLEAN, not %s %s %s",
			op, SQLTypeName(l.dataType()), op, SQLTypeName(r.dataType()))
	}
	// TRUE and FALSE operands decide or drop out; a NULL constant stays
	// (NULL AND x is FALSE where x is FALSE).
	for _, pair := range [2][2]node{{l, r}, {r, l}} {
		k, ok := pair[0].(*constNode)
		if !ok || k.s.Null {
			continue
		}
		v := k.s.Value.(bool)
		switch {
		case op == OpAnd && v, op == OpOr && !v:
			return pair[1], nil
		default:
			return k, nil
		}
	}
	return &logicNode{op: op, l: l, r: r}, nil
}

// logicNode is AND / OR with SQL three-valued logic.
type logicNode struct {
	op   Op
	l, r node
}

func (n *logicNode) inputs() []node { return []node{n.l, n.r} }

func (n *logicNode) dataType() arrow.DataType { return boolType }

func (n *logicNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	ab, err := evalAll(mem, rec, sel, n.l, n.r)
	if err != nil {
		return nil, err
	}
	defer releaseAll(ab)
	a, b := ab[0].(*array.Boolean), ab[1].(*array.Boolean)
	cnt := a.Len()
	av, bv := boolBits(a), boolBits(b)
	aval, bval := validity(a), validity(b)
	vbuf, vals := newBitmap(mem, cnt)
	if aval == nil && bval == nil {
		if n.op == OpAnd {
			for i := range vals {
				vals[i] = av[i] & bv[i]
			}
		} else {
			for i := range vals {
				vals[i] = av[i] | bv[i]
			}
		}
		return fixedArray(mem, boolType, cnt, vbuf, nil), nil
	}
	valid := make([]byte, len(vals))
	for i := range vals {
		am, bm := byte(0xFF), byte(0xFF)
		if aval != nil {
			am = aval[i]
		}
		if bval != nil {
			bm = bval[i]
		}
		aT, aF := av[i]&am, ^av[i]&am
		bT, bF := bv[i]&bm, ^bv[i]&bm
		var t, f byte
		if n.op == OpAnd {
			t, f = aT&bT, aF|bF
		} else {
			t, f = aT|bT, aF&bF
		}
		vals[i], valid[i] = t, t|f
	}
	return fixedArray(mem, boolType, cnt, vbuf, valid), nil
}

func (c *compiler) not(e *Not) (node, error) {
	in, err := c.compile(e.E)
	if err != nil {
		return nil, err
	}
	if !isBool(in.dataType()) {
		return nil, fmt.Errorf("argument of NOT must be BOOLEAN, not %s", SQLTypeName(in.dataType()))
	}
	return &notNode{e: in}, nil
}

// notNode is three-valued negation: values flip, nulls stay.
type notNode struct{ e node }

func (n *notNode) inputs() []node { return []node{n.e} }

func (n *notNode) dataType() arrow.DataType { return boolType }

func (n *notNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	a, err := n.e.eval(mem, rec, sel)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	av := boolBits(a.(*array.Boolean))
	buf, vals := newBitmap(mem, a.Len())
	for i := range vals {
		vals[i] = ^av[i]
	}
	return fixedArray(mem, boolType, a.Len(), buf, validity(a)), nil
}

// isNullNode is IS [NOT] NULL; its result is never NULL.
type isNullNode struct {
	e       node
	negated bool
}

func (n *isNullNode) inputs() []node { return []node{n.e} }

func (n *isNullNode) dataType() arrow.DataType { return boolType }

func (n *isNullNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	a, err := n.e.eval(mem, rec, sel)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	valid := validity(a)
	buf, vals := newBitmap(mem, a.Len())
	for i := range vals {
		v := byte(0xFF)
		if valid != nil {
			v = valid[i]
		}
		if n.negated {
			vals[i] = v
		} else {
			vals[i] = ^v
		}
	}
	return fixedArray(mem, boolType, a.Len(), buf, nil), nil
}
