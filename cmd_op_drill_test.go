package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"planner-tui/ops/backup"
	"planner-tui/ops/session"
)

// A passed drill run as a step is recorded with its backup, at the file's
// time (an old file drilled now is not a fresh backup); a failed one is not.
func TestRecordDrill(t *testing.T) {
	for _, passed := range []bool{true, false} {
		jobDir := t.TempDir()
		t.Setenv(session.EnvJobDir, jobDir)
		dump := filepath.Join(t.TempDir(), "old.sql")
		if err := os.WriteFile(dump, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
		if err := os.Chtimes(dump, old, old); err != nil {
			t.Fatal(err)
		}
		if err := recordDrill(backup.DrillResult{Path: dump, Size: 1, SHA256: "ab", Passed: passed}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(jobDir, session.ArtifactsFile))
		if !passed {
			if err == nil {
				t.Errorf("a failed drill was recorded: %s", b)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var a session.Artifacts
		if err := json.Unmarshal(b, &a); err != nil || len(a.Backups) != 1 {
			t.Fatalf("artifacts %s: %v", b, err)
		}
		r := a.Backups[0]
		if r.Path != dump || !r.Verified || !r.At.Equal(old) || time.Since(r.DrillPassed) > time.Minute {
			t.Errorf("recorded %+v, want the file at %s, drill passed now", r, old)
		}
	}
}
