package pgparse

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	// The blank import links go-pgquery's embedded WebAssembly build of
	// libpg_query into the binary; libPGQuery below refers to it.
	_ "github.com/wasilibs/go-pgquery/parser"
	_ "unsafe" // for go:linkname
)

// libPGQuery is go-pgquery's WebAssembly build of libpg_query. It lives in
// an internal package of go-pgquery, so it is reached by name; a rename
// there fails the build (at link time), never silently.
//
//go:linkname libPGQuery github.com/wasilibs/go-pgquery/internal/wasm.LibPGQuery
var libPGQuery []byte

// memoryLimitPages caps every instance's linear memory at 1 GiB (64 KiB
// pages). libpg_query's allocator turns a refused growth into PostgreSQL's
// "out of memory" error, so a hostile statement cannot take the process's
// memory with it.
const memoryLimitPages = 1 << 14

// compiled is the process-wide runtime and compiled module. Compiling the
// 2 MB module is the expensive step (~1.5 s); it happens once.
type compiled struct {
	rt   wazero.Runtime
	code wazero.CompiledModule
}

var (
	compileOnce sync.Once
	compiledMod *compiled
	compileErr  error
)

// Warm starts compiling the parser in the background, so that the first
// Parse of a process does not pay for it in the caller's deadline. It
// returns at once; calling it again does nothing.
func Warm() {
	warmOnce.Do(func() { go warm() })
}

var warmOnce sync.Once

// warm compiles the module; it is its own function so that goroutine leak
// checkers can recognise (and ignore) the one-time background start-up.
func warm() { _, _ = module() }

var compiledDone = make(chan struct{})

// WaitReady starts the module's compilation if it has not started and
// waits until it is done or ctx ends, returning ctx's error in that case
// (the compilation goes on in the background).
func WaitReady(ctx context.Context) error {
	Warm()
	select {
	case <-compiledDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// module returns the compiled module, compiling it on first use.
func module() (*compiled, error) {
	compileOnce.Do(func() {
		defer close(compiledDone)
		compiledMod, compileErr = compile()
	})
	return compiledMod, compileErr
}

func compile() (*compiled, error) { return compileWithCache(CacheDir()) }

// compileWithCache compiles the module, through the compilation cache in
// dir when dir is not empty. A cache that cannot be used only costs the
// compilation: a damaged entry (a truncated write, a full disk) is removed
// and the module compiled again, which writes a good entry; a directory
// that cannot be created means compiling without a cache.
func compileWithCache(dir string) (*compiled, error) {
	if dir == "" || os.MkdirAll(dir, 0o700) != nil {
		return compileModule(nil)
	}
	for attempt := 0; attempt < 2; attempt++ {
		cache, err := wazero.NewCompilationCacheWithDir(dir)
		if err != nil {
			break
		}
		if c, err := compileModule(cache); err == nil {
			return c, nil
		}
		removeCacheEntries(dir)
	}
	return compileModule(nil)
}

// removeCacheEntries deletes the files wazero keeps in dir (in its
// wazero-<version>-<arch>-<os> folders), and nothing else: dir may be one
// the user named, holding other things.
func removeCacheEntries(dir string) {
	folders, _ := filepath.Glob(filepath.Join(dir, "wazero-*"))
	for _, f := range folders {
		entries, _ := os.ReadDir(f)
		for _, e := range entries {
			if e.Type().IsRegular() {
				_ = os.Remove(filepath.Join(f, e.Name()))
			}
		}
	}
}

func compileModule(cache wazero.CompilationCache) (*compiled, error) {
	ctx := context.Background()
	cfg := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesThreads).
		WithMemoryLimitPages(memoryLimitPages).
		WithDebugInfoEnabled(false) // no DWARF in the module; skip looking
	if cache != nil {
		cfg = cfg.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		_ = rt.Close(ctx)
		return nil, fmt.Errorf("pgparse: instantiate WASI: %w", err)
	}
	if err := instantiateWasix(ctx, rt); err != nil {
		_ = rt.Close(ctx)
		return nil, fmt.Errorf("pgparse: instantiate wasix host module: %w", err)
	}
	code, err := rt.CompileModule(ctx, libPGQuery)
	if err != nil {
		_ = rt.Close(ctx)
		return nil, fmt.Errorf("pgparse: compile libpg_query: %w", err)
	}
	return &compiled{rt: rt, code: code}, nil
}

// CacheEnv is the environment variable that places the compilation cache:
// "off" disables it, any other non-empty value is the directory to use.
const CacheEnv = "TPGEN_PARSER_CACHE"

// CacheDir is the directory of the parser's compilation cache, or "" when
// there is none. Compiling libpg_query to native code takes about 1.5 s
// and 250 MB of transient memory (12 s under -race); loading it from the
// cache takes about 0.1 s and 20 MB. Like the Go build cache, entries are
// native code trusted by whoever can write the directory, so it lives in
// the user's own cache directory (os.UserCacheDir()/tpgen/pgparse, mode
// 0700) unless CacheEnv says otherwise. Entries are keyed by the module's
// hash, the CPU's features and wazero's version, so upgrades never load a
// stale one.
func CacheDir() string {
	switch v := os.Getenv(CacheEnv); v {
	case "off":
		return ""
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		return filepath.Join(base, "tpgen", "pgparse")
	default:
		return v
	}
}

// moduleConfig is the configuration of every instance: anonymous (so any
// number can coexist in the runtime), with no access to the process's
// standard streams (a library must not write to them).
func moduleConfig() wazero.ModuleConfig {
	return wazero.NewModuleConfig().
		WithName("").
		WithSysNanotime().
		WithStdout(io.Discard).
		WithStderr(io.Discard).
		WithStartFunctions("_initialize")
}
