package changes

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"planner-tui/ops"
	"planner-tui/ops/postgres"
	"planner-tui/ops/sqllint"
)

// Migrations are the pending migrations: from the database's revision to the
// head of the code that will run, with only their SQL, linted.
type Migrations struct {
	Current string     `json:"current"` // alembic_version of the database; "" when none
	Pending []Revision `json:"pending"`
	// SQL is alembic's offline rendering of current:head, as it will run
	// (transaction and version bump included).
	SQL      string            `json:"sql"`
	Findings []sqllint.Finding `json:"findings"`
	// Destructive are the phrases of the destructive findings ("drop
	// column programs.legacy_code"); empty when nothing is lost.
	Destructive []string `json:"destructive"`
	Command     string   `json:"command"` // the alembic command line that rendered SQL
	// RenderedIn says where alembic ran: in the running app container, or
	// in a one-off container and why; "" when the SQL was Cached.
	RenderedIn string `json:"rendered_in,omitempty"`
	// Notes say what the reader should know about how the SQL was rendered
	// (the target changes how the app image is built).
	Notes []string `json:"notes"`
	// Cached says SQL was rendered earlier for the same migration scripts
	// and revision (op plan --fresh renders again).
	Cached bool `json:"cached"`
}

func (m *Migrations) normalize() {
	m.Pending, m.Findings, m.Destructive, m.Notes = orEmpty(m.Pending), orEmpty(m.Findings), orEmpty(m.Destructive), orEmpty(m.Notes)
	for i := range m.Pending {
		m.Pending[i].Findings = orEmpty(m.Pending[i].Findings)
	}
}

// Revision is one pending migration and the lines of SQL it renders to.
type Revision struct {
	From     string            `json:"from"` // "" when it starts from an empty database
	To       string            `json:"to"`
	Message  string            `json:"message"`
	FromLine int               `json:"from_line"` // 1-based lines of SQL, inclusive
	ToLine   int               `json:"to_line"`
	SQL      string            `json:"sql"`
	Findings []sqllint.Finding `json:"findings"`
}

// Renderer renders the SQL that `alembic upgrade current:head` would run.
// The session uses one at admission time; tests may give their own.
type Renderer interface {
	// PendingSQL runs alembic upgrade FROM:head --sql (head --sql when
	// current is ""): SQL on stdout, alembic's log on stderr.
	PendingSQL(ctx context.Context, current string) (sql, log string, err error)
}

// Alembic renders pending SQL in a one-off container of the app service,
// `docker-compose ... run --rm -T --no-deps APP alembic upgrade CUR:head
// --sql`, as the runbook's dry run does. Offline mode connects to nothing.
type Alembic struct {
	Target ops.Target
	// Source, when set, is a host directory holding alembic.ini and the code
	// env.py imports (the target release's, before it is built): it is
	// mounted read-only and used as the working directory instead of the
	// image's own code.
	Source string
}

// containerSource is where Source is mounted in the one-off container.
const containerSource = "/planner-tui-target"

// Args is the command line PendingSQL runs (in Target.Dir).
func (a Alembic) Args(current string) []string {
	args := composeCommand()
	for _, f := range a.Target.ComposeFiles {
		args = append(args, "-f", f)
	}
	if a.Target.Project != "" {
		args = append(args, "-p", a.Target.Project)
	}
	args = append(args, "run", "--rm", "-T", "--no-deps")
	if a.Source != "" {
		args = append(args, "-v", a.Source+":"+containerSource+":ro", "-w", containerSource)
	}
	app := a.Target.AppService
	if app == "" {
		app = "app"
	}
	return append(args, app, "alembic", "upgrade", upgradeRange(current), "--sql")
}

func upgradeRange(current string) string {
	if current == "" {
		return "head"
	}
	return current + ":head"
}

// composeCommand is docker-compose when it is installed (the runbook's
// spelling), else the docker CLI's compose plugin.
func composeCommand() []string {
	if _, err := exec.LookPath("docker-compose"); err == nil {
		return []string{"docker-compose"}
	}
	return []string{"docker", "compose"}
}

func (a Alembic) PendingSQL(ctx context.Context, current string) (string, string, error) {
	args := a.Args(current)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = a.Target.Dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", errb.String(), alembicFailed(strings.Join(args, " "), current, err, errb.String())
	}
	return out.String(), errb.String(), nil
}

// unknownRevisionError is alembic not knowing the database's revision:
// the code's verdict, whichever container runs it.
type unknownRevisionError struct{ msg string }

func (e *unknownRevisionError) Error() string { return e.msg }

// alembicFailed is the error of an alembic run (cmd, as a command line)
// that failed with err, its log on stderr.
func alembicFailed(cmd, current string, err error, stderr string) error {
	if current != "" && strings.Contains(stderr, "Can't locate revision") {
		// Older code than the database: a rollback, which needs a
		// downgrade with the newer code, not an upgrade.
		return &unknownRevisionError{fmt.Sprintf("the database is at %s, which this code does not know (is the target older than what migrated the database?): %s", current, lastLines(stderr, 1))}
	}
	return fmt.Errorf("%s: %w: %s", cmd, err, lastLines(stderr, 3))
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, " | ")
}

