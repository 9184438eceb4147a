package physical

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tpgen/tpgen/runtime/plan"
)

// Analyze runs p to completion (EXPLAIN ANALYZE) and returns its tree as
// Explain prints it, each line followed by the operator's metrics summed
// over its partitions:
//
//	FilterExec: a > 1, metrics=[output_rows=123, batches=4, elapsed=1.2ms]
//
// output_rows counts selected rows. elapsed is the wall time spent inside
// the operator's Next calls, children included: for operators that pull
// their input on the same goroutine it covers the whole subtree, and for
// those that read their input on goroutines (coalesce, repartition,
// sort-preserving merge) it is the time spent computing or waiting for
// input. Subtracting a child's elapsed from its parent's gives the
// parent's own time only in the first case.
func Analyze(ctx context.Context, p plan.ExecutionPlan, task *plan.TaskContext) (string, error) {
	ip, err := instrument(p)
	if err != nil {
		return "", err
	}
	recs, err := Collect(ctx, ip, task)
	for _, r := range recs {
		r.Release()
	}
	if err != nil {
		return "", err
	}
	var b strings.Builder
	explainTo(&b, ip, 0, func(n plan.ExecutionPlan) string {
		a := n.(*analyzeExec)
		return a.String() + ", metrics=[" + a.m.String() + "]"
	})
	return b.String(), nil
}

// instrument rebuilds the tree with every node wrapped in an analyzeExec.
func instrument(p plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	kids := p.Children()
	if len(kids) > 0 {
		wrapped := make([]plan.ExecutionPlan, len(kids))
		for i, c := range kids {
			w, err := instrument(c)
			if err != nil {
				return nil, err
			}
			wrapped[i] = w
		}
		var err error
		if p, err = p.WithNewChildren(wrapped); err != nil {
			return nil, err
		}
	}
	return &analyzeExec{inner: p, m: &metrics{}}, nil
}

type metrics struct {
	rows, batches, elapsed atomic.Int64
}

func (m *metrics) String() string {
	return fmt.Sprintf("output_rows=%d, batches=%d, elapsed=%s",
		m.rows.Load(), m.batches.Load(), formatElapsed(time.Duration(m.elapsed.Load())))
}

// formatElapsed prints durations with about two significant digits, which
// is all a timing of one run deserves.
func formatElapsed(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d >= time.Microsecond:
		return fmt.Sprintf("%.1fus", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%dns", d.Nanoseconds())
}

// analyzeExec counts what its inner plan's streams produce.
type analyzeExec struct {
	inner plan.ExecutionPlan
	m     *metrics
}

func (a *analyzeExec) Name() string                   { return a.inner.Name() }
func (a *analyzeExec) Schema() *arrow.Schema          { return a.inner.Schema() }
func (a *analyzeExec) Properties() plan.Properties    { return a.inner.Properties() }
func (a *analyzeExec) Children() []plan.ExecutionPlan { return a.inner.Children() }
func (a *analyzeExec) String() string                 { return a.inner.String() }

func (a *analyzeExec) WithNewChildren(children []plan.ExecutionPlan) (plan.ExecutionPlan, error) {
	p, err := a.inner.WithNewChildren(children)
	if err != nil {
		return nil, err
	}
	return &analyzeExec{inner: p, m: a.m}, nil
}

func (a *analyzeExec) Execute(ctx context.Context, partition int, task *plan.TaskContext) (plan.RecordStream, error) {
	s, err := a.inner.Execute(ctx, partition, task)
	if err != nil {
		return nil, err
	}
	return &analyzeStream{RecordStream: s, m: a.m}, nil
}

type analyzeStream struct {
	plan.RecordStream
	m *metrics
}

func (s *analyzeStream) Next() (plan.Batch, error) {
	start := time.Now()
	b, err := s.RecordStream.Next()
	s.m.elapsed.Add(int64(time.Since(start)))
	if err == nil {
		s.m.rows.Add(int64(b.NumRows()))
		s.m.batches.Add(1)
	}
	return b, err
}
