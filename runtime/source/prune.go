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
func NullKeyIn[T any](d domain.Domain[T], v Null[T]) bool {
	if !v.Valid {
		return d.NullAllowed()
	}
	return d.Contains(v.V)
}

// RangeOverlaps reports whether a range partition covering [low, high)
// can match d. NULLs are in no range, so a domain allowing NULL keeps every
// partition.
func RangeOverlaps[T any](d domain.Domain[T], low, high T) bool {
	return d.NullAllowed() || d.Overlaps(domain.Inclusive(low), domain.Exclusive(high))
}

// MinMax is an optional statistic of one column in one partition: every
// non-NULL value lies in [Min, Max]. Leave it zero (Valid false) when
// unknown.
type MinMax[T any] struct {
	Min, Max T
	Valid    bool
}

// Overlaps reports whether a partition with these statistics can match d.
func (m MinMax[T]) Overlaps(d domain.Domain[T]) bool {
	return !m.Valid || d.NullAllowed() || d.Overlaps(domain.Inclusive(m.Min), domain.Inclusive(m.Max))
}

// SortRanges orders range partitions by their low bound, as the declared
// range partitioning promises the engine, and checks that no two overlap.
// bounds returns a partition's [low, high).
func SortRanges[P, T any](parts []P, bounds func(*P) (low, high T), cmp func(a, b T) int) error {
	slices.SortStableFunc(parts, func(a, b P) int {
		la, _ := bounds(&a)
		lb, _ := bounds(&b)
		return cmp(la, lb)
	})
	for i := range parts {
		low, high := bounds(&parts[i])
		if cmp(low, high) > 0 {
			return fmt.Errorf("range partition %d has low bound %v above its high bound %v", i, low, high)
		}
		if i > 0 {
			_, prevHigh := bounds(&parts[i-1])
			if cmp(prevHigh, low) > 0 {
				return fmt.Errorf("range partitions overlap: one ends at %v after the next starts at %v", prevHigh, low)
			}
		}
	}
	return nil
}
