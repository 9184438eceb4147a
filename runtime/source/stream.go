package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tpgen/tpgen/runtime/plan"
)

// errClosed stops a source whose consumer closed the stream. It never
// reaches the consumer, who asked for it.
var errClosed = errors.New("source: stream closed")

// ReadFunc reads one partition into b; a generated plan wraps the source's
// Read and the typed Writer around b.
type ReadFunc func(ctx context.Context, b *Batcher) error

// ReadPartition implements PartitionReader, ignoring the partition
// number: the function was made for its partition.
func (f ReadFunc) ReadPartition(ctx context.Context, _ int, b *Batcher) error { return f(ctx, b) }

// PartitionReader reads a scan's partitions: ReadPartition reads one into
// b. A generated plan implements it once for all its partitions (see
// ScanPlan.PartitionStream), so that starting a partition does not
// allocate a closure for it.
type PartitionReader interface {
	ReadPartition(ctx context.Context, partition int, b *Batcher) error
}

// Stream is the plan.RecordStream of one partition. Nothing happens until
// the first Next (or Push). Then the ReadFunc runs in one of two modes (see
// Options.ReadAhead):
//
//   - coroutine (the default): the ReadFunc runs on a coroutine (iter.Pull).
//     Next resumes it; it runs until the Batcher emits a batch, which Next
//     returns while the source is suspended. Control passes directly
//     between the two goroutines, without the scheduler, so a batch costs
//     no thread wakeup; the source runs only while the consumer waits for
//     a batch (backpressure by construction).
//   - read-ahead (ReadAhead > 0): a goroutine runs the ReadFunc and hands
//     batches over a channel of ReadAhead slots, so the source runs up to
//     that far ahead of the query, concurrently with it.
//
// A scan whose limit fits in one batch runs its ReadFunc to the end on
// the consumer's goroutine at the first Next instead (inline mode): the
// rows it can produce are at most that batch, which the consumer needs
// before it can finish anyway, so nothing is gained by suspending the
// source, and starting a coroutine for it (a goroutine, its stack grown
// to the source's depth, two switches per batch) is most of the cost of
// reading a partition's first rows (ORDER BY the declared ordering LIMIT
// n reads n rows from every partition). A consumer that takes every batch
// calls Push instead of Next, which likewise runs the ReadFunc on the
// consumer's goroutine, handing each batch to the consumer as it is cut.
//
// Cancelling the context or calling Close stops the source at its next
// Writer call, ends its goroutine and releases every batch not handed
// over. A stream is used by one goroutine at a time.
type Stream struct {
	parent    context.Context
	cfg       *streamConfig // shared by the scan's partitions
	rctx      readContext   // Read's context in inline and push modes
	partition int
	read      PartitionReader

	cancel  context.CancelFunc
	result  error // the ReadFunc's outcome, written before it ends
	started bool
	closed  bool
	final   error // what Next keeps returning once the stream ended

	// coroutine mode
	next   func() (plan.Batch, bool)
	stop   func()
	halted bool // the consumer stopped the coroutine: yield no more

	// read-ahead mode
	ch chan plan.Batch

	// inline mode: the batches Read emitted, not yet returned
	inline     bool
	pending    []plan.Batch
	pendingBuf [1]plan.Batch // pending's room for the one batch a scan under a limit usually emits
}

// streamConfig is what a stream needs from its plan.
type streamConfig struct {
	operator, table string
	schema          *arrow.Schema // the full table schema
	out             *arrow.Schema // the schema of the stream's batches
	built, output   []int
	mem             memory.Allocator
	size, limit     int
	readAhead       int            // 0: coroutine mode
	spare           *spareBatchers // the scan's, shared by its partitions
	// names names the partition in errors (plan.Error.PartitionName); nil
	// when the stream was built without a plan. An interface, not a
	// closure: a closure per partition is an allocation per partition.
	names partitionNamer
}

// partitionNamer names a scan's partitions (ScanPlan.PartitionName).
type partitionNamer interface{ PartitionName(partition int) string }

// Schema returns the schema of the stream's batches.
func (s *Stream) Schema() *arrow.Schema { return s.cfg.out }

