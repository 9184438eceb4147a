package sqldriver_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/memtable"
)

// batchesRead counts the batches bigTable's scans have produced.
var batchesRead atomic.Int64

var bigSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i", Type: arrow.PrimitiveTypes.Int64},
	{Name: "label", Type: arrow.BinaryTypes.String},
}, nil)

// bigTable is a one-partition table of n rows in batches of batch rows
// whose scans count the batches they produce.
func bigTable(t *testing.T, n, batch int) runtime.TableProvider {
	t.Helper()
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{int64(i), fmt.Sprintf("row-%d", i)}
	}
	tbl := memtable.MustBuild(memory.NewGoAllocator(), bigSchema, [][][]any{rows}, memtable.WithBatchRows(batch))
	t.Cleanup(tbl.Release)
	return countingTable{tbl}
}

type countingTable struct{ runtime.TableProvider }

func (c countingTable) Scan(ctx context.Context, req runtime.ScanRequest) (runtime.ExecutionPlan, error) {
	p, err := c.TableProvider.Scan(ctx, req)
	if err != nil {
		return nil, err
	}
	return countingPlan{p}, nil
}

type countingPlan struct{ runtime.ExecutionPlan }

func (c countingPlan) Execute(ctx context.Context, partition int, task *runtime.TaskContext) (runtime.RecordStream, error) {
	s, err := c.ExecutionPlan.Execute(ctx, partition, task)
	if err != nil {
		return nil, err
	}
	return countingStream{s}, nil
}

type countingStream struct{ runtime.RecordStream }

func (c countingStream) Next() (runtime.Batch, error) {
	b, err := c.RecordStream.Next()
	if err == nil {
		batchesRead.Add(1)
	}
	return b, err
}
