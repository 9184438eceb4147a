package ranged

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/source/sourcetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var day0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// days lists one partition per day, deliberately out of order.
type days struct{ overlap bool }

func (d days) Partitions(context.Context, *Scan) ([]Partition, error) {
	var ps []Partition
	for _, i := range []int{2, 0, 1} {
		low := day0.AddDate(0, 0, i)
		ps = append(ps, Partition{Low: low, High: low.AddDate(0, 0, 1)})
	}
	if d.overlap {
		ps[0].Low = ps[0].Low.Add(-time.Hour)
	}
	return ps, nil
}

func (days) Read(_ context.Context, p Partition, _ *Scan, w *Writer) error {
	for h := 0; h < 24; h += 12 {
		if err := w.Append(Row{Ts: p.Low.Add(time.Duration(h) * time.Hour), SensorID: int32(h), Value: 0.5}); err != nil {
			return err
		}
	}
	return nil
}

func TestPartitionsAreOrderedAndPruned(t *testing.T) {
	tsType := rangedSchema.Field(0).Type.(*arrow.TimestampType)
	ge := &expr.Binary{Op: expr.OpGe, L: &expr.Column{Name: "ts", Type: tsType},
		R: &expr.Literal{Value: expr.Timestamp(tsType, day0.AddDate(0, 0, 1).UnixMilli())}, Type: arrow.FixedWidthTypes.Boolean}
	res := sourcetest.Run(t, NewTable(days{}), plan.ScanRequest{Filters: []expr.Expr{ge}, Limit: plan.NoLimit})
	want := "2026-01-02T00:00:00Z|0|0.5,2026-01-02T12:00:00Z|12|0.5,2026-01-03T00:00:00Z|0|0.5,2026-01-03T12:00:00Z|12|0.5"
	if got := strings.Join(res.Rows, ","); got != want {
		t.Errorf("rows\n got %s\nwant %s", got, want)
	}
	if !strings.HasPrefix(res.Plan.String(), "RangedExec: partitions=2/3,") {
		t.Errorf("EXPLAIN %s", res.Plan)
	}
	props := res.Plan.Properties()
	if props.Partitioning.Kind != plan.RangePartitioning || len(props.Ordering) != 2 {
		t.Errorf("properties %+v", props)
	}
}

func TestOverlappingPartitionsAreRefused(t *testing.T) {
	_, err := NewTable(days{overlap: true}).Scan(context.Background(), plan.ScanRequest{Limit: plan.NoLimit})
	if err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Fatalf("error %v, want one about overlapping partitions", err)
	}
}

// unset lists partitions without setting Low and High.
type unset struct{ days }

func (unset) Partitions(context.Context, *Scan) ([]Partition, error) {
	return []Partition{{Payload: 1}, {Payload: 2}}, nil
}

// A range partition whose range is empty (Low and High left zero) cannot
// hold a row: it is an error, not a reason to prune the partition silently.
func TestEmptyRangeIsRefused(t *testing.T) {
	tsType := rangedSchema.Field(0).Type.(*arrow.TimestampType)
	ge := &expr.Binary{Op: expr.OpGe, L: &expr.Column{Name: "ts", Type: tsType},
		R: &expr.Literal{Value: expr.Timestamp(tsType, day0.UnixMilli())}, Type: arrow.FixedWidthTypes.Boolean}
	for _, filters := range [][]expr.Expr{nil, {ge}} {
		_, err := NewTable(unset{}).Scan(context.Background(), plan.ScanRequest{Filters: filters, Limit: plan.NoLimit})
		if err == nil || !strings.Contains(err.Error(), "empty range") {
			t.Errorf("filters %v: error %v, want one about an empty range", filters, err)
		}
	}
}
