package physical

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/tpgen/tpgen/runtime/plan"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// leafExec is a test scan over prepared batches, one slice per partition.
// Each Execute hands out retained references, so a leaf can run again.
type leafExec struct {
	schema   *arrow.Schema
	parts    [][]plan.Batch
	props    plan.Properties
	failAt   map[int]int // partition -> batch index at which Next fails
	infinite bool        // repeat the batches forever
	delay    time.Duration
}

func newLeaf(schema *arrow.Schema, parts ...[]plan.Batch) *leafExec {
	return &leafExec{schema: schema, parts: parts, props: plan.Properties{Partitions: len(parts)}}
}

func (l *leafExec) Name() string                   { return "LeafExec" }
func (l *leafExec) Schema() *arrow.Schema          { return l.schema }
func (l *leafExec) Properties() plan.Properties    { return l.props }
func (l *leafExec) Children() []plan.ExecutionPlan { return nil }
func (l *leafExec) String() string                 { return fmt.Sprintf("LeafExec: partitions=%d", len(l.parts)) }
func (l *leafExec) WithNewChildren([]plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	return l, nil
}

// release drops the leaf's own references.
func (l *leafExec) release() {
	for _, p := range l.parts {
		releaseBatches(p)
	}
}

func (l *leafExec) Execute(ctx context.Context, partition int, _ *plan.TaskContext) (plan.RecordStream, error) {
	if partition < 0 || partition >= len(l.parts) {
		return nil, fmt.Errorf("no partition %d", partition)
	}
	fail := -1
	if f, ok := l.failAt[partition]; ok {
		fail = f
	}
	return &leafStream{ctx: ctx, l: l, batches: l.parts[partition], fail: fail, partition: partition}, nil
}

type leafStream struct {
	ctx       context.Context
	l         *leafExec
	batches   []plan.Batch
	i         int
	fail      int
	partition int
	closed    bool
}

var errBoom = errors.New("boom")

func (s *leafStream) Schema() *arrow.Schema { return s.l.schema }
func (s *leafStream) Next() (plan.Batch, error) {
	if s.closed {
		return plan.Batch{}, io.EOF
	}
	if s.l.delay > 0 {
		select {
		case <-time.After(s.l.delay):
		case <-s.ctx.Done():
		}
	}
	if err := s.ctx.Err(); err != nil {
		return plan.Batch{}, err
	}
	if s.i == s.fail {
		return plan.Batch{}, &plan.Error{Operator: "LeafExec", Table: "t", Partition: s.partition, Err: errBoom}
	}
	if s.i >= len(s.batches) {
		if !s.l.infinite || len(s.batches) == 0 {
			return plan.Batch{}, io.EOF
		}
		s.i = 0
	}
	b := s.batches[s.i]
	s.i++
	b.Record.Retain()
	return b, nil
}
func (s *leafStream) Close() { s.closed = true }

// col builds an array from Go values; nil elements are NULLs.
func col(mem memory.Allocator, t arrow.DataType, vals ...any) arrow.Array {
	b := array.NewBuilder(mem, t)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch bb := b.(type) {
		case *array.Int64Builder:
			bb.Append(int64(v.(int)))
		case *array.Int32Builder:
			bb.Append(int32(v.(int)))
		case *array.Int8Builder:
			bb.Append(int8(v.(int)))
		case *array.Uint64Builder:
			bb.Append(uint64(v.(int)))
		case *array.Uint8Builder:
			bb.Append(uint8(v.(int)))
		case *array.Float64Builder:
			bb.Append(v.(float64))
		case *array.Float32Builder:
			bb.Append(float32(v.(float64)))
		case *array.StringBuilder:
			bb.Append(v.(string))
		case *array.LargeStringBuilder:
			bb.Append(v.(string))
		case *array.BinaryBuilder:
			bb.Append([]byte(v.(string)))
		case *array.BooleanBuilder:
			bb.Append(v.(bool))
		case *array.Date32Builder:
			bb.Append(arrow.Date32(v.(int)))
		case *array.TimestampBuilder:
			bb.Append(arrow.Timestamp(v.(int)))
		case *array.DurationBuilder:
			bb.Append(arrow.Duration(v.(int)))
		case *array.Decimal128Builder:
			bb.Append(decimalOf(v.(int)))
		default:
			panic(fmt.Sprintf("col: unsupported builder %T", b))
		}
	}
	return b.NewArray()
}

// rec builds a record of the given columns; names are a, b, c... unless
// given in schema.
func rec(schema *arrow.Schema, cols ...arrow.Array) arrow.RecordBatch {
	n := int64(0)
	if len(cols) > 0 {
		n = int64(cols[0].Len())
	}
	r := array.NewRecordBatch(schema, cols, n)
	for _, c := range cols {
		c.Release()
	}
	return r
}

func schemaOf(fields ...any) *arrow.Schema {
	fs := make([]arrow.Field, 0, len(fields)/2)
	for i := 0; i < len(fields); i += 2 {
		fs = append(fs, arrow.Field{Name: fields[i].(string), Type: fields[i+1].(arrow.DataType), Nullable: true})
	}
	return arrow.NewSchema(fs, nil)
}

// rows renders records as "v1,v2" lines for comparison.
func rows(recs []arrow.RecordBatch) []string {
	var out []string
	for _, r := range recs {
		for i := range int(r.NumRows()) {
			var cells []string
			for _, c := range r.Columns() {
				if c.IsNull(i) {
					cells = append(cells, "NULL")
				} else {
					cells = append(cells, c.ValueStr(i))
				}
			}
			out = append(out, strings.Join(cells, ","))
		}
	}
	return out
}

func release(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// collectRows runs p and returns its rows as strings.
func collectRows(t *testing.T, mem memory.Allocator, p plan.ExecutionPlan) []string {
	t.Helper()
	recs, err := Collect(context.Background(), p, &plan.TaskContext{Allocator: mem, BatchSize: 3, Parallelism: 2})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	defer release(recs)
	return rows(recs)
}

func checked(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func colExpr(name string, t arrow.DataType) *exprColumn { return &exprColumn{Name: name, Type: t} }

type allocator = memory.Allocator
