package source

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/plan"
)

func TestPartitionBounds(t *testing.T) {
	ms := &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: ms},
		{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32},
	}, nil)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	scan := func(part plan.Partitioning, f BoundsFunc) *ScanPlan {
		p, err := NewScanPlan("X", sch, Layout{Partitioning: part}, plan.ScanRequest{Limit: plan.NoLimit}, NewOptions("x"))
		if err != nil {
			t.Fatal(err)
		}
		p.SetPartitions(2, 2)
		if f != nil {
			p.SetBounds(f)
		}
		return p
	}
	rng := plan.Partitioning{Kind: plan.RangePartitioning, Columns: []string{"ts"}}
	if _, ok := scan(rng, nil).PartitionBounds(0); ok {
		t.Error("bounds without SetBounds")
	}
	p := scan(rng, func(i int) ([]any, bool) {
		if i == 0 {
			return []any{t0, t0.Add(time.Hour)}, true
		}
		return []any{t0.Add(time.Hour), t0.Add(2*time.Hour + 500*time.Microsecond)}, true
	})
	b, ok := p.PartitionBounds(0)
	if !ok || len(b) != 1 || b[0].String() != "partition range ts [TIMESTAMP '2026-01-01 00:00:00Z', TIMESTAMP '2026-01-01 01:00:00Z')" {
		t.Errorf("partition 0: %v %v", b, ok)
	}
	// High is not a whole millisecond: rows below it are stored truncated
	// to it, so the bound includes it.
	if b, ok := p.PartitionBounds(1); !ok || b[0].MaxExclusive || b[0].Max.Int64Value() != t0.Add(2*time.Hour).UnixMilli() {
		t.Errorf("partition 1: %v %v", b, ok)
	}
	if _, ok := p.PartitionBounds(2); ok {
		t.Error("bounds of a partition out of range")
	}

	key := plan.Partitioning{Kind: plan.KeyPartitioning, Columns: []string{"region", "d"}}
	p = scan(key, func(i int) ([]any, bool) {
		if i == 1 {
			return nil, false
		}
		return []any{Null[string]{}, t0.AddDate(0, 0, 1)}, true
	})
	b, ok = p.PartitionBounds(0)
	if !ok || len(b) != 2 || b[0].String() != "partition key region IS NULL" || b[1].String() != "partition key d = DATE '2026-01-02'" {
		t.Errorf("key bounds %v %v", b, ok)
	}
	if _, ok := p.PartitionBounds(1); ok {
		t.Error("a partition without a key declared bounds")
	}
}

func TestScalarOf(t *testing.T) {
	durS := &arrow.DurationType{Unit: arrow.Second}
	for _, tc := range []struct {
		v     any
		t     arrow.DataType
		want  any
		exact bool
	}{
		{int8(-3), arrow.PrimitiveTypes.Int8, int64(-3), true},
		{uint16(7), arrow.PrimitiveTypes.Uint16, uint64(7), true},
		{float32(1.5), arrow.PrimitiveTypes.Float32, 1.5, true},
		{Some("a"), arrow.BinaryTypes.String, "a", true},
		{1500 * time.Millisecond, durS, int64(1), false},
		{2 * time.Second, durS, int64(2), true},
	} {
		s, exact, ok := scalarOf(tc.v, tc.t)
		if !ok || s.Value != tc.want || exact != tc.exact || !arrow.TypeEqual(s.Type, tc.t) {
			t.Errorf("scalarOf(%v, %s) = %v, %v, %v", tc.v, tc.t, s, exact, ok)
		}
	}
	if _, _, ok := scalarOf(struct{}{}, arrow.PrimitiveTypes.Int64); ok {
		t.Error("converted an unknown type")
	}
}
