package domain

import (
	"cmp"
	"fmt"
	"testing"
	"time"
)

func ints(vs ...int) Domain[int] { return FromValues(cmp.Compare[int], vs...) }

func rng(lo, hi Bound[int]) Range[int] { return Range[int]{Low: lo, High: hi} }

func TestStringNotation(t *testing.T) {
	c := cmp.Compare[int]
	cases := []struct {
		d    Domain[int]
		want string
	}{
		{All(c), "ALL"},
		{None(c), "NONE"},
		{Domain[int]{}, "ALL"},
		{NotNull(c), "(-inf, +inf)"},
		{OnlyNull(c), "NULL"},
		{ints(3, 1, 2, 1), "{1, 2, 3}"},
		{FromRanges(c, false, rng(Inclusive(10), Exclusive(20))), "[10, 20)"},
		{FromRanges(c, true, rng(Unbounded[int](), Inclusive(5))), "(-inf, 5] ∪ NULL"},
		{ints(1, 2).Union(FromRanges(c, false, rng(Exclusive(7), Unbounded[int]()))), "{1, 2} ∪ (7, +inf)"},
	}
	for _, tc := range cases {
		if got := tc.d.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
	s := FromValues(func(a, b string) int { return cmp.Compare(a, b) }, "us-west-2", "it's")
	if got, want := s.String(), "{'it''s', 'us-west-2'}"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestNormalizeMergesOverlappingAndTouchingRanges(t *testing.T) {
	c := cmp.Compare[int]
	d := FromRanges(c, false,
		rng(Inclusive(5), Exclusive(8)),
		rng(Inclusive(1), Inclusive(3)),
		rng(Inclusive(8), Inclusive(9)),   // touches [5, 8) at 8
		rng(Exclusive(3), Exclusive(4)),   // touches [1, 3] at 3
		rng(Exclusive(20), Exclusive(20)), // empty
		rng(Exclusive(10), Exclusive(11)),
		rng(Exclusive(11), Exclusive(12)), // does not touch: 11 is in neither
	)
	if got, want := d.String(), "[1, 4) ∪ [5, 9] ∪ (10, 11) ∪ (11, 12)"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestPredicates(t *testing.T) {
	c := cmp.Compare[int]
	if !All(c).IsAll() || All(c).IsNone() || !None(c).IsNone() || None(c).IsAll() {
		t.Fatal("All/None misclassified")
	}
	if NotNull(c).IsAll() || OnlyNull(c).IsNone() {
		t.Fatal("NotNull/OnlyNull misclassified")
	}
	var zero Domain[int]
	if !zero.IsAll() || !zero.NullAllowed() || !zero.Contains(42) {
		t.Fatal("zero Domain must mean All")
	}
	d := FromRanges(c, false, rng(Inclusive(1), Exclusive(3)), rng(Exclusive(5), Unbounded[int]()))
	for v, want := range map[int]bool{0: false, 1: true, 2: true, 3: false, 5: false, 6: true, 1 << 40: true} {
		if got := d.Contains(v); got != want {
			t.Errorf("Contains(%d) = %v, want %v", v, got, want)
		}
	}
	if d.NullAllowed() || !d.WithNull(true).NullAllowed() {
		t.Error("WithNull")
	}
}

func TestValues(t *testing.T) {
	c := cmp.Compare[int]
	vs, ok := ints(5, 1, 5).Values()
	if !ok || len(vs) != 2 || vs[0] != 1 || vs[1] != 5 {
		t.Fatalf("Values() = %v, %v", vs, ok)
	}
	if vs, ok := None(c).Values(); !ok || len(vs) != 0 {
		t.Fatalf("None.Values() = %v, %v; want empty, true", vs, ok)
	}
	for _, d := range []Domain[int]{All(c), NotNull(c), FromRanges(c, false, rng(Inclusive(1), Inclusive(2)))} {
		if _, ok := d.Values(); ok {
			t.Errorf("%s.Values() ok, want not ok", d)
		}
	}
	if vs, ok := ints(3).WithNull(true).Values(); !ok || len(vs) != 1 {
		t.Errorf("NULL must not hide values: %v %v", vs, ok)
	}
}

func TestSetOperations(t *testing.T) {
	c := cmp.Compare[int]
	a := FromRanges(c, true, rng(Inclusive(1), Inclusive(10)), rng(Inclusive(20), Exclusive(30)))
	b := FromRanges(c, false, rng(Exclusive(5), Inclusive(25)))
	if got, want := a.Intersect(b).String(), "(5, 10] ∪ [20, 25]"; got != want {
		t.Errorf("Intersect = %s, want %s", got, want)
	}
	if got, want := a.Union(b).String(), "[1, 30) ∪ NULL"; got != want {
		t.Errorf("Union = %s, want %s", got, want)
	}
	if got, want := a.Complement().String(), "(-inf, 1) ∪ (10, 20) ∪ [30, +inf)"; got != want {
		t.Errorf("Complement = %s, want %s", got, want)
	}
	if !a.Complement().Complement().Equal(a) {
		t.Error("double complement differs")
	}
	if !All(c).Complement().IsNone() || !None(c).Complement().IsAll() {
		t.Error("complement of All/None")
	}
	var zero Domain[int]
	if !zero.Intersect(ints(4)).Equal(ints(4)) || !ints(4).Intersect(zero).Equal(ints(4)) {
		t.Error("zero Domain must be the identity of Intersect")
	}
	if !zero.Union(ints(4)).IsAll() {
		t.Error("zero Domain must absorb Union")
	}
	if !ints(1, 2).Intersect(ints(3)).IsNone() {
		t.Error("disjoint intersection must be None")
	}
}

// TestSetOperationsMatchMembership checks Intersect, Union and Complement
// against point membership over a small universe.
func TestSetOperationsMatchMembership(t *testing.T) {
	c := cmp.Compare[int]
	gen := func(seed int) Domain[int] {
		var rs []Range[int]
		for i := 0; i < 3; i++ {
			seed = seed*1103515245 + 12345
			lo, hi := (seed>>4)%12, (seed>>9)%12
			b := func(v, bit int) Bound[int] {
				switch (seed >> bit) % 3 {
				case 0:
					return Inclusive(v)
				case 1:
					return Exclusive(v)
				}
				return Unbounded[int]()
			}
			rs = append(rs, rng(b(lo, 14), b(hi, 17)))
		}
		return FromRanges(c, seed%2 == 0, rs...)
	}
	for i := range 300 {
		a, b := gen(i), gen(i*7+3)
		for v := -1; v <= 13; v++ {
			if got, want := a.Intersect(b).Contains(v), a.Contains(v) && b.Contains(v); got != want {
				t.Fatalf("%s ∩ %s contains %d = %v", a, b, v, got)
			}
			if got, want := a.Union(b).Contains(v), a.Contains(v) || b.Contains(v); got != want {
				t.Fatalf("%s ∪ %s contains %d = %v", a, b, v, got)
			}
			if got, want := a.Complement().Contains(v), !a.Contains(v); got != want {
				t.Fatalf("complement of %s contains %d = %v", a, v, got)
			}
		}
		if a.Intersect(b).NullAllowed() != (a.NullAllowed() && b.NullAllowed()) {
			t.Fatal("null of intersection")
		}
		// Overlaps agrees with membership on integer-valued closed intervals.
		lo, hi := i%10, i%10+i%4
		want := false
		for v := lo; v <= hi; v++ {
			want = want || a.Contains(v)
		}
		// Open ranges may hold non-integers, so only a false negative is a bug.
		if !a.Overlaps(Inclusive(lo), Inclusive(hi)) && want {
			t.Fatalf("%s.Overlaps([%d, %d]) = false but a member lies inside", a, lo, hi)
		}
	}
}

func TestOverlaps(t *testing.T) {
	c := cmp.Compare[int]
	d := FromRanges(c, false, rng(Inclusive(10), Exclusive(20)))
	cases := []struct {
		lo, hi Bound[int]
		want   bool
	}{
		{Inclusive(0), Inclusive(9), false},
		{Inclusive(0), Inclusive(10), true},
		{Inclusive(0), Exclusive(10), false},
		{Inclusive(20), Inclusive(30), false},
		{Exclusive(19), Inclusive(30), true},
		{Unbounded[int](), Unbounded[int](), true},
		{Inclusive(15), Inclusive(12), false}, // inverted: empty probe
	}
	for _, tc := range cases {
		if got := d.Overlaps(tc.lo, tc.hi); got != tc.want {
			t.Errorf("Overlaps(%v, %v) = %v, want %v", tc.lo, tc.hi, got, tc.want)
		}
	}
	if None(c).Overlaps(Unbounded[int](), Unbounded[int]()) {
		t.Error("None overlaps nothing")
	}
}

func TestSpan(t *testing.T) {
	c := cmp.Compare[int]
	sp, ok := ints(7, 3, 5).Span()
	if !ok || sp.Low.Value != 3 || sp.High.Value != 7 || !sp.Low.Inclusive || !sp.High.Inclusive {
		t.Fatalf("Span = %+v, %v", sp, ok)
	}
	if _, ok := OnlyNull(c).Span(); ok {
		t.Fatal("OnlyNull has no span")
	}
}

func TestMap(t *testing.T) {
	d := FromRanges(cmp.Compare[int64], true, Range[int64]{Low: Inclusive[int64](0), High: Exclusive[int64](86400)})
	toTime := func(s int64) time.Time { return time.Unix(s, 0).UTC() }
	m := Map(d, toTime, func(a, b time.Time) int { return a.Compare(b) })
	if !m.Contains(time.Unix(3600, 0)) || m.Contains(time.Unix(86400, 0)) || !m.NullAllowed() {
		t.Fatalf("Map lost membership: %s", m)
	}
	s := Map(ints(10, 2), func(v int) string { return fmt.Sprintf("%03d", v) }, cmp.Compare[string])
	if vs, ok := s.Values(); !ok || len(vs) != 2 || vs[0] != "002" || vs[1] != "010" {
		t.Fatalf("Values = %v", vs)
	}
}

func TestEachRange(t *testing.T) {
	c := cmp.Compare[int]
	for _, d := range []Domain[int]{{}, All(c), None(c), OnlyNull(c), ints(1, 2, 3, 9), ints(4).Union(ints(7).Complement())} {
		var got []Range[int]
		for r := range d.EachRange() {
			got = append(got, r)
		}
		want := d.Ranges()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v: EachRange yields %v, Ranges returns %v", d, got, want)
		}
		// Stopping early stops the iteration.
		n := 0
		for range d.EachRange() {
			n++
			break
		}
		if n != min(len(want), 1) {
			t.Errorf("%v: a loop that breaks at once saw %d ranges", d, n)
		}
	}
	var zero Domain[int]
	if a := testing.AllocsPerRun(100, func() {
		for r := range zero.EachRange() {
			_ = r
		}
	}); a != 0 {
		t.Errorf("EachRange of the zero domain allocates %v times", a)
	}
}
