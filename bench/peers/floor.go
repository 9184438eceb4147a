package main

import (
	"container/heap"
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tpgen/tpgen/bench/peers/data"
)

// floor is the hand-written arrow-go loop per query: what a careful Go
// programmer writes against the Arrow chunks directly, with every trick the
// data allows (binary search on the ordered ts, one partition per region,
// per-partition top-10 heaps), running partitions on up to cores
// goroutines. It is the baseline every engine's answer is checked against.
type floor struct {
	d     *data.Dataset
	cores int
}

func init() {
	register("arrow-loop", func(d *data.Dataset, cores int) (Engine, error) { return &floor{d, cores}, nil })
}

func (f *floor) Name() string     { return "arrow-loop" }
func (f *floor) Dialect() Dialect { return Postgres }
func (f *floor) Close() error     { return nil }

// eachPart runs fn on every partition, at most cores at once.
func (f *floor) eachPart(fn func(p int, part *data.Partition)) {
	if f.cores <= 1 {
		for p := range f.d.Parts {
			fn(p, &f.d.Parts[p])
		}
		return
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, f.cores)
	for p := range f.d.Parts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			fn(p, &f.d.Parts[p])
			<-sem
		}()
	}
	wg.Wait()
}

func int64s(rec arrow.RecordBatch, col int) []int64 {
	return rec.Column(col).(*array.Int64).Int64Values()
}

func sumInts(v []int64) int64 {
	var s int64
	for _, x := range v {
		s += x
	}
	return s
}

