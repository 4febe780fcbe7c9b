package notify

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// An event sent once a run is sent once, in any process, and the markers
// that say so do not pile up for the life of the host.
func TestOnceMarkers(t *testing.T) {
	q := newQueue(t.TempDir())
	if !q.once("r1", "run.finished") {
		t.Fatal("the first run.finished of r1 was refused")
	}
	if q.once("r1", "run.finished") {
		t.Fatal("r1's run.finished would be sent twice")
	}
	if !q.once("r1", "rollback.started") || !q.once("r2", "run.finished") {
		t.Fatal("another event, or another run, was refused")
	}

	dir := filepath.Join(q.dir, "once")
	old := filepath.Join(dir, "r0.run.finished")
	if err := os.WriteFile(old, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-onceKeep - time.Hour)
	if err := os.Chtimes(old, long, long); err != nil {
		t.Fatal(err)
	}
	q.once("r3", "run.finished")
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("a marker older than %s is kept (stat: %v)", onceKeep, err)
	}
	if q.once("r1", "run.finished") {
		t.Error("pruning removed a recent marker: r1's run.finished would be sent twice")
	}
}
