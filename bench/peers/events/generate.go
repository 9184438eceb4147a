// Package events is the tpgen provider of the peer benchmark: generated
// from events.tpgen.yaml, with source.go reading the benchmark's in-memory
// Arrow chunks (package data).
package events

//go:generate go -C ../../.. run ./cmd/tpgen generate bench/peers/events/events.tpgen.yaml
