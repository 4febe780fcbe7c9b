package postgres_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/docker/dockertest"
	"planner-tui/ops/postgres"
)

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	start := time.Now()
	r := postgres.Check(context.Background(), postgres.Config{Host: "127.0.0.1", Port: port, User: "u", Database: "d", Password: "pw", Timeout: 3 * time.Second}, nil)
	want := fmt.Sprintf("database unreachable at 127.0.0.1:%d: connection refused", port)
	if r.Reachable || r.Err != want {
		t.Errorf("got reachable=%v err=%q, want %q", r.Reachable, r.Err, want)
	}
	if strings.Contains(r.Err, "pw") {
		t.Errorf("the password leaked into %q", r.Err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("took %s", d)
	}
}

// A listener that accepts and never answers: the connect timeout must hold.
func TestSilentServerTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	start := time.Now()
	r := postgres.Check(context.Background(), postgres.Config{Host: "127.0.0.1", Port: port, User: "u", Database: "d", Timeout: time.Second}, nil)
	if r.Reachable || r.Err != fmt.Sprintf("database unreachable at 127.0.0.1:%d: timed out", port) {
		t.Errorf("got %+v", r)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s with a 1 s timeout", d)
	}
}

func TestSandboxCheck(t *testing.T) {
	sb := dockertest.Stack(t)
	cfg := postgres.ConfigFor(sb.Target, map[string]string{"POSTGRES_PASSWORD": sb.Password})
	ctx := context.Background()

	// A scratch database, so the sandbox's own is untouched.
	admin, err := postgres.Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	scratch := fmt.Sprintf("planner_tui_test_%d", os.Getpid())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+scratch); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+scratch+" WITH (FORCE)"); err != nil {
			t.Errorf("drop scratch database %s: %v", scratch, err)
		}
		admin.Close(context.Background())
	})
	sc := cfg
	sc.Database = scratch

	r := postgres.Check(ctx, sc, []string{"projects"})
	if !r.Reachable || r.Revision != "" || len(r.Revisions) != 0 || !strings.HasPrefix(r.ServerVersion, "15") || r.DBSize <= 0 || r.Connections < 1 || r.Latency <= 0 {
		t.Errorf("fresh database: %+v", r)
	}
	if len(r.Missing) != 1 || !strings.Contains(r.Err, "missing tables: [projects]") {
		t.Errorf("missing critical table not reported: %+v", r)
	}

	conn, err := postgres.Connect(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		"CREATE TABLE projects (id int)", "INSERT INTO projects SELECT generate_series(1, 42)",
		"CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)", "INSERT INTO alembic_version VALUES ('abc123')",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	r = postgres.Check(ctx, sc, []string{"projects"})
	if r.Err != "" || r.Revision != "abc123" || r.RowCounts["projects"] != 42 || strings.Join(r.Tables, ",") != "alembic_version,projects" {
		t.Errorf("migrated database: %+v", r)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO alembic_version VALUES ('def456')"); err != nil {
		t.Fatal(err)
	}
	r = postgres.Check(ctx, sc, nil)
	if len(r.Revisions) != 2 || !strings.Contains(r.Err, "2 heads (branched)") {
		t.Errorf("branched heads not reported: %+v", r)
	}

	bad := sc
	bad.Password = "wrong-" + sb.Password
	r = postgres.Check(ctx, bad, nil)
	if r.Reachable {
		t.Skip("the sandbox accepts any password over TCP (trust); cannot test a login failure")
	}
	if !strings.Contains(r.Err, "refused the connection: password authentication failed") || strings.Contains(r.Err, bad.Password) {
		t.Errorf("wrong password: %q", r.Err)
	}
}
