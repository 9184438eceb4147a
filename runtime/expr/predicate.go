package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Predicate selects the rows where a boolean expression is TRUE (NULL and
// FALSE are dropped), producing a selection vector instead of a filtered
// batch.
type Predicate interface {
	// Select returns the indices (ascending) of rows among sel (all rows
	// when sel is nil) for which the predicate is TRUE. It may reuse out's
	// storage, which may be sel's own.
	Select(mem memory.Allocator, rec arrow.RecordBatch, sel []int32, out []int32) ([]int32, error)
}

// predNode narrows a selection. sel nil means every row; implementations
// write out[k] only after reading sel[j] for some j >= k, so out may share
// sel's storage (AND chains filter in place).
type predNode interface {
	sel(mem memory.Allocator, rec arrow.RecordBatch, sel, out []int32) ([]int32, error)
}

type predicate struct {
	root   predNode
	schema *arrow.Schema
}

// CompilePredicate binds a boolean expression to schema for filtering.
// NOT is pushed down to the leaves first (NOT (a AND b) = NOT a OR NOT b,
// NOT x < c = x >= c, ...; all exact under three-valued logic), so that a
// conjunction evaluates each conjunct only on the rows the previous ones
// kept, and a disjunction evaluates each disjunct only on the rows the
// previous ones rejected.
func CompilePredicate(e Expr, schema *arrow.Schema) (Predicate, error) {
	if schema == nil {
		schema = arrow.NewSchema(nil, nil)
	}
	c := &compiler{schema: schema}
	n, err := c.compile(pushNot(e, false))
	if err != nil {
		return nil, err
	}
	if !isBool(n.dataType()) {
		return nil, fmt.Errorf("argument of WHERE must be BOOLEAN, not %s", SQLTypeName(n.dataType()))
	}
	return &predicate{root: toPred(n), schema: schema}, nil
}

// Select implements Predicate.
func (p *predicate) Select(mem memory.Allocator, rec arrow.RecordBatch, sel []int32, out []int32) (res []int32, err error) {
	if err := checkInput(rec, sel, p.schema); err != nil {
		return nil, err
	}
	if sel != nil && len(sel) == 0 {
		return out[:0], nil
	}
	defer guard(&err)
	return p.root.sel(mem, rec, sel, out)
}

// pushNot returns e, negated when neg, with negations moved to the leaves.
func pushNot(e Expr, neg bool) Expr {
	switch x := e.(type) {
	case *Not:
		return pushNot(x.E, !neg)
	case *Binary:
		switch {
		case x.Op == OpAnd || x.Op == OpOr:
			op := x.Op
			if neg {
				op = OpAnd + OpOr - op
			}
			return &Binary{Op: op, L: pushNot(x.L, neg), R: pushNot(x.R, neg), Type: x.Type}
		case x.Op.IsComparison() && neg:
			return &Binary{Op: negateCmp(x.Op), L: x.L, R: x.R, Type: x.Type}
		}
	case *IsNull:
		if neg {
			return &IsNull{E: x.E, Negated: !x.Negated}
		}
	case *InList:
		if neg {
			return &InList{E: x.E, List: x.List, Negated: !x.Negated}
		}
	case *Like:
		if neg {
			return &Like{E: x.E, Pattern: x.Pattern, Negated: !x.Negated, CaseInsensitive: x.CaseInsensitive}
		}
	case *Between:
		return pushNot(desugarBetween(&Between{E: x.E, Low: x.Low, High: x.High, Negated: x.Negated != neg}), false)
	}
	if neg {
		return &Not{E: e}
	}
	return e
}

// negateCmp returns the comparison true exactly where op is false, for
// non-NULL operands (floats included, since NaN is totally ordered).
func negateCmp(op Op) Op {
	switch op {
	case OpEq:
		return OpNe
	case OpNe:
		return OpEq
	case OpLt:
		return OpGe
	case OpGe:
		return OpLt
	case OpLe:
		return OpGt
	case OpGt:
		return OpLe
	}
	return op
}

// toPred picks the selection strategy for a compiled boolean node.
func toPred(n node) predNode {
	switch n := n.(type) {
	case *constNode:
		if !n.s.Null && n.s.Value == true {
			return allPred{}
		}
		return nonePred{}
	case *logicNode:
		if n.op == OpAnd {
			return &andPred{l: toPred(n.l), r: toPred(n.r)}
		}
		return &orPred{l: toPred(n.l), r: toPred(n.r)}
	case *cmpScalarNode:
		return &kernelPred{e: n.e, k: n.k}
	case *inNode:
		switch {
		case !n.negated:
			return &kernelPred{e: n.e, k: n.set}
		case n.hasNull:
			// x NOT IN (..., NULL) is FALSE or NULL, never TRUE.
			return nonePred{}
		}
		return &kernelPred{e: n.e, k: n.set, negated: true}
	case *likeNode:
		return &kernelPred{e: n.e, k: n.k, negated: n.negated}
	case *isNullNode:
		return &isNullPred{e: n.e, negated: n.negated}
	case *colNode:
		return &kernelPred{e: n, k: boolScalarCmp{op: OpEq, c: true}}
	case *notNode:
		if c, ok := n.e.(*colNode); ok {
			return &kernelPred{e: c, k: boolScalarCmp{op: OpEq, c: false}}
		}
	}
	return &evalPred{n: n}
}

type allPred struct{}

func (allPred) sel(_ memory.Allocator, rec arrow.RecordBatch, sel, out []int32) ([]int32, error) {
	if sel != nil {
		out = growSel(out, len(sel))
		copy(out, sel)
		return out, nil
	}
	out = growSel(out, int(rec.NumRows()))
	for i := range out {
		out[i] = int32(i)
	}
	return out, nil
}

type nonePred struct{}

func (nonePred) sel(_ memory.Allocator, _ arrow.RecordBatch, _, out []int32) ([]int32, error) {
	return out[:0], nil
}

// andPred evaluates r only on the rows l kept, in place.
type andPred struct{ l, r predNode }

func (p *andPred) sel(mem memory.Allocator, rec arrow.RecordBatch, sel, out []int32) ([]int32, error) {
	a, err := p.l.sel(mem, rec, sel, out)
	if err != nil || len(a) == 0 {
		return a, err
	}
	return p.r.sel(mem, rec, a, a)
}

// orPred evaluates r only on the rows l rejected and merges.
type orPred struct{ l, r predNode }

func (p *orPred) sel(mem memory.Allocator, rec arrow.RecordBatch, sel, out []int32) ([]int32, error) {
	a, err := p.l.sel(mem, rec, sel, nil)
	if err != nil {
		return nil, err
	}
	rest := complement(sel, int(rec.NumRows()), a, nil)
	if len(rest) == 0 {
		out = growSel(out, len(a))
		copy(out, a)
		return out, nil
	}
	b, err := p.r.sel(mem, rec, rest, rest)
	if err != nil {
		return nil, err
	}
	return mergeSorted(a, b, out), nil
}

// complement returns the rows of sel (0..n-1 when nil) missing from the
// ascending subset m.
func complement(sel []int32, n int, m []int32, out []int32) []int32 {
	size := n
	if sel != nil {
		size = len(sel)
	}
	out = growSel(out, size-len(m))[:0]
	j := 0
	if sel == nil {
		for i := 0; i < n; i++ {
			if j < len(m) && m[j] == int32(i) {
				j++
				continue
			}
			out = append(out, int32(i))
		}
		return out
	}
	for _, i := range sel {
		if j < len(m) && m[j] == i {
			j++
			continue
		}
		out = append(out, i)
	}
	return out
}

// mergeSorted merges two disjoint ascending lists into out.
func mergeSorted(a, b, out []int32) []int32 {
	out = growSel(out, len(a)+len(b))
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if a[i] < b[j] {
			out[k] = a[i]
			i++
		} else {
			out[k] = b[j]
			j++
		}
		k++
	}
	k += copy(out[k:], a[i:])
	k += copy(out[k:], b[j:])
	return out[:k]
}

