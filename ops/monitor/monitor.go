// Package monitor watches the planner stack for the screen: the compose
// containers (events-driven, with live CPU and memory from streamed stats),
// the database (a check every few seconds and on demand) and the host's disk
// and memory. It merges them into snapshots on a channel that never blocks
// the watchers: a slow reader gets the latest state, not a backlog. Docker or
// the database being unreachable is a state like any other, said plainly,
// and the monitor keeps retrying.
package monitor

import (
	"context"
	"fmt"
	"sync"
	"time"

	"planner-tui/ops"
	"planner-tui/ops/docker"
	"planner-tui/ops/envfile"
	"planner-tui/ops/healthgate"
	"planner-tui/ops/host"
	"planner-tui/ops/postgres"
)

// Snapshot is the state of the stack at one moment, as far as it is known.
type Snapshot struct {
	At         time.Time
	Project    string
	Containers []docker.Container
	// DockerErr says why the containers could not be read ("" when they
	// could); Containers are then the last known ones, if any.
	DockerErr string
	// DockerKnown is false until the first answer (or failure) from docker.
	DockerKnown bool
	DB          postgres.Report
	// DBKnown is false until the first database check has finished.
	DBKnown  bool
	DBAt     time.Time // when DB was checked
	Disk     []host.Usage
	Mem      host.Memory
	Warnings []host.Warning
	// Missing are services of the compose files that have no container at
	// all (never created, or removed by down): down as much as an exited one.
	Missing []string
	// App is the app's last GET BASE_URL/health (app.go).
	App AppHealth
}

// Down lists the services that are not ready (stopped, restarting,
// unhealthy, starting), for playbooks and warnings.
func (s Snapshot) Down() []docker.Container {
	var out []docker.Container
	for _, c := range s.Containers {
		if !c.Ready() {
			out = append(out, c)
		}
	}
	return out
}

// Options tune how often each part is looked at. Zero values take the
// defaults, chosen for a low idle cost.
type Options struct {
	// Every throttles docker snapshots (events and stats): at most one per
	// Every. Default 2 s.
	Every time.Duration
	// DBEvery is the period of the database check. Default 10 s.
	DBEvery time.Duration
	// HostEvery is the period of the disk and memory reading. Default 10 s.
	HostEvery time.Duration
	// DockerRetry is the least wait before connecting to docker again after
	// a failed connection; it doubles up to 30 s. Default 2 s.
	DockerRetry time.Duration
	// DBTimeout bounds one database check's connect and each query.
	// Default postgres.DefaultTimeout.
	DBTimeout time.Duration
	// EnvFile, when set, is the planner dir's .env, read again before each
	// database check: the password may change during a deployment (an
	// edited .env) and a stale one would look like a broken database.
	EnvFile string
	// CriticalTables get row counts in the database report.
	CriticalTables []string
	// DiskPaths are the filesystems worth watching. Default "/",
	// "/var/lib/docker" and the backup dir.
	DiskPaths []string
	// Thresholds for host warnings (zero: host defaults).
	Thresholds host.Thresholds
	// AppEvery is the period of the app's GET /health. Default 5 s.
	AppEvery time.Duration
}

func (o *Options) defaults(t ops.Target) {
	if o.Every <= 0 {
		o.Every = 2 * time.Second
	}
	if o.DBEvery <= 0 {
		o.DBEvery = 10 * time.Second
	}
	if o.HostEvery <= 0 {
		o.HostEvery = 10 * time.Second
	}
	if o.AppEvery <= 0 {
		o.AppEvery = 5 * time.Second
	}
	if o.DockerRetry <= 0 {
		o.DockerRetry = 2 * time.Second
	}
	if o.DiskPaths == nil {
		o.DiskPaths = []string{"/", "/var/lib/docker"}
		if t.BackupDir != "" {
			o.DiskPaths = append(o.DiskPaths, t.BackupDir)
		}
	}
}

// LogLine is one line of container output (see docker.LogLine).
type LogLine = docker.LogLine

// Monitor is a running watch of one stack.
type Monitor struct {
	target ops.Target
	opts   Options
	env    map[string]string
	out    chan Snapshot
	kick   chan struct{} // Refresh: check the database now

	mu     sync.Mutex
	client *docker.Client // nil until connected
}

// Start begins watching until ctx ends; Snapshots then closes. env holds
// the planner dir's .env values (for the database password).
func Start(ctx context.Context, t ops.Target, env map[string]string, opts Options) *Monitor {
	opts.defaults(t)
	m := &Monitor{target: t, opts: opts, env: env, out: make(chan Snapshot, 1), kick: make(chan struct{}, 1)}
	go m.run(ctx)
	return m
}

// Watch is Start for callers that only read snapshots.
func Watch(ctx context.Context, t ops.Target, env map[string]string, opts Options) <-chan Snapshot {
	return Start(ctx, t, env, opts).Snapshots()
}

// Snapshots delivers the latest state whenever something changed. It holds
// at most one snapshot: an unread one is replaced by a newer one.
func (m *Monitor) Snapshots() <-chan Snapshot { return m.out }

// Refresh asks for a database check now (docker state is event-driven and
// needs none). It never blocks.
func (m *Monitor) Refresh() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// Project is the compose project watched.
func (m *Monitor) Project() string { return m.target.Project }

func (m *Monitor) docker() (*docker.Client, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.client == nil {
		return nil, fmt.Errorf("docker unreachable: not connected yet")
	}
	return m.client, nil
}

