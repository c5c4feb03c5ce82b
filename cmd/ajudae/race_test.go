//go:build race

package main

// raceEnabled: the tests run with the race detector, and so does the
// binary they build (which also reuses the race-built packages).
const raceEnabled = true
