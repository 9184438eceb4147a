package expr

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func (c *compiler) inList(e *InList) (node, error) {
	in, err := c.compile(e.E)
	if err != nil {
		return nil, err
	}
	items := make([]Scalar, 0, len(e.List))
	allConst := true
	for _, it := range e.List {
		n, err := c.compile(it)
		if err != nil {
			return nil, err
		}
		k, ok := n.(*constNode)
		if !ok {
			allConst = false
			continue
		}
		if !k.s.Null && !arrow.TypeEqual(k.s.Type, in.dataType()) {
			return nil, fmt.Errorf("IN list item %s has type %s, expected %s", k.s, SQLTypeName(k.s.Type), SQLTypeName(in.dataType()))
		}
		items = append(items, k.s)
	}
	if !allConst || len(e.List) == 0 {
		// x IN (a, b) is x = a OR x = b under three-valued logic too.
		return c.compile(desugarIn(e))
	}
	if !comparableType(in.dataType()) {
		return nil, fmt.Errorf("cannot compare values of type %s", SQLTypeName(in.dataType()))
	}
	set, hasNull, err := newInSet(in.dataType(), items)
	if err != nil {
		return nil, err
	}
	if _, ok := in.(*constNode); ok {
		n := &inNode{e: in, set: set, hasNull: hasNull, negated: e.Negated}
		return fold(n)
	}
	return &inNode{e: in, set: set, hasNull: hasNull, negated: e.Negated}, nil
}

func desugarIn(e *InList) Expr {
	if len(e.List) == 0 {
		// SQL has no empty IN list; treat it as matching nothing.
		return &Literal{Value: Bool(e.Negated)}
	}
	op, join := OpEq, OpOr
	if e.Negated {
		op, join = OpNe, OpAnd
	}
	var out Expr
	for _, it := range e.List {
		var c Expr = &Binary{Op: op, L: e.E, R: it, Type: boolType}
		if out != nil {
			c = &Binary{Op: join, L: out, R: c, Type: boolType}
		}
		out = c
	}
	return out
}

// newInSet builds the membership kernel for the non-NULL items.
func newInSet(dt arrow.DataType, items []Scalar) (scalarCmp, bool, error) {
	hasNull := false
	vals := items[:0:0]
	for _, s := range items {
		if s.Null {
			hasNull = true
			continue
		}
		if !valueMatchesType(s) {
			return nil, false, fmt.Errorf("IN list item %v does not match type %s", s.Value, SQLTypeName(dt))
		}
		vals = append(vals, s)
	}
	switch dt.ID() {
	case arrow.INT8:
		return newNumSet[int8](vals), hasNull, nil
	case arrow.INT16:
		return newNumSet[int16](vals), hasNull, nil
	case arrow.INT32, arrow.DATE32:
		return newNumSet[int32](vals), hasNull, nil
	case arrow.INT64, arrow.TIMESTAMP, arrow.DURATION:
		return newNumSet[int64](vals), hasNull, nil
	case arrow.UINT8:
		return newNumSet[uint8](vals), hasNull, nil
	case arrow.UINT16:
		return newNumSet[uint16](vals), hasNull, nil
	case arrow.UINT32:
		return newNumSet[uint32](vals), hasNull, nil
	case arrow.UINT64:
		return newNumSet[uint64](vals), hasNull, nil
	case arrow.FLOAT32:
		return newNumSet[float32](vals), hasNull, nil
	case arrow.FLOAT64:
		return newNumSet[float64](vals), hasNull, nil
	case arrow.STRING, arrow.BINARY:
		return newBinSet[int32](vals), hasNull, nil
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return newBinSet[int64](vals), hasNull, nil
	case arrow.BOOL:
		var k boolSet
		for _, s := range vals {
			if s.Value.(bool) {
				k.t = true
			} else {
				k.f = true
			}
		}
		return k, hasNull, nil
	case arrow.DECIMAL128:
		k := decSet{m: map[decimal128.Num]struct{}{}}
		for _, s := range vals {
			k.m[s.Value.(decimal128.Num)] = struct{}{}
		}
		return k, hasNull, nil
	}
	return nil, false, fmt.Errorf("IN is not supported for type %s", SQLTypeName(dt))
}

// smallSet is the list size up to which a linear scan beats a map.
const smallSet = 8

// numSet tests membership of fixed-width numbers: a linear scan over a
// short list, a map otherwise. NaN matches NaN (PostgreSQL equality).
type numSet[T ordered] struct {
	list []T
	m    map[T]struct{}
	nan  bool
}

