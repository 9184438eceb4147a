package keyed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/source"
	"github.com/tpgen/tpgen/runtime/source/sourcetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// testSource has three regions of three rows each, one hour apart.
type testSource struct{ seen *Scan }

func (s *testSource) Partitions(_ context.Context, scan *Scan) ([]Partition, error) {
	s.seen = scan
	var ps []Partition
	for i, r := range []string{"eu", "us", "ap"} {
		start := base.Add(time.Duration(i) * 24 * time.Hour)
		ps = append(ps, Partition{Key: &Key{Region: r}, Rows: 3, Payload: start,
			Stats: Stats{Ts: source.MinMax[time.Time]{Min: start, Max: start.Add(2 * time.Hour), Valid: true}}})
	}
	return ps, nil
}

func (s *testSource) Read(_ context.Context, p Partition, scan *Scan, w *Writer) error {
	start := p.Payload.(time.Time)
	for i := range 3 {
		r := Row{Region: p.Key.Region, Ts: start.Add(time.Duration(i) * time.Hour), UserID: int64(i),
			Amount: source.Some(decimal128.FromI64(int64(1234 * i)))}
		if i != 1 {
			r.EventType = source.Some("click")
		}
		if err := w.Append(r); err != nil {
			return err
		}
	}
	return nil
}

func col(name string) *expr.Column {
	return &expr.Column{Name: name, Type: keyedSchema.Field(keyedSchema.FieldIndices(name)[0]).Type}
}

func cmpExpr(op expr.Op, c string, v expr.Scalar) expr.Expr {
	return &expr.Binary{Op: op, L: col(c), R: &expr.Literal{Value: v}, Type: arrow.FixedWidthTypes.Boolean}
}

func TestFullScan(t *testing.T) {
	res := sourcetest.Run(t, NewTable(&testSource{}), plan.ScanRequest{Limit: plan.NoLimit})
	if len(res.Rows) != 9 {
		t.Fatalf("%d rows, want 9: %v", len(res.Rows), res.Rows)
	}
	want := []string{
		"eu|click|2026-01-01T00:00:00Z|0|0",
		"eu|(null)|2026-01-01T01:00:00Z|1|12.34",
	}
	if !slices.Equal(res.Rows[:2], want) {
		t.Errorf("rows %q, want %q", res.Rows[:2], want)
	}
	if got, want := res.Plan.String(), "KeyedExec: partitions=3/3, projection=[region, event_type, ts, user_id, amount], ordering=[ts ASC]"; got != want {
		t.Errorf("EXPLAIN %q, want %q", got, want)
	}
	props := res.Plan.Properties()
	if props.Partitioning.Kind != plan.KeyPartitioning || props.Partitions != 3 {
		t.Errorf("properties %+v", props)
	}
}

func TestRegionFilterPrunesAndIsExact(t *testing.T) {
	tbl := NewTable(&testSource{})
	filters := []expr.Expr{
		cmpExpr(expr.OpEq, "region", expr.String("us")),
		cmpExpr(expr.OpGe, "ts", expr.Timestamp(col("ts").Type.(*arrow.TimestampType), base.UnixMicro())),
		cmpExpr(expr.OpEq, "user_id", expr.Int64(1)),
	}
	answers, err := tbl.SupportsFilters(filters)
	if err != nil {
		t.Fatal(err)
	}
	if want := []plan.FilterPushdown{plan.Exact, plan.Inexact, plan.Unsupported}; !slices.Equal(answers, want) {
		t.Errorf("SupportsFilters %v, want %v", answers, want)
	}
	res := sourcetest.Run(t, tbl, plan.ScanRequest{Projection: []int{0, 2}, Filters: filters[:2], Limit: 10})
	want := "KeyedExec: partitions=1/3, projection=[region, ts], filter=[region = 'us', ts >= TIMESTAMP '2026-01-01 00:00:00Z'], ordering=[ts ASC], limit=10"
	if got := res.Plan.String(); got != want {
		t.Errorf("EXPLAIN\n got %s\nwant %s", got, want)
	}
	if len(res.Rows) != 3 || !strings.HasPrefix(res.Rows[0], "us|") {
		t.Errorf("rows %v", res.Rows)
	}
}

