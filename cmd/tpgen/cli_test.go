package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tpgen runs the CLI in-process in dir and returns its exit status and
// output streams.
func tpgen(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"init"},
		{"init", "a", "b"},
		{"generate"},
		{"validate"},
		{"schema", "extra"},
		{"generate", "--no-such-flag", "x.tpgen.yaml"},
	} {
		code, _, stderr := tpgen(t, "", args...)
		if code != exitUsage {
			t.Errorf("tpgen %v: exit %d, want %d (stderr %q)", args, code, exitUsage, stderr)
		}
		if !strings.Contains(stderr, "tpgen --help") {
			t.Errorf("tpgen %v: stderr %q does not point to --help", args, stderr)
		}
	}
}

func TestHelpListsCommandsAndExamples(t *testing.T) {
	code, out, _ := tpgen(t, "", "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"init", "generate", "validate", "schema", "version", "Examples:", "Exit status"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help output lacks %q:\n%s", want, out)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := tpgen(t, "", "version")
	if code != exitOK || !strings.HasPrefix(out, "tpgen ") {
		t.Fatalf("exit %d, output %q", code, out)
	}
}

func TestSchemaIsJSON(t *testing.T) {
	code, out, _ := tpgen(t, "", "schema")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("schema output is not JSON: %v", err)
	}
	if doc["$schema"] == nil {
		t.Errorf("schema output has no $schema key")
	}
}

func TestInitWritesStarterAndNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := tpgen(t, dir, "init", "tables/orders")
	if code != exitOK {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "go generate ./tables/orders") {
		t.Errorf("init output does not say what to do next: %q", out)
	}
	for _, name := range []string{"orders.tpgen.yaml", "source.go", "generate.go"} {
		if _, err := os.Stat(filepath.Join(dir, "tables", "orders", name)); err != nil {
			t.Errorf("init did not write %s: %v", name, err)
		}
	}
	specBytes, _ := os.ReadFile(filepath.Join(dir, "tables", "orders", "orders.tpgen.yaml"))
	if !strings.HasPrefix(string(specBytes), "# yaml-language-server: $schema=") {
		t.Errorf("spec does not start with the schema line:\n%s", specBytes)
	}
	gen, _ := os.ReadFile(filepath.Join(dir, "tables", "orders", "generate.go"))
	if !strings.Contains(string(gen), "//go:generate go tool tpgen generate orders.tpgen.yaml") {
		t.Errorf("generate.go lacks the go:generate line:\n%s", gen)
	}

	// The starter spec is valid as written.
	if code, _, stderr := tpgen(t, dir, "validate", "tables/orders/orders.tpgen.yaml"); code != exitOK {
		t.Errorf("starter spec invalid: %s", stderr)
	}

	// A user's edit survives a second init.
	src := filepath.Join(dir, "tables", "orders", "source.go")
	if err := os.WriteFile(src, []byte("package orders // mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = tpgen(t, dir, "init", "tables/orders")
	if code != exitFindings || !strings.Contains(stderr, "already exists") {
		t.Errorf("second init: exit %d, stderr %q; want exit 1 naming the existing file", code, stderr)
	}
	if b, _ := os.ReadFile(src); string(b) != "package orders // mine\n" {
		t.Errorf("init overwrote source.go: %q", b)
	}
}

func TestInitRejectsBadNames(t *testing.T) {
	dir := t.TempDir()
	for name, want := range map[string]string{
		"Events":      "not a valid Go package",
		"my-table":    "not a valid Go package",
		"9lives":      "not a valid Go package",
		"func":        "Go keyword",
		"../escape":   "must not contain",
		"/abs/events": "relative",
		"":            "invalid name",
	} {
		code, _, stderr := tpgen(t, dir, "init", name)
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("init %q: exit %d, stderr %q; want exit 2 mentioning %q", name, code, stderr, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("rejected names left files behind: %v", entries)
	}
}

func TestValidateReportsEveryBadSpec(t *testing.T) {
	dir := t.TempDir()
	good := "version: 1\ntable: t\ncolumns:\n  - {name: a, type: int64}\n"
	bad := "version: 1\ntable: t\ncolumns:\n  - {name: a, type: strng}\n"
	// Each spec in a directory of its own: two in one are a finding too.
	os.Mkdir(filepath.Join(dir, "good"), 0o755)
	os.Mkdir(filepath.Join(dir, "bad"), 0o755)
	os.WriteFile(filepath.Join(dir, "good", "good.tpgen.yaml"), []byte(good), 0o644)
	os.WriteFile(filepath.Join(dir, "bad", "bad.tpgen.yaml"), []byte(bad), 0o644)
	code, out, stderr := tpgen(t, dir, "validate", "good/good.tpgen.yaml", "bad/bad.tpgen.yaml")
	if code != exitFindings {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(out, "good/good.tpgen.yaml: ok") {
		t.Errorf("stdout %q does not confirm the good spec", out)
	}
	if !strings.Contains(stderr, `bad/bad.tpgen.yaml:4:21: unknown type "strng"; did you mean "string"?`) {
		t.Errorf("stderr lacks the positioned error:\n%s", stderr)
	}
}

// Argument errors say what the command wants, in its own words, rather
// than cobra's "accepts 1 arg(s), received 0".
func TestArgumentErrorsNameWhatIsMissing(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"init"}, "tpgen init: missing NAME, the directory (and table) to create"},
		{[]string{"init", "a", "b"}, "tpgen init: takes one NAME, got 2 arguments"},
		{[]string{"generate"}, "tpgen generate: missing SPEC (a spec file, a directory, or DIR/...)"},
		{[]string{"validate"}, "tpgen validate: missing SPEC (a spec file, a directory, or DIR/...)"},
		{[]string{"init", "Events"}, `did you mean "events"?`},
		{[]string{"init", "orderItems"}, `did you mean "order_items"?`},
	} {
		code, _, stderr := tpgen(t, "", c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("tpgen %v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}