// dropNulls removes the rows whose bit in the re-based validity bitmap is
// clear, in place.
func dropNulls(idx []int32, valid []byte) []int32 {
	if valid == nil {
		return idx
	}
	k := 0
	for _, i := range idx {
		idx[k] = i
		k += int(valid[uint(i)>>3] >> (uint(i) & 7) & 1)
	}
	return idx[:k]
}

// kernelPred runs a constant-operand kernel (comparison, IN set, LIKE) on
// an operand. A column operand is read in place through the selection;
// any other operand is evaluated densely over the selection first.
type kernelPred struct {
	e       node
	k       scalarCmp
	negated bool // keep the non-NULL rows the kernel does not match
}

func (p *kernelPred) sel(mem memory.Allocator, rec arrow.RecordBatch, sel, out []int32) ([]int32, error) {
	if c, ok := p.e.(*colNode); ok {
		arr := rec.Column(c.idx)
		valid := validity(arr)
		if !p.negated {
			return dropNulls(p.k.sel(arr, sel, out), valid), nil
		}
		m := p.k.sel(arr, sel, nil)
		return dropNulls(complement(sel, arr.Len(), m, out), valid), nil
	}
	arr, err := p.e.eval(mem, rec, sel)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	valid := validity(arr)
	var res []int32
	if !p.negated {
		res = dropNulls(p.k.sel(arr, nil, nil), valid)
	} else {
		res = dropNulls(complement(nil, arr.Len(), p.k.sel(arr, nil, nil), nil), valid)
	}
	return mapThrough(res, sel, out), nil
}

