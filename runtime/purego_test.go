package runtime

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMainModuleIsPureGo lists, with cgo enabled, every non-standard
// package the main module's packages depend on and fails if any has cgo
// files: tpgen must build without a C compiler (DuckDB and other cgo
// peers live in their own modules).
func TestMainModuleIsPureGo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goTool, "list", "-deps", "-f", "{{if and (not .Standard) .CgoFiles}}{{.ImportPath}}{{end}}", "./...")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if pkgs := strings.TrimSpace(string(out)); pkgs != "" {
		t.Errorf("the main module depends on packages with cgo files:\n%s", pkgs)
	}
}
