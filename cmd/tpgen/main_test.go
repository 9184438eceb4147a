package main

import (
	"testing"

	"go.uber.org/goleak"
)

// The e2e test runs go commands whose output is copied by goroutines;
// they must all have ended when the tests do.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
