package keyed

import (
	"context"
	"errors"
	"fmt"
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

// Verify mode reads the columns the spec's promises are about (the key
// region, the ordering ts) even when the query reads none of them, and
// still returns only what the query asked for.
func TestVerifyChecksPromisesTheQueryDoesNotRead(t *testing.T) {
	for _, q := range []string{"SELECT count(*) FROM keyed", "SELECT user_id FROM keyed", "SELECT count(*) FROM keyed WHERE region = 'us'"} {
		_, err := queryVerified(t, &mislabelled{}, q)
		if err == nil || !strings.Contains(err.Error(), "violated: row has region = 'xx'") {
			t.Errorf("%s over a mislabelled source: error %v, want the key violation", q, err)
		}
		_, err = queryVerified(t, &shuffled{}, q)
		if err == nil || !strings.Contains(err.Error(), "ordering [ts ASC] violated") {
			t.Errorf("%s over a shuffled source: error %v, want the ordering violation", q, err)
		}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithVerify(true))
	if err := s.Register("keyed", NewTable(&testSource{})); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(context.Background(), "SELECT user_id FROM keyed WHERE region = 'us'")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if res.Schema.NumFields() != 1 || res.Schema.Field(0).Name != "user_id" {
		t.Errorf("verify mode changed the result's columns: %s", res.Schema)
	}
	if got := fmt.Sprint(res.Rows()); got != "[[0] [1] [2]]" {
		t.Errorf("rows %s, want [[0] [1] [2]]", got)
	}
}

// shuffled writes each partition's rows in reverse ts order, against the
// spec's ordering [ts asc].
type shuffled struct{ testSource }

func (s *shuffled) Read(ctx context.Context, p Partition, scan *Scan, w *Writer) error {
	start := p.Payload.(time.Time)
	for i := 2; i >= 0; i-- {
		if err := w.Append(Row{Region: p.Key.Region, Ts: start.Add(time.Duration(i) * time.Hour), UserID: int64(i)}); err != nil {
			return err
		}
	}
	return nil
}
