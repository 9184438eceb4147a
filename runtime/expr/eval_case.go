package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// CASE and COALESCE evaluate lazily and vectorized: each arm runs once per
// batch over the selection of rows still undecided, and the arms' dense
// results are merged by interleave. A row therefore only ever evaluates
// the arms SQL says it does (1 / x under WHEN x <> 0 never sees a zero).

func (c *compiler) caseExpr(e *Case) (node, error) {
	if e.Type == nil {
		return nil, fmt.Errorf("CASE without a result type")
	}
	n := &caseNode{t: e.Type}
	for _, w := range e.Whens {
		cond, err := c.compile(w.Cond)
		if err != nil {
			return nil, err
		}
		if !isBool(cond.dataType()) && !isNullConst(cond) {
			return nil, fmt.Errorf("argument of CASE/WHEN must be type BOOLEAN, not type %s", SQLTypeName(cond.dataType()))
		}
		res, err := c.compileResult(w.Result, e.Type, "CASE")
		if err != nil {
			return nil, err
		}
		if k, ok := cond.(*constNode); ok {
			if k.s.Null || !k.s.Value.(bool) {
				continue // never taken
			}
			// Always taken: it is the ELSE of the arms before it.
			n.els = res
			return n.simplify()
		}
		n.conds = append(n.conds, cond)
		n.results = append(n.results, res)
	}
	if e.Else != nil {
		res, err := c.compileResult(e.Else, e.Type, "CASE")
		if err != nil {
			return nil, err
		}
		n.els = res
	}
	return n.simplify()
}

// compileResult compiles a CASE/COALESCE arm, which the binder gave the
// expression's type (a NULL literal may still be of the null type).
func (c *compiler) compileResult(e Expr, t arrow.DataType, what string) (node, error) {
	r, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	if isNullConst(r) {
		return &constNode{s: Null(t)}, nil
	}
	if !arrow.TypeEqual(r.dataType(), t) {
		return nil, fmt.Errorf("%s types %s and %s cannot be matched", what, SQLTypeName(r.dataType()), SQLTypeName(t))
	}
	return r, nil
}

func (n *caseNode) simplify() (node, error) {
	if n.els == nil {
		n.els = &constNode{s: Null(n.t)}
	}
	if len(n.conds) == 0 {
		return n.els, nil
	}
	n.eager = eagerCase && cannotFail(n.els)
	for i := range n.conds {
		n.eager = n.eager && cannotFail(n.conds[i]) && cannotFail(n.results[i])
	}
	return fold(n)
}

// cannotFail reports whether evaluating n can raise no error on any row
// (no arithmetic, casts or functions), so evaluating it for rows SQL
// would not evaluate it on changes nothing but the time spent.
func cannotFail(n node) bool {
	switch n := n.(type) {
	case *constNode, *colNode:
		return true
	case *cmpScalarNode:
		return cannotFail(n.e)
	case *cmpNode:
		return cannotFail(n.l) && cannotFail(n.r)
	case *logicNode:
		return cannotFail(n.l) && cannotFail(n.r)
	case *notNode:
		return cannotFail(n.e)
	case *isNullNode:
		return cannotFail(n.e)
	case *inNode:
		return cannotFail(n.e)
	case *likeNode:
		return cannotFail(n.e)
	}
	return false
}

// caseNode is a searched CASE whose conditions are not constants; els is
// the ELSE arm (a NULL constant when the query has none).
type caseNode struct {
	conds, results []node
	els            node
	t              arrow.DataType
	// eager: no arm can fail, so every arm is evaluated over the whole
	// batch (columns without a copy, constants as one value) and the
	// first true condition picks each row's arm, in one pass.
	eager bool
}

func (n *caseNode) inputs() []node {
	out := append(append([]node{}, n.conds...), n.results...)
	return append(out, n.els)
}

func (n *caseNode) dataType() arrow.DataType { return n.t }

func (n *caseNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	if n.eager {
		return n.evalEager(mem, rec, sel)
	}
	total := rowCount(rec, sel)
	m := newMerger(total, sel)
	defer m.release()
	for i, cond := range n.conds {
		if m.done() {
			break
		}
		ca, err := cond.eval(mem, rec, m.sel())
		if err != nil {
			return nil, err
		}
		b := ca.(*array.Boolean)
		taken := m.split(func(k int) bool { return b.IsValid(k) && b.Value(k) })
		ca.Release()
		if len(taken.rows) == 0 {
			continue
		}
		if err := m.evalArm(mem, rec, n.results[i], taken); err != nil {
			return nil, err
		}
	}
	if !m.done() {
		if err := m.evalArm(mem, rec, n.els, m.rest()); err != nil {
			return nil, err
		}
	}
	return m.finish(mem, n.t)
}

