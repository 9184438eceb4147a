package expr

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// exprGen builds an expression from fuzz bytes. It mostly produces
// well-typed trees (operands of a binary operator share a type) so that
// evaluation, not just type checking, gets exercised.
type exprGen struct {
	data   []byte
	pos    int
	schema *arrow.Schema
}

func (g *exprGen) next() byte {
	if g.pos >= len(g.data) {
		return 0
	}
	b := g.data[g.pos]
	g.pos++
	return b
}

var fuzzTypes = []arrow.DataType{tI64, tI32, tI8, tU32, tF64, tF32, tStr, tLStr, tBin, tBool, tDate, tTS, tDur, tDec}

func (g *exprGen) literal(dt arrow.DataType) Expr {
	b := g.next()
	if b%11 == 0 {
		return lt(dt, nil)
	}
	v := int64(int8(b)) * int64(g.next()%4+1)
	var val any
	switch dt.ID() {
	case arrow.INT64, arrow.INT32, arrow.INT8, arrow.DATE32, arrow.TIMESTAMP, arrow.DURATION:
		if b%13 == 1 {
			v = math.MaxInt64
		}
		if dt.ID() == arrow.INT8 {
			v = int64(int8(v))
		}
		val = v
	case arrow.UINT32:
		val = uint64(uint8(v))
	case arrow.FLOAT64, arrow.FLOAT32:
		f := float64(v) / 4
		if b%17 == 2 {
			f = math.NaN()
		}
		val = f
	case arrow.STRING, arrow.LARGE_STRING:
		pats := []string{"a%", "%an%", "_pple", "", "apple", `a\%b`, "A%", "%"}
		val = pats[int(b)%len(pats)]
	case arrow.BINARY:
		val = []byte{b}
	case arrow.BOOL:
		val = b%2 == 0
	case arrow.DECIMAL128:
		val = decimal128.FromI64(v * 25)
	}
	return lt(dt, val)
}

// ofType returns a leaf of type dt: a fixture column of that type when
// there is one and the byte says so, else a literal.
func (g *exprGen) ofType(dt arrow.DataType, depth int) Expr {
	if depth > 0 && g.next()%3 == 0 {
		e := g.expr(depth - 1)
		if arrow.TypeEqual(e.DataType(), dt) {
			return e
		}
	}
	for _, f := range g.schema.Fields() {
		if arrow.TypeEqual(f.Type, dt) && g.next()%2 == 0 {
			return col(f.Name, f.Type)
		}
	}
	return g.literal(dt)
}

func (g *exprGen) expr(depth int) Expr {
	k := g.next() % 12
	if depth <= 0 {
		k %= 2
	}
	switch k {
	case 0:
		f := g.schema.Field(int(g.next()) % g.schema.NumFields())
		return col(f.Name, f.Type)
	case 1:
		return g.literal(fuzzTypes[int(g.next())%len(fuzzTypes)])
	case 2, 3:
		l := g.expr(depth - 1)
		op := Op(g.next() % 13)
		if op == OpAnd || op == OpOr {
			return bin(op, g.boolExpr(depth-1), g.boolExpr(depth-1))
		}
		return bin(op, l, g.ofType(l.DataType(), depth-1))
	case 4:
		return &Not{E: g.boolExpr(depth - 1)}
	case 5:
		return &Negate{E: g.expr(depth - 1)}
	case 6:
		return &IsNull{E: g.expr(depth - 1), Negated: g.next()%2 == 0}
	case 7:
		e := g.expr(depth - 1)
		n := int(g.next() % 5)
		list := make([]Expr, n)
		for i := range list {
			list[i] = g.ofType(e.DataType(), 0)
		}
		return &InList{E: e, List: list, Negated: g.next()%2 == 0}
	case 8:
		e := g.expr(depth - 1)
		return &Between{E: e, Low: g.ofType(e.DataType(), 0), High: g.ofType(e.DataType(), 0), Negated: g.next()%2 == 0}
	case 9:
		return &Like{E: g.ofType(tStr, depth-1), Pattern: g.literal(tStr), Negated: g.next()%2 == 0, CaseInsensitive: g.next()%2 == 0}
	case 10:
		return &Cast{E: g.expr(depth - 1), To: fuzzTypes[int(g.next())%len(fuzzTypes)]}
	}
	return g.boolExpr(depth - 1)
}

