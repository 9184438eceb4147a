package bench

import (
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/tpgen/tpgen/examples/events"
	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/flightserver"
)

var flightRows = flag.Int("flight.rows", 1_000_000, "rows of BenchmarkFlightScan's table (the recorded figure uses 10000000)")

const flightSQL = "SELECT * FROM events"

// BenchmarkFlightScan reads the whole of the generated events table
// (examples/events: 4 regions, i.e. partitions, of synthetic rows with a
// string, a nullable string, a timestamp, an int64 and a nullable
// decimal column, generated as they are read): through Session.Query
// (the baseline; x-query is each variant's time over its time in this
// run), Session.QueryStream, and a Flight SQL client over loopback gRPC
// reading one endpoint (the server runs the whole plan) or the four
// partition endpoints in parallel.
func BenchmarkFlightScan(b *testing.B) {
	rows := *flightRows - *flightRows%4
	s := runtime.NewSession()
	if err := s.Register("events", events.NewTable(&events.Synth{Regions: 4, PerRegion: rows / 4})); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	var baseline time.Duration
	report := func(b *testing.B) {
		per := perOp(b)
		b.ReportMetric(float64(rows)/per.Seconds(), "rows/s")
		if baseline > 0 {
			b.ReportMetric(float64(per)/float64(baseline), "x-query")
		}
	}
	b.Run("Session.Query", func(b *testing.B) {
		for range b.N {
			res, err := s.Query(ctx, flightSQL)
			if err != nil {
				b.Fatal(err)
			}
			if res.NumRows() != int64(rows) {
				b.Fatalf("%d rows", res.NumRows())
			}
			res.Release()
		}
		baseline = perOp(b)
		report(b)
	})
	b.Run("Session.QueryStream", func(b *testing.B) {
		for range b.N {
			st, err := s.QueryStream(ctx, flightSQL)
			if err != nil {
				b.Fatal(err)
			}
			n := int64(0)
			for {
				bt, err := st.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				n += bt.Record.NumRows()
				bt.Release()
			}
			st.Close()
			if n != int64(rows) {
				b.Fatalf("%d rows", n)
			}
		}
		report(b)
	})
	for _, tc := range []struct {
		name      string
		endpoints int
		conns     int // client connections the endpoints are spread over
		opts      []flightserver.Option
	}{
		{"flight/endpoints=1", 1, 1, []flightserver.Option{flightserver.WithEndpointPerPartition(false)}},
		{"flight/endpoints=4/one-connection", 4, 1, nil},
		{"flight/endpoints=4/connection-each", 4, 4, nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			clients, stop := flightClients(b, s, tc.conns, tc.opts...)
			defer stop()
			for range b.N {
				info, err := clients[0].Execute(ctx, flightSQL)
				if err != nil {
					b.Fatal(err)
				}
				if len(info.Endpoint) != tc.endpoints {
					b.Fatalf("%d endpoints, want %d", len(info.Endpoint), tc.endpoints)
				}
				if n := readEndpoints(b, clients, info); n != int64(rows) {
					b.Fatalf("%d rows", n)
				}
			}
			report(b)
		})
	}
}

// flightClients serves s on a loopback port and connects n clients, each
// on its own connection, with gRPC's default settings; stop closes them
// all.
func flightClients(b *testing.B, s *runtime.Session, n int, opts ...flightserver.Option) ([]*flightsql.Client, func()) {
	b.Helper()
	srv, err := flightserver.New(s, opts...)
	if err != nil {
		b.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis) }()
	clients := make([]*flightsql.Client, n)
	for i := range clients {
		if clients[i], err = flightsql.NewClient(lis.Addr().String(), nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials())); err != nil {
			b.Fatal(err)
		}
	}
	return clients, func() {
		for _, cl := range clients {
			cl.Close()
		}
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}
}

// readEndpoints reads every endpoint in parallel, endpoint i over client
// i mod len(clients), releasing each batch, and returns the row count.
func readEndpoints(b *testing.B, clients []*flightsql.Client, info *flight.FlightInfo) int64 {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int64
		first error
	)
	for i, ep := range info.Endpoint {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := readEndpoint(clients[i%len(clients)], ep)
			mu.Lock()
			defer mu.Unlock()
			total += n
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
	return total
}

func readEndpoint(cl *flightsql.Client, ep *flight.FlightEndpoint) (int64, error) {
	r, err := cl.DoGet(context.Background(), ep.Ticket)
	if err != nil {
		return 0, err
	}
	defer r.Release()
	n := int64(0)
	for r.Next() {
		n += r.RecordBatch().NumRows()
	}
	return n, r.Err()
}
