package session

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/fsutil/fstest"
	"planner-tui/ops/runner"
)

const fillRunbook = "---\ntitle: Full disk\nvars:\n  PLANNER_DIR: \".\"\n---\n\n# Full disk\n\n## Fill\n\n### Fill the disk\n\n" +
	"```bash\n# Print four megabytes\nhead -c 4000000 /dev/zero | tr '\\0' x; exit 7\n```\n"

// A command that fills the state filesystem keeps its exit code: once
// space is freed, the next start records it as failed with exit 7, not as
// interrupted.
func TestFullStateDirKeepsTheExitCode(t *testing.T) {
	state := fstest.SmallFS(t, "2m")
	rb := filepath.Join(t.TempDir(), "fill.md")
	if err := os.WriteFile(rb, []byte(fillRunbook), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PLANNER_TUI_OUTPUT_CAP", "none") // the log alone fills the disk
	o := Options{RunbookPath: rb, Dir: t.TempDir(), StateDir: state, Version: "test"}
	const id = "fill/fill-the-disk/print-four-megabytes"

	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Start(context.Background(), plan(t, s, id, nil), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	cr, _ := e.Wait() // saving the state may fail: the disk is full
	s.Close()
	if cr.Log == "" {
		t.Fatal("no log path")
	}
	// Wait returns on the reported result; the supervisor then syncs and
	// closes its files, which keep the mount busy until it exits.
	waitFor(t, "the supervisor to exit", 10*time.Second, func() bool { return !runner.Alive(filepath.Dir(cr.Log)) })
	// The operator frees space and starts again.
	if err := os.Remove(cr.Log); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got := s2.Run().Commands[id]
	if got == nil || got.Status != checklist.Failed || got.ExitCode != 7 {
		t.Fatalf("after the full disk: %+v, want failed with exit 7", got)
	}
	if !hasEvent(auditEvents(t, state), "run.end", id) {
		t.Error("no run.end in the audit log")
	}
}