// mapThrough turns positions in a dense evaluation over sel into row
// indices, writing them to out.
func mapThrough(pos, sel, out []int32) []int32 {
	out = growSel(out, len(pos))
	if sel == nil {
		copy(out, pos)
		return out
	}
	for k, j := range pos {
		out[k] = sel[j]
	}
	return out
}

// isNullPred keeps rows by validity alone.
type isNullPred struct {
	e       node
	negated bool
}

func (p *isNullPred) sel(mem memory.Allocator, rec arrow.RecordBatch, sel, out []int32) ([]int32, error) {
	var valid []byte
	n := 0
	if c, ok := p.e.(*colNode); ok {
		arr := rec.Column(c.idx)
		valid, n = validity(arr), arr.Len()
	} else {
		arr, err := p.e.eval(mem, rec, sel)
		if err != nil {
			return nil, err
		}
		valid, n = validity(arr), arr.Len()
		arr.Release()
		pos := selValid(valid, n, nil, nil, p.negated)
		return mapThrough(pos, sel, out), nil
	}
	return selValid(valid, n, sel, out, p.negated), nil
}

// selValid returns the rows of sel (0..n-1 when nil) whose validity is
// want (IS NOT NULL: true, IS NULL: false).
func selValid(valid []byte, n int, sel, out []int32, want bool) []int32 {
	size := n
	if sel != nil {
		size = len(sel)
	}
	out = growSel(out, size)
	if valid == nil {
		if !want {
			return out[:0]
		}
		if sel != nil {
			copy(out, sel)
			return out
		}
		for i := range out {
			out[i] = int32(i)
		}
		return out
	}
	w := 0
	if want {
		w = 1
	}
	k := 0
	if sel == nil {
		for i := 0; i < n; i++ {
			out[k] = int32(i)
			k += b2i(int(valid[uint(i)>>3]>>(uint(i)&7)&1) == w)
		}
		return out[:k]
	}
	for _, i := range sel {
		out[k] = i
		k += b2i(int(valid[uint(i)>>3]>>(uint(i)&7)&1) == w)
	}
	return out[:k]
}

// evalPred is the general case: evaluate the boolean expression densely
// and keep the TRUE rows.
type evalPred struct{ n node }

func (p *evalPred) sel(mem memory.Allocator, rec arrow.RecordBatch, sel, out []int32) ([]int32, error) {
	arr, err := p.n.eval(mem, rec, sel)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	b, ok := arr.(*array.Boolean)
	if !ok {
		return nil, fmt.Errorf("predicate evaluated to %s, not BOOLEAN", arr.DataType())
	}
	bits, valid := boolBits(b), validity(b)
	cnt := b.Len()
	out = growSel(out, cnt)
	k := 0
	for j := 0; j < cnt; j++ {
		t := bits[j>>3] >> (j & 7) & 1
		if valid != nil {
			t &= valid[j>>3] >> (j & 7)
		}
		i := int32(j)
		if sel != nil {
			i = sel[j]
		}
		out[k] = i
		k += int(t)
	}
	return out[:k], nil
}