func newNumSet[T ordered](vals []Scalar) numSet[T] {
	var k numSet[T]
	for _, s := range vals {
		v := numConst[T](s)
		if f, ok := s.Value.(float64); ok && math.IsNaN(f) {
			k.nan = true
			continue
		}
		k.list = append(k.list, v)
	}
	if len(k.list) > smallSet {
		k.m = make(map[T]struct{}, len(k.list))
		for _, v := range k.list {
			k.m[v] = struct{}{}
		}
	}
	return k
}

func (k numSet[T]) has(x T) bool {
	if k.m != nil {
		_, ok := k.m[x]
		return ok || (k.nan && x != x)
	}
	for _, v := range k.list {
		if v == x {
			return true
		}
	}
	return k.nan && x != x
}

func (k numSet[T]) bits(a arrow.Array, out []byte) {
	for i, x := range values[T](a) {
		if k.has(x) {
			out[i>>3] |= 1 << (i & 7)
		}
	}
}

func (k numSet[T]) sel(a arrow.Array, sel, out []int32) []int32 {
	v := values[T](a)
	out = out[:0]
	if sel == nil {
		for i, x := range v {
			if k.has(x) {
				out = append(out, int32(i))
			}
		}
		return out
	}
	for _, i := range sel {
		if k.has(v[i]) {
			out = append(out, i)
		}
	}
	return out
}

type binSet[O offsetT] struct{ m map[string]struct{} }

func newBinSet[O offsetT](vals []Scalar) binSet[O] {
	k := binSet[O]{m: make(map[string]struct{}, len(vals))}
	for _, s := range vals {
		k.m[string(scalarBytes(s))] = struct{}{}
	}
	return k
}

func (k binSet[O]) bits(a arrow.Array, out []byte) {
	offs, data := binaryParts[O](a)
	for i := 0; i < a.Len(); i++ {
		if _, ok := k.m[bstr(data[offs[i]:offs[i+1]])]; ok {
			out[i>>3] |= 1 << (i & 7)
		}
	}
}

func (k binSet[O]) sel(a arrow.Array, sel, out []int32) []int32 {
	offs, data := binaryParts[O](a)
	return selBits(a.Len(), sel, out, func(i int) bool {
		_, ok := k.m[bstr(data[offs[i]:offs[i+1]])]
		return ok
	})
}

type boolSet struct{ t, f bool }

func (k boolSet) bits(a arrow.Array, out []byte) {
	bits := boolBits(a.(*array.Boolean))
	for i := range out {
		var m byte
		if k.t {
			m |= bits[i]
		}
		if k.f {
			m |= ^bits[i]
		}
		out[i] = m
	}
}

func (k boolSet) sel(a arrow.Array, sel, out []int32) []int32 {
	bits := boolBits(a.(*array.Boolean))
	return selBits(a.Len(), sel, out, func(i int) bool {
		if bits[i>>3]&(1<<(i&7)) != 0 {
			return k.t
		}
		return k.f
	})
}

type decSet struct{ m map[decimal128.Num]struct{} }

func (k decSet) bits(a arrow.Array, out []byte) {
	for i, x := range values[decimal128.Num](a) {
		if _, ok := k.m[x]; ok {
			out[i>>3] |= 1 << (i & 7)
		}
	}
}

func (k decSet) sel(a arrow.Array, sel, out []int32) []int32 {
	v := values[decimal128.Num](a)
	return selBits(len(v), sel, out, func(i int) bool { _, ok := k.m[v[i]]; return ok })
}

// inNode is x [NOT] IN (constants...).
type inNode struct {
	e       node
	set     scalarCmp
	hasNull bool
	negated bool
}

func (n *inNode) inputs() []node { return []node{n.e} }

func (n *inNode) dataType() arrow.DataType { return boolType }

func (n *inNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	a, err := n.e.eval(mem, rec, sel)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	cnt := a.Len()
	buf, bits := newBitmap(mem, cnt)
	n.set.bits(a, bits)
	valid := validity(a)
	if n.hasNull {
		// A miss against a list holding NULL is NULL, not FALSE.
		nv := make([]byte, len(bits))
		for i := range nv {
			nv[i] = bits[i]
			if valid != nil {
				nv[i] &= valid[i]
			}
		}
		valid = nv
	}
	if n.negated {
		for i := range bits {
			bits[i] = ^bits[i]
		}
	}
	return fixedArray(mem, boolType, cnt, buf, valid), nil
}
