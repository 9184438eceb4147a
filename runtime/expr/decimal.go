package expr

import (
	"errors"
	"math/big"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Decimal arithmetic goes through math/big except for the common
// same-scale addition and subtraction: it is correct first, and decimal
// columns are rarely the hot path of a filter.

var errNumericOverflow = errors.New("numeric field overflow")

var bigTen = big.NewInt(10)

func pow10(n int32) *big.Int {
	return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
}

// divRound divides num by den rounding half away from zero, as
// PostgreSQL's numeric does.
func divRound(num, den *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() == 0 {
		return q
	}
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	if twice.Cmp(new(big.Int).Abs(den)) >= 0 {
		if (num.Sign() < 0) != (den.Sign() < 0) {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// rescaleBig changes the scale of v, rounding when digits are dropped.
func rescaleBig(v *big.Int, from, to int32) *big.Int {
	switch {
	case to > from:
		return new(big.Int).Mul(v, pow10(to-from))
	case to < from:
		return divRound(v, pow10(from-to))
	}
	return v
}

// fromBig converts back to a Num, checking the target precision.
func fromBig(v *big.Int, prec int32) (decimal128.Num, error) {
	if v.BitLen() > 127 {
		return decimal128.Num{}, errNumericOverflow
	}
	n := decimal128.FromBigInt(v)
	if !n.FitsInPrecision(prec) {
		return decimal128.Num{}, errNumericOverflow
	}
	return n, nil
}

// decArith computes x op y for decimals with scales sx, sy into a result
// of precision rp and scale rs.
func decArith(op Op, x, y decimal128.Num, sx, sy, rp, rs int32) (decimal128.Num, error) {
	if (op == OpAdd || op == OpSub) && sx == rs && sy == rs {
		var r decimal128.Num
		if op == OpAdd {
			r = x.Add(y)
		} else {
			r = x.Sub(y)
		}
		// Same-sign overflow of the 128-bit sum shows as a sign flip.
		if (op == OpAdd && x.Sign() == y.Sign() && x.Sign() != 0 && r.Sign() != x.Sign()) ||
			(op == OpSub && x.Sign() != y.Sign() && y.Sign() != 0 && x.Sign() != 0 && r.Sign() != x.Sign()) ||
			!r.FitsInPrecision(rp) {
			return decimal128.Num{}, errNumericOverflow
		}
		return r, nil
	}
	a, b := x.BigInt(), y.BigInt()
	var r *big.Int
	switch op {
	case OpAdd, OpSub, OpMod:
		m := max(sx, sy)
		a, b = rescaleBig(a, sx, m), rescaleBig(b, sy, m)
		switch op {
		case OpAdd:
			r = new(big.Int).Add(a, b)
		case OpSub:
			r = new(big.Int).Sub(a, b)
		default:
			if b.Sign() == 0 {
				return decimal128.Num{}, errDivZero
			}
			r = new(big.Int).Rem(a, b)
		}
		r = rescaleBig(r, m, rs)
	case OpMul:
		r = rescaleBig(new(big.Int).Mul(a, b), sx+sy, rs)
	case OpDiv:
		if b.Sign() == 0 {
			return decimal128.Num{}, errDivZero
		}
		// PostgreSQL rounds each quotient at a scale of its own
		// (divScale); the result type's scale rs holds it, with trailing
		// zeros, unless the type cannot (then rs rounds it).
		qs := min(divScale(a, sx, b, sy), rs)
		// a/10^sx / (b/10^sy) * 10^qs = a * 10^(qs+sy-sx) / b
		e := qs + sy - sx
		if e >= 0 {
			a = new(big.Int).Mul(a, pow10(e))
		} else {
			b = new(big.Int).Mul(b, pow10(-e))
		}
		r = rescaleBig(divRound(a, b), qs, rs)
	default:
		return decimal128.Num{}, errors.New("unsupported arithmetic operator")
	}
	return fromBig(r, rp)
}

// divScale is the scale PostgreSQL's numeric division gives x/10^sx
// divided by y/10^sy (select_div_scale): enough fractional digits for 16
// significant ones, judged by the base-10000 weight and first digit of
// each operand, and no fewer than either operand's scale.
func divScale(x *big.Int, sx int32, y *big.Int, sy int32) int32 {
	w1, d1 := nbaseLead(x, sx)
	w2, d2 := nbaseLead(y, sy)
	qweight := w1 - w2
	if d1 <= d2 {
		qweight--
	}
	return max(16-qweight*4, sx, sy, 0)
}

// nbaseLead returns the weight (power of 10000) and value of the leading
// base-10000 digit of v/10^scale, as PostgreSQL's numeric stores it; 0, 0
// for zero.
func nbaseLead(v *big.Int, scale int32) (weight, digit int32) {
	if v.Sign() == 0 {
		return 0, 0
	}
	text := new(big.Int).Abs(v).String()
	e10 := int32(len(text)) - 1 - scale // |v| is in [10^e10, 10^(e10+1))
	weight = e10 / 4
	if e10 < 0 && e10%4 != 0 {
		weight-- // floor division
	}
	n := e10 - 4*weight + 1 // the leading digit's decimal digits, 1..4
	d, _ := strconv.Atoi(text[:min(int(n), len(text))])
	for i := int32(len(text)); i < n; i++ {
		d *= 10
	}
	return weight, int32(d)
}
