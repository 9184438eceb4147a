package pgparse

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// cacheEntries lists the files wazero wrote into a compilation cache dir.
func cacheEntries(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "wazero-*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// parseWith parses one statement on a fresh instance of c.
func parseWith(t *testing.T, c *compiled) {
	t.Helper()
	in, err := newInstance(c)
	if err != nil {
		t.Fatal(err)
	}
	defer in.close()
	tree, perr, crash := in.parseProtobuf("SELECT a FROM t WHERE b = 1")
	if perr != nil || crash != nil || len(tree) == 0 {
		t.Fatalf("parse: %v, %v, %d bytes", perr, crash, len(tree))
	}
}

func closeCompiled(c *compiled) { _ = c.rt.Close(context.Background()) }

// TestCompilationCache: the first compilation writes the native code to
// the cache, a later one loads it, and a damaged entry is replaced rather
// than making every later start compile again.
func TestCompilationCache(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the parser twice")
	}
	dir := filepath.Join(t.TempDir(), "cache")
	c, err := compileWithCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	parseWith(t, c)
	closeCompiled(c)
	entries := cacheEntries(t, dir)
	if len(entries) != 1 {
		t.Fatalf("cache holds %v, want one entry", entries)
	}
	good, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}

	c, err = compileWithCache(dir) // a hit
	if err != nil {
		t.Fatal(err)
	}
	parseWith(t, c)
	closeCompiled(c)

	// A truncated entry (a write cut short) is removed and rewritten.
	if err := os.WriteFile(entries[0], good[:len(good)/3], 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = compileWithCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	parseWith(t, c)
	closeCompiled(c)
	again, err := os.ReadFile(entries[0])
	if err != nil || len(again) != len(good) {
		t.Fatalf("entry after repair: %d bytes, %v; want %d", len(again), err, len(good))
	}
}

// TestCompilationCacheUnusable: a cache directory that cannot be created
// only costs the cache.
func TestCompilationCacheUnusable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := compileWithCache(filepath.Join(file, "cache")) // a path under a file
	if err != nil {
		t.Fatal(err)
	}
	parseWith(t, c)
	closeCompiled(c)
}

func TestCacheDir(t *testing.T) {
	t.Setenv(CacheEnv, "off")
	if d := CacheDir(); d != "" {
		t.Fatalf("%s=off: CacheDir() = %q", CacheEnv, d)
	}
	t.Setenv(CacheEnv, "/somewhere/else")
	if d := CacheDir(); d != "/somewhere/else" {
		t.Fatalf("CacheDir() = %q", d)
	}
	t.Setenv(CacheEnv, "")
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	if d := CacheDir(); d != filepath.Join("/xdg", "tpgen", "pgparse") {
		t.Fatalf("CacheDir() = %q", d)
	}
}
