package source

import "github.com/tpgen/tpgen/runtime/plan"

// Options configure a generated table. The zero value uses the engine's
// batch size and a hand-off buffer of DefaultBuffer batches.
type Options struct {
	// Name is the table's name in errors, e.g. "events". Generated tables
	// default it to the spec's table name.
	Name string
	// BatchSize is the number of rows per Arrow batch a Writer builds; 0
	// takes the TaskContext's (or plan.DefaultBatchSize).
	BatchSize int
	// Buffer is how many finished batches may wait in the hand-off between
	// a source and the query before Append blocks (backpressure).
	Buffer int
}

// DefaultBuffer is the hand-off depth used when Options.Buffer is 0: one
// batch being consumed while the next is built keeps both sides busy.
const DefaultBuffer = 2

// Option changes Options; pass them to a generated NewTable.
type Option func(*Options)

// WithName sets the table name errors report (default: the spec's table).
func WithName(name string) Option { return func(o *Options) { o.Name = name } }

// WithBatchSize sets the rows per batch the Writer builds.
func WithBatchSize(n int) Option { return func(o *Options) { o.BatchSize = n } }

// WithBuffer sets the number of batches the hand-off holds.
func WithBuffer(n int) Option { return func(o *Options) { o.Buffer = n } }

// NewOptions applies opts over the defaults for the table named table.
func NewOptions(table string, opts ...Option) Options {
	o := Options{Name: table}
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

func (o Options) buffer() int {
	if o.Buffer > 0 {
		return o.Buffer
	}
	return DefaultBuffer
}
