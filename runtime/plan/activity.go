package plan

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Activity records the user code a query is running: a provider's Scan
// (which lists partitions), a partition's Read. User code that ignores its
// context cannot be stopped, only abandoned; when a query is abandoned at
// its deadline, Activity says which calls had not returned.
//
// A nil *Activity records nothing, so code that reports to it need not
// check whether anyone listens.
type Activity struct {
	mu      sync.Mutex
	next    int
	running map[int]activityEntry
}

type activityEntry struct {
	what  func() string
	since time.Time
}

// NewActivity returns an empty Activity.
func NewActivity() *Activity { return &Activity{running: map[int]activityEntry{}} }

// Begin records that a call started; what describes it (for example
// `table events: partition region = 'eu': Read`) and is called only if the
// call is reported, so that recording costs no formatting. The returned
// function records that the call returned.
func (a *Activity) Begin(what func() string) (end func()) {
	if a == nil {
		return func() {}
	}
	a.mu.Lock()
	id := a.next
	a.next++
	a.running[id] = activityEntry{what: what, since: time.Now()}
	a.mu.Unlock()
	return func() {
		a.mu.Lock()
		delete(a.running, id)
		a.mu.Unlock()
	}
}

// Running describes the calls that have begun and not ended, oldest
// first, each with how long it has been running.
func (a *Activity) Running() []string {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	entries := make([]activityEntry, 0, len(a.running))
	for _, e := range a.running {
		entries = append(entries, e)
	}
	a.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool { return entries[i].since.Before(entries[j].since) })
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.what() + " (running for " + time.Since(e.since).Round(time.Millisecond).String() + ")"
	}
	return out
}

type activityKey struct{}

// WithActivity returns a context carrying a: the planner and generated
// streams report the user calls they make to the Activity of their
// context.
func WithActivity(ctx context.Context, a *Activity) context.Context {
	return context.WithValue(ctx, activityKey{}, a)
}

// ActivityFrom returns the Activity ctx carries, or nil.
func ActivityFrom(ctx context.Context) *Activity {
	a, _ := ctx.Value(activityKey{}).(*Activity)
	return a
}
