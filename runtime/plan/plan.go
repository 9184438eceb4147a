// Package plan defines the contract between tpgen's query engine and the
// table providers it reads: TableProvider (describes a table and plans a
// scan), ExecutionPlan (a node of the physical plan) and RecordStream (the
// batches one partition produces). These are the three layers of the
// DataFusion table-provider guide, in Go.
//
// The guiding rule, as in the guide: push work as late as possible.
// TableProvider.Scan runs during planning and must not touch data;
// ExecutionPlan.Execute only builds a stream; all I/O and computation happen
// while the stream is read.
package plan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/expr"
)

// FilterPushdown is a provider's answer for one filter expression.
type FilterPushdown int

const (
	// Unsupported: the provider ignores the filter; the engine applies it
	// above the scan.
	Unsupported FilterPushdown = iota
	// Inexact: the provider uses the filter to skip data (partitions,
	// files, row groups) but may still return rows that do not satisfy
	// it; the engine keeps its own filter above the scan.
	Inexact
	// Exact: the provider guarantees that no returned row makes the filter
	// false or NULL; the engine drops its own filter. Claiming Exact for a
	// filter the source does not fully apply returns wrong results.
	Exact
)

// String returns the name of the answer.
func (f FilterPushdown) String() string {
	switch f {
	case Exact:
		return "Exact"
	case Inexact:
		return "Inexact"
	}
	return "Unsupported"
}

// NoLimit is the ScanRequest.Limit of a scan without a row limit.
const NoLimit = -1

// ScanRequest carries the pushdown hints of one scan.
type ScanRequest struct {
	// Projection lists the indices (into the provider's schema) of the
	// columns the query needs, in the order the scan must output them. Nil
	// means every column, in schema order.
	Projection []int
	// Filters are conjuncts the provider answered Exact or Inexact for in
	// SupportsFilters. Conjuncts it answered Unsupported are not passed.
	Filters []expr.Expr
	// Limit caps the number of rows each partition needs to produce;
	// NoLimit when negative. The planner pushes a limit when no filter,
	// aggregate or sort stays above the scan (any Limit rows do), and
	// under a sort the partitions' declared ordering makes unnecessary
	// (ORDER BY ts LIMIT n over partitions ordered by ts): then each
	// partition's first Limit rows, in its declared order, are what the
	// merge above needs. So a provider may stop each partition after its
	// first Limit rows, but must not stop one partition because others
	// produced rows. Limit counts rows after the filters taken Exact.
	Limit int
}

// TableProvider describes a queryable table.
type TableProvider interface {
	// Schema is the table's full schema.
	Schema() *arrow.Schema
	// SupportsFilters answers, for each filter (a conjunct of the WHERE
	// clause referring only to this table), whether the provider can apply
	// it: Exact, Inexact or Unsupported. The result has one entry per
	// filter, in order.
	SupportsFilters(filters []expr.Expr) ([]FilterPushdown, error)
	// Scan returns the plan that reads the table with the given pushdown.
	// It runs during planning: it may consult metadata (for example to
	// list and prune partitions) but must not read data, and should return
	// quickly.
	Scan(ctx context.Context, req ScanRequest) (ExecutionPlan, error)
}

// StatisticsProvider is implemented by providers (and plans) that know
// statistics about their data. Statistics are estimates unless Exact says
// otherwise; the planner may use them, never to change results.
type StatisticsProvider interface {
	Statistics() Statistics
}

// BoundsProvider is implemented by plans that can bound one column's
// values without computing all their statistics (which includes working
// out whether filters hold for whole partitions): an aggregate asks it
// whether a sum can overflow.
type BoundsProvider interface {
	// ColumnBounds returns an upper bound of the plan's rows and bounds
	// of column's non-NULL values; ok is false when they are not known
	// for certain (statistics that are estimates bound nothing).
	ColumnBounds(column string) (b ColumnBounds, ok bool)
}

