package flightserver_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tpgen/tpgen/runtime"
	"github.com/tpgen/tpgen/runtime/flightserver"
)

// openStreams counts the streams of blockingTable scans not yet closed.
var openStreams atomic.Int64

// blockingTable's streams yield `after` batches, then wait for their
// context to end: a query of it is always mid-stream when the client
// goes away, and only cancellation can end it.
type blockingTable struct {
	runtime.TableProvider
	after int
}

func (b blockingTable) Scan(ctx context.Context, req runtime.ScanRequest) (runtime.ExecutionPlan, error) {
	p, err := b.TableProvider.Scan(ctx, req)
	return blockingPlan{p, b.after}, err
}

type blockingPlan struct {
	runtime.ExecutionPlan
	after int
}

func (b blockingPlan) Execute(ctx context.Context, partition int, task *runtime.TaskContext) (runtime.RecordStream, error) {
	s, err := b.ExecutionPlan.Execute(ctx, partition, task)
	if err != nil {
		return nil, err
	}
	openStreams.Add(1)
	return &blockingStream{RecordStream: s, ctx: ctx, left: b.after}, nil
}

type blockingStream struct {
	runtime.RecordStream
	ctx   context.Context
	left  int
	close sync.Once
}

func (b *blockingStream) Next() (runtime.Batch, error) {
	if b.left == 0 {
		<-b.ctx.Done()
		return runtime.Batch{}, b.ctx.Err()
	}
	b.left--
	return b.RecordStream.Next()
}

func (b *blockingStream) Close() {
	b.close.Do(func() { openStreams.Add(-1) })
	b.RecordStream.Close()
}

// TestClientGoesAwayMidStream cancels a DoGet, or closes the client's
// connection, while the query is blocked in its source: the query must
// stop, and once the server has stopped no buffer and no goroutine is
// left (the allocator check, goleak in TestMain).
func TestClientGoesAwayMidStream(t *testing.T) {
	for _, how := range []string{"cancel", "disconnect"} {
		t.Run(how, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithParallelism(2), runtime.WithBatchSize(64))
			if err := s.Register("slow", blockingTable{keyedTable(t, 4000), 3}); err != nil {
				t.Fatal(err)
			}
			addr, stop := serve(t, s, flightserver.WithAllocator(mem), flightserver.WithShutdownTimeout(time.Minute))
			defer stop()
			cl := dial(t, addr, mem)
			defer cl.Close()

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			info, err := cl.Execute(ctx, "SELECT * FROM slow WHERE i >= 0")
			if err != nil {
				t.Fatal(err)
			}
			if len(info.Endpoint) != 4 {
				t.Fatalf("%d endpoints, want 4", len(info.Endpoint))
			}
			r, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Next() {
				t.Fatalf("no first batch: %v", r.Err())
			}
			if openStreams.Load() == 0 {
				t.Fatal("the query is not running")
			}
			if how == "cancel" {
				cancel()
			} else {
				cl.Close()
			}
			for r.Next() {
			}
			if code := status.Code(r.Err()); code != codes.Canceled && code != codes.Unavailable {
				t.Errorf("client saw %v, want Canceled or Unavailable", r.Err())
			}
			r.Release()
			// The server notices on its own; wait for it rather than
			// letting Serve's shutdown cut the call off.
			deadline := time.Now().Add(30 * time.Second)
			for openStreams.Load() != 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if n := openStreams.Load(); n != 0 {
				t.Fatalf("%d source streams still open after the client went away", n)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	f := newFixture(t, flightserver.WithToken("s3cret"))
	ctx := context.Background()
	with := func(tok string) context.Context {
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
	}
	if _, err := f.cl.Execute(ctx, "SELECT i FROM t"); status.Code(err) != codes.Unauthenticated {
		t.Errorf("no token: %v", err)
	}
	if _, err := f.cl.Execute(with("wrong"), "SELECT i FROM t"); status.Code(err) != codes.Unauthenticated {
		t.Errorf("wrong token: %v", err)
	}
	if _, err := f.cl.GetTables(with("s3cret2"), nil); status.Code(err) != codes.Unauthenticated {
		t.Errorf("longer token: %v", err)
	}
	info, err := f.cl.Execute(with("s3cret"), "SELECT i FROM t WHERE i < 10")
	if err != nil {
		t.Fatal(err)
	}
	// DoGet is a streaming call: the token is checked there too.
	if _, _, err := readEndpoint(ctx, f.cl, info.Endpoint[0]); status.Code(err) != codes.Unauthenticated {
		t.Errorf("DoGet without token: %v", err)
	}
	recs, _, err := readAll(with("s3cret"), f.cl, info)
	if err != nil {
		t.Fatal(err)
	}
	defer release(recs)
	n := int64(0)
	for _, r := range recs {
		n += r.NumRows()
	}
	if n != 10 {
		t.Fatalf("%d rows, want 10", n)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key to dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tpgen test"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestTLSWithToken(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	f := newFixture(t, flightserver.WithTLS(certFile, keyFile), flightserver.WithToken("tok"))
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer tok")
	tlsClient := newClient(t, f.addr, f.mem, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})))
	info, err := tlsClient.Execute(ctx, "SELECT count(*) FROM t")
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := readAll(ctx, tlsClient, info)
	if err != nil {
		t.Fatal(err)
	}
	release(recs)
	if _, err := f.cl.Execute(ctx, "SELECT count(*) FROM t"); status.Code(err) != codes.Unavailable {
		t.Errorf("plaintext client of a TLS server: %v", err)
	}
	if _, err := flightserver.New(f.s, flightserver.WithTLS(keyFile, certFile)); err == nil || !strings.Contains(err.Error(), "TLS certificate") {
		t.Errorf("swapped certificate and key: %v", err)
	}
}

func TestServe(t *testing.T) {
	s := runtime.NewSession()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- flightserver.Serve(ctx, "127.0.0.1:0", s) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if err := flightserver.Serve(context.Background(), "127.0.0.1:-1", s); err == nil {
		t.Fatal("Serve on a bad address: no error")
	}
	if _, err := flightserver.New(nil); err == nil {
		t.Fatal("New(nil): no error")
	}
}

// TestOwnGRPCServer registers the Server on a grpc.Server of the caller's
// through arrow-go's flightsql.NewFlightServer (so DoGet goes through the
// Server's DoGetStatement) with GRPCOptions' token check.
func TestOwnGRPCServer(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := runtime.NewSession(runtime.WithAllocator(mem), runtime.WithBatchSize(64))
	if err := s.Register("t", keyedTable(t, 1000)); err != nil {
		t.Fatal(err)
	}
	srv, err := flightserver.New(s, flightserver.WithToken("tok"), flightserver.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer(srv.GRPCOptions()...)
	flight.RegisterFlightServiceServer(gs, flightsql.NewFlightServerWithAllocator(srv, mem))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- gs.Serve(lis) }()
	defer func() {
		gs.GracefulStop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	cl := dial(t, lis.Addr().String(), mem)
	defer cl.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer tok")
	info, err := cl.Execute(ctx, "SELECT i FROM t WHERE i % 10 = 0")
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := readAll(ctx, cl, info)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(0)
	for _, r := range recs {
		n += r.NumRows()
	}
	release(recs)
	if n != 100 || len(info.Endpoint) != 4 {
		t.Fatalf("%d rows over %d endpoints, want 100 over 4", n, len(info.Endpoint))
	}
	if _, err := cl.Execute(context.Background(), "SELECT i FROM t"); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("no token: %v", err)
	}
}
