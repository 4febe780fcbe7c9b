package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// drillDatabases lists the restore drill's scratch databases on the
// sandbox server (psql in the db container).
func drillDatabases(t *testing.T, sb *sandbox) string {
	t.Helper()
	db := containers(t)["db"]
	if db.ID == "" {
		t.Fatal("no db container")
	}
	return docker(t, "exec", db.ID, "psql", "-X", "-tA", "-U", sb.settings["DB_USER"], "-d", sb.settings["DB_NAME"],
		"-c", `SELECT datname FROM pg_database WHERE datname LIKE 'planner\_drill\_%'`)
}

// TestRestoreDrill: op verify-backup --restore-test on a fresh backup of
// the sandbox database restores it into a scratch database, reports the
// time and MB/s and the row counts, and leaves no scratch database; a
// truncated and a corrupt dump fail with a clear message and also leave
// none. The live database is not touched.
func TestRestoreDrill(t *testing.T) {
	sb := needSandbox(t)
	bdir := t.TempDir()
	op := newOperator(t, sb, "BACKUP_DIR="+bdir, "CRITICAL_TABLES=programs,users")
	before := op.dbCheck(t)
	if r := op.tui(t, "op", "backup", "--name", "drill"); r.code != 0 {
		t.Fatalf("op backup: %s", r)
	}
	path := filepath.Join(bdir, "drill.sql")
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	r := op.tui(t, "op", "verify-backup", "--restore-test", path)
	if r.code != 0 {
		t.Fatalf("restore drill: %s", r)
	}
	wantOutput(t, r, "restore  into scratch database planner_drill_", "drill    passed", "dropped  planner_drill_")
	if !regexp.MustCompile(`: \d[\d.]*m?s, \d+\.\d MB/s\n`).MatchString(r.stdout) {
		t.Errorf("no time and MB/s in:\n%s", r.stdout)
	}
	for _, tb := range []string{"programs", "users"} {
		n := before.RowCounts[tb]
		if !regexp.MustCompile(`ok +`+tb+`: (\d+) rows in the dump, (\d+) restored`).MatchString(r.stdout) ||
			!strings.Contains(r.stdout, tb+": "+strconv.FormatInt(n, 10)+" rows in the dump, "+strconv.FormatInt(n, 10)+" restored") {
			t.Errorf("%s: want %d rows in the dump and restored:\n%s", tb, n, r.stdout)
		}
	}
	if left := drillDatabases(t, sb); left != "" {
		t.Errorf("after a passed drill, scratch databases left: %s", left)
	}

	// Broken dumps: the ends intact but a bad row in the middle (psql
	// fails half-way through), and one cut in half.
	i := bytes.Index(full, []byte("COPY public.users "))
	if i < 0 {
		t.Fatal("no COPY of users in the dump")
	}
	j := i + bytes.IndexByte(full[i:], '\n') + 1
	corrupt := append(append(append([]byte(nil), full[:j]...), "this is not a row\n"...), full[j:]...)
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"corrupt.sql", "psql exited 3 (SQL error)", corrupt},
		{"cut.sql", "restore drill refused, no database created", full[:len(full)/2]},
	} {
		p := filepath.Join(t.TempDir(), tc.name)
		if err := os.WriteFile(p, tc.data, 0o600); err != nil {
			t.Fatal(err)
		}
		r := op.tui(t, "op", "verify-backup", "--restore-test", p)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stdout, "passed") {
			t.Errorf("%s: want exit 1 and %q:\n%s", tc.name, tc.want, r)
		}
		if left := drillDatabases(t, sb); left != "" {
			t.Errorf("%s: scratch databases left: %s", tc.name, left)
		}
	}
	after := op.dbCheck(t)
	for tb, n := range before.RowCounts {
		if after.RowCounts[tb] != n {
			t.Errorf("live database changed: %s %d -> %d rows", tb, n, after.RowCounts[tb])
		}
	}
}
