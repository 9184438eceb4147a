package ranged

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/verify"
)

// spill writes the second row of the last day's partition a day late,
// past the partition's High: a query pruning by ts would lose it.
type spill struct{ days }

func (spill) Read(_ context.Context, p Partition, _ *Scan, w *Writer) error {
	for h := 0; h < 24; h += 12 {
		ts := p.Low.Add(time.Duration(h) * time.Hour)
		if h > 0 && p.Low.Equal(day0.AddDate(0, 0, 2)) {
			ts = ts.AddDate(0, 0, 1)
		}
		if err := w.Append(Row{Ts: ts, SensorID: int32(h), Value: 0.5}); err != nil {
			return err
		}
	}
	return nil
}

func queryVerified(t *testing.T, src Source, q string) (int64, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithParallelism(2), runtime.WithVerify(true))
	if err := s.Register("ranged", NewTable(src)); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(context.Background(), q)
	if err != nil {
		return 0, err
	}
	defer res.Release()
	return res.NumRows(), nil
}

func TestVerifyChecksPartitionRange(t *testing.T) {
	const q = "SELECT ts, value FROM ranged"
	if n, err := queryVerified(t, days{}, q); err != nil || n != 6 {
		t.Fatalf("honest source: %d rows, error %v", n, err)
	}
	_, err := queryVerified(t, spill{}, q)
	want := "RangedExec (table ranged, partition ts [TIMESTAMP '2026-01-03 00:00:00Z', TIMESTAMP '2026-01-04 00:00:00Z')): verify: row 1: partition range ts [TIMESTAMP '2026-01-03 00:00:00Z', TIMESTAMP '2026-01-04 00:00:00Z') violated: row has ts = TIMESTAMP '2026-01-04 12:00:00Z'"
	var v *verify.Violation
	if err == nil || !strings.Contains(err.Error(), want) || !errors.As(err, &v) || v.Partition != 2 || v.Row != 1 {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
}
