package physical

import (
	"context"
	"io"
	"sync"

	"github.com/tpgen/tpgen/runtime/plan"
)

// distributor hands batches from many producers to n consumers, one queue
// per consumer. A producer blocks while its target queue holds queueCap
// batches, unless some open queue is empty: a consumer waiting on an empty
// queue then proves the consumers are not all keeping up, and blocking
// could deadlock a consumer that reads outputs one after another (the gate
// DataFusion's repartition uses, for the same reason).
type distributor struct {
	mu        sync.Mutex
	queues    [][]plan.Batch
	closed    []bool
	err       error
	producing int
	wake      chan struct{} // closed and replaced on every change
}

const queueCap = 2

func newDistributor(n, producers int) *distributor {
	return &distributor{queues: make([][]plan.Batch, n), closed: make([]bool, n), producing: producers, wake: make(chan struct{})}
}

// changed wakes every waiter; call with mu held.
func (d *distributor) changed() {
	close(d.wake)
	d.wake = make(chan struct{})
}

func (d *distributor) anyOpenEmpty() bool {
	for i, q := range d.queues {
		if !d.closed[i] && len(q) == 0 {
			return true
		}
	}
	return false
}

// push queues b for consumer i; it returns false when the producer must
// stop (cancelled or failed). b's reference passes to the distributor.
func (d *distributor) push(ctx context.Context, i int, b plan.Batch) bool {
	d.mu.Lock()
	for {
		switch {
		case d.err != nil:
			d.mu.Unlock()
			b.Release()
			return false
		case d.closed[i]:
			d.mu.Unlock()
			b.Release()
			return true
		case len(d.queues[i]) < queueCap || d.anyOpenEmpty():
			d.queues[i] = append(d.queues[i], b)
			d.changed()
			d.mu.Unlock()
			return true
		}
		wake := d.wake
		d.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			b.Release()
			return false
		}
		d.mu.Lock()
	}
}

// pop returns consumer i's next batch, io.EOF when every producer is done
// and the queue is empty, or the first error.
func (d *distributor) pop(ctx context.Context, i int) (plan.Batch, error) {
	d.mu.Lock()
	for {
		switch {
		case len(d.queues[i]) > 0:
			b := d.queues[i][0]
			d.queues[i][0] = plan.Batch{}
			d.queues[i] = d.queues[i][1:]
			d.changed()
			d.mu.Unlock()
			return b, nil
		case d.err != nil:
			err := d.err
			d.mu.Unlock()
			return plan.Batch{}, err
		case d.producing == 0:
			d.mu.Unlock()
			return plan.Batch{}, io.EOF
		}
		wake := d.wake
		d.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return plan.Batch{}, ctx.Err()
		}
		d.mu.Lock()
	}
}

// fail records the first error and drops every queued batch.
func (d *distributor) fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err == nil {
		d.err = err
	}
	for i, q := range d.queues {
		releaseBatches(q)
		d.queues[i] = nil
	}
	d.changed()
}

// producerDone records that one producer finished.
func (d *distributor) producerDone() {
	d.mu.Lock()
	d.producing--
	d.changed()
	d.mu.Unlock()
}

// closeOutput drops consumer i's queue; it reports whether every consumer
// is now closed.
func (d *distributor) closeOutput(i int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed[i] = true
	releaseBatches(d.queues[i])
	d.queues[i] = nil
	d.changed()
	for _, c := range d.closed {
		if !c {
			return false
		}
	}
	return true
}
