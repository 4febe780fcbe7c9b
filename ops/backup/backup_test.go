package backup_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"planner-tui/ops"
	"planner-tui/ops/backup"
	"planner-tui/ops/docker/dockertest"
	"planner-tui/ops/postgres"
)

// scratch creates a database for the test on the sandbox server (so the
// sandbox's own database is untouched), dropped at cleanup, and returns a
// target pointing at it with a fresh backup dir, and a connection to it.
func scratch(t testing.TB) (dockertest.Sandbox, ops.Target, *pgx.Conn) {
	t.Helper()
	sb := dockertest.Stack(t)
	ctx := context.Background()
	cfg := postgres.ConfigFor(sb.Target, map[string]string{"POSTGRES_PASSWORD": sb.Password})
	admin, err := postgres.Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("planner_tui_test_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop scratch database %s: %v", name, err)
		}
		admin.Close(context.Background())
	})
	tg := sb.Target
	tg.DBName = name
	tg.BackupDir = t.TempDir()
	cfg.Database = name
	conn, err := postgres.Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return sb, tg, conn
}

func exec(t *testing.T, conn *pgx.Conn, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := conn.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func count(t *testing.T, conn *pgx.Conn, table string) int64 {
	t.Helper()
	var n int64
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		return -1 // table missing
	}
	return n
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func TestTakeVerifyRestoreRoundTrip(t *testing.T) {
	sb, tg, conn := scratch(t)
	ctx := context.Background()
	exec(t, conn, "CREATE TABLE projects (id int PRIMARY KEY, name text)",
		"INSERT INTO projects SELECT g, 'project ' || g FROM generate_series(1, 1000) g")

	r, err := backup.Take(ctx, sb.Client, tg, "backup_roundtrip")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Verified || r.Size == 0 || len(r.SHA256) != 64 || r.Path != filepath.Join(tg.BackupDir, "backup_roundtrip.sql") {
		t.Errorf("result %+v", r)
	}
	if got := dirNames(t, tg.BackupDir); strings.Join(got, ",") != "backup_roundtrip.sql" {
		t.Errorf("backup dir holds %v, want only the backup", got)
	}
	v, err := backup.Verify(r.Path)
	if err != nil || v.SHA256 != r.SHA256 || v.Size != r.Size || !strings.Contains(v.Check, "restrict key matched") {
		t.Errorf("Verify = %+v, %v; Take said %+v", v, err, r)
	}
	if _, err := backup.Take(ctx, sb.Client, tg, "backup_roundtrip"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second Take with the same name must not overwrite: %v", err)
	}

	// Damage the data, restore, and find it as it was: --clean --if-exists
	// lets the dump go over the existing schema.
	exec(t, conn, "DELETE FROM projects WHERE id > 10", "INSERT INTO projects VALUES (5000, 'new')")
	var out bytes.Buffer
	if err := backup.Load(ctx, sb.Client, tg, r.Path, &out); err != nil {
		t.Fatalf("restore: %v\n%s", err, out.String())
	}
	var n, max int64
	if err := conn.QueryRow(ctx, "SELECT count(*), max(id) FROM projects").Scan(&n, &max); err != nil || n != 1000 || max != 1000 {
		t.Errorf("after restore: %d rows, max id %d (%v); want 1000, 1000", n, max, err)
	}
}

func TestTakeFailingDumpIsQuarantined(t *testing.T) {
	sb, tg, _ := scratch(t)
	tg.DBName = fmt.Sprintf("nope_%d", os.Getpid())
	r, err := backup.Take(context.Background(), sb.Client, tg, "backup_nope")
	want := fmt.Sprintf(`pg_dump exited 1: database "%s" does not exist`, tg.DBName)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to contain %q", err, want)
	}
	if r.Verified {
		t.Error("a failed dump reported Verified")
	}
	if got := dirNames(t, tg.BackupDir); strings.Join(got, ",") != "backup_nope.sql.failed" {
		t.Errorf("backup dir holds %v, want only the quarantined backup_nope.sql.failed", got)
	}
}