func (g *exprGen) boolExpr(depth int) Expr {
	e := g.expr(depth)
	if isBool(e.DataType()) {
		return e
	}
	return bin(OpGt, e, g.ofType(e.DataType(), 0))
}

func (g *exprGen) selection(n int) []int32 {
	switch g.next() % 4 {
	case 0:
		return nil
	case 1:
		return []int32{}
	}
	mask := g.next()
	sel := []int32{}
	for i := 0; i < n; i++ {
		if mask&(1<<(i%8)) != 0 {
			sel = append(sel, int32(i))
		}
	}
	return sel
}

// FuzzEval builds random expressions over the fixture batch and checks the
// evaluator's invariants: no panic, one value per selected row, predicate
// output ascending and within the selection, no leaked buffers.
func FuzzEval(f *testing.F) {
	seeds := [][]byte{
		{2, 0, 0, 5, 1, 0}, {2, 1, 0, 0, 3, 2, 9}, {7, 0, 6, 4, 1, 2, 3, 4, 2, 0xAA},
		{9, 0, 0, 0, 1, 1, 3}, {10, 0, 4, 1, 9}, {3, 2, 0, 0, 8, 1, 1, 2, 0x55},
		{4, 2, 0, 1, 2, 0, 5, 6, 7}, {5, 0, 2}, {8, 0, 1, 0, 3, 4}, {11, 0, 3, 2, 1},
		{2, 0, 4, 11, 0, 4, 0, 2}, {6, 2, 0, 9, 3, 1, 1, 1, 1}, {2, 0, 13, 10, 1, 0xFF},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := checked(t)
		rec := fixture(t, mem)
		defer rec.Release()
		g := &exprGen{data: data, schema: rec.Schema()}
		e := g.expr(4)
		sel := g.selection(int(rec.NumRows()))
		c, err := Compile(e, rec.Schema())
		if err != nil {
			return
		}
		arr, err := c.Eval(mem, rec, sel)
		noPanic(t, e, err)
		if err == nil {
			if want := rowCount(rec, sel); arr.Len() != want {
				t.Fatalf("%s: Eval returned %d values for %d rows", e, arr.Len(), want)
			}
			if !arrow.TypeEqual(arr.DataType(), c.DataType()) {
				t.Fatalf("%s: Eval type %s, DataType %s", e, arr.DataType(), c.DataType())
			}
			arr.Release()
		}
		if !isBool(c.DataType()) {
			return
		}
		p, err := CompilePredicate(e, rec.Schema())
		if err != nil {
			t.Fatalf("%s: Compile ok but CompilePredicate failed: %v", e, err)
		}
		out, err := p.Select(mem, rec, sel, nil)
		noPanic(t, e, err)
		if err != nil {
			return
		}
		allowed := map[int32]bool{}
		for i := int32(0); i < int32(rec.NumRows()); i++ {
			allowed[i] = sel == nil
		}
		for _, i := range sel {
			allowed[i] = true
		}
		for k, i := range out {
			if !allowed[i] || (k > 0 && out[k-1] >= i) {
				t.Fatalf("%s: Select(sel=%v) = %v: not an ascending subset", e, sel, out)
			}
		}
	})
}

// noPanic fails on errors that guard made out of a recovered panic: those
// are bugs, only hidden from users.
func noPanic(t *testing.T, e Expr, err error) {
	t.Helper()
	if err != nil && strings.HasPrefix(err.Error(), "expression evaluation failed") {
		t.Fatalf("%s: kernel panicked: %v", e, err)
	}
}