// Next returns the next batch, io.EOF at the end, or the error that ended
// the partition (a *plan.Error naming table and partition, or the
// context's error).
func (s *Stream) Next() (plan.Batch, error) {
	if s.final != nil {
		return plan.Batch{}, s.final
	}
	if !s.started {
		s.start()
	}
	if s.ch != nil {
		return s.nextReadAhead()
	}
	if s.inline {
		return s.nextInline()
	}
	if err := s.parent.Err(); err != nil {
		s.final = err
		s.stopCoroutine() // the source's Writer returns err; Read returns
		return plan.Batch{}, s.final
	}
	if b, ok := s.next(); ok {
		return b, nil
	}
	// The coroutine has finished: result is set, nothing is left to free.
	s.final = s.result
	if s.final == nil {
		s.final = io.EOF
	}
	s.stopCoroutine()
	return plan.Batch{}, s.final
}

func (s *Stream) nextInline() (plan.Batch, error) {
	if err := s.parent.Err(); err != nil {
		s.final = err
		s.releasePending()
		return plan.Batch{}, s.final
	}
	if len(s.pending) > 0 {
		b := s.pending[0]
		s.pending[0] = plan.Batch{}
		s.pending = s.pending[1:]
		return b, nil
	}
	s.final = s.result
	if s.final == nil {
		s.final = io.EOF
	}
	return plan.Batch{}, s.final
}

func (s *Stream) releasePending() {
	for _, b := range s.pending {
		b.Release()
	}
	s.pending = nil
}

func (s *Stream) nextReadAhead() (plan.Batch, error) {
	select {
	case b, ok := <-s.ch:
		if ok {
			return b, nil
		}
		s.final = s.result
		if s.final == nil {
			s.final = io.EOF
		}
	case <-s.parent.Done():
		s.final = s.parent.Err()
	}
	return plan.Batch{}, s.final
}

// Close stops the source, releases batches not yet read and waits for the
// source's Read to return. It is safe to call more than once.
func (s *Stream) Close() {
	if s.closed {
		return
	}
	s.closed = true
	if s.final == nil {
		s.final = errClosedStream
	}
	if !s.started {
		return
	}
	if s.inline {
		s.releasePending()
		return
	}
	if s.ch == nil {
		s.stopCoroutine()
		return
	}
	s.cancel()
	for b := range s.ch {
		b.Release()
	}
}

// errClosedStream is what Next returns after Close.
var errClosedStream = errors.New("source: Next called after Close")

func (s *Stream) start() {
	s.started = true
	if s.cfg.readAhead <= 0 && s.cfg.limit >= 0 && s.cfg.limit <= s.cfg.size {
		s.inline = true
		s.rctx.parent = s.parent
		s.pending = s.pendingBuf[:0]
		s.result = s.run(&s.rctx, (*inlineSink)(s))
		// Helpers the source started with the context stop, as in
		// coroutine mode. Batches emitted before an error are handed over
		// before it, as in coroutine mode, so a consumer that needs no
		// more (a LIMIT the batches fill) finishes without seeing it.
		s.rctx.end()
		return
	}
	ctx, cancel := context.WithCancel(s.parent)
	s.cancel = cancel
	if s.cfg.readAhead <= 0 {
		s.next, s.stop = iter.Pull(func(yield func(plan.Batch) bool) {
			defer cancel()
			emit := func(b plan.Batch) error {
				if !s.halted && yield(b) {
					return nil
				}
				// The consumer stopped the stream. A batch yield reported
				// false for was already handed over (the consumer owns
				// it); one we did not yield is ours to free.
				if s.halted {
					b.Release()
				}
				s.halted = true
				return s.stopped(ctx)
			}
			s.result = s.run(ctx, sinkFunc(emit))
		})
		return
	}
	s.ch = make(chan plan.Batch, s.cfg.readAhead)
	go func() {
		defer close(s.ch)
		defer cancel()
		emit := func(b plan.Batch) error {
			select {
			case s.ch <- b:
				return nil
			case <-ctx.Done():
				b.Release()
				return s.stopped(ctx)
			}
		}
		s.result = s.run(ctx, sinkFunc(emit))
	}()
}