// RowEstimator is implemented by plans that can estimate how many rows
// they return (a generated scan: its partitions' rows, narrowed by what
// share of each partition's min-max range its filters keep). The engine
// uses it only to choose how many goroutines to spend on a plan, never
// for results.
type RowEstimator interface {
	// EstimatedRows returns the estimate, or -1 when nothing is known.
	EstimatedRows() int64
}

// ColumnBounds bounds one column of a plan's output: at most Rows rows,
// every non-NULL value within [Min, Max].
type ColumnBounds struct {
	Rows     int64
	Min, Max expr.Scalar
}

// Statistics describes a table or a plan's output.
type Statistics struct {
	// Rows is the number of rows, or -1 when unknown.
	Rows int64
	// Exact reports whether Rows and every column statistic are exact.
	Exact bool
	// Bounded reports that, exact or not, Rows is at least the number of
	// rows and every column's known Min and Max bound its values: what a
	// scan of partitions with exact statistics guarantees when pushed
	// filters or a limit may drop rows. Exact implies it (see Bounds).
	Bounded bool
	// Columns holds per-column statistics by column name.
	Columns map[string]ColumnStatistics
}

// Bounds reports whether Rows and the columns' Min and Max are upper
// bounds and bounds of the values (Exact or Bounded).
func (s Statistics) Bounds() bool { return s.Exact || s.Bounded }

// ColumnStatistics describes one column's values.
type ColumnStatistics struct {
	Min, Max  expr.Scalar // NULL scalars when unknown
	NullCount int64       // -1 when unknown
}

// PartitioningKind says how rows are distributed across partitions.
type PartitioningKind int

const (
	// UnknownPartitioning promises nothing: any row may be in any partition.
	UnknownPartitioning PartitioningKind = iota
	// KeyPartitioning promises that rows with equal values of Columns are
	// never in two different partitions (hash partitioning is one way to
	// achieve it). Aggregates grouping by a superset of Columns can then
	// finish inside each partition, without a repartition.
	KeyPartitioning
	// RangePartitioning promises that each partition holds a contiguous
	// range of the single column in Columns, that the ranges are disjoint
	// (no value is in two partitions), and that partitions are in ascending
	// order of those ranges. NULLs are not constrained: a NULL may be in any
	// partition, so the engine relies on this promise for NULL-free columns
	// only (ordered concatenation, one-phase aggregation).
	RangePartitioning
	// SinglePartition: the plan has exactly one partition.
	SinglePartition
)

// Partitioning describes a plan's output partitioning.
type Partitioning struct {
	Kind    PartitioningKind
	Columns []string
}

// String renders the partitioning as EXPLAIN shows it.
func (p Partitioning) String() string {
	switch p.Kind {
	case KeyPartitioning:
		return "Key([" + strings.Join(p.Columns, ", ") + "])"
	case RangePartitioning:
		return "Range([" + strings.Join(p.Columns, ", ") + "])"
	case SinglePartition:
		return "Single"
	}
	return "Unknown"
}

// SortKey is one key of a declared ordering.
type SortKey struct {
	Column     string
	Descending bool
	NullsFirst bool
}

// String renders the key as `col ASC NULLS LAST`, abbreviating the
// PostgreSQL defaults (nulls last ascending, nulls first descending).
func (k SortKey) String() string {
	s := k.Column + " ASC"
	if k.Descending {
		s = k.Column + " DESC"
	}
	if k.NullsFirst != k.Descending {
		if k.NullsFirst {
			s += " NULLS FIRST"
		} else {
			s += " NULLS LAST"
		}
	}
	return s
}

// Properties describe a plan's output, as the optimizer relies on them.
type Properties struct {
	// Partitions is the number of partitions Execute accepts (0..n-1).
	Partitions int
	// Partitioning says how rows are spread across those partitions.
	Partitioning Partitioning
	// Ordering is the order rows have inside every partition (empty when
	// none is promised). Declaring an ordering the data does not have
	// returns wrong results, since the engine skips its own sort.
	Ordering []SortKey
	// Unbounded is true for plans whose streams never end (tailing a log,
	// a socket). Queries that need all input (sort, aggregate) reject them.
	Unbounded bool
}

