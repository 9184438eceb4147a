package expr

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Benchmarks of the conditional and string kernels over one 64K-row batch
// against the loop a person would write for the one expression (the
// floor: no Arrow output, no NULL handling beyond what the expression
// needs). Run with
//
//	go test ./runtime/expr -run XXX -bench 'Case|Coalesce|Lower|Substr' -benchtime=200x -count 3

// funcBatch is x int64 in [0, 1000), n int64 NULL every fourth row, s a
// short lower/upper-case word.
func funcBatch(b *testing.B) arrow.RecordBatch {
	b.Helper()
	mem := memory.DefaultAllocator
	xb, nb, sb := array.NewInt64Builder(mem), array.NewInt64Builder(mem), array.NewStringBuilder(mem)
	defer xb.Release()
	defer nb.Release()
	defer sb.Release()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range benchRows {
		xb.Append(r.Int64N(1000))
		if i%4 == 3 {
			nb.AppendNull()
		} else {
			nb.Append(int64(i))
		}
		sb.Append(fmt.Sprintf("Word%dX", r.IntN(100000)))
	}
	cols := []arrow.Array{xb.NewArray(), nb.NewArray(), sb.NewArray()}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: tI64}, {Name: "n", Type: tI64, Nullable: true}, {Name: "s", Type: tStr},
	}, nil)
	rec := array.NewRecordBatch(schema, cols, benchRows)
	for _, c := range cols {
		c.Release()
	}
	return rec
}

func benchFunc(b *testing.B, e Expr) {
	rec := funcBatch(b)
	defer rec.Release()
	c, err := Compile(e, rec.Schema())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		a, err := c.Eval(memory.DefaultAllocator, rec, nil)
		if err != nil {
			b.Fatal(err)
		}
		a.Release()
	}
}

func caseExpr() Expr {
	x := &Column{Name: "x", Type: tI64}
	return &Case{Type: tI64, Whens: []When{{Cond: bin(OpGt, x, lt(tI64, int64(500))), Result: x}}, Else: lt(tI64, int64(0))}
}

func BenchmarkCase(b *testing.B) { benchFunc(b, caseExpr()) }

func BenchmarkHandLoopCase(b *testing.B) {
	rec := funcBatch(b)
	defer rec.Release()
	x := rec.Column(0).(*array.Int64).Int64Values()
	out := make([]int64, len(x))
	for b.Loop() {
		handCase(x, out)
	}
}

func handCase(x, out []int64) {
	for i, v := range x {
		if v > 500 {
			out[i] = v
		} else {
			out[i] = 0
		}
	}
}

func BenchmarkCoalesce(b *testing.B) {
	benchFunc(b, &Func{Name: "coalesce", Type: tI64, Args: []Expr{&Column{Name: "n", Type: tI64}, lt(tI64, int64(0))}})
}

func BenchmarkHandLoopCoalesce(b *testing.B) {
	rec := funcBatch(b)
	defer rec.Release()
	n := rec.Column(1).(*array.Int64)
	out := make([]int64, n.Len())
	for b.Loop() {
		handCoalesce(n, out)
	}
}

func handCoalesce(n *array.Int64, out []int64) {
	v := n.Int64Values()
	for i := range out {
		if n.IsValid(i) {
			out[i] = v[i]
		} else {
			out[i] = 0
		}
	}
}

func BenchmarkLower(b *testing.B) {
	benchFunc(b, &Func{Name: "lower", Type: tStr, Args: []Expr{&Column{Name: "s", Type: tStr}}})
}

func BenchmarkHandLoopLower(b *testing.B) {
	rec := funcBatch(b)
	defer rec.Release()
	s := rec.Column(2).(*array.String)
	out := make([]string, s.Len())
	for b.Loop() {
		handLower(s, out)
	}
}

func handLower(s *array.String, out []string) {
	for i := range out {
		out[i] = strings.ToLower(s.Value(i))
	}
}

func BenchmarkSubstr(b *testing.B) {
	benchFunc(b, &Func{Name: "substr", Type: tStr, Args: []Expr{&Column{Name: "s", Type: tStr}, lt(tI64, int64(2)), lt(tI64, int64(3))}})
}

func BenchmarkHandLoopSubstr(b *testing.B) {
	rec := funcBatch(b)
	defer rec.Release()
	s := rec.Column(2).(*array.String)
	out := make([]string, s.Len())
	for b.Loop() {
		handSubstr(s, out)
	}
}

// handSubstr is substr(s, 2, 3) for ASCII text.
func handSubstr(s *array.String, out []string) {
	for i := range out {
		v := s.Value(i)
		out[i] = v[min(1, len(v)):min(4, len(v))]
	}
}

func BenchmarkCaseLazy(b *testing.B) {
	eagerCase = false
	defer func() { eagerCase = true }()
	benchFunc(b, caseExpr())
}
