package monitor

import (
	"context"
	"sync"
	"time"

	"planner-tui/ops"
	"planner-tui/ops/docker"
	"planner-tui/ops/postgres"
)

// Once reads the stack one time, for a command that prints it and exits
// (`op status`): the same snapshot a Monitor publishes, docker and the
// database read side by side, without live CPU and memory figures. Docker
// unreachable is DockerErr, the database unreachable is in DB, as for the
// screen; ctx bounds it all.
func Once(ctx context.Context, t ops.Target, env map[string]string, opts Options) Snapshot {
	opts.defaults(t)
	m := &Monitor{target: t, opts: opts, env: env}
	snap := Snapshot{Project: t.Project}
	var (
		wg sync.WaitGroup
		d  dockerState
		db postgres.Report
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		d = containersOnce(ctx, t.Project)
	}()
	go func() {
		defer wg.Done()
		db = postgres.Check(ctx, m.dbConfig(), opts.CriticalTables)
	}()
	m.readHost(&snap)
	wg.Wait()
	m.setDocker(&snap, d)
	snap.DB, snap.DBKnown, snap.DBAt = db, true, time.Now()
	snap.At = time.Now()
	return snap
}

// containersOnce lists the project's containers, or says why it could not.
func containersOnce(ctx context.Context, project string) dockerState {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := docker.New(cctx)
	if err != nil {
		return dockerState{err: err.Error()}
	}
	defer c.Close()
	cs, err := c.Containers(cctx, project)
	if err != nil {
		return dockerState{err: err.Error()}
	}
	return dockerState{containers: cs}
}

// NeedsLook: the stack answered, but something on it is not right: a
// container not running or not healthy, a service without a container, a
// database problem, a host warning. (Docker or the database unreachable is
// worse than that: see Unreachable.)
func (s Snapshot) NeedsLook() bool {
	return len(s.Down()) > 0 || len(s.Missing) > 0 || s.DB.Err != "" || len(s.Warnings) > 0
}

// Unreachable: docker or the database could not be asked at all.
func (s Snapshot) Unreachable() bool {
	return s.DockerErr != "" || (s.DBKnown && !s.DB.Reachable)
}
