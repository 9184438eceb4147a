// Package memtable is an in-memory table provider over Arrow records,
// optionally split into partitions with declared key or range partitioning
// and ordering. It supports every pushdown (projection, filters with a
// choice of Exact, Inexact or Unsupported, partition pruning by min/max
// statistics, limit) and is the reference provider for tpgen's tests.
//
// Build and MustBuild make tables from Go values:
//
//	t := memtable.MustBuild(mem, schema, [][][]any{
//		{{"us-east-1", int64(1)}, {"us-east-1", int64(2)}}, // partition 0
//		{{"eu-west-1", nil}},                               // partition 1
//	}, memtable.WithKeyPartitioning("region"))
//	defer t.Release()
package memtable

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/verify"
)

// Table is an in-memory table. It implements plan.TableProvider and
// plan.StatisticsProvider, and is safe for concurrent scans.
type Table struct {
	schema  *arrow.Schema
	parts   [][]arrow.RecordBatch
	opts    options
	stats   [][]colStats // per partition, per column
	rows    []int64      // per partition
	release sync.Once
}

// New makes a table of the given partitions (each a list of records with
// exactly schema's fields). It retains the records; call Release when no
// query uses the table any more. Unless WithoutValidation is given, New
// checks the declared partitioning and ordering against the data and fails
// if they do not hold.
func New(schema *arrow.Schema, partitions [][]arrow.RecordBatch, opts ...Option) (*Table, error) {
	if schema == nil {
		return nil, errors.New("memtable: nil schema")
	}
	o := defaults()
	for _, opt := range opts {
		opt(&o)
	}
	t := &Table{schema: schema, opts: o}
	if err := t.checkDeclarations(); err != nil {
		return nil, err
	}
	for p, recs := range partitions {
		for i, r := range recs {
			if r == nil || !r.Schema().Equal(schema) {
				return nil, fmt.Errorf("memtable: partition %d, record %d: schema differs from the table's %s", p, i, schema)
			}
		}
	}
	t.parts = make([][]arrow.RecordBatch, len(partitions))
	for p, recs := range partitions {
		t.parts[p] = append([]arrow.RecordBatch(nil), recs...)
		var n int64
		for _, r := range recs {
			r.Retain()
			n += r.NumRows()
		}
		t.rows = append(t.rows, n)
		t.stats = append(t.stats, computeStats(schema, recs))
	}
	if !o.skipValidate {
		if err := t.validate(); err != nil {
			t.Release()
			return nil, err
		}
	}
	return t, nil
}

// checkDeclarations checks that declared columns exist.
func (t *Table) checkDeclarations() error {
	for _, c := range t.opts.partitioning.Columns {
		if !t.schema.HasField(c) {
			return fmt.Errorf("memtable: partitioning column %q is not in the schema", c)
		}
	}
	for _, k := range t.opts.ordering {
		if !t.schema.HasField(k.Column) {
			return fmt.Errorf("memtable: ordering column %q is not in the schema", k.Column)
		}
	}
	switch t.opts.pushdown {
	case plan.Exact, plan.Inexact, plan.Unsupported:
	default:
		return fmt.Errorf("memtable: invalid filter pushdown mode %d", t.opts.pushdown)
	}
	return nil
}

// validate reads the whole table in verify mode, which checks the same
// promises a query would rely on.
func (t *Table) validate() error {
	if t.opts.partitioning.Kind == plan.UnknownPartitioning && len(t.opts.ordering) == 0 {
		return nil
	}
	ctx := context.Background()
	p, err := verify.Verify(t, t.opts.name).Scan(ctx, plan.ScanRequest{Limit: plan.NoLimit})
	if err != nil {
		return fmt.Errorf("memtable: %w", err)
	}
	task := &plan.TaskContext{Allocator: memory.DefaultAllocator, BatchSize: plan.DefaultBatchSize}
	for i := range p.Properties().Partitions {
		s, err := p.Execute(ctx, i, task)
		if err != nil {
			return fmt.Errorf("memtable: %w", err)
		}
		for {
			b, err := s.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				s.Close()
				var v *verify.Violation
				if errors.As(err, &v) {
					return fmt.Errorf("memtable: the data breaks the declared %s: partition %d, row %d: %s", v.Promise, v.Partition, v.Row, v.Detail)
				}
				return fmt.Errorf("memtable: %w", err)
			}
			b.Release()
		}
		s.Close()
	}
	return nil
}

// Release releases the table's records. Call it once no query reads the
// table; later calls do nothing.
func (t *Table) Release() {
	t.release.Do(func() {
		for _, recs := range t.parts {
			for _, r := range recs {
				r.Release()
			}
		}
	})
}

// Schema implements plan.TableProvider.
func (t *Table) Schema() *arrow.Schema { return t.schema }

// DeclaredLayout implements plan.LayoutDeclarer: the partitioning and
// ordering declared with WithKeyPartitioning, WithRangePartitioning and
// WithOrdering.
func (t *Table) DeclaredLayout() (plan.Partitioning, []plan.SortKey) {
	return t.opts.partitioning, t.opts.ordering
}

// NumPartitions returns the number of partitions the table holds.
func (t *Table) NumPartitions() int { return len(t.parts) }

// SupportsFilters implements plan.TableProvider: every filter gets the
// table's pushdown mode, except filters that do not compile against the
// schema, which are Unsupported.
func (t *Table) SupportsFilters(filters []expr.Expr) ([]plan.FilterPushdown, error) {
	out := make([]plan.FilterPushdown, len(filters))
	for i, f := range filters {
		out[i] = plan.Unsupported
		if t.opts.pushdown == plan.Unsupported {
			continue
		}
		if c, err := expr.Compile(f, t.schema); err == nil && c.DataType().ID() == arrow.BOOL {
			out[i] = t.opts.pushdown
		}
	}
	return out, nil
}

// Statistics implements plan.StatisticsProvider with exact row counts and
// per-column min, max and NULL count, computed by New.
func (t *Table) Statistics() plan.Statistics {
	var rows int64
	for _, n := range t.rows {
		rows += n
	}
	return mergeStats(t.schema, t.stats, rows)
}
