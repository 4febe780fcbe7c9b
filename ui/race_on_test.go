//go:build race

package ui

// raceEnabled: the race detector slows the random-key test ~5×; its run
// under -race looks for races, not for more sequences.
const raceEnabled = true
