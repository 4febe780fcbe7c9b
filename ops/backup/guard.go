package backup

import (
	"context"
	"errors"
	"fmt"
	"io"

	"planner-tui/ops"
	"planner-tui/ops/docker"
	"planner-tui/ops/host"
	"planner-tui/ops/postgres"
)

// RefusedError is a restore refused by its guard: nothing was backed up,
// nothing restored. Phrase is what would have been accepted.
type RefusedError struct {
	Database string
	Phrase   string
	Given    string
}

func (e *RefusedError) Error() string {
	if e.Given == "" {
		return fmt.Sprintf("refused: restoring replaces everything in database %s; confirm with --confirm %s", e.Database, e.Phrase)
	}
	return fmt.Sprintf("refused: the confirmation %q does not match; restoring replaces everything in database %s; confirm with --confirm %s", e.Given, e.Database, e.Phrase)
}

// RestoreOptions are the guard's inputs and the restore's outputs.
type RestoreOptions struct {
	// Confirm must be the target database's name.
	Confirm string
	// NoFreshBackup skips the backup taken before the restore (the operator
	// asked for it explicitly; not recommended).
	NoFreshBackup bool
	// Env holds the planner dir's .env values: the database password for
	// the description of what will be replaced.
	Env map[string]string
	// Out gets what is about to be replaced, progress and psql's output
	// (nil: discarded).
	Out io.Writer
	// FreshBackup, when set, is told of the fresh backup once it is taken
	// and verified (to print it, record it in the run); an error stops the
	// restore before anything is restored.
	FreshBackup func(Result) error
	// Docker is the client to use; nil connects one after the guard passed.
	Docker *docker.Client
}

// Restore is the guarded restore of a plain dump into the target database:
//  1. it verifies the file (an incomplete dump is refused before anything),
//  2. it says what it will replace (database, server, size, connections,
//     alembic revision),
//  3. it refuses with a *RefusedError unless Confirm is the database name,
//  4. it takes a fresh verified backup (PreRestore) unless NoFreshBackup,
//  5. it loads the file in one transaction (see load): a failed or cut
//     restore changes nothing.
//
// It returns the fresh backup (zero when skipped or not reached).
func Restore(ctx context.Context, t ops.Target, path string, o RestoreOptions) (Result, error) {
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	if _, err := Verify(path); err != nil {
		return Result{}, fmt.Errorf("restore refused: %w", err)
	}
	rep := postgres.Check(ctx, postgres.ConfigFor(t, o.Env), nil)
	fmt.Fprintf(out, "restore  %s\ninto     database %s on %s (service %s of project %s)\n", path, t.DBName, rep.ServerVersion, t.DBService, t.Project)
	if rep.Reachable {
		fmt.Fprintf(out, "now      %s, %d active connections, alembic revision %q\n", host.Bytes(uint64(rep.DBSize)), rep.Connections, rep.Revision)
	} else {
		fmt.Fprintf(out, "now      %s\n", rep.Err)
	}
	if t.DBName == "" {
		return Result{}, errors.New("restore: DB_NAME is not set")
	}
	if o.Confirm != t.DBName {
		return Result{}, &RefusedError{Database: t.DBName, Phrase: t.DBName, Given: o.Confirm}
	}
	d := o.Docker
	if d == nil {
		var err error
		if d, err = docker.New(ctx); err != nil {
			return Result{}, err
		}
		defer d.Close()
	}
	var fresh Result
	if !o.NoFreshBackup {
		fmt.Fprintln(out, "taking a fresh backup first ...")
		var err error
		if fresh, err = PreRestore(ctx, d, t); err != nil {
			return fresh, fmt.Errorf("fresh backup before the restore failed, nothing restored: %w", err)
		}
		if o.FreshBackup != nil {
			if err := o.FreshBackup(fresh); err != nil {
				return fresh, fmt.Errorf("fresh backup %s taken, nothing restored: %w", fresh.Path, err)
			}
		}
	}
	fmt.Fprintln(out, "restoring ...")
	if err := load(ctx, d, t, path, out); err != nil {
		return fresh, err
	}
	fmt.Fprintf(out, "restored %s into %s\n", path, t.DBName)
	return fresh, nil
}