func TestStatisticsPruneByTime(t *testing.T) {
	src := &testSource{}
	ts := col("ts").Type.(*arrow.TimestampType)
	f := []expr.Expr{cmpExpr(expr.OpGt, "ts", expr.Timestamp(ts, base.Add(30*time.Hour).UnixMicro()))}
	res := sourcetest.Run(t, NewTable(src), plan.ScanRequest{Filters: f, Limit: plan.NoLimit})
	if n := res.Plan.Properties().Partitions; n != 1 {
		t.Errorf("%d partitions kept, want 1 (only ap starts after 30h)", n)
	}
	span, ok := src.seen.Filters.Ts.Span()
	if !ok || !span.Low.Value.Equal(base.Add(30*time.Hour)) || span.Low.Inclusive || !span.High.Unbounded {
		t.Errorf("ts domain %v", src.seen.Filters.Ts)
	}
}

func TestInListValues(t *testing.T) {
	src := &testSource{}
	in := &expr.InList{E: col("region"), List: []expr.Expr{
		&expr.Literal{Value: expr.String("us")}, &expr.Literal{Value: expr.String("eu")}}}
	res := sourcetest.Run(t, NewTable(src), plan.ScanRequest{Filters: []expr.Expr{in}, Limit: plan.NoLimit})
	vals, ok := src.seen.Filters.Region.Values()
	if !ok || !slices.Equal(vals, []string{"eu", "us"}) {
		t.Errorf("Values() = %v, %v", vals, ok)
	}
	if len(res.Rows) != 6 {
		t.Errorf("%d rows, want 6", len(res.Rows))
	}
}

func TestProjectionDropsPartitioningAndLimitStops(t *testing.T) {
	src := &testSource{}
	res := sourcetest.Run(t, NewTable(src), plan.ScanRequest{Projection: []int{3}, Limit: 2})
	if !slices.Equal(src.seen.Columns, []string{"user_id"}) || src.seen.Limit != 2 || src.seen.Needs("region") {
		t.Errorf("scan %+v", src.seen)
	}
	if got := strings.Join(res.Rows, ","); got != "0,1,0,1,0,1" {
		t.Errorf("rows %s, want two per partition", got)
	}
	props := res.Plan.Properties()
	if props.Partitioning.Kind != plan.UnknownPartitioning || len(props.Ordering) != 0 {
		t.Errorf("properties %+v: key and ordering columns are not projected", props)
	}
}

type failing struct{ testSource }

func (failing) Read(context.Context, Partition, *Scan, *Writer) error {
	return errors.New("disk on fire")
}

func TestErrorNamesTableAndPartition(t *testing.T) {
	_, err := sourcetest.RunErr(context.Background(), NewTable(&failing{}), plan.ScanRequest{Limit: plan.NoLimit}, 0)
	var pe *plan.Error
	if !errors.As(err, &pe) || pe.Table != "keyed" || pe.Operator != "KeyedExec" || pe.Partition != 0 {
		t.Fatalf("error %v", err)
	}
	if got := fmt.Sprint(err); got != "KeyedExec (table keyed, partition region = 'eu'): disk on fire" {
		t.Errorf("message %q", got)
	}
}

// shards is hash-sharded by region: each shard holds several regions, so
// its partitions have no single key value and leave Key nil.
type shards struct{}

func (shards) Partitions(context.Context, *Scan) ([]Partition, error) {
	return []Partition{{Payload: []string{"eu", "us"}}, {Payload: []string{"ap"}}}, nil
}

func (shards) Read(_ context.Context, p Partition, scan *Scan, w *Writer) error {
	for _, r := range p.Payload.([]string) {
		if !scan.Filters.Region.Contains(r) { // the spec declares region filters exact
			continue
		}
		if err := w.Append(Row{Region: r, Ts: base}); err != nil {
			return err
		}
	}
	return nil
}

// A partition without a Key promises no key value, so the table never
// prunes it by key: the zero Partition is safe, not a claim that its key is
// the empty string.
func TestPartitionWithoutKeyIsNotPrunedByKey(t *testing.T) {
	f := []expr.Expr{cmpExpr(expr.OpEq, "region", expr.String("us"))}
	res := sourcetest.Run(t, NewTable(shards{}), plan.ScanRequest{Projection: []int{0}, Filters: f, Limit: plan.NoLimit})
	if got := strings.Join(res.Rows, ","); got != "us" {
		t.Errorf("rows %q, want us", got)
	}
	if !strings.HasPrefix(res.Plan.String(), "KeyedExec: partitions=2/2,") {
		t.Errorf("EXPLAIN %s: partitions without a key were pruned", res.Plan)
	}
}
