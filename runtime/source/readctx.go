package source

import (
	"context"
	"sync"
	"time"
)

// readContext is the context a Read runs under when it runs on the
// consumer's goroutine (inline and push modes): the parent's deadline and
// values, and a cancellation of its own that ends once Read has returned,
// so that helpers the source started with it stop, as they do in
// coroutine mode. The cancellation is made only when something asks for
// Done: a source that never waits on its context (most in-memory ones)
// costs no context.WithCancel per partition, which was a twentieth of
// reading the first rows of every partition (ORDER BY ... LIMIT n).
//
// It lives inside the Stream, so it costs no allocation either.
type readContext struct {
	parent context.Context

	mu     sync.Mutex
	ctx    context.Context // made at the first Done; nil before
	cancel context.CancelFunc
	ended  bool
}

var _ context.Context = (*readContext)(nil)

func (c *readContext) Deadline() (time.Time, bool) { return c.parent.Deadline() }

func (c *readContext) Value(key any) any { return c.parent.Value(key) }

func (c *readContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithCancel(c.parent)
		if c.ended {
			c.cancel()
		}
	}
	return c.ctx.Done()
}

func (c *readContext) Err() error {
	c.mu.Lock()
	ctx, ended := c.ctx, c.ended
	c.mu.Unlock()
	switch {
	case ctx != nil:
		return ctx.Err()
	case ended:
		return context.Canceled
	}
	return c.parent.Err()
}

// end cancels the context: Read has returned.
func (c *readContext) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ended = true
	if c.cancel != nil {
		c.cancel()
	}
}
