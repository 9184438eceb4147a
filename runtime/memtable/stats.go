package memtable

import (
	"cmp"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tpgen/tpgen/runtime/domain"
	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// colStats summarises one column of one partition.
type colStats struct {
	min, max expr.Scalar // NULL when the column has no value
	nulls    int64
	values   int64 // non-NULL values
}

// computeStats summarises every column of a partition. The hot types get
// typed loops: tables for benchmarks hold millions of rows.
func computeStats(schema *arrow.Schema, recs []arrow.RecordBatch) []colStats {
	out := make([]colStats, schema.NumFields())
	for c, f := range schema.Fields() {
		s := colStats{min: expr.Null(f.Type), max: expr.Null(f.Type)}
		for _, r := range recs {
			arr := r.Column(c)
			s.nulls += int64(arr.NullN())
			s.values += int64(arr.Len() - arr.NullN())
			lo, hi := argMinMax(arr)
			if lo < 0 {
				continue
			}
			s.min = minScalar(s.min, expr.ScalarAt(arr, lo), -1)
			s.max = minScalar(s.max, expr.ScalarAt(arr, hi), 1)
		}
		out[c] = s
	}
	return out
}

// minScalar returns the smaller (dir -1) or larger (dir 1) of a and b,
// ignoring NULLs.
func minScalar(a, b expr.Scalar, dir int) expr.Scalar {
	switch {
	case a.Null:
		return b
	case b.Null:
		return a
	case domain.CompareScalars(b, a)*dir > 0:
		return b
	}
	return a
}

// argMinMax returns the indices of a smallest and a largest non-NULL value
// of arr, in the order of domain.CompareScalars, or -1s when there is none.
func argMinMax(arr arrow.Array) (lo, hi int) {
	switch a := arr.(type) {
	case *array.Int8:
		return argOrdered(arr, a.Int8Values(), cmp.Compare[int8])
	case *array.Int16:
		return argOrdered(arr, a.Int16Values(), cmp.Compare[int16])
	case *array.Int32:
		return argOrdered(arr, a.Int32Values(), cmp.Compare[int32])
	case *array.Int64:
		return argOrdered(arr, a.Int64Values(), cmp.Compare[int64])
	case *array.Uint8:
		return argOrdered(arr, a.Uint8Values(), cmp.Compare[uint8])
	case *array.Uint16:
		return argOrdered(arr, a.Uint16Values(), cmp.Compare[uint16])
	case *array.Uint32:
		return argOrdered(arr, a.Uint32Values(), cmp.Compare[uint32])
	case *array.Uint64:
		return argOrdered(arr, a.Uint64Values(), cmp.Compare[uint64])
	case *array.Float32:
		return argOrdered(arr, a.Float32Values(), cmpFloat[float32])
	case *array.Float64:
		return argOrdered(arr, a.Float64Values(), cmpFloat[float64])
	case *array.Date32:
		return argOrdered(arr, a.Date32Values(), cmp.Compare[arrow.Date32])
	case *array.Timestamp:
		return argOrdered(arr, a.TimestampValues(), cmp.Compare[arrow.Timestamp])
	case *array.Duration:
		return argOrdered(arr, a.DurationValues(), cmp.Compare[arrow.Duration])
	case *array.String:
		return argOrdered(arr, stringValues(a.Len(), a.Value), cmp.Compare[string])
	}
	return argScalars(arr)
}

func stringValues(n int, at func(int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = at(i)
	}
	return out
}

// cmpFloat orders NaN above every number, as the engine does.
func cmpFloat[T float32 | float64](a, b T) int {
	an, bn := math.IsNaN(float64(a)), math.IsNaN(float64(b))
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(a, b)
}

func argOrdered[T any](arr arrow.Array, vals []T, c func(a, b T) int) (lo, hi int) {
	lo, hi = -1, -1
	for i, v := range vals {
		if arr.IsNull(i) {
			continue
		}
		if lo < 0 {
			lo, hi = i, i
			continue
		}
		if c(v, vals[lo]) < 0 {
			lo = i
		}
		if c(v, vals[hi]) > 0 {
			hi = i
		}
	}
	return lo, hi
}

func argScalars(arr arrow.Array) (lo, hi int) {
	lo, hi = -1, -1
	var mn, mx expr.Scalar
	for i := 0; i < arr.Len(); i++ {
		if arr.IsNull(i) {
			continue
		}
		v := expr.ScalarAt(arr, i)
		if lo < 0 || domain.CompareScalars(v, mn) < 0 {
			lo, mn = i, v
		}
		if hi < 0 || domain.CompareScalars(v, mx) > 0 {
			hi, mx = i, v
		}
	}
	return lo, hi
}

// mergeStats combines partition statistics into table statistics.
func mergeStats(schema *arrow.Schema, parts [][]colStats, rows int64) plan.Statistics {
	st := plan.Statistics{Rows: rows, Exact: true, Columns: map[string]plan.ColumnStatistics{}}
	for c, f := range schema.Fields() {
		cs := plan.ColumnStatistics{Min: expr.Null(f.Type), Max: expr.Null(f.Type)}
		for _, p := range parts {
			cs.Min = minScalar(cs.Min, p[c].min, -1)
			cs.Max = minScalar(cs.Max, p[c].max, 1)
			cs.NullCount += p[c].nulls
		}
		st.Columns[f.Name] = cs
	}
	return st
}
