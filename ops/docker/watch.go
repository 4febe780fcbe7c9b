package docker

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
)

// Snapshot is the state of a compose project at one moment. Err is set when
// the state could not be read (the daemon unreachable, said plainly); the
// Containers are then those of the last good snapshot, if any.
type Snapshot struct {
	At         time.Time
	Containers []Container
	Err        error
}

// slowRefresh is the periodic full refresh that catches anything the event
// stream missed (and health probe output that changes without an event).
const slowRefresh = 15 * time.Second

// maxBackoff caps the wait between reconnection attempts.
const maxBackoff = 15 * time.Second

// Watch streams snapshots of a compose project until ctx ends, then closes
// the channel. Container events (start, die, health_status, ...) trigger a
// refresh, throttled to at most one per `every`; a slow periodic refresh
// runs regardless; live CPU and memory come from one stats stream per
// running container and are published at most once per `every`. When the
// daemon goes away the snapshot says so and Watch reconnects with backoff.
func (c *Client) Watch(ctx context.Context, project string, every time.Duration) <-chan Snapshot {
	if every <= 0 {
		every = time.Second
	}
	out := make(chan Snapshot, 1)
	w := &watcher{c: c, project: project, every: every, out: out,
		stats: map[string]statSample{}, streams: map[string]stream{}, ended: make(chan stream, 16),
		statsTick: make(chan struct{}, 1)}
	go w.run(ctx)
	return out
}

type statSample struct {
	cpu      float64
	mem, lim uint64
}

// stream is one stats stream; gen tells a restarted stream from an old one.
type stream struct {
	id     string
	gen    int
	cancel context.CancelFunc
}

type watcher struct {
	c       *Client
	project string
	every   time.Duration
	out     chan<- Snapshot

	mu        sync.Mutex
	stats     map[string]statSample // container ID -> latest sample
	statsTick chan struct{}         // a new sample arrived

	streams map[string]stream // owned by run's goroutine
	ended   chan stream       // a stats stream ended on its own
	gen     int
	last    []Container
}

func (w *watcher) run(ctx context.Context) {
	defer close(w.out)
	defer w.stopStreams()
	backoff := time.Second
	for ctx.Err() == nil {
		err := w.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if !w.emit(ctx, Snapshot{At: time.Now(), Containers: w.last, Err: err}) {
			return
		}
		w.stopStreams()
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
		if err == nil {
			backoff = time.Second
		}
	}
}

// session subscribes to events and refreshes until the event stream fails.
func (w *watcher) session(ctx context.Context) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs, errs := w.c.api.Events(sctx, events.ListOptions{Filters: filters.NewArgs(
		filters.Arg("type", string(events.ContainerEventType)),
		filters.Arg("label", LabelProject+"="+w.project))})
	if err := w.refresh(ctx); err != nil {
		return err
	}
	var (
		lastRefresh  = time.Now()
		lastStats    time.Time
		pending      bool // an event arrived inside the throttle window
		statsPending bool // a stats sample arrived inside the throttle window
		timer        = time.NewTimer(w.every)
		slow         = time.NewTicker(slowRefresh)
	)
	defer timer.Stop()
	defer slow.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errs:
			if err == nil || errors.Is(err, io.EOF) {
				err = errors.New("event stream closed")
			}
			return w.c.wrap("docker events", err)
		case m := <-msgs:
			if isExecEvent(m.Action) {
				continue // healthchecks exec every interval; health_status tells us the result
			}
			if since := time.Since(lastRefresh); since >= w.every {
				if err := w.refresh(ctx); err != nil {
					return err
				}
				lastRefresh = time.Now()
			} else if !pending {
				pending = true
				timer.Reset(w.every - since)
			}
		case <-timer.C:
			switch {
			case pending:
				pending, statsPending = false, false
				if err := w.refresh(ctx); err != nil {
					return err
				}
				lastRefresh = time.Now()
			case statsPending:
				statsPending = false
				lastStats = time.Now()
				if !w.emit(ctx, Snapshot{At: time.Now(), Containers: w.withStats(w.last)}) {
					return nil
				}
			}
		case e := <-w.ended:
			if s, ok := w.streams[e.id]; ok && s.gen == e.gen {
				delete(w.streams, e.id)
			}
		case <-slow.C:
			if err := w.refresh(ctx); err != nil {
				return err
			}
			lastRefresh = time.Now()
		case <-w.statsTick:
			if time.Since(lastStats) < w.every || time.Since(lastRefresh) < w.every {
				// Throttled: the timer (or a refresh) carries the sample.
				if !pending && !statsPending {
					statsPending = true
					timer.Reset(w.every)
				}
				continue
			}
			lastStats = time.Now()
			if !w.emit(ctx, Snapshot{At: time.Now(), Containers: w.withStats(w.last)}) {
				return nil
			}
		}
	}
}

