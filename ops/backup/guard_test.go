package backup_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planner-tui/ops/backup"
)

// The guard refuses without the database name, or with another phrase,
// before anything is backed up or restored.
func TestRestoreGuardRefuses(t *testing.T) {
	sb, tg, conn := scratch(t)
	ctx := context.Background()
	exec(t, conn, "CREATE TABLE projects (id int)", "INSERT INTO projects SELECT generate_series(1, 100)")
	r, err := backup.Take(ctx, sb.Client, tg, "full")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, conn, "DELETE FROM projects WHERE id > 10")

	for _, confirm := range []string{"", strings.ToUpper(tg.DBName), "planner", tg.DBName + " "} {
		t.Run("confirm="+confirm, func(t *testing.T) {
			var out bytes.Buffer
			fresh, err := backup.Restore(ctx, tg, r.Path, backup.RestoreOptions{
				Confirm: confirm, Env: map[string]string{"POSTGRES_PASSWORD": sb.Password}, Out: &out, Docker: sb.Client,
				FreshBackup: func(backup.Result) error { t.Error("a refused restore took a fresh backup"); return nil },
			})
			var refused *backup.RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("err = %v, want a *backup.RefusedError", err)
			}
			if want := "--confirm " + tg.DBName; !strings.Contains(err.Error(), want) {
				t.Errorf("refusal %q does not name the phrase (%q)", err, want)
			}
			if refused.Phrase != tg.DBName || refused.Given != confirm {
				t.Errorf("refusal %+v", refused)
			}
			if fresh.Path != "" {
				t.Errorf("a refused restore returned a fresh backup %s", fresh.Path)
			}
			// What would be replaced is said before the refusal.
			if !strings.Contains(out.String(), "into     database "+tg.DBName) {
				t.Errorf("output does not say which database:\n%s", out.String())
			}
			if n := count(t, conn, "projects"); n != 10 {
				t.Errorf("a refused restore changed the database: projects has %d rows, want 10", n)
			}
			if got := dirNames(t, tg.BackupDir); strings.Join(got, ",") != "full.sql" {
				t.Errorf("backup dir holds %v after a refusal, want only full.sql", got)
			}
		})
	}
}

// With the phrase, a fresh backup of the database as it is now is taken
// and verified first; then the file is restored.
func TestRestoreGuardFreshBackupFirst(t *testing.T) {
	sb, tg, conn := scratch(t)
	ctx := context.Background()
	exec(t, conn, "CREATE TABLE projects (id int)", "INSERT INTO projects SELECT generate_series(1, 100)")
	r, err := backup.Take(ctx, sb.Client, tg, "full")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, conn, "DELETE FROM projects WHERE id > 10", "INSERT INTO projects VALUES (5000)")

	var seen []backup.Result
	var out bytes.Buffer
	fresh, err := backup.Restore(ctx, tg, r.Path, backup.RestoreOptions{
		Confirm: tg.DBName, Env: map[string]string{"POSTGRES_PASSWORD": sb.Password}, Out: &out, Docker: sb.Client,
		FreshBackup: func(f backup.Result) error {
			// Taken before the restore: the database is still as it was.
			if n := count(t, conn, "projects"); n != 11 {
				t.Errorf("when the fresh backup is reported, projects has %d rows, want 11 (not yet restored)", n)
			}
			seen = append(seen, f)
			return nil
		},
	})
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out.String())
	}
	if len(seen) != 1 || seen[0].Path != fresh.Path || !fresh.Verified {
		t.Fatalf("fresh backup %+v, reported %+v", fresh, seen)
	}
	if filepath.Dir(fresh.Path) != tg.BackupDir || !strings.HasPrefix(filepath.Base(fresh.Path), "pre-restore-") {
		t.Errorf("fresh backup at %s, want pre-restore-* in %s", fresh.Path, tg.BackupDir)
	}
	dump, err := os.ReadFile(fresh.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(dump, []byte("\n5000\n")) {
		t.Error("the fresh backup does not hold the row written after the restored backup")
	}
	if n := count(t, conn, "projects"); n != 100 {
		t.Errorf("after restore projects has %d rows, want 100", n)
	}
	if !strings.Contains(out.String(), "taking a fresh backup first") || !strings.Contains(out.String(), "restored "+r.Path) {
		t.Errorf("output:\n%s", out.String())
	}

	// A fresh backup that cannot be recorded stops the restore.
	exec(t, conn, "DELETE FROM projects WHERE id > 10")
	tg.BackupDir = t.TempDir() // pre-restore names have one-second precision
	_, err = backup.Restore(ctx, tg, r.Path, backup.RestoreOptions{
		Confirm: tg.DBName, Env: map[string]string{"POSTGRES_PASSWORD": sb.Password}, Docker: sb.Client,
		FreshBackup: func(backup.Result) error { return errors.New("disk full") },
	})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "nothing restored") {
		t.Errorf("err = %v, want nothing restored", err)
	}
	if n := count(t, conn, "projects"); n != 10 {
		t.Errorf("projects has %d rows, want 10: restored although the fresh backup failed", n)
	}
}
