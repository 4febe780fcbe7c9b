// Package postgres checks the planner database from the host with pgx:
// reachable or not (said plainly), server version, size, connections, the
// alembic revision and the critical tables with their row counts.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"planner-tui/ops"
)

// DefaultTimeout bounds connecting (and each query) when Config.Timeout is 0.
const DefaultTimeout = 3 * time.Second

// Config says how to reach the database. Password is set on the pgx config
// and never appears in a connection string.
type Config struct {
	Host     string
	Port     int
	User     string
	Database string
	Password string
	Timeout  time.Duration
}

// Addr is host:port, for messages.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// ConfigFor takes host, port, user and database from the target and the
// password from the planner dir's .env values (POSTGRES_PASSWORD, else
// DB_PASSWORD).
func ConfigFor(t ops.Target, env map[string]string) Config {
	pw := env["POSTGRES_PASSWORD"]
	if pw == "" {
		pw = env["DB_PASSWORD"]
	}
	return Config{Host: t.DBHost, Port: t.DBPort, User: t.DBUser, Database: t.DBName, Password: pw, Timeout: DefaultTimeout}
}

// Report is what Check found.
type Report struct {
	Reachable     bool
	Err           string // plain statement of the first problem; "" when all is well
	ServerVersion string
	DBSize        int64 // bytes
	Connections   int   // backends connected to this database
	Revision      string
	Revisions     []string // alembic_version rows; more than one means branched heads
	Tables        []string // tables in the public schema
	RowCounts     map[string]int64
	Missing       []string      // critical tables that do not exist
	Latency       time.Duration // round trip of a trivial query
}

// Connect opens a connection with the timeouts of c.
func Connect(ctx context.Context, c Config) (*pgx.Conn, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	u := url.URL{Scheme: "postgres", User: url.User(c.User), Host: c.Addr(), Path: "/" + c.Database,
		RawQuery: "connect_timeout=" + strconv.Itoa(int(max(timeout/time.Second, 1)))}
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("database config for %s: %w", c.Addr(), err)
	}
	cfg.Password = c.Password
	cfg.ConnectTimeout = timeout
	cfg.RuntimeParams["application_name"] = "planner-tui"
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return nil, connectError(c, err)
	}
	return conn, nil
}

// connectError says plainly why the database could not be reached.
func connectError(c Config, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// The server answered: not unreachable, refused.
		return fmt.Errorf("database at %s refused the connection: %s", c.Addr(), pgErr.Message)
	}
	return fmt.Errorf("database unreachable at %s: %s", c.Addr(), reason(err))
}

func reason(err error) string {
	var errno syscall.Errno
	switch {
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "timed out"
	case errors.As(err, &errno):
		return errno.Error()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Error()
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Check connects and gathers the report. It never returns an error: what
// went wrong is in Err, and Reachable says whether the server answered
// queries. A missing alembic_version table (a database never migrated) is
// Revision "" and no error; missing critical tables are listed in Missing
// and named in Err.
func Check(ctx context.Context, c Config, criticalTables []string) Report {
	r := Report{RowCounts: map[string]int64{}}
	conn, err := Connect(ctx, c)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	defer conn.Close(context.Background())
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	q := func(f func(ctx context.Context) error) error {
		qctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return f(qctx)
	}
	fail := func(what string, err error) Report {
		r.Err = fmt.Sprintf("database at %s: %s: %s", c.Addr(), what, queryReason(err))
		return r
	}

	start := time.Now()
	if err := q(func(ctx context.Context) error { return conn.Ping(ctx) }); err != nil {
		return fail("ping", err)
	}
	r.Latency = time.Since(start)
	r.Reachable = true

	if err := q(func(ctx context.Context) error {
		return conn.QueryRow(ctx, `SELECT current_setting('server_version'), pg_database_size(current_database()),
			(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database())`).Scan(&r.ServerVersion, &r.DBSize, &r.Connections)
	}); err != nil {
		return fail("server facts", err)
	}

	if err := q(func(ctx context.Context) error {
		rows, err := conn.Query(ctx, `SELECT version_num FROM alembic_version ORDER BY version_num`)
		if err != nil {
			return err
		}
		r.Revisions, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}); err != nil {
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42P01" {
			return fail("alembic revision", err)
		}
	}
	if len(r.Revisions) > 0 {
		r.Revision = r.Revisions[0]
	}

	if err := q(func(ctx context.Context) error {
		rows, err := conn.Query(ctx, `SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
		if err != nil {
			return err
		}
		r.Tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}); err != nil {
		return fail("list tables", err)
	}
	have := map[string]bool{}
	for _, tb := range r.Tables {
		have[tb] = true
	}
	for _, tb := range criticalTables {
		if !have[tb] {
			r.Missing = append(r.Missing, tb)
			continue
		}
		var n int64
		if err := q(func(ctx context.Context) error {
			return conn.QueryRow(ctx, `SELECT count(*) FROM public.`+pgx.Identifier{tb}.Sanitize()).Scan(&n)
		}); err != nil {
			return fail("count rows of "+tb, err)
		}
		r.RowCounts[tb] = n
	}
	if len(r.Missing) > 0 {
		sort.Strings(r.Missing)
		r.Err = fmt.Sprintf("database %s at %s: missing tables: %v", c.Database, c.Addr(), r.Missing)
	}
	if len(r.Revisions) > 1 {
		msg := fmt.Sprintf("alembic has %d heads (branched): %v", len(r.Revisions), r.Revisions)
		if r.Err == "" {
			r.Err = msg
		} else {
			r.Err += "; " + msg
		}
	}
	return r
}

func queryReason(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message
	}
	return reason(err)
}
