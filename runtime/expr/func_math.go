package expr

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Math functions. The binder picks PostgreSQL's overload: abs keeps its
// argument's type; round, floor and ceil take DOUBLE PRECISION (integers
// are cast to it, as PostgreSQL resolves round(int)) or NUMERIC, whose
// result scale the binder sets (round(x, n) needs a constant n).
var mathFunctions = map[string]funcCompiler{
	"abs":   compileAbs,
	"round": compileRound,
	"floor": compileFloorCeil(roundFloor),
	"ceil":  compileFloorCeil(roundCeil),
}

type roundMode int

const (
	roundHalfAway roundMode = iota // numeric round: half away from zero
	roundFloor
	roundCeil
)

func compileAbs(args []node, f *Func) (node, error) {
	if err := checkArgs(f, args, 1, 1, func(_ int, t arrow.DataType) bool { return arithSupported(OpAdd, t) && t.ID() != arrow.DURATION }); err != nil {
		return nil, err
	}
	if k := strict(args, f); k != nil {
		return k, nil
	}
	t := args[0].dataType()
	if !arrow.TypeEqual(t, f.Type) {
		return nil, fmt.Errorf("abs(%s) yields %s, not %s", SQLTypeName(t), SQLTypeName(t), SQLTypeName(f.Type))
	}
	var k kernelFunc
	switch t.ID() {
	case arrow.INT8:
		k = mapFixed(t, absSigned[int8])
	case arrow.INT16:
		k = mapFixed(t, absSigned[int16])
	case arrow.INT32:
		k = mapFixed(t, absSigned[int32])
	case arrow.INT64:
		k = mapFixed(t, absSigned[int64])
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return args[0], nil
	case arrow.FLOAT32:
		k = mapFixed(t, func(x float32) (float32, error) { return float32(math.Abs(float64(x))), nil })
	case arrow.FLOAT64:
		k = mapFixed(t, func(x float64) (float64, error) { return math.Abs(x), nil })
	case arrow.DECIMAL128:
		k = mapFixed(t, func(x decimal128.Num) (decimal128.Num, error) { return x.Abs(), nil })
	default:
		return nil, fmt.Errorf("function abs does not take an argument of type %s", SQLTypeName(t))
	}
	return &funcNode{name: f.Name, args: args, t: t, k: k}, nil
}

func absSigned[T signed](x T) (T, error) {
	if x < 0 {
		if -x < 0 {
			return 0, errIntRange
		}
		return -x, nil
	}
	return x, nil
}

// mapFixed lifts a per-value function over a fixed-width array into a
// kernel; NULL slots are skipped so their arbitrary contents raise no
// errors.
func mapFixed[S, D fixedWidth](to arrow.DataType, fn func(S) (D, error)) kernelFunc {
	return func(mem memory.Allocator, arrs []arrow.Array) (arrow.Array, error) {
		a := arrs[0]
		src := values[S](a)
		valid := validity(a)
		buf, out := newFixed[D](mem, len(src))
		var zero D
		for i, x := range src {
			if !isValid(valid, i) {
				out[i] = zero
				continue
			}
			r, err := fn(x)
			if err != nil {
				buf.Release()
				return nil, err
			}
			out[i] = r
		}
		return fixedArray(mem, to, len(src), buf, valid), nil
	}
}

func compileFloorCeil(mode roundMode) funcCompiler {
	return func(args []node, f *Func) (node, error) {
		if err := checkArgs(f, args, 1, 1, func(_ int, t arrow.DataType) bool { return t.ID() == arrow.FLOAT64 || t.ID() == arrow.DECIMAL128 }); err != nil {
			return nil, err
		}
		if k := strict(args, f); k != nil {
			return k, nil
		}
		t := args[0].dataType()
		if t.ID() == arrow.FLOAT64 {
			fn := math.Floor
			if mode == roundCeil {
				fn = math.Ceil
			}
			return &funcNode{name: f.Name, args: args, t: t, k: mapFixed(t, func(x float64) (float64, error) { return fn(x), nil })}, nil
		}
		return decimalRounding(args, f, mode, 0)
	}
}

