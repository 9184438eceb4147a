package source

import (
	"math"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/domain"
	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// ColumnStats is what one partition reports about one column: the
// smallest and largest non-NULL value, as Go values of the column's row
// type. Valid false means unknown. StatsOf makes it from a generated
// Stats field, which it reads only when a plan asks about the column.
type ColumnStats struct {
	Column   string
	Min, Max any
	Valid    bool
	// Nulls is the column's NULL count in the partition, when NullsKnown.
	Nulls      int64
	NullsKnown bool
	of         minMaxOf // StatsOf's MinMax, read instead of the fields above
}

// minMaxOf is a *MinMax[T] of any T.
type minMaxOf interface {
	values() (lo, hi any, valid bool)
	nulls() (n int64, known bool)
	int64s() (lo, hi int64, ok bool)
	positions(t arrow.DataType) (lo, hi float64, ok bool)
}

// positions places the statistic of a number or time column (of Arrow
// type t) on the number line, in the units of t's scalars, without
// putting its values in interfaces; ok is false for other types or when
// unknown.
func (m *MinMax[T]) positions(t arrow.DataType) (lo, hi float64, ok bool) {
	if !m.Valid {
		return 0, 0, false
	}
	switch v := any(m).(type) {
	case *MinMax[int64]:
		return float64(v.Min), float64(v.Max), true
	case *MinMax[int32]:
		return float64(v.Min), float64(v.Max), true
	case *MinMax[float64]:
		return v.Min, v.Max, true
	case *MinMax[time.Time]:
		if ts, isTs := t.(*arrow.TimestampType); isTs {
			return timePosition(v.Min, ts.Unit), timePosition(v.Max, ts.Unit), true
		}
	}
	return 0, 0, false
}

// timePosition is t as a timestamp scalar of unit holds it.
func timePosition(t time.Time, unit arrow.TimeUnit) float64 {
	switch unit {
	case arrow.Second:
		return float64(t.Unix())
	case arrow.Millisecond:
		return float64(t.UnixMilli())
	case arrow.Microsecond:
		return float64(t.UnixMicro())
	}
	return float64(t.UnixNano())
}

func (m *MinMax[T]) values() (lo, hi any, valid bool) { return m.Min, m.Max, m.Valid }

func (m *MinMax[T]) nulls() (n int64, known bool) { return m.Nulls, m.NullsKnown }

// int64s returns the statistic of an int64 column without putting its
// values in interfaces; ok is false for another type or when unknown.
func (m *MinMax[T]) int64s() (lo, hi int64, ok bool) {
	if i, isInt := any(m).(*MinMax[int64]); isInt && i.Valid {
		return i.Min, i.Max, true
	}
	return 0, 0, false
}

// StatsOf turns a partition's MinMax of column into ColumnStats. It keeps
// m and reads it when the column's statistic is needed: putting Min and
// Max in interfaces for every column of every partition was most of what
// computing a scan's statistics cost.
func StatsOf[T any](column string, m *MinMax[T]) ColumnStats {
	return ColumnStats{Column: column, of: m}
}

// nullCount returns the statistic's NULL count, if known.
func (c *ColumnStats) nullCount() (n int64, known bool) {
	if c.of != nil {
		return c.of.nulls()
	}
	return c.Nulls, c.NullsKnown
}

// bounds returns the statistic's min, max and validity.
func (c *ColumnStats) bounds() (lo, hi any, valid bool) {
	if c.of != nil {
		return c.of.values()
	}
	return c.Min, c.Max, c.Valid
}

// PartitionStats is what one kept partition reports: its row count (0 is
// unknown unless the spec declares exact statistics, where it is an empty
// partition) and its column statistics.
type PartitionStats struct {
	Rows    int64
	Columns []ColumnStats
}

// Statistics computes the statistics of the scan's output from its kept
// partitions' (part(i) for each, i < the kept count):
//
//   - Rows sums the partitions' rows (-1 when one is unknown);
//   - each output column gets the min of the mins and the max of the maxes
//     when every non-empty partition knows them (a key column knows its
//     key), and a null count of 0 when the column is not nullable;
//   - Exact holds when the spec declares exact statistics, no limit is
//     pushed, and every pushed filter is true for every row of every kept
//     partition: its column is a partition key whose value the filter
//     accepts, or the partition's [min, max] lies inside the filter's
//     domain (domain.Covers) and the column holds no NULL the filter
//     rejects. Then the figures describe exactly the rows the scan
//     returns, and the planner may answer count(*), min and max from them.
func (p *ScanPlan) Statistics(part func(i int) PartitionStats) plan.Statistics {
	exact := p.layout.ExactStatistics && p.limit < 0
	parts := make([]PartitionStats, p.kept)
	var total int64
	for i := range parts {
		parts[i] = part(i)
		if parts[i].Rows < 0 || (parts[i].Rows == 0 && !p.layout.ExactStatistics) {
			return plan.Statistics{Rows: -1}
		}
		total += parts[i].Rows
	}
	st := plan.Statistics{Rows: total, Columns: map[string]plan.ColumnStatistics{}}
	// Only the output columns and those the pushed filters read need
	// ranges: count(*) needs none, and building them per partition is
	// most of what planning it costs.
	var want []string
	for _, f := range p.out.Fields() {
		want = appendNew(want, f.Name)
	}
	if exact {
		for _, flt := range p.filters {
			for _, c := range expr.Columns(flt) {
				want = appendNew(want, c)
			}
		}
	}
	// One backing array for every partition's ranges, w slots each.
	w := len(want)
	backing := make(colRanges, 0, p.kept*w)
	bounds := make([]colRanges, p.kept)
	if w > 0 {
		for i := range parts {
			bounds[i] = p.partitionRanges(i, parts[i], want, backing[i*w:i*w:(i+1)*w])
		}
	}
	for _, f := range p.out.Fields() {
		cs := plan.ColumnStatistics{Min: expr.Null(f.Type), Max: expr.Null(f.Type), NullCount: -1}
		if !f.Nullable {
			cs.NullCount = 0
		} else {
			cs.NullCount = nullCount(parts, f.Name)
		}
		known := true
		for i := range parts {
			if parts[i].Rows == 0 {
				continue
			}
			r, ok := bounds[i].get(f.Name)
			if !ok || r.maxExclusive {
				known = false
				break
			}
			cs.Min = pickScalar(cs.Min, r.min, -1)
			cs.Max = pickScalar(cs.Max, r.max, 1)
		}
		if !known {
			cs.Min, cs.Max = expr.Null(f.Type), expr.Null(f.Type)
		}
		st.Columns[f.Name] = cs
	}
	nonEmpty := false
	for i := range parts {
		nonEmpty = nonEmpty || parts[i].Rows > 0
	}
	for _, flt := range p.filters {
		if !exact || !nonEmpty {
			break
		}
		// The filter is analysed once, then checked against each
		// partition.
		col, ok := domain.Exactly(flt)
		if !ok {
			exact = false
			break
		}
		d, constrained := domain.Analyze([]expr.Expr{flt})[col]
		if !constrained {
			continue
		}
		for i := range parts {
			if parts[i].Rows > 0 && !p.domainHolds(col, d, bounds[i]) {
				exact = false
				break
			}
		}
	}
	st.Exact = exact
	// Filters and a limit only drop rows: exact partition statistics
	// still bound what is left.
	st.Bounded = p.layout.ExactStatistics
	return st
}

// nullCount sums column's NULL counts over parts, or is -1 when a
// partition with rows does not know its count.
func nullCount(parts []PartitionStats, column string) int64 {
	var total int64
	for i := range parts {
		if parts[i].Rows == 0 {
			continue
		}
		k := slices.IndexFunc(parts[i].Columns, func(c ColumnStats) bool { return c.Column == column })
		if k < 0 {
			return -1
		}
		n, known := parts[i].Columns[k].nullCount()
		if !known || n < 0 {
			return -1
		}
		total += n
	}
	return total
}

// ColumnBounds implements plan.BoundsProvider for a generated plan, from
// its kept partitions' (part(i) for each): with exact statistics, their
// rows bound the scan's (filters and a limit only drop rows) and their
// min and max, or key, bound column. Only column is looked at.
func (p *ScanPlan) ColumnBounds(column string, part func(i int) PartitionStats) (plan.ColumnBounds, bool) {
	t, ok := p.columnType(column)
	if !p.layout.ExactStatistics || !ok {
		return plan.ColumnBounds{}, false
	}
	if t.ID() == arrow.INT64 && !slices.Contains(p.layout.Partitioning.Columns, column) {
		return p.int64Bounds(column, part)
	}
	b := plan.ColumnBounds{Min: expr.Null(t), Max: expr.Null(t)}
	want := []string{column}
	var room [1]namedRange
	for i := range p.kept {
		ps := part(i)
		if ps.Rows < 0 {
			return plan.ColumnBounds{}, false
		}
		b.Rows += ps.Rows
		if ps.Rows == 0 {
			continue
		}
		r, ok := p.partitionRanges(i, ps, want, room[:0]).get(column)
		if !ok || r.maxExclusive {
			return plan.ColumnBounds{}, false
		}
		b.Min = pickScalar(b.Min, r.min, -1)
		b.Max = pickScalar(b.Max, r.max, 1)
	}
	return b, true
}

// EstimatedRows implements plan.RowEstimator for a generated plan, from
// its kept partitions' (part(i) for each): each partition's rows times,
// for each pushed filter on a column whose range the partition knows (its
// key, range or statistics) and whose values are numbers or times, the
// share of that range the filter's domain covers, the values taken as
// spread evenly; a limit caps each partition. -1 when a partition's rows
// are unknown.
func (p *ScanPlan) EstimatedRows(part func(i int) PartitionStats) int64 {
	p.estimateOnce.Do(func() { p.estimate = p.estimateRows(part) })
	return p.estimate
}

func (p *ScanPlan) estimateRows(part func(i int) PartitionStats) int64 {
	domains := domain.Analyze(p.filters)
	type filtered struct {
		column string
		typ    arrow.DataType
		d      domain.ScalarDomain
		key    bool // a partitioning column: its range is the partition's bound
	}
	var cols []filtered
	for c, d := range domains {
		if t, ok := p.columnType(c); ok {
			cols = append(cols, filtered{c, t, d, slices.Contains(p.layout.Partitioning.Columns, c)})
		}
	}
	var total float64
	for i := range p.kept {
		ps := part(i)
		if ps.Rows < 0 || (ps.Rows == 0 && !p.layout.ExactStatistics) {
			return -1
		}
		rows := float64(ps.Rows)
		for _, f := range cols {
			if f.key {
				if r, ok := p.partitionRanges(i, ps, []string{f.column}, nil).get(f.column); ok {
					lo, okLo := position(r.min)
					hi, okHi := position(r.max)
					if okLo && okHi {
						rows *= coverage(f.d, lo, hi)
					}
				}
				continue
			}
			k := slices.IndexFunc(ps.Columns, func(c ColumnStats) bool { return c.Column == f.column })
			if k < 0 || ps.Columns[k].of == nil {
				continue
			}
			if lo, hi, ok := ps.Columns[k].of.positions(f.typ); ok {
				rows *= coverage(f.d, lo, hi)
			}
		}
		if p.limit >= 0 {
			rows = min(rows, float64(p.limit))
		}
		total += rows
	}
	return int64(math.Ceil(total))
}

// coverage is the share of the values in [lo, hi] d keeps, the values
// spread evenly (integers and times count one per unit).
func coverage(d domain.ScalarDomain, lo, hi float64) float64 {
	if hi < lo {
		return 1
	}
	width := hi - lo + 1
	covered := 0.0
	for rng := range d.EachRange() {
		a, b := lo, hi
		if !rng.Low.Unbounded {
			v, ok := position(rng.Low.Value)
			if !ok {
				return 1
			}
			a = max(a, v)
		}
		if !rng.High.Unbounded {
			v, ok := position(rng.High.Value)
			if !ok {
				return 1
			}
			b = min(b, v)
		}
		if b >= a {
			covered += b - a + 1
		}
	}
	return min(covered/width, 1)
}

// position places a number or time scalar on the number line.
func position(s expr.Scalar) (float64, bool) {
	if s.Null {
		return 0, false
	}
	switch v := s.Value.(type) {
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case int16:
		return float64(v), true
	case int8:
		return float64(v), true
	case uint64:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint8:
		return float64(v), true
	case float64:
		return v, true
	case float32:
		return float64(v), true
	}
	return 0, false
}

// int64Bounds is ColumnBounds of an int64 column that no partition bound
// covers: its statistics, compared as int64s (what a sum asks about, for
// every partition of the scan).
func (p *ScanPlan) int64Bounds(column string, part func(i int) PartitionStats) (plan.ColumnBounds, bool) {
	var rows, lo, hi int64
	seen := false
	for i := range p.kept {
		ps := part(i)
		if ps.Rows < 0 {
			return plan.ColumnBounds{}, false
		}
		rows += ps.Rows
		if ps.Rows == 0 {
			continue
		}
		k := slices.IndexFunc(ps.Columns, func(c ColumnStats) bool { return c.Column == column })
		if k < 0 {
			return plan.ColumnBounds{}, false
		}
		c := &ps.Columns[k]
		var l, h int64
		var ok bool
		if c.of != nil {
			l, h, ok = c.of.int64s()
		} else {
			var okL, okH bool
			l, okL = c.Min.(int64)
			h, okH = c.Max.(int64)
			ok = c.Valid && okL && okH
		}
		if !ok {
			return plan.ColumnBounds{}, false
		}
		if !seen || l < lo {
			lo = l
		}
		if !seen || h > hi {
			hi = h
		}
		seen = true
	}
	b := plan.ColumnBounds{Rows: rows, Min: expr.Null(arrow.PrimitiveTypes.Int64), Max: expr.Null(arrow.PrimitiveTypes.Int64)}
	if seen {
		b.Min, b.Max = expr.Int64(lo), expr.Int64(hi)
	}
	return b, true
}

// colRange is what a partition is known to hold in one column.
type colRange struct {
	min, max     expr.Scalar
	maxExclusive bool // a range partition's declared high end
	key          bool // every row holds min (== max)
}

// partitionRanges collects partition i's known ranges of the columns in
// want into out (which has room for them): its key or range bound, then
// its statistics.
func (p *ScanPlan) partitionRanges(i int, ps PartitionStats, want []string, out colRanges) colRanges {
	// The bounds are made (scalars) only when a bound column is wanted.
	if slices.ContainsFunc(p.layout.Partitioning.Columns, func(c string) bool { return slices.Contains(want, c) }) {
		if bs, ok := p.PartitionBounds(i); ok {
			for _, b := range bs {
				if !slices.Contains(want, b.Column) {
					continue
				}
				if b.Key {
					out = out.set(b.Column, colRange{min: b.Min, max: b.Max, key: true})
				} else if !plan.Unset(b.Min) && !plan.Unset(b.Max) {
					out = out.set(b.Column, colRange{min: b.Min, max: b.Max, maxExclusive: b.MaxExclusive})
				}
			}
		}
	}
	for i := range ps.Columns {
		c := &ps.Columns[i]
		if !slices.Contains(want, c.Column) {
			continue
		}
		minV, maxV, valid := c.bounds()
		if !valid {
			continue
		}
		if r, ok := out.get(c.Column); ok && (r.key || !r.maxExclusive) {
			continue // the key says more
		}
		t, ok := p.columnType(c.Column)
		if !ok {
			continue
		}
		lo, _, okLo := scalarOf(minV, t)
		hi, _, okHi := scalarOf(maxV, t)
		if okLo && okHi && !lo.Null && !hi.Null {
			out = out.set(c.Column, colRange{min: lo, max: hi})
		}
	}
	return out
}

// columnType is the type of the table's column col.
func (p *ScanPlan) columnType(col string) (arrow.DataType, bool) {
	idx := p.table.FieldIndices(col)
	if len(idx) != 1 {
		return nil, false
	}
	return p.table.Field(idx[0]).Type, true
}

// colRanges is a partition's known ranges by column: a handful, found by
// a scan of the slice (a map per partition cost more than the search).
type colRanges []namedRange

type namedRange struct {
	column string
	colRange
}

func (rs colRanges) get(column string) (colRange, bool) {
	for _, r := range rs {
		if r.column == column {
			return r.colRange, true
		}
	}
	return colRange{}, false
}

func (rs colRanges) set(column string, r colRange) colRanges {
	for i := range rs {
		if rs[i].column == column {
			rs[i].colRange = r
			return rs
		}
	}
	return append(rs, namedRange{column, r})
}

// appendNew appends s to list unless it is there.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// domainHolds reports whether a filter on col that holds exactly for the
// values of domain d is true for every row of a partition whose columns
// hold what ranges says.
func (p *ScanPlan) domainHolds(col string, d domain.ScalarDomain, ranges colRanges) bool {
	r, ok := ranges.get(col)
	if !ok {
		return false
	}
	if r.key {
		if r.min.Null {
			return d.NullAllowed()
		}
		return d.Contains(r.min)
	}
	hi := domain.Inclusive(r.max)
	if r.maxExclusive {
		hi = domain.Exclusive(r.max)
	}
	if !d.Covers(domain.Inclusive(r.min), hi) {
		return false
	}
	// NULLs: a NULL-rejecting filter holds only where there are none.
	if d.NullAllowed() {
		return true
	}
	idx := p.table.FieldIndices(col)
	return len(idx) == 1 && !p.table.Field(idx[0]).Nullable
}

// pickScalar returns the smaller (dir -1) or larger (dir 1) of a and b,
// ignoring NULLs.
func pickScalar(a, b expr.Scalar, dir int) expr.Scalar {
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
