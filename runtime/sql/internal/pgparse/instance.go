package pgparse

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/wasilibs/wazero-helpers/allocator"
)

// retireMemoryBytes is the linear-memory size past which an instance is
// closed after its call instead of pooled: WebAssembly memory never
// shrinks, and one very large statement should not pin its memory for
// the life of the process. (A variable so tests can lower it.)
var retireMemoryBytes uint32 = 64 << 20

// instance is one instantiation of libpg_query. It is not safe for
// concurrent use; the pool hands each call an instance of its own.
type instance struct {
	mod api.Module

	malloc, free      api.Function
	parse, freeResult api.Function
}

func newInstance(c *compiled) (in *instance, err error) {
	// The non-moving allocator reserves the memory's maximum up front and
	// commits pages as the module grows, so the module's shared memory
	// never moves (and never needs its full maximum allocated).
	ctx := experimental.WithMemoryAllocator(context.Background(), allocator.NewNonMoving())
	mod, err := c.rt.InstantiateModule(ctx, c.code, moduleConfig())
	if err != nil {
		return nil, fmt.Errorf("pgparse: instantiate libpg_query: %w", err)
	}
	in = &instance{mod: mod}
	fns := []struct {
		f    *api.Function
		name string
	}{
		{&in.malloc, "malloc"},
		{&in.free, "free"},
		{&in.parse, "pg_query_parse_protobuf"},
		{&in.freeResult, "pg_query_free_protobuf_parse_result"},
	}
	for _, fn := range fns {
		if *fn.f = mod.ExportedFunction(fn.name); *fn.f == nil {
			_ = mod.Close(context.Background())
			return nil, fmt.Errorf("pgparse: libpg_query exports no %s", fn.name)
		}
	}
	initFn := mod.ExportedFunction("pg_query_init")
	if initFn == nil {
		_ = mod.Close(context.Background())
		return nil, errors.New("pgparse: libpg_query exports no pg_query_init")
	}
	if _, err := initFn.Call(callContext()); err != nil {
		_ = mod.Close(context.Background())
		return nil, fmt.Errorf("pgparse: pg_query_init: %w", err)
	}
	return in, nil
}

func (in *instance) close() { _ = in.mod.Close(context.Background()) }

// reusable reports whether the instance may go back to the pool.
func (in *instance) reusable() bool {
	return in.mod.Memory().Size() <= retireMemoryBytes
}

// call runs f and turns a trap (an error from wazero, or a panic from a
// host function or the memory accessors below) into an error. Any error
// from call means the instance's state can no longer be trusted.
func call(ctx context.Context, f api.Function, args ...uint64) (ret uint64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	res, err := f.Call(ctx, args...)
	if err != nil {
		return 0, err
	}
	if len(res) > 0 {
		ret = res[0]
	}
	return ret, nil
}

// parseProtobuf runs pg_query_parse_protobuf over sql. It returns the
// serialized pg_query.ParseResult, or the parser's error (a syntax error
// and the like: the instance stays usable), or a crash (the instance must
// be discarded).
func (in *instance) parseProtobuf(sql string) (tree []byte, perr *Error, crash error) {
	ctx := callContext()
	mem := in.mod.Memory()

	input, err := call(ctx, in.malloc, uint64(len(sql)+1))
	if err != nil {
		return nil, nil, err
	}
	if input == 0 {
		return nil, nil, errors.New("out of memory copying the statement into the parser")
	}
	if !mem.WriteString(uint32(input), sql) || !mem.WriteByte(uint32(input)+uint32(len(sql)), 0) {
		return nil, nil, errors.New("statement does not fit in the parser's memory")
	}
	defer func() {
		if crash == nil {
			_, crash = call(ctx, in.free, input)
		}
	}()

	// struct PgQueryProtobufParseResult { PgQueryProtobuf parse_tree
	// {size_t len; char *data}; char *stderr_buffer; PgQueryError *error; }
	res, err := call(ctx, in.malloc, 16)
	if err != nil {
		return nil, nil, err
	}
	if res == 0 {
		return nil, nil, errors.New("out of memory allocating the parse result")
	}
	if _, err := call(ctx, in.parse, res, input); err != nil {
		return nil, nil, err
	}
	buf, ok := mem.Read(uint32(res), 16)
	if !ok {
		return nil, nil, errors.New("parse result out of range")
	}
	length := binary.LittleEndian.Uint32(buf[0:])
	data := binary.LittleEndian.Uint32(buf[4:])
	errPtr := binary.LittleEndian.Uint32(buf[12:])
	if errPtr != 0 {
		perr, crash = readError(mem, errPtr)
	} else if b, ok := mem.Read(data, length); ok {
		tree = append([]byte(nil), b...)
	} else {
		crash = errors.New("parse tree out of range")
	}
	if crash != nil {
		return nil, nil, crash
	}
	// The result struct is passed by value in C, which the WebAssembly ABI
	// lowers to a pointer to it.
	if _, err := call(ctx, in.freeResult, res); err != nil {
		return nil, nil, err
	}
	if _, err := call(ctx, in.free, res); err != nil {
		return nil, nil, err
	}
	return tree, perr, nil
}

// readError decodes a PgQueryError {char *message, *funcname, *filename;
// int lineno; int cursorpos; char *context}.
func readError(mem api.Memory, p uint32) (*Error, error) {
	msg, err := readCString(mem, p)
	if err != nil {
		return nil, err
	}
	funcname, err := readCString(mem, p+4)
	if err != nil {
		return nil, err
	}
	cursor, ok := mem.ReadUint32Le(p + 16)
	if !ok {
		return nil, errors.New("parser error out of range")
	}
	return &Error{Message: msg, Funcname: funcname, Cursorpos: int(int32(cursor))}, nil
}

// readCString reads the NUL-terminated string whose address is stored at
// ptrptr.
func readCString(mem api.Memory, ptrptr uint32) (string, error) {
	p, ok := mem.ReadUint32Le(ptrptr)
	if !ok {
		return "", errors.New("string pointer out of range")
	}
	if p == 0 {
		return "", nil
	}
	end := p
	for {
		b, ok := mem.ReadByte(end)
		if !ok {
			return "", errors.New("unterminated string in parser memory")
		}
		if b == 0 {
			break
		}
		end++
	}
	b, _ := mem.Read(p, end-p)
	return string(b), nil
}
