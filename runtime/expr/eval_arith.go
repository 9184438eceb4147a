package expr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// numConst converts a normalised numeric scalar value to T.
func numConst[T ordered](s Scalar) T {
	switch v := s.Value.(type) {
	case int64:
		return T(v)
	case uint64:
		return T(v)
	case float64:
		return T(v)
	}
	var z T
	return z
}

func arithSupported(op Op, dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128:
		return true
	case arrow.DURATION:
		return op == OpAdd || op == OpSub
	}
	return false
}

func newArithNode(op Op, l, r node, rt arrow.DataType) (node, error) {
	lt, rtyp := l.dataType(), r.dataType()
	if rt == nil {
		rt = lt
	}
	if isNullConst(l) || isNullConst(r) {
		return &constNode{s: Null(rt)}, nil
	}
	_, ld := lt.(*arrow.Decimal128Type)
	_, rd := rtyp.(*arrow.Decimal128Type)
	_, resd := rt.(*arrow.Decimal128Type)
	switch {
	case ld && rd && resd:
	case !arrow.TypeEqual(lt, rtyp) || !arrow.TypeEqual(lt, rt):
		return nil, fmt.Errorf("operator does not exist: %s %s %s (result %s)", SQLTypeName(lt), op, SQLTypeName(rtyp), SQLTypeName(rt))
	case !arithSupported(op, lt):
		return nil, fmt.Errorf("operator does not exist: %s %s %s", SQLTypeName(lt), op, SQLTypeName(rtyp))
	}
	if _, ok := l.(*constNode); ok && (op == OpAdd || op == OpMul) && !ld {
		l, r = r, l
	}
	return &arithNode{op: op, l: l, r: r, rt: rt}, nil
}

// arithNode is + - * / % over two operands, the right one possibly a
// constant that the kernels read once instead of broadcasting.
type arithNode struct {
	op   Op
	l, r node
	rt   arrow.DataType
}

func (n *arithNode) inputs() []node { return []node{n.l, n.r} }

func (n *arithNode) dataType() arrow.DataType { return n.rt }

func (n *arithNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	a, err := n.l.eval(mem, rec, sel)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	var b arrow.Array
	k, bConst := n.r.(*constNode)
	if bConst {
		// Materialise the constant as a one-element array so both paths
		// read values the same way.
		b = MakeArray(mem, k.s, 1)
	} else if b, err = n.r.eval(mem, rec, sel); err != nil {
		return nil, err
	}
	defer b.Release()
	valid := validity(a)
	if !bConst {
		valid = andValidity(valid, validity(b), a.Len())
	}
	return arith(mem, n.op, a, b, bConst, n.rt, valid)
}

func arith(mem memory.Allocator, op Op, a, b arrow.Array, bConst bool, rt arrow.DataType, valid []byte) (arrow.Array, error) {
	switch a.DataType().ID() {
	case arrow.INT8:
		return arithRun(mem, op, a, b, bConst, rt, valid, arithSigned[int8])
	case arrow.INT16:
		return arithRun(mem, op, a, b, bConst, rt, valid, arithSigned[int16])
	case arrow.INT32:
		return arithRun(mem, op, a, b, bConst, rt, valid, arithSigned[int32])
	case arrow.INT64, arrow.DURATION:
		return arithRun(mem, op, a, b, bConst, rt, valid, arithSigned[int64])
	case arrow.UINT8:
		return arithRun(mem, op, a, b, bConst, rt, valid, arithUnsigned[uint8])
	case arrow.UINT16:
		return arithRun(mem, op, a, b, bConst, rt, valid, arithUnsigned[uint16])
	case arrow.UINT32:
		return arithRun(mem, op, a, b, bConst, rt, valid, arithUnsigned[uint32])
	case arrow.UINT64:
		return arithRun(mem, op, a, b, bConst, rt, valid, arithUnsigned[uint64])
	case arrow.FLOAT32:
		return arithRun(mem, op, a, b, bConst, rt, valid, arithFloat[float32])
	case arrow.FLOAT64:
		return arithRun(mem, op, a, b, bConst, rt, valid, arithFloat[float64])
	case arrow.DECIMAL128:
		return arithDecimal(mem, op, a, b, bConst, rt.(*arrow.Decimal128Type), valid)
	}
	return nil, fmt.Errorf("operator does not exist: %s %s %s", SQLTypeName(a.DataType()), op, SQLTypeName(b.DataType()))
}