// TaskContext is what Execute needs from the engine besides the context.
type TaskContext struct {
	// Allocator allocates every Arrow buffer of the query. Tests use
	// memory.NewCheckedAllocator to prove nothing leaks.
	Allocator memory.Allocator
	// BatchSize is the preferred number of rows per batch.
	BatchSize int
	// Parallelism caps how many partitions run at once in operators that
	// read several input partitions themselves.
	Parallelism int
}

// DefaultBatchSize is the BatchSize used when a TaskContext leaves it zero.
const DefaultBatchSize = 8192

// ExecutionPlan is a node of a physical plan.
type ExecutionPlan interface {
	// Name is the operator's name, e.g. "FilterExec".
	Name() string
	// Schema is the schema of every batch the plan's streams produce.
	Schema() *arrow.Schema
	// Properties describes the output: partition count, partitioning,
	// ordering, boundedness.
	Properties() Properties
	// Children returns the input plans (none for a scan).
	Children() []ExecutionPlan
	// WithNewChildren returns a copy of the plan reading from children
	// instead (same count and schemas). Leaves return themselves.
	WithNewChildren(children []ExecutionPlan) (ExecutionPlan, error)
	// Execute starts one partition and returns its stream. It must only
	// build the stream (open nothing, read nothing): the work happens as
	// the stream is read. ctx governs the whole life of the stream.
	Execute(ctx context.Context, partition int, task *TaskContext) (RecordStream, error)
	// String is the one-line description EXPLAIN prints, e.g.
	// "FilterExec: x > 1" or "EventsExec: partitions=5/50, ...".
	String() string
}

// RecordStream yields the batches of one partition.
//
// Next returns the next batch, which the caller owns and must Release; it
// returns (nil-record Batch, io.EOF) at the end, and any other error when the
// partition fails. After Next returned an error, it keeps returning it.
// Close stops the stream early, releases what it holds and ends every
// goroutine it started; it is safe to call more than once and after EOF.
type RecordStream interface {
	Schema() *arrow.Schema
	Next() (Batch, error)
	Close()
}

// Pusher is a RecordStream that can hand all its remaining batches to a
// function on the caller's goroutine instead of being pulled with Next. A
// consumer that takes every batch (an aggregate) pushes, so that a source
// needs no coroutine or goroutine to be suspended in between batches:
// that is most of what reading a partition costs beyond its rows.
//
// Push calls f with each remaining batch in order, which f owns, and
// returns nil at the end of the stream, f's error when f returns one (the
// stream then stops, as if closed), or the error that ended the stream,
// as Next would have returned it. After Push the stream is at its end;
// the caller still closes it.
type Pusher interface {
	RecordStream
	Push(f func(Batch) error) error
}

// PushAll hands every remaining batch of s to f: by Push when s is a
// Pusher, by Next otherwise.
func PushAll(s RecordStream, f func(Batch) error) error {
	if p, ok := s.(Pusher); ok {
		return p.Push(f)
	}
	return PullAll(s, f)
}

// PullAll hands every remaining batch of s to f, read with Next: what a
// Pusher that cannot push does.
func PullAll(s RecordStream, f func(Batch) error) error {
	for {
		b, err := s.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := f(b); err != nil {
			return err
		}
	}
}

// Batch is a record batch plus an optional selection vector. A filter
// produces a selection instead of copying the rows it keeps, and the
// operators above it (projection, aggregation, limit) read only the
// selected rows. Streams returned to users carry no selection.
type Batch struct {
	Record arrow.RecordBatch
	// Sel lists the selected row indices in ascending order; nil selects
	// every row. An empty non-nil Sel selects none.
	Sel []int32
}

// NumRows returns the number of selected rows.
func (b Batch) NumRows() int {
	if b.Sel != nil {
		return len(b.Sel)
	}
	if b.Record == nil {
		return 0
	}
	return int(b.Record.NumRows())
}

// Release releases the record, if any.
func (b Batch) Release() {
	if b.Record != nil {
		b.Record.Release()
	}
}

