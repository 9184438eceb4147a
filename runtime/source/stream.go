package source

import (
	"context"
	"errors"
	"fmt"
	"io"

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

// Stream is the plan.RecordStream of one partition. Nothing happens until
// the first Next: then a goroutine runs the ReadFunc and hands batches over
// a channel of Options.Buffer slots, so a source runs at most that far
// ahead of the query (backpressure). Cancelling the context or calling
// Close stops the source at its next Append and ends the goroutine.
type Stream struct {
	parent context.Context
	cfg    streamConfig
	read   ReadFunc

	ch      chan arrow.RecordBatch
	cancel  context.CancelFunc
	result  error // the goroutine's outcome, written before ch is closed
	started bool
	closed  bool
	final   error // what Next keeps returning once the stream ended
}

// streamConfig is what a stream needs from its plan.
type streamConfig struct {
	operator, table string
	partition       int
	schema          *arrow.Schema // the full table schema
	out             *arrow.Schema // the schema of the stream's batches
	built, output   []int
	mem             memory.Allocator
	size, limit     int
	buffer          int
}

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
	select {
	case rec, ok := <-s.ch:
		if ok {
			return plan.Batch{Record: rec}, nil
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
// goroutine to end. It is safe to call more than once.
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
	s.cancel()
	for rec := range s.ch {
		rec.Release()
	}
}

// errClosedStream is what Next returns after Close.
var errClosedStream = errors.New("source: Next called after Close")

func (s *Stream) start() {
	s.started = true
	ctx, cancel := context.WithCancel(s.parent)
	s.cancel = cancel
	s.ch = make(chan arrow.RecordBatch, s.cfg.buffer)
	go func() {
		defer close(s.ch)
		defer cancel()
		s.result = s.run(ctx)
	}()
}

// run reads the partition and classifies how it ended.
func (s *Stream) run(ctx context.Context) (err error) {
	emit := func(rec arrow.RecordBatch) error {
		select {
		case s.ch <- rec:
			return nil
		case <-ctx.Done():
			rec.Release()
			if s.parent.Err() == nil {
				return errClosed
			}
			return ctx.Err()
		}
	}
	b := newBatcher(ctx, s.cfg.mem, s.cfg.schema, s.cfg.out, s.cfg.built, s.cfg.output, s.cfg.size, s.cfg.limit, emit)
	defer b.release()
	defer func() {
		// A panicking source must not take the process down with it.
		if r := recover(); r != nil {
			err = s.locate(fmt.Errorf("source panicked: %v", r))
		}
	}()
	err = s.cfg.readPartition(ctx, s.read, b)
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

func (c streamConfig) readPartition(ctx context.Context, read ReadFunc, b *Batcher) error {
	if b.err != nil { // LIMIT 0: nothing to read
		return nil
	}
	return read(ctx, b)
}

// locate names the operator, table and partition of err, keeping a
// location the error already has.
func (s *Stream) locate(err error) error {
	var pe *plan.Error
	if errors.As(err, &pe) {
		return err
	}
	return &plan.Error{Operator: s.cfg.operator, Table: s.cfg.table, Partition: s.cfg.partition, Err: err}
}

func projectSchema(table *arrow.Schema, cols []int) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = table.Field(c)
	}
	return arrow.NewSchema(fields, nil)
}
