package sqllogictest

import (
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
)

// Partition returns, for each of l.Partitions partitions, the indices of
// the rows it holds, in the order the layout declares.
func (t *TableDef) Partition(l Layout) ([][]int, error) {
	if err := t.checkLayout(l); err != nil {
		return nil, err
	}
	var live []int
	for p := 0; p < l.Partitions; p++ {
		if !slices.Contains(l.Empty, p) {
			live = append(live, p)
		}
	}
	parts := make([][]int, l.Partitions)
	switch {
	case len(t.Rows) == 0:
	case len(l.Key) > 0:
		cols := make([]int, len(l.Key))
		for i, k := range l.Key {
			cols[i] = t.ColumnIndex(k)
		}
		for r, row := range t.Rows {
			h := fnv.New32a()
			for _, c := range cols {
				// String is injective per type, so equal keys hash alike.
				fmt.Fprintf(h, "%s\x00", row[c].String())
			}
			p := live[int(h.Sum32()%uint32(len(live)))]
			parts[p] = append(parts[p], r)
		}
	case l.Range != "":
		c := t.ColumnIndex(l.Range)
		order := make([]int, len(t.Rows))
		for i := range order {
			order[i] = i
		}
		key := []plan.SortKey{{Column: l.Range}}
		if err := t.sortRows(order, key); err != nil {
			return nil, err
		}
		target := (len(order) + len(live) - 1) / len(live)
		p := 0
		for i, r := range order {
			// Equal values stay together so ranges do not overlap.
			if len(parts[live[p]]) >= target && p < len(live)-1 && !expr.Equal(t.Rows[order[i-1]][c], t.Rows[r][c]) {
				p++
			}
			parts[live[p]] = append(parts[live[p]], r)
		}
	default:
		for r := range t.Rows {
			p := live[r%len(live)]
			parts[p] = append(parts[p], r)
		}
	}
	if len(l.Ordering) > 0 {
		for _, rows := range parts {
			if err := t.sortRows(rows, l.Ordering); err != nil {
				return nil, err
			}
		}
	}
	return parts, nil
}

// sortRows stably sorts row indices by keys with SQL null placement.
func (t *TableDef) sortRows(rows []int, keys []plan.SortKey) error {
	cols := make([]int, len(keys))
	for i, k := range keys {
		if cols[i] = t.ColumnIndex(k.Column); cols[i] < 0 {
			return fmt.Errorf("table %s has no column %q", t.Name, k.Column)
		}
	}
	var err error
	slices.SortStableFunc(rows, func(a, b int) int {
		for i, k := range keys {
			x, y := t.Rows[a][cols[i]], t.Rows[b][cols[i]]
			var c int
			switch {
			case x.Null && y.Null:
				c = 0
			case x.Null || y.Null:
				c = 1
				if x.Null == k.NullsFirst {
					c = -1
				}
			default:
				var e error
				if c, e = expr.Compare(x, y); e != nil && err == nil {
					err = e
				}
				if k.Descending {
					c = -c
				}
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return err
}

// Build returns the table's record batches per partition under layout l,
// allocated from mem. Empty partitions have no batches. The caller
// releases every batch.
func (t *TableDef) Build(mem memory.Allocator, l Layout) (parts [][]arrow.RecordBatch, err error) {
	rowsByPart, err := t.Partition(l)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			ReleaseAll(parts)
			parts = nil
		}
	}()
	schema := t.Schema()
	parts = make([][]arrow.RecordBatch, len(rowsByPart))
	for p, rows := range rowsByPart {
		for len(rows) > 0 {
			n := len(rows)
			if l.BatchRows > 0 && n > l.BatchRows {
				n = l.BatchRows
			}
			rec, err := t.record(mem, schema, rows[:n])
			if err != nil {
				return parts, err
			}
			parts[p] = append(parts[p], rec)
			rows = rows[n:]
		}
	}
	return parts, nil
}

// ReleaseAll releases every batch of every partition.
func ReleaseAll(parts [][]arrow.RecordBatch) {
	for _, batches := range parts {
		for _, b := range batches {
			b.Release()
		}
	}
}

func (t *TableDef) record(mem memory.Allocator, schema *arrow.Schema, rows []int) (arrow.RecordBatch, error) {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for c := range t.Columns {
		fb := b.Field(c)
		for _, r := range rows {
			if err := appendScalar(fb, t.Rows[r][c]); err != nil {
				return nil, fmt.Errorf("table %s column %s: %w", t.Name, t.Columns[c].Name, err)
			}
		}
	}
	return b.NewRecordBatch(), nil
}

// appendScalar appends a value in Scalar's normalised representation to
// the builder of its column type.
func appendScalar(b array.Builder, s expr.Scalar) error {
	if s.Null {
		b.AppendNull()
		return nil
	}
	ok := true
	switch b := b.(type) {
	case *array.BooleanBuilder:
		v, k := s.Value.(bool)
		ok = k
		b.Append(v)
	case *array.Int8Builder:
		b.Append(int8(s.Int64Value()))
	case *array.Int16Builder:
		b.Append(int16(s.Int64Value()))
	case *array.Int32Builder:
		b.Append(int32(s.Int64Value()))
	case *array.Int64Builder:
		b.Append(s.Int64Value())
	case *array.Uint8Builder, *array.Uint16Builder, *array.Uint32Builder, *array.Uint64Builder:
		v, k := s.Value.(uint64)
		ok = k
		switch b := b.(type) {
		case *array.Uint8Builder:
			b.Append(uint8(v))
		case *array.Uint16Builder:
			b.Append(uint16(v))
		case *array.Uint32Builder:
			b.Append(uint32(v))
		case *array.Uint64Builder:
			b.Append(v)
		}
	case *array.Float32Builder:
		v, k := s.Value.(float64)
		ok = k
		b.Append(float32(v))
	case *array.Float64Builder:
		v, k := s.Value.(float64)
		ok = k
		b.Append(v)
	case *array.StringBuilder:
		v, k := s.Value.(string)
		ok = k
		b.Append(v)
	case *array.BinaryBuilder:
		v, k := s.Value.([]byte)
		ok = k
		b.Append(v)
	case *array.Date32Builder:
		b.Append(arrow.Date32(s.Int64Value()))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(s.Int64Value()))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(s.Int64Value()))
	case *array.Decimal128Builder:
		v, k := s.Value.(decimal128.Num)
		ok = k
		b.Append(v)
	default:
		return fmt.Errorf("cannot build %s columns", b.Type())
	}
	if !ok {
		return fmt.Errorf("value %v does not fit %s", s.Value, b.Type())
	}
	return nil
}
