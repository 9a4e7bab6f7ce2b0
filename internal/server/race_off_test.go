//go:build !race

package server

// raceDetector says the tests run under -race, which slows rendering several times over, so
// wall-clock budgets are only checked without it.
const raceDetector = false
