package bench

import (
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The hand-written baselines: what a Go programmer writes against the
// same Arrow arrays without an engine, one fused pass per batch.

type groupAgg struct{ sum, count int64 }

// handGroupBy is SELECT k, sum(v), count(*) ... WHERE x > c GROUP BY k
// with a Go map from key to slot, as code that does not know the key
// domain must do; it is the reference the engine is compared with.
func handGroupBy(d *dataset, c int64) map[int64]groupAgg {
	slot := make(map[int64]int, distinctKeys)
	var aggs []groupAgg
	for _, part := range d.parts {
		for _, rec := range part {
			ks := rec.Column(0).(*array.Int64).Int64Values()
			vs := rec.Column(1).(*array.Int64).Int64Values()
			xs := rec.Column(2).(*array.Int64).Int64Values()
			for i, x := range xs {
				if x <= c {
					continue
				}
				j, ok := slot[ks[i]]
				if !ok {
					j = len(aggs)
					slot[ks[i]] = j
					aggs = append(aggs, groupAgg{})
				}
				aggs[j].sum += vs[i]
				aggs[j].count++
			}
		}
	}
	out := make(map[int64]groupAgg, len(slot))
	for k, j := range slot {
		out[k] = aggs[j]
	}
	return out
}

// handGroupByDense indexes an array by the key, which only works because
// this data's keys are 0..999: a lower bound no general engine can reach.
func handGroupByDense(d *dataset, c int64) map[int64]groupAgg {
	var aggs [distinctKeys]groupAgg
	for _, part := range d.parts {
		for _, rec := range part {
			ks := rec.Column(0).(*array.Int64).Int64Values()
			vs := rec.Column(1).(*array.Int64).Int64Values()
			xs := rec.Column(2).(*array.Int64).Int64Values()
			for i, x := range xs {
				if x > c {
					a := &aggs[ks[i]]
					a.sum += vs[i]
					a.count++
				}
			}
		}
	}
	out := make(map[int64]groupAgg, distinctKeys)
	for k, a := range aggs {
		if a.count > 0 {
			out[int64(k)] = a
		}
	}
	return out
}

// handScan is SELECT v FROM t WHERE x > c, consumed by summing and
// counting the values.
func handScan(d *dataset, c int64) (sum, count int64) {
	for _, part := range d.parts {
		for _, rec := range part {
			vs := rec.Column(1).(*array.Int64).Int64Values()
			xs := rec.Column(2).(*array.Int64).Int64Values()
			for i, x := range xs {
				if x > c {
					sum += vs[i]
					count++
				}
			}
		}
	}
	return sum, count
}
