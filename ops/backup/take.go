package backup

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"planner-tui/ops"
	"planner-tui/ops/docker"
)

// writeBuf is the size of the buffer between the exec stream and the file:
// large, so the file and the hash see few, big writes.
const writeBuf = 1 << 20

// Take dumps the target database with pg_dump inside the db container,
// streaming the output straight into <BackupDir>/<name>.sql.partial while
// hashing it; checks the exit code; syncs; verifies the completion marker
// and \restrict key; then renames to <name>.sql and syncs the directory.
//
// The dump is plain SQL taken with --clean --if-exists, so that `psql` can
// restore it over an existing schema (each object is dropped if present,
// then recreated). Objects created after the backup that the dump does not
// know (a table added by a later migration) are left in place.
//
// A failed or incomplete dump is moved to <name>.sql.failed and the error
// says why ("pg_dump exited 1: database \"nope\" does not exist"); it is never
// left where it could pass for a backup. The database password, if the
// container has one in POSTGRES_PASSWORD, is passed as PGPASSWORD in the
// exec environment, never on the command line.
func Take(ctx context.Context, d *docker.Client, t ops.Target, name string) (Result, error) {
	start := time.Now()
	if err := checkName(name); err != nil {
		return Result{}, err
	}
	if t.BackupDir == "" {
		return Result{}, errors.New("backup: BACKUP_DIR is not set")
	}
	if err := checkIdent("DB_NAME", t.DBName); err != nil {
		return Result{}, err
	}
	if err := checkIdent("DB_USER", t.DBUser); err != nil {
		return Result{}, err
	}
	final := filepath.Join(t.BackupDir, name+".sql")
	if _, err := os.Lstat(final); err == nil {
		return Result{}, fmt.Errorf("backup %s already exists; choose another name", final)
	}
	ct, env, err := dbContainer(ctx, d, t)
	if err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(t.BackupDir, 0o700); err != nil {
		return Result{}, fmt.Errorf("backup dir: %w", err)
	}
	partial := final + ".partial"
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return Result{}, fmt.Errorf("backup: %w", err)
	}
	fail := func(err error) (Result, error) {
		f.Close()
		failed := final + ".failed"
		if rerr := os.Rename(partial, failed); rerr != nil {
			return Result{}, fmt.Errorf("backup %s: %w (and quarantining the partial file failed: %v)", final, err, rerr)
		}
		return Result{Path: failed}, fmt.Errorf("backup %s failed, partial output kept as %s: %w", final, failed, err)
	}

	sum := newSummer()
	bw := bufio.NewWriterSize(io.MultiWriter(f, sum), writeBuf)
	var stderr tailBuffer
	cmd := []string{"pg_dump", "-U", t.DBUser, "--clean", "--if-exists", t.DBName}
	code, err := d.Exec(ctx, ct.ID, cmd, env, nil, bw, &stderr)
	if err != nil {
		return fail(fmt.Errorf("pg_dump: %w", err))
	}
	if code != 0 {
		return fail(fmt.Errorf("pg_dump exited %d: %s", code, pgError(stderr.String())))
	}
	if err := bw.Flush(); err != nil {
		return fail(fmt.Errorf("writing: %w", err))
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("fsync: %w", err))
	}
	check, err := sum.verify()
	if err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(fmt.Errorf("close: %w", err))
	}
	if err := os.Rename(partial, final); err != nil {
		return Result{}, fmt.Errorf("backup: %w", err)
	}
	if err := syncDir(t.BackupDir); err != nil {
		return Result{}, fmt.Errorf("backup: %w", err)
	}
	return Result{Path: final, Size: sum.n, SHA256: sum.sum(), Verified: true, Duration: time.Since(start), Check: check}, nil
}

// PreRestore takes the fresh, verified backup that must exist before a
// restore overwrites the database: pre-restore-<UTC time>.sql.
func PreRestore(ctx context.Context, d *docker.Client, t ops.Target) (Result, error) {
	return Take(ctx, d, t, "pre-restore-"+time.Now().UTC().Format("20060102T150405Z"))
}

// dbContainer finds the running db container and the exec environment.
func dbContainer(ctx context.Context, d *docker.Client, t ops.Target) (docker.Container, []string, error) {
	ct, err := d.ServiceContainer(ctx, t.Project, t.DBService)
	if err != nil {
		return ct, nil, fmt.Errorf("backup: %w", err)
	}
	if !ct.Running() {
		return ct, nil, fmt.Errorf("backup: the %s container %s is %s, not running", t.DBService, ct.Name, ct.State)
	}
	in, err := d.API().ContainerInspect(ctx, ct.ID)
	if err != nil {
		return ct, nil, fmt.Errorf("backup: inspect %s: %w", ct.Name, err)
	}
	var env []string
	if in.Config != nil {
		for _, kv := range in.Config.Env {
			if v, ok := strings.CutPrefix(kv, "POSTGRES_PASSWORD="); ok && v != "" {
				env = append(env, "PGPASSWORD="+v)
			}
		}
	}
	return ct, env, nil
}

// checkName refuses names that would escape the backup dir or hide.
func checkName(name string) error {
	if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") || strings.ContainsAny(name, "/\\\x00") {
		return fmt.Errorf("backup name %q: want a plain file name such as backup_20250101_120000", name)
	}
	return nil
}

// checkIdent refuses values that pg_dump would read as options.
func checkIdent(what, v string) error {
	if v == "" || strings.HasPrefix(v, "-") {
		return fmt.Errorf("%s %q: want a database identifier", what, v)
	}
	return nil
}

// pgError reduces pg_dump/psql stderr to its message: the last error line
// without the program and connection prefixes.
func pgError(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	msg := ""
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "DETAIL:") || strings.HasPrefix(l, "HINT:") || strings.HasPrefix(l, "LINE ") || strings.HasPrefix(l, "^") {
			continue
		}
		msg = l
		break
	}
	if msg == "" {
		return "(no error output)"
	}
	for _, sep := range []string{"FATAL:  ", "ERROR:  "} {
		if i := strings.LastIndex(msg, sep); i >= 0 {
			return msg[i+len(sep):]
		}
	}
	for _, p := range []string{"pg_dump: error: ", "psql: error: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// tailBuffer keeps the last 16 KB written to it (error output).
type tailBuffer struct{ b []byte }

const tailKeep = 16 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > tailKeep {
		t.b = append([]byte(nil), t.b[len(t.b)-tailKeep:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(bytes.ToValidUTF8(t.b, []byte("?"))) }

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}
