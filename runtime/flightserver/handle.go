package flightserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tpgen/tpgen/runtime/expr"
)

// handleVersion changes when the handle format does, so an old handle is
// refused with a clear error instead of being misread.
const handleVersion = 1

// handle is the content of every ticket and prepared-statement handle the
// server issues: the statement, its bound parameters and, in a ticket,
// the part of the plan to run. It is JSON, so a handle is readable when
// debugging.
type handle struct {
	V      int    `json:"v"`
	SQL    string `json:"sql"`
	Params []byte `json:"params,omitempty"` // one row, as an Arrow IPC stream
	Part   int    `json:"part,omitempty"`
	Parts  int    `json:"parts,omitempty"` // 0: run the whole plan (prepared-statement handles, single-endpoint tickets)
}

func (h handle) encode() []byte {
	h.V = handleVersion
	b, err := json.Marshal(h)
	if err != nil {
		panic(err) // strings, ints and bytes always marshal
	}
	return b
}

func decodeHandle(b []byte) (handle, error) {
	var h handle
	if err := json.Unmarshal(b, &h); err != nil || h.V != handleVersion {
		return handle{}, status.Error(codes.InvalidArgument, "flightserver: not a ticket or statement handle this server issued")
	}
	return h, nil
}

// encodeParams stores a one-row parameter batch as an IPC stream.
func encodeParams(mem memory.Allocator, rec arrow.RecordBatch) ([]byte, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(mem))
	if err := w.Write(rec); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// args decodes the handle's parameters into the values Session.Query
// binds to $1, $2, ... (typed scalars, which the engine casts to each
// parameter's type).
func (h handle) args(mem memory.Allocator) ([]any, error) {
	if len(h.Params) == 0 {
		return nil, nil
	}
	r, err := ipc.NewReader(bytes.NewReader(h.Params), ipc.WithAllocator(mem))
	if err != nil {
		return nil, fmt.Errorf("flightserver: parameters: %w", err)
	}
	defer r.Release()
	if !r.Next() {
		if err := r.Err(); err != nil {
			return nil, fmt.Errorf("flightserver: parameters: %w", err)
		}
		return nil, errors.New("flightserver: parameters: no row")
	}
	rec := r.RecordBatch()
	out := make([]any, rec.NumCols())
	for i, col := range rec.Columns() {
		out[i] = expr.ScalarAt(col, 0)
	}
	return out, nil
}