// round(double) rounds half to even (PostgreSQL's rint); round(numeric
// [, n]) rounds half away from zero to n decimal places (n < 0 rounds to
// tens, hundreds, ...). round(double, n) is an extension PostgreSQL does
// not have: it rounds the shortest decimal form of the value, half away
// from zero, so round(2.675, 2) is 2.68 as it is for the numeric 2.675.
func compileRound(args []node, f *Func) (node, error) {
	if err := checkArgs(f, args, 1, 2, func(i int, t arrow.DataType) bool {
		if i == 1 {
			return t.ID() == arrow.INT64
		}
		return t.ID() == arrow.FLOAT64 || t.ID() == arrow.DECIMAL128
	}); err != nil {
		return nil, err
	}
	if k := strict(args, f); k != nil {
		return k, nil
	}
	var places int64
	if len(args) == 2 {
		k, ok := args[1].(*constNode)
		if !ok {
			return nil, fmt.Errorf("round(x, n) needs a constant n")
		}
		places = k.s.Value.(int64)
	}
	if places < -38 || places > 38 {
		return nil, fmt.Errorf("round: %d decimal places is out of range (-38..38)", places)
	}
	t := args[0].dataType()
	if t.ID() == arrow.FLOAT64 {
		if len(args) == 1 {
			return &funcNode{name: f.Name, args: args[:1], t: t, k: mapFixed(t, func(x float64) (float64, error) { return math.RoundToEven(x), nil })}, nil
		}
		p := int(places)
		return &funcNode{name: f.Name, args: args[:1], t: t, k: mapFixed(t, func(x float64) (float64, error) { return roundFloatPlaces(x, p), nil })}, nil
	}
	return decimalRounding(args[:1], f, roundHalfAway, int32(places))
}

// decimalRounding rounds a decimal to places digits after the point (in
// mode) and returns it at the scale of f.Type, which must be able to hold
// the result.
func decimalRounding(args []node, f *Func, mode roundMode, places int32) (node, error) {
	in := args[0].dataType().(*arrow.Decimal128Type)
	out, ok := f.Type.(*arrow.Decimal128Type)
	if !ok || out.Scale < max(min(places, in.Scale), 0) {
		return nil, fmt.Errorf("%s of %s cannot yield %s", f.Name, SQLTypeName(in), SQLTypeName(f.Type))
	}
	drop := in.Scale - places // digits to remove (may exceed the scale when places < 0)
	prec := out.Precision
	return &funcNode{name: f.Name, args: args, t: out, k: mapFixed(out, func(x decimal128.Num) (decimal128.Num, error) {
		r := x
		if drop > 0 {
			r = decRound(x, drop, mode)
			// Back to the output scale: r counts units of 10^-places.
			r = r.IncreaseScaleBy(out.Scale - places)
		} else {
			r = r.IncreaseScaleBy(out.Scale - in.Scale)
		}
		if !r.FitsInPrecision(prec) {
			return decimal128.Num{}, errNumericOverflow
		}
		return r, nil
	})}, nil
}

// decRound divides v by 10^drop, rounding in mode.
func decRound(v decimal128.Num, drop int32, mode roundMode) decimal128.Num {
	if drop > 38 {
		// |v| < 10^38 <= 10^drop / 2: the quotient is 0 before rounding
		// and rounding half away cannot reach 1.
		switch {
		case mode == roundFloor && v.Sign() < 0:
			return decimal128.FromI64(-1)
		case mode == roundCeil && v.Sign() > 0:
			return decimal128.FromI64(1)
		}
		return decimal128.Num{}
	}
	m := decimal128.GetScaleMultiplier(int(drop))
	q, r := v.Div(m)
	if r.Sign() == 0 {
		return q
	}
	one := decimal128.FromI64(1)
	switch mode {
	case roundFloor:
		if v.Sign() < 0 {
			q = q.Sub(one)
		}
	case roundCeil:
		if v.Sign() > 0 {
			q = q.Add(one)
		}
	default:
		if r.Abs().Mul(decimal128.FromI64(2)).Cmp(m) >= 0 {
			if v.Sign() < 0 {
				q = q.Sub(one)
			} else {
				q = q.Add(one)
			}
		}
	}
	return q
}

// roundFloatPlaces rounds the shortest decimal representation of x half
// away from zero to places digits. It works on the exact decimal digits
// and reads the result back, so no binary multiplication error creeps in.
func roundFloatPlaces(x float64, places int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return x
	}
	text := strconv.FormatFloat(x, 'f', -1, 64)
	scale := 0
	if dot := strings.IndexByte(text, '.'); dot >= 0 {
		scale = len(text) - dot - 1
		text = text[:dot] + text[dot+1:]
	}
	if scale <= places {
		return x
	}
	num, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return x
	}
	q := divRound(num, pow10(int32(scale-places)))
	v, err := strconv.ParseFloat(q.String()+"e"+strconv.Itoa(-places), 64)
	if err != nil {
		return x
	}
	if v == 0 {
		return math.Copysign(0, x)
	}
	return v
}
