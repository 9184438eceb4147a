package domain

import (
	"cmp"
	"testing"
)

func TestCovers(t *testing.T) {
	c := cmp.Compare[int]
	ge10lt20 := FromRanges(c, false, Range[int]{Low: Inclusive(10), High: Exclusive(20)})
	two := FromRanges(c, false, Range[int]{Low: Inclusive(0), High: Inclusive(5)}, Range[int]{Low: Inclusive(10), High: Unbounded[int]()})
	for _, tc := range []struct {
		name   string
		d      Domain[int]
		lo, hi Bound[int]
		want   bool
	}{
		{"inside", ge10lt20, Inclusive(10), Inclusive(19), true},
		{"touches the exclusive end", ge10lt20, Inclusive(10), Inclusive(20), false},
		{"exclusive end matches", ge10lt20, Inclusive(12), Exclusive(20), true},
		{"starts below", ge10lt20, Inclusive(9), Inclusive(15), false},
		{"unbounded query", ge10lt20, Unbounded[int](), Inclusive(15), false},
		{"second range, unbounded", two, Inclusive(10), Unbounded[int](), true},
		{"spans the gap", two, Inclusive(3), Inclusive(12), false},
		{"first range", two, Inclusive(0), Inclusive(5), true},
		{"all covers everything", All(c), Unbounded[int](), Unbounded[int](), true},
		{"none covers nothing", None(c), Inclusive(1), Inclusive(2), false},
		{"empty query is covered", None(c), Inclusive(2), Inclusive(1), true},
		{"point", Single(c, 7), Inclusive(7), Inclusive(7), true},
		{"point misses", Single(c, 7), Inclusive(7), Inclusive(8), false},
	} {
		if got := tc.d.Covers(tc.lo, tc.hi); got != tc.want {
			t.Errorf("%s: Covers = %v, want %v", tc.name, got, tc.want)
		}
	}
}
