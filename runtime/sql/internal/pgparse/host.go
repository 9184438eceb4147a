package pgparse

import (
	"context"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// The libpg_query module is built for wasix, whose host module supplies
// setjmp/longjmp (PostgreSQL's error handling: PG_TRY, ereport) as
// stack_checkpoint/stack_restore, plus thread and futex calls that a
// single-threaded parse never makes. Those panic: a panic in a host
// function fails the call, and a failed call discards the instance.

const wasixModule = "wasix_32v1"

const i32, i64 = api.ValueTypeI32, api.ValueTypeI64

func instantiateWasix(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder(wasixModule)
	export := func(name string, fn api.GoModuleFunc, params, results []api.ValueType) {
		b.NewFunctionBuilder().WithGoModuleFunction(fn, params, results).Export(name)
	}
	never := func(name string) api.GoModuleFunc {
		return func(context.Context, api.Module, []uint64) {
			panic(fmt.Sprintf("pgparse: unexpected call to %s.%s", wasixModule, name))
		}
	}
	export("stack_checkpoint", stackCheckpoint, []api.ValueType{i32, i32}, []api.ValueType{i32})
	export("stack_restore", stackRestore, []api.ValueType{i32, i64}, nil)
	export("proc_id", procID, []api.ValueType{i32}, []api.ValueType{i32})
	export("callback_signal", never("callback_signal"), []api.ValueType{i32, i32}, nil)
	export("thread_signal", never("thread_signal"), []api.ValueType{i32, i32}, []api.ValueType{i32})
	export("futex_wait", never("futex_wait"), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32})
	export("futex_wake", never("futex_wake"), []api.ValueType{i32, i32}, []api.ValueType{i32})
	export("futex_wake_all", never("futex_wake_all"), []api.ValueType{i32, i32}, []api.ValueType{i32})
	export("thread_exit", never("thread_exit"), []api.ValueType{i32}, nil)
	_, err := b.Instantiate(ctx)
	return err
}

// checkpoint is what setjmp saved: the WebAssembly execution state, the C
// stack pointer, and where the "setjmp returned" value goes.
type checkpoint struct {
	snapshot     experimental.Snapshot
	stackPointer uint64
	retValPtr    uint32
}

// callState holds the checkpoints of one call into the module. A jmp_buf
// holds an index into it, so a jmp_buf from another call can never
// restore a stale state: the index would be out of range or refer to
// this call's own checkpoint.
type callState struct {
	checkpoints []checkpoint
}

type callStateKey struct{}

// callContext returns the context every call into an instance runs with:
// snapshots enabled and a fresh checkpoint list.
func callContext() context.Context {
	ctx := experimental.WithSnapshotter(context.Background())
	return context.WithValue(ctx, callStateKey{}, &callState{})
}

func stateOf(ctx context.Context) *callState {
	st, ok := ctx.Value(callStateKey{}).(*callState)
	if !ok {
		panic("pgparse: call without a call context")
	}
	return st
}

// stackCheckpoint implements setjmp: it records the execution state and
// reports "returned directly" (0) through retValPtr.
func stackCheckpoint(ctx context.Context, mod api.Module, stack []uint64) {
	snapshotPtr, retValPtr := uint32(stack[0]), uint32(stack[1])
	st := stateOf(ctx)
	sp := mod.ExportedGlobal("__stack_pointer")
	if sp == nil {
		panic("pgparse: module exports no __stack_pointer")
	}
	idx := len(st.checkpoints)
	st.checkpoints = append(st.checkpoints, checkpoint{
		snapshot:     experimental.GetSnapshotter(ctx).Snapshot(),
		stackPointer: sp.Get(),
		retValPtr:    retValPtr,
	})
	// wasix's StackSnapshot is {user: u64, hash: u128}; the index goes in
	// user.
	mem := mod.Memory()
	if !mem.WriteUint64Le(snapshotPtr, uint64(idx)) || !mem.WriteUint64Le(retValPtr, 0) {
		panic("pgparse: stack_checkpoint: snapshot pointer out of range")
	}
	stack[0] = 0
}

// stackRestore implements longjmp: it resets the C stack pointer to where
// setjmp saw it (as a native longjmp resets the stack pointer register;
// memory is left alone, so volatile locals keep their values), stores the
// value setjmp now returns, and resumes at the checkpoint.
func stackRestore(ctx context.Context, mod api.Module, stack []uint64) {
	snapshotPtr, ret := uint32(stack[0]), stack[1]
	st := stateOf(ctx)
	idx, ok := mod.Memory().ReadUint64Le(snapshotPtr)
	if !ok || idx >= uint64(len(st.checkpoints)) {
		panic("pgparse: stack_restore: unknown checkpoint")
	}
	c := st.checkpoints[idx]
	sp, ok := mod.ExportedGlobal("__stack_pointer").(api.MutableGlobal)
	if !ok {
		panic("pgparse: __stack_pointer is not mutable")
	}
	sp.Set(c.stackPointer)
	if !mod.Memory().WriteUint64Le(c.retValPtr, ret) {
		panic("pgparse: stack_restore: return pointer out of range")
	}
	c.snapshot.Restore([]uint64{0})
}

// procID reports process id 1: the module asks once, at start-up.
func procID(_ context.Context, mod api.Module, stack []uint64) {
	if !mod.Memory().WriteUint32Le(uint32(stack[0]), 1) {
		panic("pgparse: proc_id: pointer out of range")
	}
	stack[0] = 0
}
