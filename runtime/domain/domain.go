// Package domain describes the values a column may take in the rows that can
// satisfy a query's filters: the Go form of DataFusion's LiteralGuarantee and
// Trino's TupleDomain.
//
// Generated providers analyse the filters pushed into a scan (see Analyze) and
// hand one Domain per column to the user's source, so a source asks
// "which regions?" with Values() or "which time span?" with Span() instead of
// walking expression trees.
package domain

import (
	"iter"
	"sort"
)

// Bound is one end of a Range. An Unbounded bound stands for -inf (as a low
// bound) or +inf (as a high bound) and its Value and Inclusive are ignored.
type Bound[T any] struct {
	Value     T
	Inclusive bool
	Unbounded bool
}

// Inclusive returns the bound that includes v.
func Inclusive[T any](v T) Bound[T] { return Bound[T]{Value: v, Inclusive: true} }

// Exclusive returns the bound that stops just short of v.
func Exclusive[T any](v T) Bound[T] { return Bound[T]{Value: v} }

// Unbounded returns the infinite bound (-inf low, +inf high).
func Unbounded[T any]() Bound[T] { return Bound[T]{Unbounded: true} }

// Range is the interval of non-NULL values between Low and High.
type Range[T any] struct {
	Low, High Bound[T]
}

// Point returns the range holding exactly v.
func Point[T any](v T) Range[T] { return Range[T]{Low: Inclusive(v), High: Inclusive(v)} }

// IsPoint reports whether r holds exactly one value.
func (r Range[T]) IsPoint(cmp func(a, b T) int) bool {
	return !r.Low.Unbounded && !r.High.Unbounded && r.Low.Inclusive && r.High.Inclusive &&
		cmp(r.Low.Value, r.High.Value) == 0
}

// Domain is the set of values a column may take in rows that can satisfy
// the filters: a union of disjoint, sorted ranges (a single value is
// [v, v]) plus whether NULL is allowed. It is an immutable value type; every
// operation returns a new Domain.
//
// The zero Domain is All: it constrains nothing. That keeps a source safe
// when generated code leaves a column's domain unset.
//
// Ranges are over the order given by cmp, with no notion of discreteness: on
// integers, (1, 2) is kept as a non-empty range. That makes a domain a
// superset of the exact answer at worst, which is what pruning needs.
type Domain[T any] struct {
	init   bool // false: the zero value, which means All
	ranges []Range[T]
	null   bool
	cmp    func(a, b T) int
}

// All returns the domain of every value and NULL.
func All[T any](cmp func(a, b T) int) Domain[T] {
	return Domain[T]{init: true, ranges: fullRange[T](), null: true, cmp: cmp}
}

// None returns the empty domain: no row can satisfy the filters.
func None[T any](cmp func(a, b T) int) Domain[T] {
	return Domain[T]{init: true, cmp: cmp}
}

// NotNull returns the domain of every non-NULL value.
func NotNull[T any](cmp func(a, b T) int) Domain[T] {
	return Domain[T]{init: true, ranges: fullRange[T](), cmp: cmp}
}

// OnlyNull returns the domain holding NULL and no value.
func OnlyNull[T any](cmp func(a, b T) int) Domain[T] {
	return Domain[T]{init: true, null: true, cmp: cmp}
}

// Single returns the domain holding exactly v (not NULL).
func Single[T any](cmp func(a, b T) int, v T) Domain[T] {
	return Domain[T]{init: true, ranges: []Range[T]{Point(v)}, cmp: cmp}
}

// FromValues returns the domain holding exactly the given values (not
// NULL); duplicates are merged. No values gives None.
func FromValues[T any](cmp func(a, b T) int, vs ...T) Domain[T] {
	rs := make([]Range[T], len(vs))
	for i, v := range vs {
		rs[i] = Point(v)
	}
	return FromRanges(cmp, false, rs...)
}

// FromRanges returns the union of the given ranges, plus NULL when
// nullAllowed. Ranges may overlap or be empty and come in any order.
func FromRanges[T any](cmp func(a, b T) int, nullAllowed bool, rs ...Range[T]) Domain[T] {
	d := Domain[T]{init: true, null: nullAllowed, cmp: cmp}
	d.ranges = d.normalize(append([]Range[T](nil), rs...))
	return d
}

func fullRange[T any]() []Range[T] {
	return []Range[T]{{Low: Unbounded[T](), High: Unbounded[T]()}}
}

// norm returns d with the zero value expanded to All.
func (d Domain[T]) norm() Domain[T] {
	if !d.init {
		return Domain[T]{init: true, ranges: fullRange[T](), null: true, cmp: d.cmp}
	}
	return d
}

// IsAll reports whether d constrains nothing (every value and NULL).
func (d Domain[T]) IsAll() bool {
	d = d.norm()
	return d.null && d.allValues()
}

func (d Domain[T]) allValues() bool {
	return len(d.ranges) == 1 && d.ranges[0].Low.Unbounded && d.ranges[0].High.Unbounded
}

// IsNone reports whether no row can satisfy the filters.
func (d Domain[T]) IsNone() bool {
	d = d.norm()
	return !d.null && len(d.ranges) == 0
}

