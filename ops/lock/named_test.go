package lock

import (
	"os"
	"path/filepath"
	"testing"
)

// Named reads the holder without taking the lock: a held lock names its
// holder, a released one (truncated) and a missing file name nobody.
func TestNamed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	if _, ok := Named(path); ok {
		t.Error("missing file: someone named")
	}
	l, err := Acquire(path, Holder{User: "alice", Host: "prod1"})
	if err != nil {
		t.Fatal(err)
	}
	h, ok := Named(path)
	if !ok || h.User != "alice" || h.Host != "prod1" || h.PID != os.Getpid() {
		t.Errorf("held: Named = %+v, %v", h, ok)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if h, ok := Named(path); ok {
		t.Errorf("released: Named = %+v, want nobody", h)
	}
}
