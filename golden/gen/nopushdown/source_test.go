package nopushdown

import (
	"context"
	"slices"
	"testing"

	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/source/sourcetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type people struct{ seen *Scan }

func (p *people) Partitions(_ context.Context, s *Scan) ([]Partition, error) {
	p.seen = s
	return []Partition{{}}, nil
}

func (*people) Read(_ context.Context, _ Partition, _ *Scan, w *Writer) error {
	for i, n := range []string{"ada", "bob", "cy"} {
		if err := w.Append(Row{ID: int64(i), Name: n}); err != nil {
			return err
		}
	}
	return nil
}

func TestSourceSeesNoPushdown(t *testing.T) {
	src := &people{}
	res := sourcetest.Run(t, NewTable(src), plan.ScanRequest{Projection: []int{1}, Limit: 1})
	if !slices.Equal(src.seen.Columns, []string{"id", "name"}) || src.seen.Limit != -1 {
		t.Errorf("scan %+v: projection and limit must not be pushed", src.seen)
	}
	if !slices.Equal(res.Rows, []string{"ada", "bob", "cy"}) {
		t.Errorf("rows %q: the output is still projected, the engine applies the limit", res.Rows)
	}
	if got, want := res.Plan.String(), "NopushdownExec: partitions=1/1, projection=[name]"; got != want {
		t.Errorf("EXPLAIN %q, want %q", got, want)
	}
	answers, _ := NewTable(src).SupportsFilters(nil)
	if len(answers) != 0 {
		t.Error(answers)
	}
}
