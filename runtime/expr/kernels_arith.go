package expr

import (
	"errors"
	"math"
	"unsafe"
)

// Arithmetic kernels write out[i] = a[i] op b[i] (b[0] for every row when
// bConst). They check overflow the way PostgreSQL does, erroring instead of
// wrapping. Overflow is accumulated branch-free over the whole batch and
// only when it fires are rows re-checked against validity, because null
// slots hold arbitrary values that must not raise errors.

var (
	errDivZero  = errors.New("division by zero")
	errIntRange = errors.New("integer out of range")
)

func minSigned[T signed]() T {
	var one T = 1
	return one << (unsafe.Sizeof(one)*8 - 1)
}

// halfRange is 2^(bits/2-1): products of values strictly inside
// (-halfRange, halfRange) cannot overflow T.
func halfRange[T signed]() T {
	var one T = 1
	return one << (unsafe.Sizeof(one)*4 - 1)
}

func bAt[T any](b []T, bConst bool, i int) T {
	if bConst {
		return b[0]
	}
	return b[i]
}

// firstBad reports whether some valid row i of n makes bad(i) true.
func firstBad(n int, valid []byte, bad func(i int) bool) bool {
	for i := 0; i < n; i++ {
		if isValid(valid, i) && bad(i) {
			return true
		}
	}
	return false
}

func arithSigned[T signed](op Op, a, b []T, bConst bool, out []T, valid []byte) error {
	n := len(a)
	if !bConst {
		b = b[:n]
	}
	out = out[:n]
	switch op {
	case OpAdd:
		var ovf T
		if bConst {
			c := b[0]
			for i, x := range a {
				r := x + c
				out[i] = r
				ovf |= (r ^ x) & (r ^ c)
			}
		} else {
			for i, x := range a {
				y := b[i]
				r := x + y
				out[i] = r
				ovf |= (r ^ x) & (r ^ y)
			}
		}
		if ovf < 0 && firstBad(n, valid, func(i int) bool {
			x, y := a[i], bAt(b, bConst, i)
			r := x + y
			return (r^x)&(r^y) < 0
		}) {
			return errIntRange
		}
	case OpSub:
		var ovf T
		if bConst {
			c := b[0]
			for i, x := range a {
				r := x - c
				out[i] = r
				ovf |= (x ^ c) & (x ^ r)
			}
		} else {
			for i, x := range a {
				y := b[i]
				r := x - y
				out[i] = r
				ovf |= (x ^ y) & (x ^ r)
			}
		}
		if ovf < 0 && firstBad(n, valid, func(i int) bool {
			x, y := a[i], bAt(b, bConst, i)
			return (x^y)&(x^(x-y)) < 0
		}) {
			return errIntRange
		}
	case OpMul:
		h := halfRange[T]()
		mn := minSigned[T]()
		bad := func(x, y T) bool {
			if x > -h && x < h && y > -h && y < h {
				return false
			}
			if x == 0 || y == 0 {
				return false
			}
			if (x == -1 && y == mn) || (y == -1 && x == mn) {
				return true
			}
			return (x*y)/x != y
		}
		suspect := false
		for i, x := range a {
			y := bAt(b, bConst, i)
			out[i] = x * y
			suspect = suspect || !(x > -h && x < h && y > -h && y < h)
		}
		if suspect && firstBad(n, valid, func(i int) bool { return bad(a[i], bAt(b, bConst, i)) }) {
			return errIntRange
		}
	case OpDiv, OpMod:
		mn := minSigned[T]()
		for i, x := range a {
			y := bAt(b, bConst, i)
			switch {
			case y == 0:
				if isValid(valid, i) {
					return errDivZero
				}
				out[i] = 0
			case y == -1:
				// Go's x / -1 wraps for the minimum value; PostgreSQL errors.
				if op == OpMod {
					out[i] = 0
				} else if x == mn && isValid(valid, i) {
					return errIntRange
				} else {
					out[i] = -x
				}
			case op == OpDiv:
				out[i] = x / y
			default:
				out[i] = x % y
			}
		}
	default:
		return errors.New("unsupported arithmetic operator")
	}
	return nil
}

