package backup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"planner-tui/ops"
	"planner-tui/ops/docker"
	"planner-tui/ops/postgres"
)

// DrillPrefix starts the name of every scratch database of a restore drill:
// planner_drill_<unix seconds>_<random>, so a leftover is recognisable and
// its age readable from its name.
const DrillPrefix = "planner_drill_"

// DrillStaleAfter is the age from which a drill's scratch database found on
// the server is a leftover (a drill killed before its cleanup) and is
// dropped by the next drill. Younger ones may be another drill running now.
const DrillStaleAfter = time.Hour

// drillLargest is how many of the dump's largest tables are always checked,
// besides the named critical tables.
const drillLargest = 5

// drillDropTimeout bounds dropping the scratch database, on a context of its
// own: the drill's may be cancelled already.
const drillDropTimeout = 30 * time.Second

// DrillOptions are the drill's inputs.
type DrillOptions struct {
	// Critical are tables (as in CRITICAL_TABLES: users, or schema.table)
	// that must be in the dump and are always checked.
	Critical []string
	// Env holds the planner dir's .env values (the database password).
	Env map[string]string
	// Docker is the client to use; nil connects one.
	Docker *docker.Client
}

// TableCheck is one table's row count in the dump and after the restore.
type TableCheck struct {
	Table    string `json:"table"`
	Dump     int64  `json:"dump"`
	Restored int64  `json:"restored"`
}

// DrillResult is what a restore drill did. Passed is true only when the dump
// restored without error, every checked table has the dump's row count and
// the scratch database was dropped.
type DrillResult struct {
	Path     string
	Size     int64
	SHA256   string
	Database string        // the scratch database
	Restore  time.Duration // psql reading the dump (the MB/s figure)
	Count    time.Duration // counting the checked tables after the restore
	Total    time.Duration // create, restore, count, drop
	Tables   []TableCheck
	Stale    []string // leftovers of earlier drills dropped first
	Dropped  bool
	Passed   bool
}

// MBps is the restore's throughput in MB (10^6 bytes) per second.
func (r DrillResult) MBps() float64 {
	if r.Restore <= 0 {
		return 0
	}
	return float64(r.Size) / 1e6 / r.Restore.Seconds()
}

// Drill restores a plain dump into a scratch database on the target's
// server, never the target database itself, and checks it:
//  1. the dump's ends are checked (header, completion marker, \restrict
//     keys) before anything is created: a truncated file is refused;
//  2. drill databases older than DrillStaleAfter are dropped;
//  3. planner_drill_<unix>_<random> is created from template0;
//  4. the file is streamed once into `psql -v ON_ERROR_STOP=1` in the db
//     container (Docker exec), and on the way hashed and its COPY data
//     lines counted per table;
//  5. the named critical tables and the drillLargest largest tables of the
//     dump are counted in the scratch database (pgx on the loopback port)
//     and compared with the dump;
//  6. the scratch database is dropped, whatever happened, on a fresh
//     context (also after ctx was cancelled or psql failed half-way).
//
// The result is filled as far as the drill got; an error says what failed.
func Drill(ctx context.Context, t ops.Target, path string, o DrillOptions) (res DrillResult, err error) {
	start := time.Now()
	res.Path = path
	if err := checkIdent("DB_USER", t.DBUser); err != nil {
		return res, err
	}
	if err := checkIdent("DB_NAME", t.DBName); err != nil {
		return res, err
	}
	f, err := os.Open(path)
	if err != nil {
		return res, fmt.Errorf("restore drill: %w", err)
	}
	defer f.Close()
	if res.Size, err = checkEnds(f); err != nil {
		return res, fmt.Errorf("restore drill refused, no database created: backup %s: %w", path, err)
	}
	d := o.Docker
	if d == nil {
		if d, err = docker.New(ctx); err != nil {
			return res, err
		}
		defer d.Close()
	}
	ct, env, err := dbContainer(ctx, d, t)
	if err != nil {
		return res, fmt.Errorf("restore drill: %w", err)
	}

	cfg := postgres.ConfigFor(t, o.Env)
	if res.Stale, err = dropStaleDrills(ctx, cfg, time.Now()); err != nil {
		return res, fmt.Errorf("restore drill: %w", err)
	}
	name, err := drillName(time.Now())
	if err != nil {
		return res, err
	}
	if err := adminExec(ctx, cfg, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		return res, fmt.Errorf("restore drill: create scratch database %s: %w", name, err)
	}
	res.Database = name
	defer func() {
		// The drill's ctx may be done: the drop gets its own.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drillDropTimeout)
		defer cancel()
		derr := dropDatabase(dctx, cfg, res.Database)
		res.Total = time.Since(start)
		if derr != nil {
			res.Passed = false
			err = errors.Join(err, fmt.Errorf("restore drill: the scratch database %s was NOT dropped (drop it by hand): %w", res.Database, derr))
			return
		}
		res.Dropped = true
	}()

	sum := newSummer()
	counts := newCopyCounter()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return res, fmt.Errorf("restore drill: %w", err)
	}
	in := io.TeeReader(f, io.MultiWriter(sum, counts))
	var stderr tailBuffer
	cmd := []string{"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", t.DBUser, "-d", res.Database}
	rstart := time.Now()
	code, err := d.Exec(ctx, ct.ID, cmd, env, in, nil, &stderr)
	res.Restore = time.Since(rstart)
	res.SHA256 = sum.sum()
	switch {
	case err != nil:
		return res, fmt.Errorf("restore drill of %s into %s: %w", path, res.Database, err)
	case code == 3:
		return res, fmt.Errorf("restore drill of %s failed: psql exited 3 (SQL error) after %s of %s: %s", path, sizeMB(sum.n), sizeMB(res.Size), pgError(stderr.String()))
	case code != 0:
		return res, fmt.Errorf("restore drill of %s failed: psql exited %d: %s", path, code, pgError(stderr.String()))
	case sum.n != res.Size:
		return res, fmt.Errorf("restore drill of %s: psql stopped after %s of %s", path, sizeMB(sum.n), sizeMB(res.Size))
	}
	if _, err := sum.verify(); err != nil {
		return res, fmt.Errorf("restore drill: backup %s changed while it was read: %w", path, err)
	}

	tables, err := drillTables(counts, o.Critical)
	if err != nil {
		return res, fmt.Errorf("restore drill of %s: %w", path, err)
	}
	scfg := cfg
	scfg.Database = res.Database
	cstart := time.Now()
	res.Tables, err = countTables(ctx, scfg, counts, tables)
	res.Count = time.Since(cstart)
	if err != nil {
		return res, fmt.Errorf("restore drill of %s: %w", path, err)
	}
	var bad []string
	for _, tc := range res.Tables {
		if tc.Dump != tc.Restored {
			bad = append(bad, fmt.Sprintf("%s: %d rows in the dump, %d restored", tc.Table, tc.Dump, tc.Restored))
		}
	}
	if len(bad) > 0 {
		return res, fmt.Errorf("restore drill of %s: row counts differ: %s", path, strings.Join(bad, "; "))
	}
	res.Passed = true
	return res, nil
}

