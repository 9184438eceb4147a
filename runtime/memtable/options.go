package memtable

import "github.com/tpgen/tpgen/runtime/plan"

// Option configures a Table.
type Option func(*options)

type options struct {
	name         string
	partitioning plan.Partitioning
	ordering     []plan.SortKey
	pushdown     plan.FilterPushdown
	skipValidate bool
	batchRows    int
}

func defaults() options {
	return options{name: "MemoryExec", pushdown: plan.Exact}
}

// WithKeyPartitioning declares that rows with equal values of cols are
// never in two partitions. New checks it.
func WithKeyPartitioning(cols ...string) Option {
	return func(o *options) {
		o.partitioning = plan.Partitioning{Kind: plan.KeyPartitioning, Columns: append([]string(nil), cols...)}
	}
}

// WithRangePartitioning declares that each partition holds a range of
// col's values and that the ranges are disjoint and ascending with the
// partition number (NULLs, which belong to no range, may be anywhere).
// New checks it.
func WithRangePartitioning(col string) Option {
	return func(o *options) {
		o.partitioning = plan.Partitioning{Kind: plan.RangePartitioning, Columns: []string{col}}
	}
}

// WithOrdering declares the order of rows inside every partition. New
// checks it.
func WithOrdering(keys ...plan.SortKey) Option {
	return func(o *options) { o.ordering = append([]plan.SortKey(nil), keys...) }
}

// WithFilterPushdown chooses how the table answers SupportsFilters: Exact
// (the default: scans apply the filters and prune partitions), Inexact
// (scans only prune partitions; the engine must filter) or Unsupported
// (the table takes no filter). Planner tests need all three.
func WithFilterPushdown(mode plan.FilterPushdown) Option {
	return func(o *options) { o.pushdown = mode }
}

// WithName sets the operator name EXPLAIN shows (default "MemoryExec").
func WithName(name string) Option {
	return func(o *options) { o.name = name }
}

// WithoutValidation makes New trust the declared partitioning and ordering
// instead of checking them. Use it for large fixtures built in order, or to
// build a deliberately lying table for verify-mode tests: a false promise
// gives wrong query results.
func WithoutValidation() Option {
	return func(o *options) { o.skipValidate = true }
}

// WithBatchRows makes Build split each partition into records of at most n
// rows (default: one record per partition), to exercise multi-batch
// partitions. New ignores it.
func WithBatchRows(n int) Option {
	return func(o *options) { o.batchRows = n }
}
