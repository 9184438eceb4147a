//go:build !race

package flightserver_test

const raceEnabled = false