// Error is an execution error located in the plan: which operator (and,
// for scans, which table) and which partition raised it.
type Error struct {
	Operator  string // e.g. "EventsExec" or "FilterExec"
	Table     string // the table, for scans; empty otherwise
	Partition int    // the partition's index in the plan
	// PartitionName, when set, names the partition independently of the
	// plan, as a user knows it: by its key (region = 'us'), its range
	// (ts [1, 5)) or its place in the source's listing (2 of 3 listed).
	// The index differs between a full scan and a pruned one; this does
	// not, so the message shows it instead of the index.
	PartitionName string
	Err           error
}

// Error implements error.
func (e *Error) Error() string {
	part := fmt.Sprintf("partition %d", e.Partition)
	if e.PartitionName != "" {
		part = "partition " + e.PartitionName
	}
	if e.Table != "" {
		return fmt.Sprintf("%s (table %s, %s): %v", e.Operator, e.Table, part, e.Err)
	}
	return fmt.Sprintf("%s (%s): %v", e.Operator, part, e.Err)
}

// LayoutDeclarer is implemented by table providers that can state, without
// planning a scan, what every scan of the table promises about the whole
// table's columns: how rows are partitioned and how each partition is
// ordered. A scan's Properties keep only the promises about the columns it
// outputs; verify mode reads the columns named here even when a query
// needs none of them, so that it checks the promises always. Verify mode
// reads every column of a provider that does not implement it.
type LayoutDeclarer interface {
	DeclaredLayout() (Partitioning, []SortKey)
}

// PartitionNamer is implemented by scan plans that can name a partition
// independently of pruning (see Error.PartitionName); verify mode and
// errors use it. A plan that cannot answers "".
type PartitionNamer interface {
	PartitionName(partition int) string
}

// BoundsName names a partition by what it declares: "region = 'us'" for a
// key (columns joined by ", "), "ts [1, 5)" for a range; "" for none.
func BoundsName(bounds []ColumnBound) string {
	parts := make([]string, len(bounds))
	for i, b := range bounds {
		s := b.String()
		s = strings.TrimPrefix(s, "partition key ")
		s = strings.TrimPrefix(s, "partition range ")
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// PartitionBounds is implemented by plans whose partitions declare what
// values their rows hold: the key of a key partition, the [low, high) of a
// range partition. Providers prune partitions with these declarations, so a
// row outside its partition's bounds may be silently skipped by a query;
// verify mode checks every row against them. Plans that know nothing about
// a partition answer ok false.
type PartitionBounds interface {
	PartitionBounds(partition int) (bounds []ColumnBound, ok bool)
}

// ColumnBound is what a partition declares about one column in every row
// it holds.
type ColumnBound struct {
	Column string
	// Key, when true, declares the partition's value of Column: every row
	// holds exactly Min (Max equals it), NULL when Min is NULL (or the zero
	// Scalar).
	Key bool
	// Otherwise every non-NULL value v lies in [Min, Max], or [Min, Max)
	// when MaxExclusive; a NULL (or zero) Min or Max leaves that side open.
	// NULLs are not constrained.
	Min, Max     expr.Scalar
	MaxExclusive bool
}

// String renders the declaration as verify mode reports it:
// "partition key region = 'us'" or "partition range ts [1, 5)".
func (b ColumnBound) String() string {
	if b.Key {
		if Unset(b.Min) {
			return "partition key " + b.Column + " IS NULL"
		}
		return "partition key " + b.Column + " = " + b.Min.String()
	}
	lo, hi := "(-inf", "+inf)"
	if !Unset(b.Min) {
		lo = "[" + b.Min.String()
	}
	if !Unset(b.Max) {
		hi = b.Max.String() + "]"
		if b.MaxExclusive {
			hi = b.Max.String() + ")"
		}
	}
	return "partition range " + b.Column + " " + lo + ", " + hi
}

// Unset reports whether a bound is NULL or the zero Scalar: an open side of
// a range, or a NULL key.
func Unset(s expr.Scalar) bool { return s.Null || s.Value == nil }
