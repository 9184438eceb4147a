package expr

import (
	"math"
	"testing"
)

func TestCompareFloatNaNSortsLast(t *testing.T) {
	nan := Float64(math.NaN())
	for _, tc := range []struct {
		a, b Scalar
		want int
	}{
		{nan, Float64(math.Inf(1)), 1},
		{Float64(math.Inf(1)), nan, -1},
		{nan, nan, 0},
		{Float64(1), Float64(2), -1},
		{Null(nan.Type), nan, -1},
	} {
		got, err := Compare(tc.a, tc.b)
		if err != nil || got != tc.want {
			t.Errorf("Compare(%v, %v) = %d, %v; want %d", tc.a, tc.b, got, err, tc.want)
		}
	}
}
