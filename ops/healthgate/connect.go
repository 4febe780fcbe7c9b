package healthgate

import (
	"context"
	"sync"
	"time"

	"planner-tui/ops"
	"planner-tui/ops/docker"
)

// Connect is a Source that connects to docker at its first reading, and
// again after a failed connection (docker may come back within the
// window). close releases the connection.
func Connect(t ops.Target) (src Source, close func()) {
	var (
		mu sync.Mutex
		d  *docker.Client
	)
	src = func(ctx context.Context) Stack {
		mu.Lock()
		defer mu.Unlock()
		if d == nil {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			c, err := docker.New(cctx)
			cancel()
			if err != nil {
				return Stack{Err: err}
			}
			d = c
		}
		return DockerSource(d, t)(ctx)
	}
	close = func() {
		mu.Lock()
		defer mu.Unlock()
		if d != nil {
			d.Close()
			d = nil
		}
	}
	return src, close
}
