package flightserver_test

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/flightserver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startServer serves s on a loopback port until the test ends, and
// returns the address. Cleanup stops the server and waits for Serve to
// return, which happens only after every call has finished.
func startServer(t testing.TB, s *runtime.Session, opts ...flightserver.Option) string {
	t.Helper()
	addr, stop := serve(t, s, opts...)
	t.Cleanup(stop)
	return addr
}

// serve serves s on a loopback port and returns the address and a
// function that stops the server and waits for Serve to return, which
// happens only after every call has finished.
func serve(t testing.TB, s *runtime.Session, opts ...flightserver.Option) (string, func()) {
	t.Helper()
	srv, err := flightserver.New(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis) }()
	return lis.Addr().String(), func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}
}

// newClient connects a Flight SQL client whose buffers come from mem; it
// is closed when the test ends (before the server stops).
func newClient(t testing.TB, addr string, mem memory.Allocator, opts ...grpc.DialOption) *flightsql.Client {
	t.Helper()
	cl := dial(t, addr, mem, opts...)
	t.Cleanup(func() { cl.Close() })
	return cl
}

// dial connects a Flight SQL client whose buffers come from mem; the
// caller closes it.
func dial(t testing.TB, addr string, mem memory.Allocator, opts ...grpc.DialOption) *flightsql.Client {
	t.Helper()
	if len(opts) == 0 {
		opts = []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	}
	cl, err := flightsql.NewClient(addr, nil, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	cl.Alloc = mem
	return cl
}

// readEndpoint reads one endpoint's batches; the caller releases them.
func readEndpoint(ctx context.Context, cl *flightsql.Client, ep *flight.FlightEndpoint) ([]arrow.RecordBatch, *arrow.Schema, error) {
	r, err := cl.DoGet(ctx, ep.Ticket)
	if err != nil {
		return nil, nil, err
	}
	defer r.Release()
	var recs []arrow.RecordBatch
	for r.Next() {
		rec := r.RecordBatch()
		rec.Retain()
		recs = append(recs, rec)
	}
	if err := r.Err(); err != nil {
		release(recs)
		return nil, nil, err
	}
	return recs, r.Schema(), nil
}

// readAll reads every endpoint of info, in parallel, and returns the
// batches in endpoint order.
func readAll(ctx context.Context, cl *flightsql.Client, info *flight.FlightInfo) ([]arrow.RecordBatch, *arrow.Schema, error) {
	parts := make([][]arrow.RecordBatch, len(info.Endpoint))
	schemas := make([]*arrow.Schema, len(info.Endpoint))
	errs := make([]error, len(info.Endpoint))
	var wg sync.WaitGroup
	for i, ep := range info.Endpoint {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[i], schemas[i], errs[i] = readEndpoint(ctx, cl, ep)
		}()
	}
	wg.Wait()
	var out []arrow.RecordBatch
	for _, p := range parts {
		out = append(out, p...)
	}
	for _, err := range errs {
		if err != nil {
			release(out)
			return nil, nil, err
		}
	}
	return out, schemas[0], nil
}

func release(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}
