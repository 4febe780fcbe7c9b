// Package fstest gives tests a real small filesystem, to fill up: the
// full-disk tests of the runner and the session share it.
package fstest

import (
	"os/exec"
	"testing"
	"time"
)

// SmallFS mounts a tmpfs of the given size ("2m") in a temp dir (root
// only; the test machines run as root) and unmounts it at the end of the
// test.
func SmallFS(t testing.TB, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a %s tmpfs on %s (needs root): %v\n%s", size, dir, err, out)
	}
	t.Cleanup(func() { unmount(t, dir) })
	return dir
}

// unmount unmounts a test tmpfs. A process that has just exited may keep
// it busy for a moment: umount is retried for a few seconds, then the
// mount is detached anyway (lazily) and the test fails.
func unmount(t testing.TB, dir string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, err := exec.Command("umount", dir).CombinedOutput()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			exec.Command("umount", "-l", dir).Run()
			t.Errorf("umount %s: %v\n%s", dir, err, out)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
