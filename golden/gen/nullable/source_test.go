package nullable

import (
	"context"
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

// twoRows writes a row of NULLs and a row of values, honouring the exact
// i64 filter.
type twoRows struct{ seen *Scan }

func (s *twoRows) Partitions(_ context.Context, scan *Scan) ([]Partition, error) {
	s.seen = scan
	return []Partition{{}}, nil
}

func (*twoRows) Read(_ context.Context, _ Partition, scan *Scan, w *Writer) error {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	full := Row{B: source.Some(true), I8: source.Some[int8](1), I16: source.Some[int16](2), I32: source.Some[int32](3),
		I64: source.Some[int64](4), U8: source.Some[uint8](5), U16: source.Some[uint16](6), U32: source.Some[uint32](7),
		U64: source.Some[uint64](8), F32: source.Some[float32](9), F64: source.Some(10.5), S: source.Some("s"),
		Bin: source.Some([]byte("b")), D: source.Some(at), Ts: source.Some(at), TsNaive: source.Some(at),
		Dur: source.Some(time.Second), Amount: source.Some(decimal128.FromI64(12345))}
	for _, r := range []Row{{}, full} {
		if !r.I64.Valid && !scan.Filters.I64.NullAllowed() || r.I64.Valid && !scan.Filters.I64.Contains(r.I64.V) {
			continue
		}
		if err := w.Append(r); err != nil {
			return err
		}
	}
	return nil
}

func TestNullsRoundTrip(t *testing.T) {
	res := sourcetest.Run(t, NewTable(&twoRows{}), plan.ScanRequest{Limit: plan.NoLimit})
	if len(res.Rows) != 2 || res.Rows[0] != strings.Repeat("(null)|", 17)+"(null)" {
		t.Errorf("null row %q", res.Rows)
	}
	want := "true|1|2|3|4|5|6|7|8|9|10.5|s|Yg==|2026-01-02|2026-01-02T03:04:05Z|2026-01-02T03:04:05|1000ms|1.2345"
	if res.Rows[1] != want {
		t.Errorf("row\n got %s\nwant %s", res.Rows[1], want)
	}
	if got := res.Plan.Properties().Ordering; len(got) != 2 || got[0].String() != "i64 DESC" || got[1].String() != "s ASC NULLS FIRST" {
		t.Errorf("ordering %v", got)
	}
}

func TestIsNullIsExact(t *testing.T) {
	src := &twoRows{}
	i64 := &expr.Column{Name: "i64", Type: arrow.PrimitiveTypes.Int64}
	res := sourcetest.Run(t, NewTable(src), plan.ScanRequest{Projection: []int{4}, Filters: []expr.Expr{&expr.IsNull{E: i64}}, Limit: plan.NoLimit})
	if len(res.Rows) != 1 || res.Rows[0] != "(null)" || !src.seen.Filters.I64.NullAllowed() {
		t.Errorf("rows %q, domain %v", res.Rows, src.seen.Filters.I64)
	}
	if got := res.Plan.Properties().Ordering; len(got) != 1 {
		t.Errorf("ordering %v: cut at s, which is not projected", got)
	}
}
