package expr

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// NULLIF(a, b) is NULL where a = b and a elsewhere; the binder gives both
// arguments the type of the implied = operator.
func compileNullif(args []node, f *Func) (node, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("NULLIF takes 2 arguments, not %d", len(args))
	}
	a, b := args[0], args[1]
	if isNullConst(a) {
		return &constNode{s: Null(f.Type)}, nil
	}
	if !arrow.TypeEqual(a.dataType(), f.Type) {
		return nil, fmt.Errorf("NULLIF argument has type %s, expected %s", SQLTypeName(a.dataType()), SQLTypeName(f.Type))
	}
	if isNullConst(b) {
		return a, nil // a = NULL is never true
	}
	if !arrow.TypeEqual(a.dataType(), b.dataType()) || !comparableType(a.dataType()) {
		return nil, fmt.Errorf("operator does not exist: %s = %s", SQLTypeName(a.dataType()), SQLTypeName(b.dataType()))
	}
	return &funcNode{name: "NULLIF", args: args, t: f.Type, k: nullifKernel}, nil
}

func nullifKernel(mem memory.Allocator, args []arrow.Array) (arrow.Array, error) {
	a, b := args[0], args[1]
	n := a.Len()
	eq := make([]byte, bitutil.BytesForBits(int64(n)))
	if err := bitsCmp(OpEq, a, b, eq); err != nil {
		return nil, err
	}
	av, bv := validity(a), validity(b)
	valid := make([]byte, len(eq))
	for i := range valid {
		e := eq[i]
		if bv != nil {
			e &= bv[i]
		}
		v := ^e
		if av != nil {
			v &= av[i]
		}
		valid[i] = v
	}
	return withValidity(mem, a, valid)
}

// GREATEST and LEAST return the largest (smallest) non-NULL argument, NULL
// only when every argument is NULL, as in PostgreSQL. NaN is larger than
// every other float.
func compileExtreme(greatest bool) funcCompiler {
	return func(args []node, f *Func) (node, error) {
		name := "LEAST"
		if greatest {
			name = "GREATEST"
		}
		var kept []node
		for _, a := range args {
			if isNullConst(a) {
				continue
			}
			if !arrow.TypeEqual(a.dataType(), f.Type) {
				return nil, fmt.Errorf("%s argument has type %s, expected %s", name, SQLTypeName(a.dataType()), SQLTypeName(f.Type))
			}
			kept = append(kept, a)
		}
		if !comparableType(f.Type) && len(kept) > 0 {
			return nil, fmt.Errorf("%s cannot compare values of type %s", name, SQLTypeName(f.Type))
		}
		switch len(kept) {
		case 0:
			return &constNode{s: Null(f.Type)}, nil
		case 1:
			return kept[0], nil
		}
		op := OpLt
		if greatest {
			op = OpGt
		}
		t := f.Type
		return &funcNode{name: name, args: kept, t: t, k: func(mem memory.Allocator, arrs []arrow.Array) (arrow.Array, error) {
			return extremeKernel(mem, op, t, arrs)
		}}, nil
	}
}

// extremeKernel folds the arguments pairwise: the running best is
// replaced wherever the next argument is non-NULL and beats it (or the
// best so far is NULL).
func extremeKernel(mem memory.Allocator, op Op, t arrow.DataType, arrs []arrow.Array) (arrow.Array, error) {
	best := arrs[0]
	best.Retain()
	n := best.Len()
	beats := make([]byte, bitutil.BytesForBits(int64(n)))
	which, at := make([]int32, n), make([]int32, n)
	for _, next := range arrs[1:] {
		clear(beats)
		if err := bitsCmp(op, next, best, beats); err != nil {
			best.Release()
			return nil, err
		}
		bv, nv := validity(best), validity(next)
		for i := 0; i < n; i++ {
			at[i] = int32(i)
			which[i] = 0
			switch {
			case !isValid(nv, i):
			case !isValid(bv, i), beats[i>>3]&(1<<(i&7)) != 0:
				which[i] = 1
			}
		}
		merged, err := interleave(mem, t, []arrow.Array{best, next}, which, at)
		best.Release()
		if err != nil {
			return nil, err
		}
		best = merged
	}
	return best, nil
}
