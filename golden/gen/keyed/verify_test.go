package keyed

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

// mislabelled declares partition "us" but writes its rows with region
// "xx": pruning by region = 'xx' would skip the partition and lose them.
type mislabelled struct{ testSource }

func (s *mislabelled) Read(ctx context.Context, p Partition, scan *Scan, w *Writer) error {
	if p.Key.Region != "us" {
		return s.testSource.Read(ctx, p, scan, w)
	}
	start := p.Payload.(time.Time)
	for i := range 3 {
		if err := w.Append(Row{Region: "xx", Ts: start.Add(time.Duration(i) * time.Hour), UserID: int64(i)}); err != nil {
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
	if err := s.Register("keyed", NewTable(src)); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(context.Background(), q)
	if err != nil {
		return 0, err
	}
	defer res.Release()
	return res.NumRows(), nil
}

func TestVerifyChecksPartitionKey(t *testing.T) {
	const q = "SELECT region, ts FROM keyed"
	if n, err := queryVerified(t, &testSource{}, q); err != nil || n != 9 {
		t.Fatalf("honest source: %d rows, error %v", n, err)
	}
	_, err := queryVerified(t, &mislabelled{}, q)
	want := "KeyedExec (table keyed, partition region = 'us'): verify: row 0: partition key region = 'us' violated: row has region = 'xx'"
	var v *verify.Violation
	if err == nil || !strings.Contains(err.Error(), want) || !errors.As(err, &v) || v.Partition != 1 || v.Row != 0 {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
}
