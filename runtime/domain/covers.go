package domain

// Covers reports whether every non-NULL value between lo and hi (each
// inclusive, exclusive or unbounded) is in d: the opposite question to
// Overlaps. The planner uses it with a partition's exact min/max to learn
// that a filter holds for every row of the partition, so the partition's
// statistics describe the filtered rows too. It may answer false for a
// range that two adjacent ranges of d cover together (a sound answer:
// false only costs a scan).
func (d Domain[T]) Covers(lo, hi Bound[T]) bool {
	d = d.norm()
	q := Range[T]{Low: lo, High: hi}
	if d.emptyRange(q) {
		return true
	}
	for _, r := range d.ranges {
		if d.lowAtMost(r.Low, q.Low) && d.highAtLeast(r.High, q.High) {
			return true
		}
	}
	return false
}

// lowAtMost reports whether the low bound a starts at or before b.
func (d Domain[T]) lowAtMost(a, b Bound[T]) bool {
	switch {
	case a.Unbounded:
		return true
	case b.Unbounded:
		return false
	}
	c := d.cmp(a.Value, b.Value)
	return c < 0 || (c == 0 && (a.Inclusive || !b.Inclusive))
}

// highAtLeast reports whether the high bound a ends at or after b.
func (d Domain[T]) highAtLeast(a, b Bound[T]) bool {
	switch {
	case a.Unbounded:
		return true
	case b.Unbounded:
		return false
	}
	c := d.cmp(a.Value, b.Value)
	return c > 0 || (c == 0 && (a.Inclusive || !b.Inclusive))
}
