//go:build race

package flightserver_test

// raceEnabled is set under -race, where TestCorpusThroughFlight runs a
// subset of the layouts to stay short.
const raceEnabled = true
