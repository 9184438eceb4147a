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
	"github.com/tpgen/tpgen/runtime/source"
)

// burning fails reading the partition of one region; the error must name
// that partition the same way whether the scan was pruned or not.
type burning struct {
	testSource
	region string
}

func (s *burning) Read(ctx context.Context, p Partition, scan *Scan, w *Writer) error {
	if p.Key.Region == s.region {
		return errors.New("disk on fire")
	}
	return s.testSource.Read(ctx, p, scan, w)
}

func TestErrorNamesPartitionByKey(t *testing.T) {
	want := "KeyedExec (table keyed, partition region = 'ap'): disk on fire"
	for _, q := range []string{
		"SELECT count(*) FROM keyed",                     // ap is partition 2 of 3
		"SELECT count(*) FROM keyed WHERE region = 'ap'", // ap is partition 0 of 1
		"SELECT region, ts FROM keyed WHERE region IN ('us', 'ap')",
	} {
		_, err := queryVerified(t, &burning{region: "ap"}, q)
		if err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s: error %v, want one ending %q", q, err, want)
		}
	}
}

// unkeyed lists three partitions without a key; only their statistics
// prune them, so the third one is partition 2 of a full scan but 1 of a
// scan filtered on ts.
type unkeyed struct{}

func (unkeyed) Partitions(context.Context, *Scan) ([]Partition, error) {
	var ps []Partition
	for i := range 3 {
		start := base.Add(time.Duration(i) * 24 * time.Hour)
		ps = append(ps, Partition{Payload: i, Stats: Stats{Ts: source.MinMax[time.Time]{Min: start, Max: start.Add(time.Hour), Valid: true}}})
	}
	return ps, nil
}

func (unkeyed) Read(_ context.Context, p Partition, _ *Scan, w *Writer) error {
	if p.Payload.(int) == 2 {
		return errors.New("disk on fire")
	}
	return w.Append(Row{Region: fmt.Sprint("r", p.Payload), Ts: p.Stats.Ts.Min})
}

func TestErrorNamesUnkeyedPartitionByItsPlaceInTheListing(t *testing.T) {
	want := "KeyedExec (table keyed, partition 2 of 3 listed): disk on fire"
	for _, q := range []string{
		"SELECT count(*) FROM keyed",
		"SELECT count(*) FROM keyed WHERE ts >= TIMESTAMP '2026-01-02 00:00:00Z'",
	} {
		_, err := queryVerified(t, unkeyed{}, q)
		if err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s: error %v, want one ending %q", q, err, want)
		}
	}
}

type noCatalog struct{ testSource }

func (*noCatalog) Partitions(context.Context, *Scan) ([]Partition, error) {
	return nil, errors.New("catalog unreachable")
}

// An error is prefixed once with the table's name.
func TestScanErrorNamesTheTableOnce(t *testing.T) {
	_, err := queryVerified(t, &noCatalog{}, "SELECT count(*) FROM keyed")
	if err == nil || strings.Count(err.Error(), "keyed") != 1 || !strings.HasSuffix(err.Error(), "table keyed: scan: listing partitions: catalog unreachable") {
		t.Errorf("error %v", err)
	}
}

// count(*) with the exact region filter pushed reads no column: the
// generated Writer fills zero-column batches that still count rows.
func TestCountStarReadsNoColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithParallelism(2))
	src := &testSource{}
	if err := s.Register("keyed", NewTable(src)); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"SELECT count(*) FROM keyed WHERE region = 'us'":          "[[3]]",
		"SELECT count(*) FROM keyed":                              "[[9]]",
		"SELECT count(*) FROM keyed WHERE region IN ('us', 'eu')": "[[6]]",
	} {
		plan, err := s.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "projection=[]") {
			t.Errorf("%s reads columns:\n%s", q, plan)
		}
		res, err := s.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(res.Rows()); got != want {
			t.Errorf("%s = %s, want %s", q, got, want)
		}
		res.Release()
		if len(src.seen.Columns) != 0 {
			t.Errorf("%s: the source was asked for columns %v", q, src.seen.Columns)
		}
	}
}
