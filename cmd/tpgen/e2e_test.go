package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// e2eMain is the program a new user writes after `tpgen init events`:
// register the table, query it, look at the plan.
const e2eMain = `package main

import (
	"context"
	"fmt"
	"log"

	"github.com/tpgen/tpgen/runtime"

	"example.com/e2e/events"
)

func main() {
	ctx := context.Background()
	s := runtime.NewSession()
	if err := s.Register("events", events.NewTable(&events.Sample{})); err != nil {
		log.Fatal(err)
	}
	for _, q := range []string{
		"SELECT region, count(*) FROM events GROUP BY region ORDER BY region",
		"SELECT ts, value, note FROM events WHERE region = 'eu-west-1' AND ts >= '2026-01-01 01:00:00' ORDER BY ts",
	} {
		res, err := s.Query(ctx, q)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Print(res)
		res.Release()
	}
	plan, err := s.Explain(ctx, "SELECT ts, value FROM events WHERE region = 'eu-west-1' AND ts >= '2026-01-01 01:00:00'")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plan)
}
`

// TestEndToEnd does what a new user does, in a fresh module that uses this
// repository through a replace: install tpgen as a tool, init a table,
// go generate, build, and query the starter source through a Session.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module with the go command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, dir, "go.mod", "module example.com/e2e\n\ngo 1.26\n\n"+
		"require github.com/tpgen/tpgen v0.0.0\n\n"+
		"replace github.com/tpgen/tpgen => "+repo+"\n\n"+
		"tool github.com/tpgen/tpgen/cmd/tpgen\n")
	writeFile(t, dir, "go.sum", string(sum))

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute) // a cold build cache compiles arrow-go and the engine
	defer cancel()
	// The commands are those docs/tutorial.md gives, run as written: no
	// -mod=mod, so a step the tutorial forgets fails here as it would for a
	// user. Every module needed is in this repository's go.sum and so in
	// the module cache: GOPROXY=off keeps the test off the network (the
	// proxy would be asked whether cmd/tpgen is a module of its own).
	// GOWORK=off keeps a go.work above the temporary directory out of it.
	env := append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GOPROXY=off")
	goCmd := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, goBin, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	// @v0.0.0 selects the replaced module; users give no version.
	goCmd("get", "-tool", "github.com/tpgen/tpgen/cmd/tpgen@v0.0.0")
	goCmd("get", "github.com/tpgen/tpgen/runtime@v0.0.0")
	if out := goCmd("tool", "tpgen", "init", "events"); !strings.Contains(out, "go generate ./events") {
		t.Errorf("init output:\n%s", out)
	}
	if out := goCmd("generate", "./..."); !strings.Contains(out, "wrote events_provider.gen.go") {
		t.Errorf("go generate output:\n%s", out)
	}
	if out := goCmd("generate", "./..."); out != "" {
		t.Errorf("second go generate printed %q, want nothing", out)
	}
	goCmd("tool", "tpgen", "generate", "--check", "./...")
	goCmd("build", "./...")

	writeFile(t, dir, "main.go", e2eMain)
	got := goCmd("run", ".")
	want := `   region   | count(*)
------------+----------
 ap-south-1 |        2
 eu-west-1  |        3
 us-east-1  |        4
(3 rows)
          ts          | value | note
----------------------+-------+------
 2026-01-01 01:00:00Z |    20 | NULL
 2026-01-01 02:00:00Z |    30 | NULL
(2 rows)
`
	if !strings.HasPrefix(got, want) {
		t.Errorf("query output:\n%s\nwant it to start with:\n%s", got, want)
	}
	// The exact region filter is pushed into the scan and pruned partitions
	// (the source listed only eu-west-1); the inexact ts filter is pushed
	// and also kept above the scan.
	plan := strings.TrimPrefix(got, want)
	for _, line := range []string{
		"FilterExec: ts >= TIMESTAMP '2026-01-01 01:00:00Z'",
		"EventsExec: partitions=1/1, projection=[ts, value], filter=[region = 'eu-west-1', ts >= TIMESTAMP '2026-01-01 01:00:00Z']",
	} {
		if !strings.Contains(plan, line) {
			t.Errorf("EXPLAIN lacks %q:\n%s", line, plan)
		}
	}
	if strings.Contains(plan, "FilterExec: region") {
		t.Errorf("EXPLAIN keeps the exact region filter above the scan:\n%s", plan)
	}
}