// A dump cut short (here: cancelled once output is flowing) must end up
// quarantined, never as a .sql file.
func TestTakeInterruptedIsQuarantined(t *testing.T) {
	sb, tg, conn := scratch(t)
	exec(t, conn, "CREATE TABLE big (id int, pad text)",
		"INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 300000) g")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	partial := filepath.Join(tg.BackupDir, "backup_cut.sql.partial")
	go func() {
		for ctx.Err() == nil {
			if fi, err := os.Stat(partial); err == nil && fi.Size() > 1<<20 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	_, err := backup.Take(ctx, sb.Client, tg, "backup_cut")
	if err == nil {
		t.Fatal("an interrupted dump was reported as a backup")
	}
	if got := dirNames(t, tg.BackupDir); strings.Join(got, ",") != "backup_cut.sql.failed" {
		t.Errorf("backup dir holds %v, want only backup_cut.sql.failed (err was %v)", got, err)
	}
}

func TestRestoreRefusesTruncatedDump(t *testing.T) {
	sb, tg, conn := scratch(t)
	ctx := context.Background()
	exec(t, conn, "CREATE TABLE projects (id int)", "INSERT INTO projects SELECT generate_series(1, 100)")
	r, err := backup.Take(ctx, sb.Client, tg, "full")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(r.Path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(tg.BackupDir, "cut.sql")
	if err := os.WriteFile(cut, data[:len(data)*2/3], 0o600); err != nil {
		t.Fatal(err)
	}
	exec(t, conn, "DROP TABLE projects")
	err = backup.Load(ctx, sb.Client, tg, cut, nil)
	if err == nil || !strings.Contains(err.Error(), "restore refused") || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("err = %v", err)
	}
	if n := count(t, conn, "projects"); n != -1 {
		t.Errorf("a refused restore changed the database: projects has %d rows", n)
	}
}

// An SQL error mid-restore rolls everything back (exit 3); so does a restore
// cancelled mid-stream, which psql --single-transaction would have committed.
func TestRestoreAllOrNothing(t *testing.T) {
	sb, tg, conn := scratch(t)
	ctx := context.Background()
	exec(t, conn, "CREATE TABLE big (id int, pad text)",
		"INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 300000) g",
		"CREATE TABLE small (id int)", "INSERT INTO small VALUES (1), (2)")
	r, err := backup.Take(ctx, sb.Client, tg, "full")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("sql error", func(t *testing.T) {
		data, err := os.ReadFile(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		// A dump whose last statement fails.
		bad := bytes.Replace(data, []byte("-- PostgreSQL database dump complete"), []byte("SELECT 1/0;\n\n-- PostgreSQL database dump complete"), 1)
		p := filepath.Join(tg.BackupDir, "bad.sql")
		if err := os.WriteFile(p, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		exec(t, conn, "DELETE FROM small")
		err = backup.Load(ctx, sb.Client, tg, p, nil)
		if err == nil || !strings.Contains(err.Error(), "psql exited 3") || !strings.Contains(err.Error(), "division by zero") {
			t.Fatalf("err = %v", err)
		}
		if n := count(t, conn, "small"); n != 0 {
			t.Errorf("failed restore committed something: small has %d rows, want 0", n)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		exec(t, conn, "DROP TABLE small")
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		// Cancel once psql has executed statements inside the transaction.
		out := &cancelOn{marker: []byte("CREATE TABLE"), cancel: cancel}
		err := backup.Load(cctx, sb.Client, tg, r.Path, out)
		if err == nil || !strings.Contains(err.Error(), "rolled back") {
			t.Fatalf("err = %v", err)
		}
		// The server rolls back when the session ends; poll until it has.
		dockertest.Eventually(t, 10*time.Second, "no partial restore", func() (bool, string) {
			var busy int
			conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").Scan(&busy)
			return busy == 0 && count(t, conn, "small") == -1, fmt.Sprintf("%d other sessions, small: %d", busy, count(t, conn, "small"))
		})
	})
}

type cancelOn struct {
	marker []byte
	cancel func()
	seen   []byte
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.seen = append(c.seen, p...)
	if bytes.Contains(c.seen, c.marker) {
		c.cancel()
	}
	return len(p), nil
}

func execB(t testing.TB, conn *pgx.Conn, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := conn.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
