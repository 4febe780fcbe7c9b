package fsutil

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	for _, content := range []string{"one", "two, longer", ""} {
		if err := WriteFileAtomic(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil || string(b) != content {
			t.Fatalf("read back %q, %v; want %q", b, err, content)
		}
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("dir holds %d entries, want only f (temp files left?)", len(ents))
	}
	if err := WriteFileAtomic(filepath.Join(dir, "nodir", "f"), []byte("x"), 0o600); err == nil ||
		!strings.Contains(err.Error(), "nodir") {
		t.Errorf("write into missing dir: err = %v", err)
	}
	if err := SyncDir(filepath.Join(dir, "nodir")); err == nil {
		t.Error("SyncDir of a missing dir succeeded")
	}
}

// TestReadersNeverSeeAPartialFile rewrites a large file while readers read
// it: with a plain truncate-and-write they would see it short.
func TestReadersNeverSeeAPartialFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	a, b := strings.Repeat("a", 1<<20), strings.Repeat("b", 1<<20)
	if err := WriteFileAtomic(p, []byte(a), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := os.ReadFile(p)
				if err != nil || (string(got) != a && string(got) != b) {
					t.Errorf("reader saw %d bytes, err %v: a partial file", len(got), err)
					return
				}
			}
		})
	}
	for i := range 30 {
		c := a
		if i%2 == 0 {
			c = b
		}
		if err := WriteFileAtomic(p, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
}
