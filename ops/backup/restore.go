package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"planner-tui/ops"
	"planner-tui/ops/docker"
)

// load loads a verified plain dump into the target database with psql in
// the db container, the file streamed through the exec's stdin. It has no
// guard: Restore asks for the phrase and takes the fresh backup first, and
// is the only way in from outside the package.
//
// All or nothing: psql runs with ON_ERROR_STOP=1 and the stream is wrapped
// in BEGIN; ... COMMIT; by Restore itself, COMMIT being sent only after the
// whole file was read. This is what psql --single-transaction does, except
// that --single-transaction commits at end of input however it came: were
// the stream cut (ctx cancelled, a read error), psql would commit half a
// restore. Here a cut stream ends the session without COMMIT and PostgreSQL
// rolls the transaction back. An SQL error makes psql exit 3, nothing
// committed. (A dump with large objects carries its own BEGIN/COMMIT, which
// would break the bracket, exactly as it does for --single-transaction.)
func load(ctx context.Context, d *docker.Client, t ops.Target, path string, out io.Writer) error {
	if out == nil {
		out = io.Discard
	}
	if err := checkIdent("DB_NAME", t.DBName); err != nil {
		return err
	}
	if err := checkIdent("DB_USER", t.DBUser); err != nil {
		return err
	}
	v, err := Verify(path)
	if err != nil {
		return fmt.Errorf("restore refused: %w", err)
	}
	ct, env, err := dbContainer(ctx, d, t)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	in := &bracketed{body: f}
	var stderr tailBuffer
	cmd := []string{"psql", "-X", "-v", "ON_ERROR_STOP=1", "-U", t.DBUser, "-d", t.DBName}
	fmt.Fprintf(out, "restoring %s (%d bytes, sha256 %s) into %s\n", path, v.Size, v.SHA256, t.DBName)
	code, err := d.Exec(ctx, ct.ID, cmd, env, in, out, io.MultiWriter(out, &stderr))
	switch {
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("restore of %s cancelled before COMMIT; the transaction was rolled back: %w", path, ctx.Err())
	case err != nil:
		return fmt.Errorf("restore of %s interrupted before COMMIT; the transaction was rolled back: %w", path, err)
	case code == 3:
		return fmt.Errorf("restore of %s failed: psql exited 3 (SQL error; nothing was committed): %s", path, pgError(stderr.String()))
	case code != 0:
		return fmt.Errorf("restore of %s failed: psql exited %d: %s", path, code, pgError(stderr.String()))
	case !in.committed:
		return fmt.Errorf("restore of %s: psql exited before reading the whole dump; nothing was committed", path)
	}
	return nil
}

// bracketed reads "BEGIN;", the body, then "COMMIT;" — the last only if the
// body was read to its end without error.
type bracketed struct {
	body      io.Reader
	stage     int // 0 begin, 1 body, 2 commit, 3 done
	pending   []byte
	committed bool
}

func (b *bracketed) Read(p []byte) (int, error) {
	for {
		if len(b.pending) > 0 {
			n := copy(p, b.pending)
			b.pending = b.pending[n:]
			if len(b.pending) == 0 && b.stage == 3 {
				b.committed = true
			}
			return n, nil
		}
		switch b.stage {
		case 0:
			b.pending, b.stage = []byte("BEGIN;\n"), 1
		case 1:
			n, err := b.body.Read(p)
			if errors.Is(err, io.EOF) {
				b.stage = 2
				if n > 0 {
					return n, nil
				}
				continue
			}
			return n, err
		case 2:
			b.pending, b.stage = []byte("\nCOMMIT;\n"), 3
		default:
			return 0, io.EOF
		}
	}
}
