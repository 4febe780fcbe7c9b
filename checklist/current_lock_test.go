package checklist

import (
	"fmt"
	"sync"
	"testing"
)

// Runs of different runbooks made current at the same time (two
// processes: flock treats two opens of the lock file like two processes)
// all stay current: current.json's read-modify-write loses none.
func TestConcurrentSetCurrentLosesNoRunbook(t *testing.T) {
	s := newStore(t)
	const n = 8
	// two runs of each runbook; each round makes the other one current
	var ids [n][2]string
	for i := range n {
		for k := range 2 {
			r, err := s.NewRun(fmt.Sprintf("/rb/%d.md", i), "deploy", "alice", "prod1", t0)
			if err != nil {
				t.Fatal(err)
			}
			ids[i][k] = r.ID
		}
	}
	for round := range 10 {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if err := s.SetCurrent(ids[i][round%2]); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		m, err := s.currentMap()
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if rb, id := fmt.Sprintf("/rb/%d.md", i), ids[i][round%2]; m[rb] != id {
				t.Fatalf("round %d: current of %s is %q, want %q (an update was lost)", round, rb, m[rb], id)
			}
		}
	}
}