// Logs follows a container's output (tail lines of history first) across
// restarts until ctx ends, calling out for each line.
func (m *Monitor) Logs(ctx context.Context, containerID string, tail int, out func(LogLine)) error {
	c, err := m.docker()
	if err != nil {
		return err
	}
	return c.Logs(ctx, containerID, docker.LogOptions{Follow: true, Tail: tail}, out)
}

// Restart restarts a container, giving it 10 s to stop.
func (m *Monitor) Restart(ctx context.Context, containerID string) error {
	c, err := m.docker()
	if err != nil {
		return err
	}
	return c.Restart(ctx, containerID, 10*time.Second)
}

// publish puts s on the channel, replacing an unread older snapshot, so the
// watchers never wait for the screen.
func (m *Monitor) publish(s Snapshot) {
	for {
		select {
		case m.out <- s:
			return
		default:
		}
		select {
		case <-m.out:
		default:
		}
	}
}

type dockerState struct {
	containers []docker.Container
	err        string
}

func (m *Monitor) run(ctx context.Context) {
	defer close(m.out)
	dockerCh := make(chan dockerState, 1)
	dbCh := make(chan postgres.Report, 1)
	appCh := make(chan AppHealth, 1)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); m.watchDocker(ctx, dockerCh) }()
	go func() { defer wg.Done(); m.watchDB(ctx, dbCh) }()
	go func() { defer wg.Done(); m.watchApp(ctx, appCh) }()
	defer func() {
		wg.Wait()
		m.mu.Lock()
		if m.client != nil {
			m.client.Close()
			m.client = nil
		}
		m.mu.Unlock()
	}()

	snap := Snapshot{Project: m.target.Project, App: AppHealth{URL: healthgate.HealthURL(m.target.BaseURL)}}
	readHost := func() { m.readHost(&snap) }
	readHost()
	hostTick := time.NewTicker(m.opts.HostEvery)
	defer hostTick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-dockerCh:
			m.setDocker(&snap, d)
		case r := <-dbCh:
			snap.DB, snap.DBKnown, snap.DBAt = r, true, time.Now()
		case a := <-appCh:
			snap.App = a
		case <-hostTick.C:
			readHost()
		}
		snap.At = time.Now()
		m.publish(snap)
	}
}

// readHost reads the disk and memory into s, and the warnings they call for.
func (m *Monitor) readHost(s *Snapshot) {
	s.Disk = host.Disk(m.opts.DiskPaths...)
	if mem, err := host.Mem(); err == nil {
		s.Mem = mem
	}
	s.Warnings = host.Warnings(s.Disk, s.Mem, m.opts.Thresholds)
}

// setDocker puts what docker said into s.
func (m *Monitor) setDocker(s *Snapshot, d dockerState) {
	s.Containers, s.DockerErr, s.DockerKnown = d.containers, d.err, true
	s.Missing = nil
	if d.err == "" {
		s.Missing = missingServices(m.target, d.containers)
	}
}

// missingServices are the compose file's services without a container. An
// unreadable compose file names nothing missing: the containers still show.
func missingServices(t ops.Target, cs []docker.Container) []string {
	want, err := ops.Services(t)
	if err != nil {
		return nil
	}
	have := map[string]bool{}
	for _, c := range cs {
		have[c.Service] = true
	}
	var out []string
	for _, s := range want {
		if !have[s] {
			out = append(out, s)
		}
	}
	return out
}

// send delivers v to ch (capacity 1), replacing an unread value.
func send[T any](ctx context.Context, ch chan T, v T) {
	for ctx.Err() == nil {
		select {
		case ch <- v:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// watchDocker connects (retrying with backoff while the daemon is away)
// and relays docker.Watch, which reconnects by itself once it has a client.
func (m *Monitor) watchDocker(ctx context.Context, ch chan dockerState) {
	wait := m.opts.DockerRetry
	var last []docker.Container
	for ctx.Err() == nil {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := docker.New(cctx)
		cancel()
		if err != nil {
			send(ctx, ch, dockerState{containers: last, err: err.Error()})
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(wait*2, 30*time.Second)
			continue
		}
		wait = m.opts.DockerRetry
		m.mu.Lock()
		m.client = c
		m.mu.Unlock()
		for s := range c.Watch(ctx, m.target.Project, m.opts.Every) {
			st := dockerState{containers: s.Containers}
			if s.Err != nil {
				st.err = s.Err.Error()
			} else {
				last = s.Containers
			}
			send(ctx, ch, st)
		}
		// Watch only ends with ctx
	}
}

// watchDB checks the database every DBEvery, and at once when asked.
func (m *Monitor) watchDB(ctx context.Context, ch chan postgres.Report) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-m.kick:
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
		}
		r := postgres.Check(ctx, m.dbConfig(), m.opts.CriticalTables)
		if ctx.Err() != nil {
			return
		}
		send(ctx, ch, r)
		t.Reset(m.opts.DBEvery)
	}
}

// dbConfig is the database config with the password of the .env as it is
// now (EnvFile), else as given.
func (m *Monitor) dbConfig() postgres.Config {
	env := m.env
	if m.opts.EnvFile != "" {
		if f, err := envfile.Load(m.opts.EnvFile); err == nil {
			env = f.Map()
		}
	}
	cfg := postgres.ConfigFor(m.target, env)
	if m.opts.DBTimeout > 0 {
		cfg.Timeout = m.opts.DBTimeout
	}
	return cfg
}
