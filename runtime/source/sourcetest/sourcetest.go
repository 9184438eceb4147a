// Package sourcetest runs generated table providers without the SQL
// engine: it plans a scan, reads every partition with a checked allocator
// and renders the rows as text, so tests of generated code (the golden
// packages, the examples) assert outcomes in a line each.
package sourcetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// Result is what a scan produced.
type Result struct {
	Plan plan.ExecutionPlan
	// Rows holds one string per row, partitions in order: the values of
	// the output columns joined by "|", NULL as "(null)".
	Rows []string
	// Batches counts the record batches read.
	Batches int
}

// Run plans p's scan for req, reads every partition, and fails t on any
// error or leaked Arrow byte.
func Run(t testing.TB, p plan.TableProvider, req plan.ScanRequest) Result {
	t.Helper()
	r, err := RunErr(context.Background(), p, req, 0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// RunErr is Run returning the error instead; batchSize 0 keeps the
// table's default. Leaked bytes are reported as an error too.
func RunErr(ctx context.Context, p plan.TableProvider, req plan.ScanRequest, batchSize int) (Result, error) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	ep, err := p.Scan(ctx, req)
	if err != nil {
		return Result{}, err
	}
	res := Result{Plan: ep}
	task := &plan.TaskContext{Allocator: mem, BatchSize: batchSize}
	for i := range ep.Properties().Partitions {
		if err := readPartition(ctx, ep, i, task, &res); err != nil {
			return res, err
		}
	}
	if n := mem.CurrentAlloc(); n != 0 {
		return res, errors.New("sourcetest: Arrow memory leaked")
	}
	return res, nil
}

func readPartition(ctx context.Context, ep plan.ExecutionPlan, i int, task *plan.TaskContext, res *Result) error {
	s, err := ep.Execute(ctx, i, task)
	if err != nil {
		return err
	}
	defer s.Close()
	return plan.PullAll(s, func(b plan.Batch) error {
		res.Batches++
		res.Rows = append(res.Rows, Format(b.Record)...)
		b.Release()
		return nil
	})
}

// Format renders every row of rec as its values joined by "|".
func Format(rec arrow.RecordBatch) []string {
	rows := make([]string, rec.NumRows())
	for r := range rows {
		vals := make([]string, rec.NumCols())
		for c := range vals {
			vals[c] = rec.Column(c).ValueStr(r)
		}
		rows[r] = strings.Join(vals, "|")
	}
	return rows
}
