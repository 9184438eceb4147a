package source

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/domain"
	"github.com/tpgen/tpgen/runtime/expr"
)

// DomainOf returns the values column may take in rows satisfying every
// filter, as a domain over the column's Go type. Filters on other columns,
// and filters in forms Supports does not take, leave it unconstrained, so
// the result is always sound: a value outside it satisfies no row of the
// query. For filters Supports answers Exact it is also exact, which is
// what lets a source promise to apply them fully.
func DomainOf[T any](filters []expr.Expr, column string, t Type[T]) domain.Domain[T] {
	d := domain.All(t.Compare)
	for _, f := range filters {
		p, ok := parsePredicate(f)
		if !ok || p.column != column {
			continue
		}
		d = d.Intersect(predicateDomain(p, t))
	}
	return d
}

// predicateDomain is the set of values satisfying p. When a literal does
// not convert it falls back to All, which is sound (never prunes a match).
func predicateDomain[T any](p predicate, t Type[T]) domain.Domain[T] {
	all, none := domain.All(t.Compare), domain.None(t.Compare)
	conv := func(s expr.Scalar) (T, bool) { return t.FromScalar(s) }
	switch p.op {
	case OpIsNull:
		return domain.OnlyNull(t.Compare)
	case OpIsNotNull:
		return domain.NotNull(t.Compare)
	case OpIn, OpNotIn:
		var vs []T
		for _, s := range p.values {
			if s.Null {
				if p.op == OpNotIn { // x NOT IN (.., NULL) is never true
					return none
				}
				continue // x IN (.., NULL) is true only through the other values
			}
			v, ok := conv(s)
			if !ok {
				return all
			}
			vs = append(vs, v)
		}
		in := domain.FromValues(t.Compare, vs...)
		if p.op == OpIn {
			return in
		}
		return complement(in)
	case OpPrefix:
		return prefixDomain(p, t)
	}
	for _, s := range p.values {
		if s.Null { // comparisons with NULL are never true
			return none
		}
	}
	v, ok := conv(p.values[0])
	if !ok {
		return all
	}
	var r domain.Range[T]
	switch p.op {
	case OpEq:
		return domain.Single(t.Compare, v)
	case OpNe:
		return complement(domain.Single(t.Compare, v))
	case OpLt:
		r = domain.Range[T]{Low: domain.Unbounded[T](), High: domain.Exclusive(v)}
	case OpLe:
		r = domain.Range[T]{Low: domain.Unbounded[T](), High: domain.Inclusive(v)}
	case OpGt:
		r = domain.Range[T]{Low: domain.Exclusive(v), High: domain.Unbounded[T]()}
	case OpGe:
		r = domain.Range[T]{Low: domain.Inclusive(v), High: domain.Unbounded[T]()}
	case OpGe | OpLe:
		hi, ok := conv(p.values[1])
		if !ok {
			return all
		}
		r = domain.Range[T]{Low: domain.Inclusive(v), High: domain.Inclusive(hi)}
	default:
		return all
	}
	return domain.FromRanges(t.Compare, false, r)
}

// prefixDomain is [prefix, successor) where successor is the smallest
// string above every string starting with prefix: the prefix with its last
// byte below 0xff incremented (and what follows dropped).
func prefixDomain[T any](p predicate, t Type[T]) domain.Domain[T] {
	prefix := p.values[0].Value.(string)
	bound := func(s string) expr.Scalar {
		if isBinary(p.colExp.Type) {
			return expr.Bytes([]byte(s))
		}
		return expr.String(s)
	}
	lo, ok := t.FromScalar(bound(prefix))
	if !ok {
		return domain.All(t.Compare)
	}
	r := domain.Range[T]{Low: domain.Inclusive(lo), High: domain.Unbounded[T]()}
	b := []byte(prefix)
	for len(b) > 0 && b[len(b)-1] == 0xff {
		b = b[:len(b)-1]
	}
	if len(b) > 0 {
		b[len(b)-1]++
		if hi, ok := t.FromScalar(bound(string(b))); ok {
			r.High = domain.Exclusive(hi)
		}
	}
	return domain.FromRanges(t.Compare, false, r)
}

func isBinary(t arrow.DataType) bool {
	return t != nil && (t.ID() == arrow.BINARY || t.ID() == arrow.LARGE_BINARY)
}

// complement returns the non-NULL values outside d: NULL never satisfies a
// negated comparison.
func complement[T any](d domain.Domain[T]) domain.Domain[T] {
	return d.Complement().WithNull(false)
}
