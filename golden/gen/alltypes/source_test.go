package alltypes

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/source/sourcetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var at = time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.UTC)

func row(i int) Row {
	return Row{B: i%2 == 0, I8: int8(-i), I16: int16(i * 300), I32: int32(i), I64: int64(i) << 40,
		U8: uint8(i), U16: uint16(i), U32: uint32(i), U64: uint64(i) << 60, F32: 1.5, F64: float64(i) / 4,
		S: "s", Bin: []byte{byte(i)}, D: at, TsS: at, TsMs: at, TsUs: at, TsNs: at,
		DurS: 90 * time.Second, DurMs: 1500 * time.Millisecond, DurUs: time.Microsecond, DurNs: 7,
		Amount: decimal128.FromI64(int64(i) * 101), Big: decimal128.FromI64(int64(i))}
}

// testSource writes partition 0 row by row and partition 1 column by column.
type testSource struct{}

func (testSource) Partitions(context.Context, *Scan) ([]Partition, error) {
	return []Partition{{Payload: 0}, {Payload: 1}}, nil
}

func (testSource) Read(_ context.Context, p Partition, _ *Scan, w *Writer) error {
	if p.Payload == 0 {
		for i := range 2 {
			if err := w.Append(row(i)); err != nil {
				return err
			}
		}
		return nil
	}
	var c Columns
	for i := range 2 {
		r := row(i)
		c.B, c.I8, c.I16, c.I32, c.I64 = append(c.B, r.B), append(c.I8, r.I8), append(c.I16, r.I16), append(c.I32, r.I32), append(c.I64, r.I64)
		c.U8, c.U16, c.U32, c.U64 = append(c.U8, r.U8), append(c.U16, r.U16), append(c.U32, r.U32), append(c.U64, r.U64)
		c.F32, c.F64, c.S, c.Bin, c.D = append(c.F32, r.F32), append(c.F64, r.F64), append(c.S, r.S), append(c.Bin, r.Bin), append(c.D, r.D)
		c.TsS, c.TsMs, c.TsUs, c.TsNs = append(c.TsS, r.TsS), append(c.TsMs, r.TsMs), append(c.TsUs, r.TsUs), append(c.TsNs, r.TsNs)
		c.DurS, c.DurMs, c.DurUs, c.DurNs = append(c.DurS, r.DurS), append(c.DurMs, r.DurMs), append(c.DurUs, r.DurUs), append(c.DurNs, r.DurNs)
		c.Amount, c.Big = append(c.Amount, r.Amount), append(c.Big, r.Big)
	}
	return w.AppendColumns(c)
}

func TestEveryTypeRoundTrips(t *testing.T) {
	res := sourcetest.Run(t, NewTable(testSource{}), plan.ScanRequest{Limit: plan.NoLimit})
	want := "false|-1|300|1|1099511627776|1|1|1|1152921504606846976|1.5|0.25|s|AQ==|2026-03-04|" +
		"2026-03-04T05:06:07|2026-03-04T05:06:07.891Z|2026-03-04T00:06:07.891234-05:00|2026-03-04T07:06:07.891234567+02:00|" +
		"90s|1500ms|1us|7ns|1.01|1"
	if len(res.Rows) != 4 || res.Rows[1] != want || res.Rows[3] != want {
		t.Errorf("rows:\n%s\nwant row 1 and 3:\n%s", res.Rows, want)
	}
	if !slices.Equal(res.Rows[:2], res.Rows[2:]) {
		t.Errorf("Append and AppendColumns disagree:\n%s\n%s", res.Rows[:2], res.Rows[2:])
	}
}

func TestProjectionSubset(t *testing.T) {
	res := sourcetest.Run(t, NewTable(testSource{}), plan.ScanRequest{Projection: []int{22, 0}, Limit: plan.NoLimit})
	if want := []string{"0|true", "1.01|false", "0|true", "1.01|false"}; !slices.Equal(res.Rows, want) {
		t.Errorf("rows %q, want %q", res.Rows, want)
	}
}

// Fixed-width columns are appended without capacity checks (the Batcher
// reserves a batch's rows up front): every batch size and limit must give
// the same rows, through Append and AppendColumns alike.
func TestBatchSizesAndLimits(t *testing.T) {
	full := sourcetest.Run(t, NewTable(testSource{}), plan.ScanRequest{Limit: plan.NoLimit}).Rows
	for _, size := range []int{1, 2, 3, 64} {
		for _, limit := range []int{plan.NoLimit, 1, 3} {
			res, err := sourcetest.RunErr(context.Background(), NewTable(testSource{}), plan.ScanRequest{Limit: limit}, size)
			if err != nil {
				t.Fatalf("batch size %d, limit %d: %v", size, limit, err)
			}
			want := full
			if limit != plan.NoLimit { // the limit holds per partition (2 rows each)
				n := min(limit, 2)
				want = slices.Concat(full[:n], full[2:2+n])
			}
			if !slices.Equal(res.Rows, want) {
				t.Errorf("batch size %d, limit %d: rows\n%s\nwant\n%s", size, limit, res.Rows, want)
			}
		}
	}
}