// NullAllowed reports whether a NULL value may satisfy the filters.
func (d Domain[T]) NullAllowed() bool { return d.norm().null }

// WithNull returns d with NULL allowed or not.
func (d Domain[T]) WithNull(allowed bool) Domain[T] {
	d = d.norm()
	d.null = allowed
	return d
}

// Values returns the non-NULL values of d when d is a finite set of single
// values, in ascending order; ok is false when some range holds more than
// one value. None yields (empty, true): nothing needs reading. NULL is not
// among the values: check NullAllowed as well.
func (d Domain[T]) Values() (values []T, ok bool) {
	d = d.norm()
	values = make([]T, 0, len(d.ranges))
	for _, r := range d.ranges {
		if r.Low.Unbounded || r.High.Unbounded || !r.IsPoint(d.cmp) {
			return nil, false
		}
		values = append(values, r.Low.Value)
	}
	return values, true
}

// Ranges returns the disjoint ranges of non-NULL values, in ascending order.
// The caller may modify the returned slice.
func (d Domain[T]) Ranges() []Range[T] {
	return append([]Range[T](nil), d.norm().ranges...)
}

// EachRange yields the disjoint ranges of non-NULL values in ascending
// order, as Ranges returns them, without copying them: a source that
// loops over the ranges of every partition it reads allocates nothing
// for them.
func (d Domain[T]) EachRange() iter.Seq[Range[T]] {
	return func(yield func(Range[T]) bool) {
		if !d.init {
			yield(Range[T]{Low: Unbounded[T](), High: Unbounded[T]()})
			return
		}
		for _, r := range d.ranges {
			if !yield(r) {
				return
			}
		}
	}
}

// Span returns the smallest single range covering every non-NULL value of
// d; ok is false when d has no non-NULL value. A source reading a sorted
// store seeks to Span().Low and stops after Span().High.
func (d Domain[T]) Span() (span Range[T], ok bool) {
	d = d.norm()
	if len(d.ranges) == 0 {
		return Range[T]{}, false
	}
	return Range[T]{Low: d.ranges[0].Low, High: d.ranges[len(d.ranges)-1].High}, true
}

// Contains reports whether the non-NULL value v could satisfy the filters.
func (d Domain[T]) Contains(v T) bool {
	d = d.norm()
	// The first range whose high end is not below v is the only candidate.
	i := sort.Search(len(d.ranges), func(i int) bool { return !d.belowHigh(v, d.ranges[i].High) })
	if i == len(d.ranges) {
		return false
	}
	return d.aboveLow(v, d.ranges[i].Low)
}

// belowHigh reports whether v lies beyond the high bound h (v > h, or
// v == h with h exclusive); the inverted form keeps sort.Search monotone.
func (d Domain[T]) belowHigh(v T, h Bound[T]) bool {
	if h.Unbounded {
		return false
	}
	c := d.cmp(v, h.Value)
	return c > 0 || (c == 0 && !h.Inclusive)
}

// aboveLow reports whether v is at or above the low bound l.
func (d Domain[T]) aboveLow(v T, l Bound[T]) bool {
	if l.Unbounded {
		return true
	}
	c := d.cmp(v, l.Value)
	return c > 0 || (c == 0 && l.Inclusive)
}

// Overlaps reports whether some non-NULL value between lo and hi (each
// inclusive, exclusive or unbounded) is in d. Providers use it to prune a
// range partition or a chunk by its min/max statistics: when it returns
// false, no row of the chunk can satisfy the filters.
func (d Domain[T]) Overlaps(lo, hi Bound[T]) bool {
	d = d.norm()
	q := Range[T]{Low: lo, High: hi}
	if d.emptyRange(q) {
		return false
	}
	for _, r := range d.ranges {
		if !d.emptyRange(d.intersectRange(r, q)) {
			return true
		}
	}
	return false
}

// Equal reports whether d and o hold the same values and agree on NULL.
func (d Domain[T]) Equal(o Domain[T]) bool {
	d, o = d.norm(), o.norm()
	if d.null != o.null || len(d.ranges) != len(o.ranges) {
		return false
	}
	if d.cmp == nil {
		d.cmp = o.cmp
	}
	for i := range d.ranges {
		if d.cmpLow(d.ranges[i].Low, o.ranges[i].Low) != 0 || d.cmpHigh(d.ranges[i].High, o.ranges[i].High) != 0 {
			return false
		}
	}
	return true
}

// Map converts d to another value type through f, which must be strictly
// increasing (order-preserving and injective) on d's values, as the
// conversions generated code applies are (a string Scalar to string, a
// timestamp Scalar to time.Time). cmp orders the new values.
func Map[T, U any](d Domain[T], f func(T) U, cmp func(a, b U) int) Domain[U] {
	d = d.norm()
	mb := func(b Bound[T]) Bound[U] {
		if b.Unbounded {
			return Unbounded[U]()
		}
		return Bound[U]{Value: f(b.Value), Inclusive: b.Inclusive}
	}
	rs := make([]Range[U], len(d.ranges))
	for i, r := range d.ranges {
		rs[i] = Range[U]{Low: mb(r.Low), High: mb(r.High)}
	}
	return FromRanges(cmp, d.null, rs...)
}