// checkEnds verifies the dump's head and last KB (see Verify) without
// reading the rest, and returns the file's size: the full read happens once,
// on the way into psql.
func checkEnds(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	s := newSummer()
	s.n = st.Size()
	head := make([]byte, min(int64(headSize), st.Size()))
	if _, err := io.ReadFull(f, head); err != nil {
		return 0, err
	}
	s.head = head
	tail := make([]byte, min(int64(tailSize), st.Size()))
	if _, err := f.ReadAt(tail, st.Size()-int64(len(tail))); err != nil {
		return 0, err
	}
	s.tail = tail
	_, err = s.verify()
	return st.Size(), err
}

// drillTables are the tables to count: the named critical ones (each must
// be in the dump) and the largest of the dump.
func drillTables(c *copyCounter, critical []string) ([]string, error) {
	byName := map[string]string{}
	for _, q := range c.order {
		byName[displayName(q)] = q
		byName[q] = q
	}
	var out, missing []string
	for _, name := range critical {
		q, ok := byName[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		if !slices.Contains(out, q) {
			out = append(out, q)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("critical table(s) %s not in the dump (no COPY data for them)", strings.Join(missing, ", "))
	}
	for _, q := range c.largest(drillLargest) {
		if !slices.Contains(out, q) {
			out = append(out, q)
		}
	}
	return out, nil
}

// countTables counts rows in the scratch database. The names come verbatim
// from the dump's COPY lines, as pg_dump quoted them.
func countTables(ctx context.Context, cfg postgres.Config, c *copyCounter, tables []string) ([]TableCheck, error) {
	conn, err := postgres.Connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var out []TableCheck
	for _, q := range tables {
		tc := TableCheck{Table: displayName(q), Dump: c.counts[q]}
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+q).Scan(&tc.Restored); err != nil {
			return out, fmt.Errorf("count rows of %s in the scratch database: %w", tc.Table, err)
		}
		out = append(out, tc)
	}
	return out, nil
}

// drillName is planner_drill_<unix seconds>_<8 hex digits>.
func drillName(now time.Time) (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("restore drill: %w", err)
	}
	return DrillPrefix + strconv.FormatInt(now.Unix(), 10) + "_" + hex.EncodeToString(b), nil
}

// drillAge reads the creation time from a drill database's name.
func drillAge(name string, now time.Time) (time.Duration, bool) {
	rest, ok := strings.CutPrefix(name, DrillPrefix)
	if !ok {
		return 0, false
	}
	sec, _, _ := strings.Cut(rest, "_")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0, false
	}
	return now.Sub(time.Unix(n, 0)), true
}

// dropStaleDrills drops the drill databases older than DrillStaleAfter and
// returns their names. Names that do not carry a time are left alone.
func dropStaleDrills(ctx context.Context, cfg postgres.Config, now time.Time) ([]string, error) {
	names, err := DrillDatabases(ctx, cfg)
	if err != nil {
		return nil, err
	}
	var dropped []string
	for _, n := range names {
		if age, ok := drillAge(n, now); ok && age > DrillStaleAfter {
			if err := dropDatabase(ctx, cfg, n); err != nil {
				return dropped, fmt.Errorf("drop leftover drill database %s: %w", n, err)
			}
			dropped = append(dropped, n)
		}
	}
	return dropped, nil
}

// DrillDatabases lists the drill databases on the server of cfg.
func DrillDatabases(ctx context.Context, cfg postgres.Config) ([]string, error) {
	conn, err := postgres.Connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'planner\_drill\_%' ORDER BY datname`)
	if err != nil {
		return nil, fmt.Errorf("list drill databases: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// dropDatabase drops a drill database, ending its sessions (a psql cut
// off by a cancelled drill may still be connected).
func dropDatabase(ctx context.Context, cfg postgres.Config, name string) error {
	if !strings.HasPrefix(name, DrillPrefix) {
		return fmt.Errorf("refusing to drop %s: not a drill database", name)
	}
	return adminExec(ctx, cfg, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

// adminExec runs one statement on a connection of its own to the target's
// database (CREATE/DROP DATABASE cannot run on the database they name, and
// a connection whose query was cancelled is closed by pgx).
func adminExec(ctx context.Context, cfg postgres.Config, sql string) error {
	conn, err := postgres.Connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

func sizeMB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