// Push implements plan.Pusher. A stream not started yet runs its Read on
// the caller's goroutine and hands each batch to f as the Batcher
// completes it: no coroutine to start and switch to for every batch, and
// no batch waiting in between. A stream already started, or one reading
// ahead on a goroutine of its own (Options.ReadAhead, which asks for the
// source to run concurrently with the query), is drained with Next.
//
// While f runs, the source is suspended inside a Writer call, as in
// coroutine mode; f's error stops the source like Close.
func (s *Stream) Push(f func(plan.Batch) error) error {
	if s.started || s.final != nil || s.cfg.readAhead > 0 {
		return plan.PullAll(s, f)
	}
	// Inline, to Close: nothing is pending and nothing runs after Push.
	s.started, s.inline = true, true
	s.rctx.parent = s.parent
	sink := &pushSink{f: f}
	s.result = s.run(&s.rctx, sink)
	s.rctx.end() // helpers the source started with the context stop
	switch {
	case sink.err != nil:
		s.final = errClosedStream
		return sink.err
	case s.result != nil:
		s.final = s.result
		return s.result
	}
	s.final = io.EOF
	return nil
}

// pushSink is the batchSink of Push: it hands batches to the consumer's
// function, and stops the source (errClosed) once that failed.
type pushSink struct {
	f   func(plan.Batch) error
	err error // f's, which Push returns
}

func (p *pushSink) put(b plan.Batch) error {
	if p.err != nil {
		b.Release()
		return errClosed
	}
	if err := p.f(b); err != nil {
		p.err = err
		return errClosed
	}
	return nil
}

// inlineSink is the batchSink of an inline stream: batches wait in
// pending (a method on a named type, not a closure: no allocation).
type inlineSink Stream

func (s *inlineSink) put(b plan.Batch) error {
	s.pending = append(s.pending, b)
	return nil
}

// stopCoroutine cancels the source's context (so helpers it started with
// it stop) and ends the coroutine: a suspended Writer call returns an
// error, Read returns, the builders are released. It is idempotent.
func (s *Stream) stopCoroutine() {
	s.cancel()
	s.stop()
}

// stopped is the error a Writer returns once the consumer is gone: the
// context's error when the query was cancelled, errClosed when the
// consumer closed the stream.
func (s *Stream) stopped(ctx context.Context) error {
	if s.parent.Err() == nil {
		return errClosed
	}
	return ctx.Err()
}

// run reads the partition through emit and classifies how it ended.
func (s *Stream) run(ctx context.Context, emit batchSink) (err error) {
	b := newBatcher(ctx, s.cfg.mem, s.cfg.schema, s.cfg.out, s.cfg.built, s.cfg.output, s.cfg.size, s.cfg.limit, emit, s.cfg.spare)
	defer b.release()
	defer func() {
		// A panicking source must not take the process down with it.
		if r := recover(); r != nil {
			if ab, ok := r.(readAborted); ok {
				err = s.locate(fmt.Errorf("Read was aborted: it kept writing rows after the Writer returned %q %d times (Read must return when a Writer call returns an error)", ab.refusal, maxRefusedWrites))
				return
			}
			err = s.locate(fmt.Errorf("source panicked: %v", r))
		}
	}()
	if act := plan.ActivityFrom(ctx); act != nil { // s.describe allocates: only when recorded
		defer act.Begin(s.describe)()
	}
	err = s.cfg.readPartition(ctx, s.read, s.partition, b)
	if err == nil || errors.Is(err, ErrStop) {
		err = b.Flush()
	}
	switch {
	case err == nil, errors.Is(err, ErrStop), errors.Is(err, errClosed):
		return nil
	case ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		// Context errors stay bare so callers can test them with errors.Is
		// and no partition is blamed for a cancellation.
		if perr := s.parent.Err(); perr != nil {
			return perr
		}
		return nil
	}
	return s.locate(err)
}

func (c *streamConfig) readPartition(ctx context.Context, read PartitionReader, partition int, b *Batcher) error {
	if b.err != nil { // LIMIT 0: nothing to read
		return nil
	}
	return read.ReadPartition(ctx, partition, b)
}

// locate names the operator, table and partition of err, keeping a
// location the error already has.
// describe names the stream's Read call for plan.Activity.
func (s *Stream) describe() string {
	e := &plan.Error{Operator: s.cfg.operator, Table: s.cfg.table, Partition: s.partition, Err: errReadCall}
	if s.cfg.names != nil {
		e.PartitionName = s.cfg.names.PartitionName(s.partition)
	}
	return e.Error()
}

var errReadCall = errors.New("Read")

func (s *Stream) locate(err error) error {
	var pe *plan.Error
	if errors.As(err, &pe) {
		return err
	}
	e := &plan.Error{Operator: s.cfg.operator, Table: s.cfg.table, Partition: s.partition, Err: err}
	if s.cfg.names != nil {
		e.PartitionName = s.cfg.names.PartitionName(s.partition)
	}
	return e
}