func arithUnsigned[T unsigned](op Op, a, b []T, bConst bool, out []T, valid []byte) error {
	n := len(a)
	if !bConst {
		b = b[:n]
	}
	out = out[:n]
	switch op {
	case OpAdd:
		ovf := false
		for i, x := range a {
			r := x + bAt(b, bConst, i)
			out[i] = r
			ovf = ovf || r < x
		}
		if ovf && firstBad(n, valid, func(i int) bool { return a[i]+bAt(b, bConst, i) < a[i] }) {
			return errIntRange
		}
	case OpSub:
		ovf := false
		for i, x := range a {
			y := bAt(b, bConst, i)
			out[i] = x - y
			ovf = ovf || x < y
		}
		if ovf && firstBad(n, valid, func(i int) bool { return a[i] < bAt(b, bConst, i) }) {
			return errIntRange
		}
	case OpMul:
		var one T = 1
		h := one << (unsafe.Sizeof(one) * 4)
		suspect := false
		for i, x := range a {
			y := bAt(b, bConst, i)
			out[i] = x * y
			suspect = suspect || x >= h || y >= h
		}
		if suspect && firstBad(n, valid, func(i int) bool {
			x, y := a[i], bAt(b, bConst, i)
			return x != 0 && (x*y)/x != y
		}) {
			return errIntRange
		}
	case OpDiv, OpMod:
		for i, x := range a {
			y := bAt(b, bConst, i)
			switch {
			case y == 0:
				if isValid(valid, i) {
					return errDivZero
				}
				out[i] = 0
			case op == OpDiv:
				out[i] = x / y
			default:
				out[i] = x % y
			}
		}
	default:
		return errors.New("unsupported arithmetic operator")
	}
	return nil
}

func arithFloat[T float](op Op, a, b []T, bConst bool, out []T, valid []byte) error {
	n := len(a)
	if !bConst {
		b = b[:n]
	}
	out = out[:n]
	switch op {
	case OpAdd:
		if bConst {
			c := b[0]
			for i, x := range a {
				out[i] = x + c
			}
		} else {
			for i, x := range a {
				out[i] = x + b[i]
			}
		}
	case OpSub:
		if bConst {
			c := b[0]
			for i, x := range a {
				out[i] = x - c
			}
		} else {
			for i, x := range a {
				out[i] = x - b[i]
			}
		}
	case OpMul:
		if bConst {
			c := b[0]
			for i, x := range a {
				out[i] = x * c
			}
		} else {
			for i, x := range a {
				out[i] = x * b[i]
			}
		}
	case OpDiv, OpMod:
		for i, x := range a {
			y := bAt(b, bConst, i)
			if y == 0 && isValid(valid, i) {
				return errDivZero
			}
			if op == OpDiv {
				out[i] = x / y
			} else {
				out[i] = T(math.Mod(float64(x), float64(y)))
			}
		}
	default:
		return errors.New("unsupported arithmetic operator")
	}
	return nil
}

func negateSigned[T signed](a, out []T, valid []byte) error {
	mn := minSigned[T]()
	hit := false
	for i, x := range a {
		out[i] = -x
		hit = hit || x == mn
	}
	if hit && firstBad(len(a), valid, func(i int) bool { return a[i] == mn }) {
		return errIntRange
	}
	return nil
}

func negateUnsigned[T unsigned](a, out []T, valid []byte) error {
	for i, x := range a {
		if x != 0 && isValid(valid, i) {
			return errIntRange
		}
		out[i] = 0
	}
	return nil
}

func negateFloat[T float](a, out []T, _ []byte) error {
	for i, x := range a {
		out[i] = -x
	}
	return nil
}