func (n *caseNode) evalEager(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	total := rowCount(rec, sel)
	parts := make([]arrow.Array, 0, len(n.results)+1)
	defer func() { releaseAll(parts) }()
	isConst := make([]bool, 0, len(n.results)+1)
	for _, r := range append(append([]node{}, n.results...), n.els) {
		var a arrow.Array
		if k, ok := r.(*constNode); ok {
			a = MakeArray(mem, k.s, 1)
			isConst = append(isConst, true)
		} else {
			var err error
			if a, err = r.eval(mem, rec, sel); err != nil {
				return nil, err
			}
			isConst = append(isConst, false)
		}
		parts = append(parts, a)
	}
	which, at := make([]int32, total), make([]int32, total)
	for i := range which {
		which[i] = -1
	}
	for k, cond := range n.conds {
		ca, err := cond.eval(mem, rec, sel)
		if err != nil {
			return nil, err
		}
		bits, valid := boolBits(ca.(*array.Boolean)), validity(ca)
		for i := range which {
			if which[i] < 0 && bits[i>>3]&(1<<(i&7)) != 0 && isValid(valid, i) {
				which[i] = int32(k)
			}
		}
		ca.Release()
	}
	els := int32(len(n.results))
	for i, w := range which {
		if w < 0 {
			w = els
			which[i] = w
		}
		if !isConst[w] {
			at[i] = int32(i)
		}
	}
	return interleave(mem, n.t, parts, which, at)
}

// coalesceNode is COALESCE(args...): the first non-NULL argument, each
// argument evaluated only for the rows all earlier ones left NULL.
type coalesceNode struct {
	args []node
	t    arrow.DataType
}

func (c *compiler) coalesce(e *Func) (node, error) {
	if len(e.Args) == 0 {
		return nil, fmt.Errorf("COALESCE needs at least one argument")
	}
	n := &coalesceNode{t: e.Type}
	for _, a := range e.Args {
		r, err := c.compileResult(a, e.Type, "COALESCE")
		if err != nil {
			return nil, err
		}
		if isNullConst(r) {
			continue
		}
		n.args = append(n.args, r)
		if _, ok := r.(*constNode); ok {
			break // a non-NULL constant ends the search
		}
	}
	switch len(n.args) {
	case 0:
		return &constNode{s: Null(e.Type)}, nil
	case 1:
		return n.args[0], nil
	}
	return fold(n)
}

func (n *coalesceNode) inputs() []node { return n.args }

func (n *coalesceNode) dataType() arrow.DataType { return n.t }

func (n *coalesceNode) eval(mem memory.Allocator, rec arrow.RecordBatch, sel []int32) (arrow.Array, error) {
	if k, ok := n.args[len(n.args)-1].(*constNode); ok && len(n.args) == 2 {
		return n.fillNulls(mem, rec, sel, k.s)
	}
	m := newMerger(rowCount(rec, sel), sel)
	defer m.release()
	for i, arg := range n.args {
		if m.done() {
			break
		}
		if i == len(n.args)-1 {
			if err := m.evalArm(mem, rec, arg, m.rest()); err != nil {
				return nil, err
			}
			break
		}
		a, err := arg.eval(mem, rec, m.sel())
		if err != nil {
			return nil, err
		}
		valid := validity(a)
		part := m.split(func(k int) bool { return isValid(valid, k) })
		if len(part.rows) > 0 {
			m.addPart(a, part)
		}
		a.Release()
	}
	return m.finish(mem, n.t)
}

// fillNulls is COALESCE(x, constant), the common case: one pass that
// takes x where it is valid and the constant elsewhere.
func (n *coalesceNode) fillNulls(mem memory.Allocator, rec arrow.RecordBatch, sel []int32, c Scalar) (arrow.Array, error) {
	a, err := n.args[0].eval(mem, rec, sel)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	valid := validity(a)
	if valid == nil {
		a.Retain()
		return a, nil
	}
	k := MakeArray(mem, c, 1)
	defer k.Release()
	which, at := make([]int32, a.Len()), make([]int32, a.Len())
	for i := range which {
		if isValid(valid, i) {
			at[i] = int32(i)
		} else {
			which[i] = 1
		}
	}
	return interleave(mem, n.t, []arrow.Array{a, k}, which, at)
}