type arithKernel[T fixedWidth] func(op Op, a, b []T, bConst bool, out []T, valid []byte) error

func arithRun[T fixedWidth](mem memory.Allocator, op Op, a, b arrow.Array, bConst bool, rt arrow.DataType, valid []byte, k arithKernel[T]) (arrow.Array, error) {
	n := a.Len()
	buf, out := newFixed[T](mem, n)
	if err := k(op, values[T](a), values[T](b), bConst, out, valid); err != nil {
		buf.Release()
		return nil, rangeError(err, rt)
	}
	return fixedArray(mem, rt, n, buf, valid), nil
}

// rangeError names the overflowing type as PostgreSQL does ("smallint out
// of range", "bigint out of range"); the kernels share one error.
func rangeError(err error, t arrow.DataType) error {
	if !errors.Is(err, errIntRange) {
		return err
	}
	switch t.ID() {
	case arrow.INT16:
		return errors.New("smallint out of range")
	case arrow.INT64:
		return errors.New("bigint out of range")
	case arrow.INT8, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return fmt.Errorf("%s out of range", strings.ToLower(SQLTypeName(t)))
	}
	return err
}

func arithDecimal(mem memory.Allocator, op Op, a, b arrow.Array, bConst bool, rt *arrow.Decimal128Type, valid []byte) (arrow.Array, error) {
	sx := a.DataType().(*arrow.Decimal128Type).Scale
	sy := b.DataType().(*arrow.Decimal128Type).Scale
	x, y := values[decimal128.Num](a), values[decimal128.Num](b)
	n := len(x)
	buf, out := newFixed[decimal128.Num](mem, n)
	for i := range x {
		if !isValid(valid, i) {
			out[i] = decimal128.Num{}
			continue
		}
		r, err := decArith(op, x[i], bAt(y, bConst, i), sx, sy, rt.Precision, rt.Scale)
		if err != nil {
			buf.Release()
			return nil, err
		}
		out[i] = r
	}
	return fixedArray(mem, rt, n, buf, valid), nil
}

func (c *compiler) negate(e *Negate) (node, error) {
	in, err := c.compile(e.E)
	if err != nil {
		return nil, err
	}
	dt := in.dataType()
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DURATION:
	default:
		return nil, fmt.Errorf("operator does not exist: -%s", SQLTypeName(dt))
	}
	return &negateNode{e: in}, nil
}

// negateNode is unary minus.
type negateNode struct{ e node }

func (n *negateNode) inputs() []node { return []node{n.e} }

func (n *negateNode) dataType() arrow.DataType { return n.e.dataType() }

func (n *negateNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	a, err := n.e.eval(mem, rec, sel)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	valid := validity(a)
	switch a.DataType().ID() {
	case arrow.INT8:
		return negRun(mem, a, valid, negateSigned[int8])
	case arrow.INT16:
		return negRun(mem, a, valid, negateSigned[int16])
	case arrow.INT32:
		return negRun(mem, a, valid, negateSigned[int32])
	case arrow.INT64, arrow.DURATION:
		return negRun(mem, a, valid, negateSigned[int64])
	case arrow.UINT8:
		return negRun(mem, a, valid, negateUnsigned[uint8])
	case arrow.UINT16:
		return negRun(mem, a, valid, negateUnsigned[uint16])
	case arrow.UINT32:
		return negRun(mem, a, valid, negateUnsigned[uint32])
	case arrow.UINT64:
		return negRun(mem, a, valid, negateUnsigned[uint64])
	case arrow.FLOAT32:
		return negRun(mem, a, valid, negateFloat[float32])
	case arrow.FLOAT64:
		return negRun(mem, a, valid, negateFloat[float64])
	case arrow.DECIMAL128:
		return negRun(mem, a, valid, func(x, out []decimal128.Num, _ []byte) error {
			for i, v := range x {
				out[i] = v.Negate()
			}
			return nil
		})
	}
	return nil, fmt.Errorf("operator does not exist: -%s", SQLTypeName(a.DataType()))
}

func negRun[T fixedWidth](mem memory.Allocator, a arrow.Array, valid []byte, k func(a, out []T, valid []byte) error) (arrow.Array, error) {
	buf, out := newFixed[T](mem, a.Len())
	if err := k(values[T](a), out, valid); err != nil {
		buf.Release()
		return nil, err
	}
	return fixedArray(mem, a.DataType(), a.Len(), buf, valid), nil
}
