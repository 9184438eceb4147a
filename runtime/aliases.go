package runtime

import (
	"github.com/tpgen/tpgen/runtime/domain"
	"github.com/tpgen/tpgen/runtime/expr"
	"github.com/tpgen/tpgen/runtime/plan"
	"github.com/tpgen/tpgen/runtime/verify"
)

// TableProvider describes a queryable table: its schema, which filters it
// can apply (Exact, Inexact or Unsupported) and how to plan a scan. See
// plan.TableProvider.
type TableProvider = plan.TableProvider

// ExecutionPlan is a node of a physical plan: properties, children and
// Execute, which only builds a stream. See plan.ExecutionPlan.
type ExecutionPlan = plan.ExecutionPlan

// RecordStream yields the batches of one partition; the caller releases
// each batch and closes the stream. See plan.RecordStream.
type RecordStream = plan.RecordStream

// Batch is a record batch with an optional selection vector. See
// plan.Batch.
type Batch = plan.Batch

// ScanRequest carries a scan's projection, filters and limit. See
// plan.ScanRequest.
type ScanRequest = plan.ScanRequest

// FilterPushdown is a provider's answer for one filter. See
// plan.FilterPushdown.
type FilterPushdown = plan.FilterPushdown

// The answers a provider gives SupportsFilters.
const (
	// Exact: no returned row makes the filter false or NULL; the engine
	// drops its own filter.
	Exact = plan.Exact
	// Inexact: the provider uses the filter to skip data; the engine still
	// filters.
	Inexact = plan.Inexact
	// Unsupported: the provider ignores the filter.
	Unsupported = plan.Unsupported
)

// NoLimit is the ScanRequest.Limit of a scan without a row limit.
const NoLimit = plan.NoLimit

// Properties describe a plan's output: partitions, partitioning, ordering,
// boundedness. See plan.Properties.
type Properties = plan.Properties

// Partitioning describes how rows are spread across partitions. See
// plan.Partitioning.
type Partitioning = plan.Partitioning

// PartitioningKind says what a Partitioning promises. See
// plan.PartitioningKind.
type PartitioningKind = plan.PartitioningKind

// The kinds of partitioning a plan can declare.
const (
	// UnknownPartitioning promises nothing.
	UnknownPartitioning = plan.UnknownPartitioning
	// KeyPartitioning: equal key values are never in two partitions.
	KeyPartitioning = plan.KeyPartitioning
	// RangePartitioning: each partition holds a contiguous range of one
	// column, partitions in ascending order.
	RangePartitioning = plan.RangePartitioning
	// SinglePartition: exactly one partition.
	SinglePartition = plan.SinglePartition
)

// SortKey is one key of a declared ordering. See plan.SortKey.
type SortKey = plan.SortKey

// TaskContext carries the allocator, batch size and parallelism to
// Execute. See plan.TaskContext.
type TaskContext = plan.TaskContext

// Statistics describes a table or a plan's output. See plan.Statistics.
type Statistics = plan.Statistics

// ColumnStatistics describes one column's values. See
// plan.ColumnStatistics.
type ColumnStatistics = plan.ColumnStatistics

// Error is an execution error naming the operator, table and partition
// that raised it. See plan.Error.
type Error = plan.Error

// Expr is a resolved scalar expression, as filters are pushed to
// providers. See package expr.
type Expr = expr.Expr

// Scalar is one typed value, possibly NULL. See expr.Scalar.
type Scalar = expr.Scalar

// Domain is the set of values a column may take under the pushed filters
// (discrete values, ranges, NULL allowed), as generated code hands it to
// sources. See domain.Domain.
type Domain[T any] = domain.Domain[T]

// Verify wraps p so that every scan checks at run time the promises p
// makes (exact filters hold, declared ordering and key partitioning hold,
// the limit is honoured); a violation is an error naming the table (name),
// partition and row.
func Verify(p TableProvider, name string) TableProvider { return verify.Verify(p, name) }
