package backup_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/backup"
	"planner-tui/ops/postgres"
)

// drillDBs lists the drill databases left on the sandbox server.
func drillDBs(t *testing.T, cfg postgres.Config) []string {
	t.Helper()
	names, err := backup.DrillDatabases(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestDrill(t *testing.T) {
	sb, tg, conn := scratch(t)
	ctx := context.Background()
	env := map[string]string{"POSTGRES_PASSWORD": sb.Password}
	cfg := postgres.ConfigFor(tg, env)
	exec(t, conn, "CREATE TABLE projects (id int PRIMARY KEY, name text)",
		"INSERT INTO projects SELECT g, 'project ' || g FROM generate_series(1, 3000) g",
		`CREATE TABLE "Odd Users" (id int, note text)`,
		`INSERT INTO "Odd Users" SELECT g, E'multi\nline ' || g FROM generate_series(1, 40) g`,
		"CREATE TABLE empty_one (id int)")
	r, err := backup.Take(ctx, sb.Client, tg, "drill_src")
	if err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(r.Path)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Corrupt in the middle, ends intact: psql fails half-way, after the
	// scratch database was created and part of the dump restored.
	i := bytes.Index(full, []byte("\n1500\tproject 1500\n"))
	if i < 0 {
		t.Fatal("row 1500 not found in the dump")
	}
	corrupt := append(append(append([]byte(nil), full[:i+1]...), "not-a-number\tproject 1500\n"...), full[i+len("\n1500\tproject 1500\n"):]...)

	tests := []struct {
		name     string
		path     string
		critical []string
		wantErr  string
		tables   map[string][2]int64 // table: dump, restored
	}{
		{name: "complete dump", path: r.Path, critical: []string{"empty_one"},
			tables: map[string][2]int64{"projects": {3000, 3000}, "Odd Users": {40, 40}, "empty_one": {0, 0}}},
		{name: "truncated dump", path: write("cut.sql", full[:len(full)/2]), wantErr: "refused, no database created"},
		{name: "corrupt dump", path: write("corrupt.sql", corrupt), wantErr: "psql exited 3"},
		{name: "critical table not in the dump", path: r.Path, critical: []string{"programs"}, wantErr: "critical table(s) programs not in the dump"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := backup.Drill(ctx, tg, tt.path, backup.DrillOptions{Critical: tt.critical, Env: env, Docker: sb.Client})
			if left := drillDBs(t, cfg); len(left) > 0 {
				t.Errorf("scratch databases left: %v", left)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if res.Passed {
					t.Error("a failed drill reported Passed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !res.Passed || !res.Dropped || res.Size != r.Size || res.SHA256 != r.SHA256 || res.Restore <= 0 || res.MBps() <= 0 || res.Total < res.Restore {
				t.Errorf("result %+v (%.1f MB/s)", res, res.MBps())
			}
			if !strings.HasPrefix(res.Database, backup.DrillPrefix) || res.Database == tg.DBName {
				t.Errorf("scratch database %q", res.Database)
			}
			got := map[string][2]int64{}
			for _, tc := range res.Tables {
				got[tc.Table] = [2]int64{tc.Dump, tc.Restored}
			}
			for tb, want := range tt.tables {
				if got[tb] != want {
					t.Errorf("%s: dump/restored %v, want %v (all: %v)", tb, got[tb], want, got)
				}
			}
		})
	}
	// The live database is untouched by the drills.
	if n := count(t, conn, "projects"); n != 3000 {
		t.Errorf("projects in the live database: %d rows", n)
	}
}

// A leftover of a drill killed more than an hour ago is dropped by the next
// drill; a young one (perhaps a drill running now) is left alone.
func TestDrillDropsStaleLeftovers(t *testing.T) {
	sb, tg, conn := scratch(t)
	ctx := context.Background()
	env := map[string]string{"POSTGRES_PASSWORD": sb.Password}
	cfg := postgres.ConfigFor(tg, env)
	exec(t, conn, "CREATE TABLE t (id int)", "INSERT INTO t VALUES (1)")
	r, err := backup.Take(ctx, sb.Client, tg, "drill_stale")
	if err != nil {
		t.Fatal(err)
	}
	old := fmt.Sprintf("%s%d_0000dead", backup.DrillPrefix, time.Now().Add(-2*time.Hour).Unix())
	young := fmt.Sprintf("%s%d_0000beef", backup.DrillPrefix, time.Now().Add(-time.Minute).Unix())
	exec(t, conn, "CREATE DATABASE "+old, "CREATE DATABASE "+young)
	t.Cleanup(func() {
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+old)
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+young)
	})
	res, err := backup.Drill(ctx, tg, r.Path, backup.DrillOptions{Env: env, Docker: sb.Client})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Stale, ",") != old {
		t.Errorf("stale dropped %v, want [%s]", res.Stale, old)
	}
	if left := drillDBs(t, cfg); strings.Join(left, ",") != young {
		t.Errorf("drill databases now %v, want only the young %s", left, young)
	}
}

// Cancelling the drill while psql is reading the dump still drops the
// scratch database.
func TestDrillCancelled(t *testing.T) {
	sb, tg, conn := scratch(t)
	env := map[string]string{"POSTGRES_PASSWORD": sb.Password}
	cfg := postgres.ConfigFor(tg, env)
	exec(t, conn, "CREATE TABLE big (id int, pad text)",
		"INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 200000) g")
	r, err := backup.Take(context.Background(), sb.Client, tg, "drill_cancel")
	if err != nil {
		t.Fatal(err)
	}
	// Cancel as soon as the scratch database exists (psql is then about to
	// read, or reading, the dump).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if names, _ := backup.DrillDatabases(context.Background(), cfg); len(names) > 0 {
				cancel()
				return
			}
		}
	}()
	res, err := backup.Drill(ctx, tg, r.Path, backup.DrillOptions{Env: env, Docker: sb.Client})
	cancel()
	<-done
	if err == nil || res.Passed {
		t.Fatalf("a cancelled drill: err %v, passed %v", err, res.Passed)
	}
	if !res.Dropped {
		t.Errorf("Dropped false: %v", err)
	}
	if left := drillDBs(t, cfg); len(left) > 0 {
		t.Errorf("scratch databases left after cancel: %v", left)
	}
}
