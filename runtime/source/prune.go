package source

import (
	"fmt"
	"slices"

	"github.com/tpgen/tpgen/runtime/domain"
)

// Pruning decides, from a partition's metadata alone, whether it can hold
// a row satisfying the scan's filters. Every function here answers true
// (keep) whenever it cannot be sure, so pruning never drops a match.

// KeyIn reports whether a partition whose key column holds v can match d.
func KeyIn[T any](d domain.Domain[T], v T) bool { return d.Contains(v) }

// NullKeyIn is KeyIn for a nullable key column.
func NullKeyIn[T any](d domain.Domain[T], v Null[T]) bool { return v.In(d) }

// RangeOverlaps reports whether a range partition covering [low, high)
// can match d. NULLs are in no range, so a domain allowing NULL keeps every
// partition.
func RangeOverlaps[T any](d domain.Domain[T], low, high T) bool {
	return d.NullAllowed() || d.Overlaps(domain.Inclusive(low), domain.Exclusive(high))
}

// MinMax is an optional statistic of one column in one partition: every
// non-NULL value lies in [Min, Max] (Valid), and the column holds Nulls
// NULLs (NullsKnown). Leave a part zero when unknown: Valid false, or
// NullsKnown false.
type MinMax[T any] struct {
	Min, Max T
	Valid    bool
	// Nulls is the number of NULLs in the column, when NullsKnown.
	Nulls      int64
	NullsKnown bool
}

// Overlaps reports whether a partition with these statistics can match d:
// a domain that allows NULL matches unless the partition is known to hold
// none, and then, like any other, only when [Min, Max] overlaps it.
func (m MinMax[T]) Overlaps(d domain.Domain[T]) bool {
	if d.NullAllowed() && (!m.NullsKnown || m.Nulls > 0) {
		return true
	}
	return !m.Valid || d.Overlaps(domain.Inclusive(m.Min), domain.Inclusive(m.Max))
}

// SortRanges orders range partitions by their low bound, as the declared
// range partitioning promises the engine, and checks that each covers a
// non-empty range of column and that no two overlap. bounds returns a
// partition's [low, high). Generated code calls it on every listed
// partition, before pruning, so a partition whose bounds were left zero is
// an error rather than silently skipped.
func SortRanges[P, T any](parts []P, column string, bounds func(*P) (low, high T), cmp func(a, b T) int) error {
	slices.SortStableFunc(parts, func(a, b P) int {
		la, _ := bounds(&a)
		lb, _ := bounds(&b)
		return cmp(la, lb)
	})
	for i := range parts {
		low, high := bounds(&parts[i])
		if cmp(low, high) >= 0 {
			return fmt.Errorf("range partition with an empty range of %s: Low %v is not below High %v "+
				"(set Low and High so that Low <= %s < High for every row of the partition)", column, low, high, column)
		}
		if i > 0 {
			prevLow, prevHigh := bounds(&parts[i-1])
			if cmp(prevHigh, low) > 0 {
				return fmt.Errorf("range partitions overlap on %s: [%v, %v) and [%v, %v)", column, prevLow, prevHigh, low, high)
			}
		}
	}
	return nil
}