// CurrentRevision reads alembic_version over pgx: "" when the table does not
// exist (a database never migrated), an error for more than one row
// (branched heads, which this tool does not plan).
func CurrentRevision(ctx context.Context, c postgres.Config) (string, error) {
	conn, err := postgres.Connect(ctx, c)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, "SELECT version_num FROM alembic_version")
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
			return "", nil
		}
		return "", fmt.Errorf("read alembic_version: %w", err)
	}
	var revs []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return "", err
		}
		revs = append(revs, v)
	}
	if err := rows.Err(); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
			return "", nil
		}
		return "", fmt.Errorf("read alembic_version: %w", err)
	}
	switch len(revs) {
	case 0:
		return "", nil
	case 1:
		return revs[0], nil
	}
	return "", fmt.Errorf("alembic_version has %d rows (%s): branched heads", len(revs), strings.Join(revs, ", "))
}

// Pending renders and lints the migrations from current to head.
func Pending(ctx context.Context, r Renderer, current string) (Migrations, error) {
	m := Migrations{Current: current}
	inner := r
	if c, ok := r.(*Cached); ok {
		inner = c.R
	}
	if a, ok := inner.(Alembic); ok {
		m.Command = a.CommandLine(current)
	}
	sql, log, err := r.PendingSQL(ctx, current)
	if c, ok := r.(*Cached); ok {
		m.Cached = c.Hit
	}
	if f, ok := inner.(*Fallback); ok {
		m.Command = commandOf(f.Slow, current) // what a cached render stands for, as before
		if !m.Cached && err == nil {
			m.Command, m.RenderedIn = f.Command, "the running app container"
			if f.Why != "" {
				m.RenderedIn = "a one-off container (" + f.Why + ")"
			}
		}
	}
	if err != nil {
		return m, err
	}
	m.SQL = sql
	m.Pending = splitRevisions(sql, log)
	fs, err := sqllint.Lint(sql)
	if err != nil {
		return m, fmt.Errorf("pending SQL: %w", err)
	}
	m.Findings = fs
	m.Destructive = sqllint.Phrases(fs)
	for i := range m.Pending {
		p := &m.Pending[i]
		for _, f := range fs {
			if f.Line >= p.FromLine && f.Line <= p.ToLine {
				p.Findings = append(p.Findings, f)
			}
		}
	}
	m.normalize()
	return m, nil
}

// runningRe matches alembic's comment before each migration's SQL, and its
// log line with the message: "Running upgrade A -> B, message".
var runningRe = regexp.MustCompile(`Running upgrade (\S*) -> (\S+?)(?:, (.*))?$`)

// splitRevisions cuts alembic's offline output at its "-- Running upgrade
// A -> B" comments. A revision's lines end before the next comment or
// alembic's closing COMMIT.
func splitRevisions(sql, log string) []Revision {
	messages := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		if m := runningRe.FindStringSubmatch(strings.TrimSpace(sc.Text())); m != nil {
			messages[m[2]] = m[3]
		}
	}
	lines := strings.Split(sql, "\n")
	var revs []Revision
	closeLast := func(end int) {
		if len(revs) == 0 {
			return
		}
		r := &revs[len(revs)-1]
		for end > r.FromLine && strings.TrimSpace(lines[end-1]) == "" {
			end--
		}
		r.ToLine = end
		r.SQL = strings.Join(lines[r.FromLine-1:end], "\n") + "\n"
	}
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "-- Running upgrade ") {
			closeLast(i)
			m := runningRe.FindStringSubmatch(t)
			if m == nil {
				continue
			}
			revs = append(revs, Revision{From: m[1], To: m[2], Message: messages[m[2]], FromLine: i + 1})
			continue
		}
		if strings.EqualFold(t, "COMMIT;") && len(revs) > 0 && revs[len(revs)-1].ToLine == 0 {
			closeLast(i)
		}
	}
	if len(revs) > 0 && revs[len(revs)-1].ToLine == 0 {
		closeLast(len(lines))
	}
	return revs
}

// mkSource makes a directory the app container's user can read.
func mkSource() (string, error) {
	dir, err := os.MkdirTemp("", "planner-tui-plan-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// LiveCheck renders and lints the migrations `alembic upgrade head` would
// run now in target t: the database's revision read over pgx (the password
// from t.Dir/.env), the SQL rendered by the app service's image as built,
// the code the upgrade will run (no source mounted).
func LiveCheck(ctx context.Context, t ops.Target) (Migrations, error) {
	current, err := liveCurrent(ctx, t)
	if err != nil {
		return Migrations{}, fmt.Errorf("current revision: %w", err)
	}
	return Pending(ctx, Alembic{Target: t}, current)
}
