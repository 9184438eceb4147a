package physical

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// distinctAcc is sum(DISTINCT x) and avg(DISTINCT x): it passes to the
// inner accumulator only the first row of each (group, value) pair, so
// every distinct non-null value counts once per group. Like
// count(DISTINCT), it has no partial state: the planner gives it every row
// of a group in one partition.
type distinctAcc struct {
	inner  accumulator
	seen   map[string]struct{}
	enc    encodedRows
	key    []byte
	groups []int32
	sel    []int32
}

func newDistinctAcc(t arrow.DataType, inner func() (accumulator, error)) (accumulator, error) {
	if err := checkKeyType(t); err != nil {
		return nil, err
	}
	in, err := inner()
	if err != nil {
		return nil, err
	}
	return &distinctAcc{inner: in, seen: map[string]struct{}{}}, nil
}

func (a *distinctAcc) resize(n int) { a.inner.resize(n) }

func (a *distinctAcc) update(groups []int32, arr arrow.Array, sel []int32) error {
	if err := encodeRows(&a.enc, []keyColumn{{arr: arr, sel: sel}}, len(groups)); err != nil {
		return err
	}
	valid, off := validity(arr)
	a.groups, a.sel = a.groups[:0], a.sel[:0]
	for i, g := range groups {
		row := rowOf(sel, i)
		if !validRow(valid, off, row) {
			continue
		}
		a.key = append(a.key[:0], byte(g), byte(g>>8), byte(g>>16), byte(g>>24))
		a.key = append(a.key, a.enc.row(i)...)
		if _, dup := a.seen[string(a.key)]; dup {
			continue
		}
		a.seen[string(a.key)] = struct{}{}
		a.groups = append(a.groups, g)
		a.sel = append(a.sel, int32(row))
	}
	if len(a.groups) == 0 {
		return nil
	}
	return a.inner.update(a.groups, arr, a.sel)
}

func (a *distinctAcc) merge([]int32, []arrow.Array, []int32) error {
	return fmt.Errorf("DISTINCT aggregates cannot be merged from partial states")
}

func (a *distinctAcc) state(memory.Allocator, int) ([]arrow.Array, error) {
	return nil, fmt.Errorf("DISTINCT aggregates have no partial state")
}

func (a *distinctAcc) finish(mem memory.Allocator, n int) (arrow.Array, error) {
	return a.inner.finish(mem, n)
}