func (f *floor) Run(_ context.Context, q Query) (Answer, error) {
	parts := f.d.Parts
	one := func(vals ...any) (Answer, error) { return toAnswer([][]any{vals}), nil }
	switch q.Name {
	case "count":
		counts := make([]int64, len(parts))
		f.eachPart(func(p int, part *data.Partition) {
			for _, c := range part.Chunks {
				counts[p] += c.NumRows()
			}
		})
		return one(sumInts(counts))
	case "key_eq":
		var n, s int64
		for i := range parts {
			if parts[i].Region != "region-03" {
				continue
			}
			for _, c := range parts[i].Chunks {
				n += c.NumRows()
				s += sumInts(int64s(c, data.ColAmount))
			}
		}
		if n == 0 {
			return one(n, nil)
		}
		return one(n, s)
	case "time_range":
		from := data.StartMicros + f.d.Rows*45/100*data.Step
		to := data.StartMicros + f.d.Rows*55/100*data.Step
		counts, sums := make([]int64, len(parts)), make([]int64, len(parts))
		f.eachPart(func(p int, part *data.Partition) {
			lo, hi := part.RowRange(from, to)
			part.Slices(lo, hi, func(rec arrow.RecordBatch, _ int, i, j int64) error {
				counts[p] += j - i
				sums[p] += sumInts(int64s(rec, data.ColAmount)[i:j])
				return nil
			})
		})
		n, s := sumInts(counts), sumInts(sums)
		if n == 0 {
			return one(n, nil)
		}
		return one(n, s)
	case "group_by":
		counts, sums := make([]int64, len(parts)), make([]int64, len(parts))
		f.eachPart(func(p int, part *data.Partition) {
			for _, c := range part.Chunks {
				counts[p] += c.NumRows()
				sums[p] += sumInts(int64s(c, data.ColAmount))
			}
		})
		var rows [][]any
		for p := range parts {
			if counts[p] > 0 {
				rows = append(rows, []any{parts[p].Region, counts[p], sums[p]})
			}
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i][0].(string) < rows[j][0].(string) })
		return toAnswer(rows), nil
	case "order_ts":
		// Each partition is in ts order: its first 10 rows are its best
		// candidates; the answer is the 10 smallest of those.
		type cand struct {
			region       string
			ts, uid, amt int64
		}
		var cands []cand
		for i := range parts {
			part := &parts[i]
			part.Slices(0, min(10, part.Rows), func(rec arrow.RecordBatch, _ int, a, b int64) error {
				ts := rec.Column(data.ColTs).(*array.Timestamp).TimestampValues()
				uid, amt := int64s(rec, data.ColUserID), int64s(rec, data.ColAmount)
				for k := a; k < b; k++ {
					cands = append(cands, cand{part.Region, int64(ts[k]), uid[k], amt[k]})
				}
				return nil
			})
		}
		sort.Slice(cands, func(i, j int) bool { return cands[i].ts < cands[j].ts })
		var rows [][]any
		for _, c := range cands[:min(10, len(cands))] {
			rows = append(rows, []any{c.region, arrow.Timestamp(c.ts), c.uid, c.amt})
		}
		return toAnswer(rows), nil
	case "sum":
		sums := make([]int64, len(parts))
		f.eachPart(func(p int, part *data.Partition) {
			for _, c := range part.Chunks {
				sums[p] += sumInts(int64s(c, data.ColAmount))
			}
		})
		return one(sumInts(sums))
	case "top_amount":
		tops := make([]topHeap, len(parts))
		f.eachPart(func(p int, part *data.Partition) {
			h := &tops[p]
			for _, c := range part.Chunks {
				amt := int64s(c, data.ColAmount)
				for k, a := range amt {
					if len(*h) < 10 {
						heap.Push(h, topRow{a, c, k})
					} else if a > (*h)[0].amount {
						(*h)[0] = topRow{a, c, k}
						heap.Fix(h, 0)
					}
				}
			}
		})
		var all []topRow
		for _, t := range tops {
			all = append(all, t...)
		}
		sort.Slice(all, func(i, j int) bool { return all[i].amount > all[j].amount })
		var rows [][]any
		for _, r := range all[:min(10, len(all))] {
			rows = append(rows, []any{r.rec.Column(data.ColRegion).(*array.String).Value(r.row),
				r.rec.Column(data.ColTs).(*array.Timestamp).Value(r.row), r.amount})
		}
		return toAnswer(rows), nil
	case "join":
		uids := int64s(f.d.Users, 0)
		tiers := f.d.Users.Column(2).(*array.String)
		tierOf := make([]int, data.Users) // user id -> tier index, -1 when absent
		for i := range tierOf {
			tierOf[i] = -1
		}
		names := append([]string(nil), data.Tiers...)
		sort.Strings(names)
		for i, u := range uids {
			tierOf[u] = sort.SearchStrings(names, tiers.Value(i))
		}
		counts := make([][]int64, len(parts))
		sums := make([][]int64, len(parts))
		f.eachPart(func(p int, part *data.Partition) {
			cnt, sum := make([]int64, len(names)), make([]int64, len(names))
			for _, c := range part.Chunks {
				uid, amt := int64s(c, data.ColUserID), int64s(c, data.ColAmount)
				for k, u := range uid {
					if u >= 0 && u < int64(len(tierOf)) && tierOf[u] >= 0 {
						cnt[tierOf[u]]++
						sum[tierOf[u]] += amt[k]
					}
				}
			}
			counts[p], sums[p] = cnt, sum
		})
		var rows [][]any
		for t, name := range names {
			var n, s int64
			for p := range parts {
				n += counts[p][t]
				s += sums[p][t]
			}
			if n > 0 {
				rows = append(rows, []any{name, n, s})
			}
		}
		return toAnswer(rows), nil
	}
	return nil, fmt.Errorf("arrow-loop: no loop for query %s", q.Name)
}

type topRow struct {
	amount int64
	rec    arrow.RecordBatch
	row    int
}

// topHeap is a min-heap on amount: its root is the smallest of the kept 10.
type topHeap []topRow

func (h topHeap) Len() int           { return len(h) }
func (h topHeap) Less(i, j int) bool { return h[i].amount < h[j].amount }
func (h topHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topHeap) Push(x any)        { *h = append(*h, x.(topRow)) }
func (h *topHeap) Pop() any          { o := *h; x := o[len(o)-1]; *h = o[:len(o)-1]; return x }
