package domain

import "slices"

// cmpLow orders two low bounds by the smallest value they admit.
func (d Domain[T]) cmpLow(a, b Bound[T]) int {
	switch {
	case a.Unbounded && b.Unbounded:
		return 0
	case a.Unbounded:
		return -1
	case b.Unbounded:
		return 1
	}
	if c := d.cmp(a.Value, b.Value); c != 0 {
		return c
	}
	return boolOrder(b.Inclusive, a.Inclusive) // inclusive admits more, so sorts first
}

// cmpHigh orders two high bounds by the largest value they admit.
func (d Domain[T]) cmpHigh(a, b Bound[T]) int {
	switch {
	case a.Unbounded && b.Unbounded:
		return 0
	case a.Unbounded:
		return 1
	case b.Unbounded:
		return -1
	}
	if c := d.cmp(a.Value, b.Value); c != 0 {
		return c
	}
	return boolOrder(a.Inclusive, b.Inclusive)
}

func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// emptyRange reports whether r admits no value.
func (d Domain[T]) emptyRange(r Range[T]) bool {
	if r.Low.Unbounded || r.High.Unbounded {
		return false
	}
	c := d.cmp(r.Low.Value, r.High.Value)
	return c > 0 || (c == 0 && !(r.Low.Inclusive && r.High.Inclusive))
}

// intersectRange keeps the tighter bound at each end; the result may be empty.
func (d Domain[T]) intersectRange(a, b Range[T]) Range[T] {
	r := a
	if d.cmpLow(b.Low, a.Low) > 0 {
		r.Low = b.Low
	}
	if d.cmpHigh(b.High, a.High) < 0 {
		r.High = b.High
	}
	return r
}

// touches reports whether a range ending at h and a later one starting at l
// overlap or meet, so that their union is one range.
func (d Domain[T]) touches(h, l Bound[T]) bool {
	if h.Unbounded || l.Unbounded {
		return true
	}
	c := d.cmp(h.Value, l.Value)
	return c > 0 || (c == 0 && (h.Inclusive || l.Inclusive))
}

// normalize sorts rs, drops empty ranges and merges the ones that overlap
// or meet, giving the canonical form every Domain holds.
func (d Domain[T]) normalize(rs []Range[T]) []Range[T] {
	rs = slices.DeleteFunc(rs, d.emptyRange)
	slices.SortFunc(rs, func(a, b Range[T]) int { return d.cmpLow(a.Low, b.Low) })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && d.touches(out[n-1].High, r.Low) {
			if d.cmpHigh(r.High, out[n-1].High) > 0 {
				out[n-1].High = r.High
			}
			continue
		}
		out = append(out, r)
	}
	return slices.Clip(out)
}

// pick returns the comparison function of whichever domain has one, so
// that operations with the zero Domain keep working.
func pick[T any](d, o Domain[T]) func(a, b T) int {
	if d.cmp != nil {
		return d.cmp
	}
	return o.cmp
}

// Intersect returns the values in both d and o: the domain of a
// conjunction.
func (d Domain[T]) Intersect(o Domain[T]) Domain[T] {
	d, o = d.norm(), o.norm()
	out := Domain[T]{init: true, null: d.null && o.null, cmp: pick(d, o)}
	i, j := 0, 0
	for i < len(d.ranges) && j < len(o.ranges) {
		if r := out.intersectRange(d.ranges[i], o.ranges[j]); !out.emptyRange(r) {
			out.ranges = append(out.ranges, r)
		}
		// The range ending first cannot meet anything after the other.
		if out.cmpHigh(d.ranges[i].High, o.ranges[j].High) < 0 {
			i++
		} else {
			j++
		}
	}
	return out
}

// Union returns the values in d or o: the domain of a disjunction.
func (d Domain[T]) Union(o Domain[T]) Domain[T] {
	d, o = d.norm(), o.norm()
	out := Domain[T]{init: true, null: d.null || o.null, cmp: pick(d, o)}
	out.ranges = out.normalize(append(slices.Clone(d.ranges), o.ranges...))
	return out
}

// UnionAll returns the values in any of ds (the empty domain for none).
// It normalises once, so a disjunction of n terms costs O(n log n)
// instead of the O(n² log n) of n pairwise unions.
func UnionAll[T any](ds []Domain[T]) Domain[T] {
	var out Domain[T]
	var rs []Range[T]
	for _, d := range ds {
		d = d.norm()
		out.init = true
		out.null = out.null || d.null
		if out.cmp == nil {
			out.cmp = d.cmp
		}
		rs = append(rs, d.ranges...)
	}
	out.init = true // no domains: the empty domain
	out.ranges = out.normalize(rs)
	return out
}

// Complement returns every value not in d, with NULL allowed exactly when
// d does not allow it.
//
// Note that the complement of a filter's domain is not the domain of the
// negated filter under SQL's three-valued logic (NOT (x = 1) rejects NULL,
// like x = 1 does); Analyze negates expressions, not domains.
func (d Domain[T]) Complement() Domain[T] {
	d = d.norm()
	out := Domain[T]{init: true, null: !d.null, cmp: d.cmp}
	low := Unbounded[T]()
	for _, r := range d.ranges {
		if !r.Low.Unbounded {
			gap := Range[T]{Low: low, High: Bound[T]{Value: r.Low.Value, Inclusive: !r.Low.Inclusive}}
			if !out.emptyRange(gap) {
				out.ranges = append(out.ranges, gap)
			}
		}
		if r.High.Unbounded {
			return out
		}
		low = Bound[T]{Value: r.High.Value, Inclusive: !r.High.Inclusive}
	}
	out.ranges = append(out.ranges, Range[T]{Low: low, High: Unbounded[T]()})
	return out
}