// merger tracks which output rows are still undecided while CASE or
// COALESCE evaluates its arms, and the parts each decided row comes from.
type merger struct {
	total int
	// pending are the output positions not yet decided and recRows their
	// rows in the record (nil with pending covering every row when the
	// evaluation had no selection and nothing is decided yet).
	pending, recRows []int32
	which, at        []int32
	parts            []arrow.Array
}

// armRows are rows an arm decides: their output positions, their rows in
// the record, and their indices in the pending list they were split from.
type armRows struct{ rows, rec, idx []int32 }

func newMerger(total int, sel []int32) *merger {
	m := &merger{total: total, pending: make([]int32, total), recRows: sel}
	for i := range m.pending {
		m.pending[i] = int32(i)
	}
	m.which = make([]int32, total)
	m.at = make([]int32, total)
	for i := range m.which {
		m.which[i] = -1
	}
	return m
}

func (m *merger) done() bool { return len(m.pending) == 0 }

// sel is the selection to evaluate the next arm over.
func (m *merger) sel() []int32 { return m.recRows }

// split removes from pending the rows k (indices into pending) for which
// take holds and returns them.
func (m *merger) split(take func(k int) bool) armRows {
	n := len(m.pending)
	out := armRows{rows: make([]int32, 0, n), rec: make([]int32, 0, n), idx: make([]int32, 0, n)}
	keep, keepRec := make([]int32, 0, n), make([]int32, 0, n)
	for k, p := range m.pending {
		r := p
		if m.recRows != nil {
			r = m.recRows[k]
		}
		if take(k) {
			out.rows = append(out.rows, p)
			out.rec = append(out.rec, r)
			out.idx = append(out.idx, int32(k))
			continue
		}
		keep = append(keep, p)
		keepRec = append(keepRec, r)
	}
	if len(keep) == 0 {
		keepRec = []int32{}
	}
	m.pending, m.recRows = keep, keepRec
	return out
}

// rest takes every pending row.
func (m *merger) rest() armRows {
	return m.split(func(int) bool { return true })
}

// evalArm evaluates an arm over rows and records its values.
func (m *merger) evalArm(mem memory.Allocator, rec arrow.RecordBatch, arm node, rows armRows) error {
	var sel []int32 = rows.rec
	if len(rows.rows) == m.total && m.total == int(rec.NumRows()) && isIdentity(rows.rec) {
		sel = nil // every row of the batch: no selection needed
	}
	a, err := arm.eval(mem, rec, sel)
	if err != nil {
		return err
	}
	m.parts = append(m.parts, a)
	w := int32(len(m.parts) - 1)
	for k, p := range rows.rows {
		m.which[p], m.at[p] = w, int32(k)
	}
	return nil
}

// addPart records a, evaluated over the pending rows rows were split
// from, as the values of rows (a is retained).
func (m *merger) addPart(a arrow.Array, rows armRows) {
	a.Retain()
	m.parts = append(m.parts, a)
	w := int32(len(m.parts) - 1)
	for k, p := range rows.rows {
		m.which[p], m.at[p] = w, rows.idx[k]
	}
}

func (m *merger) finish(mem memory.Allocator, t arrow.DataType) (arrow.Array, error) {
	if len(m.parts) == 1 && m.parts[0].Len() == m.total {
		whole := true
		for k := range m.which {
			if m.which[k] != 0 || int(m.at[k]) != k {
				whole = false
				break
			}
		}
		if whole {
			a := m.parts[0]
			a.Retain()
			return a, nil
		}
	}
	return interleave(mem, t, m.parts, m.which, m.at)
}

func (m *merger) release() { releaseAll(m.parts) }

func isIdentity(rows []int32) bool {
	for i, r := range rows {
		if int(r) != i {
			return false
		}
	}
	return true
}

// eagerCase enables the one-pass CASE for arms that cannot fail; the
// benchmarks and tests turn it off to measure and check the lazy path.
var eagerCase = true
