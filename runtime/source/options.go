package source

import "github.com/tpgen/tpgen/runtime/plan"

// Options configure a generated table. The zero value uses the engine's
// batch size and runs each partition's Read as a coroutine of its consumer
// (no read-ahead).
type Options struct {
	// Name is the table's name in errors, e.g. "events". Generated tables
	// default it to the spec's table name.
	Name string
	// BatchSize is the number of rows per Arrow batch a Writer builds; 0
	// takes the TaskContext's (or plan.DefaultBatchSize).
	BatchSize int
	// ReadAhead is how many finished batches a partition's Read may build
	// ahead of the query. See WithReadAhead.
	ReadAhead int

	// spares keeps the table's unused Batchers across queries (see
	// spareRegistry); nil in Options not made by NewOptions, whose scans
	// then share Batchers only among their own partitions.
	spares *spareRegistry
}

// Option changes Options; pass them to a generated NewTable.
type Option func(*Options)

// WithName sets the table name errors report (default: the spec's table).
func WithName(name string) Option { return func(o *Options) { o.Name = name } }

// WithBatchSize sets the rows per batch the Writer builds.
func WithBatchSize(n int) Option { return func(o *Options) { o.BatchSize = n } }

// WithReadAhead lets each partition's Read run up to n batches ahead of
// the query, on its own goroutine, concurrently with the consumer.
//
// With n = 0 (the default) Read runs as a coroutine of the consumer: each
// Next resumes it until it emits the next batch, with a direct goroutine
// switch and no scheduler wakeup, so handing a batch over costs next to
// nothing; the source does no work while the query processes a batch.
// Parallelism comes from the engine reading partitions concurrently. This
// is the fastest choice for CPU-bound sources (generating or decoding
// rows in memory).
//
// With n > 0, batches pass through a channel of n slots. The source keeps
// reading while the query works (it blocks only when n batches wait), which
// pays off when Read waits on I/O (network, object store, a slow disk) and
// the wait can overlap the query's work; but every batch then costs a
// cross-thread hand-off (a futex wakeup of the other goroutine whenever one
// side waits on the channel), and up to n batches are held in memory per
// partition. Negative n means 0.
func WithReadAhead(n int) Option { return func(o *Options) { o.ReadAhead = n } }

// NewOptions applies opts over the defaults for the table named table.
func NewOptions(table string, opts ...Option) Options {
	o := Options{Name: table, spares: &spareRegistry{}}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

func (o Options) batchSize(task *plan.TaskContext) int {
	switch {
	case o.BatchSize > 0:
		return o.BatchSize
	case task != nil && task.BatchSize > 0:
		return task.BatchSize
	}
	return plan.DefaultBatchSize
}