func isExecEvent(a events.Action) bool {
	s := string(a)
	return len(s) >= 5 && s[:5] == "exec_"
}

// refresh lists the project, (re)starts stats streams for running
// containers and publishes a snapshot.
func (w *watcher) refresh(ctx context.Context) error {
	cs, err := w.c.Containers(ctx, w.project)
	if err != nil {
		return err
	}
	w.last = cs
	w.syncStreams(ctx, cs)
	w.emit(ctx, Snapshot{At: time.Now(), Containers: w.withStats(cs)})
	return nil
}

func (w *watcher) emit(ctx context.Context, s Snapshot) bool {
	select {
	case w.out <- s:
		return true
	case <-ctx.Done():
		return false
	}
}

// withStats copies cs with the latest stats samples filled in.
func (w *watcher) withStats(cs []Container) []Container {
	out := make([]Container, len(cs))
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, ct := range cs {
		if s, ok := w.stats[ct.ID]; ok && ct.Running() {
			ct.CPUPercent, ct.MemBytes, ct.MemLimit = s.cpu, s.mem, s.lim
		}
		out[i] = ct
	}
	return out
}

// syncStreams keeps exactly one stats stream per running container.
func (w *watcher) syncStreams(ctx context.Context, cs []Container) {
	running := map[string]bool{}
	for _, ct := range cs {
		if !ct.Running() {
			continue
		}
		running[ct.ID] = true
		if _, ok := w.streams[ct.ID]; ok {
			continue
		}
		sctx, cancel := context.WithCancel(ctx)
		w.gen++
		s := stream{id: ct.ID, gen: w.gen, cancel: cancel}
		w.streams[ct.ID] = s
		go w.streamStats(sctx, s)
	}
	for id, s := range w.streams {
		if !running[id] {
			s.cancel()
			delete(w.streams, id)
			w.mu.Lock()
			delete(w.stats, id)
			w.mu.Unlock()
		}
	}
}

func (w *watcher) stopStreams() {
	for id, s := range w.streams {
		s.cancel()
		delete(w.streams, id)
	}
}

// streamStats decodes the daemon's stats frames (one a second) for one
// container until the stream ends (container stopped) or ctx is cancelled.
// A stream that ends on its own reports so (w.ended), so that the next
// refresh starts a new one if the container is running again.
func (w *watcher) streamStats(ctx context.Context, st stream) {
	id := st.id
	defer func() {
		select {
		case w.ended <- st:
		case <-ctx.Done():
		}
	}()
	resp, err := w.c.api.ContainerStats(ctx, id, true)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var s container.StatsResponse
		if err := dec.Decode(&s); err != nil {
			return
		}
		if s.PreCPUStats.SystemUsage == 0 {
			continue // the first frame has no previous sample: CPU% would be meaningless
		}
		w.mu.Lock()
		w.stats[id] = statSample{cpu: cpuPercent(&s), mem: memUsage(s.MemoryStats), lim: s.MemoryStats.Limit}
		w.mu.Unlock()
		select {
		case w.statsTick <- struct{}{}:
		default:
		}
	}
}
