package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"planner-tui/ops/docker"
	"planner-tui/ops/host"
	"planner-tui/ops/monitor"
)

// Monitor is what the screen needs from the stack watcher; *monitor.Monitor
// satisfies it. Snapshots is read by exactly one outstanding Cmd; Logs and
// Restart block and only ever run inside Cmds or goroutines.
type Monitor interface {
	Snapshots() <-chan monitor.Snapshot
	Refresh()
	Logs(ctx context.Context, containerID string, tail int, out func(monitor.LogLine)) error
	Restart(ctx context.Context, containerID string) error
}

var _ Monitor = (*monitor.Monitor)(nil)

// snapMsg is a new state of the stack.
type snapMsg struct{ s monitor.Snapshot }

// waitSnap takes the next snapshot; the root re-arms it on every snapMsg,
// so exactly one read is outstanding. It returns nil when the monitor ends.
func waitSnap(ctx context.Context, ch <-chan monitor.Snapshot) tea.Cmd {
	return func() tea.Msg {
		select {
		case s, ok := <-ch:
			if !ok {
				return nil
			}
			return snapMsg{s}
		case <-ctx.Done():
			return nil
		}
	}
}

// statusBar renders the always-visible line: each service with its health
// mark, CPU and memory; the database; host warnings; or what is unreachable,
// said plainly. It abbreviates step by step until it fits w.
func (c *Context) statusBar(w int) string {
	if c.opts.Monitor == nil {
		return fit(c.styles.Faint.Render("stack: not monitored"), w)
	}
	if c.snap == nil {
		return fit(c.styles.Faint.Render("stack: looking at docker and the database…"), w)
	}
	var line string
	for level := 0; level <= 4; level++ {
		line = c.statusLine(*c.snap, level)
		if ansiWidth(line) <= w {
			break
		}
	}
	return fit(line, w)
}

// statusLine is the status at a level of detail: 0 everything, 1 without
// memory, 2 without CPU, 3 short database and errors, 4 marks only.
func (c *Context) statusLine(s monitor.Snapshot, level int) string {
	st := c.styles
	sep := st.Faint.Render(" · ")
	var parts []string
	switch {
	case !s.DockerKnown:
		parts = append(parts, st.Faint.Render("docker …"))
	case s.DockerErr != "":
		parts = append(parts, st.Error.Render(dockerProblem(s.DockerErr, level >= 3)))
	case len(s.Containers) == 0 && len(s.Missing) == 0:
		parts = append(parts, st.Warn.Render("no containers in project "+s.Project))
	default:
		var svcs []string
		for _, ct := range s.Containers {
			svcs = append(svcs, c.serviceStatus(ct, level))
		}
		for _, name := range s.Missing {
			svcs = append(svcs, name+" "+st.Error.Render("✗ no container"))
		}
		j := " "
		if level < 4 {
			j = sep
		}
		parts = append(parts, strings.Join(svcs, j))
	}
	if app := c.appStatus(s, level); app != "" { // gate.go
		parts = append(parts, app)
	}
	parts = append(parts, c.dbStatus(s, level))
	for _, wn := range s.Warnings {
		sty := st.Warn
		if wn.Critical {
			sty = st.Error
		}
		text := "⚠ " + wn.What
		if level < 2 {
			text = "⚠ " + wn.Message
		}
		parts = append(parts, sty.Render(text))
	}
	return strings.Join(parts, st.Faint.Render(" │ "))
}

func serviceName(ct docker.Container) string {
	name := ct.Service
	if name == "" {
		name = ct.Name
	}
	if ct.Number > 1 {
		name += fmt.Sprintf("#%d", ct.Number)
	}
	return name
}

// healthMark is ✓ ready, ✗ down or unhealthy, … on its way.
func (c *Context) healthMark(ct docker.Container) string {
	st := c.styles
	switch {
	case ct.Ready():
		return st.OK.Render("✓")
	case ct.State == "restarting" || ct.State == "created" || (ct.Running() && ct.Health == "starting"):
		return st.Warn.Render("…")
	}
	return st.Error.Render("✗")
}

func (c *Context) serviceStatus(ct docker.Container, level int) string {
	name := serviceName(ct)
	if level >= 4 {
		return name + c.healthMark(ct)
	}
	s := name + " " + c.healthMark(ct)
	if !ct.Running() {
		if level < 3 {
			s += " " + c.styles.Error.Render(ct.State)
		}
		return s
	}
	if level < 2 {
		s += " " + fmtCPU(ct.CPUPercent)
	}
	if level < 1 && ct.MemBytes > 0 {
		s += " " + host.Bytes(ct.MemBytes)
	}
	return s
}

func fmtCPU(p float64) string {
	if p >= 10 {
		return fmt.Sprintf("%.0f%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}

// dockerProblem keeps the plain statement; short keeps its gist.
func dockerProblem(err string, short bool) string {
	if !strings.Contains(err, "docker unreachable") {
		err = "docker: " + err
	}
	if short {
		why := err
		if i := strings.LastIndex(err, ": "); i >= 0 {
			why = err[i+2:]
		}
		if strings.Contains(err, "docker unreachable") {
			return "docker unreachable: " + why
		}
		return "docker: " + why
	}
	return err
}

func (c *Context) dbStatus(s monitor.Snapshot, level int) string {
	st := c.styles
	r := s.DB
	switch {
	case !s.DBKnown:
		return st.Faint.Render("db …")
	case !r.Reachable:
		return st.Error.Render(dbProblem(r.Err, level >= 3))
	}
	mark := st.OK.Render("✓")
	if r.Err != "" {
		mark = st.Warn.Render("⚠")
	}
	out := "database " + mark
	if level >= 3 {
		out = "pg " + mark
	}
	if level >= 4 {
		return "pg" + mark
	}
	if level < 3 && r.ServerVersion != "" {
		out += " " + shortVersion(r.ServerVersion)
	}
	rev := r.Revision
	if rev == "" {
		rev = "none"
	}
	if level >= 2 && len(rev) > 8 {
		rev = rev[:8]
	}
	out += " rev " + rev
	if len(r.Revisions) > 1 {
		out += st.Warn.Render(" branched")
	}
	if r.Err != "" && level < 2 {
		out += " " + st.Warn.Render(r.Err)
	}
	return out
}

// dbProblem states why the database cannot be used: "database unreachable"
// when nothing answered, "database refused" when the server said no (a
// wrong password); short keeps the gist.
func dbProblem(err string, short bool) string {
	prefix := "database"
	switch {
	case strings.Contains(err, "unreachable"):
		prefix = "database unreachable"
	case strings.Contains(err, "refused the connection"):
		prefix = "database refused"
	}
	if !short && strings.HasPrefix(err, "database") {
		return err
	}
	why := err
	if i := strings.LastIndex(err, ": "); i >= 0 {
		why = err[i+2:]
	}
	return prefix + ": " + why
}

// shortVersion is "15.18" of "15.18 (Debian 15.18-1.pgdg120+1)".
func shortVersion(v string) string {
	if i := strings.IndexByte(v, ' '); i > 0 {
		return v[:i]
	}
	return v
}

// ago says how long ago t was, coarsely.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < 2*time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh ago", int(d.Hours()))
}

// stackLines summarises the latest snapshot for the top of an emergency
// playbook: what is down, the database, disk and memory. Lines are not
// cut: the caller wraps them (paths and reasons are read whole).
func (c *Context) stackLines(w int) []string {
	st := c.styles
	out := []string{st.Bold.Render("Stack now")}
	if c.opts.Monitor == nil {
		return append(out, st.Faint.Render("  not monitored (no stack watcher)"), "")
	}
	if c.snap == nil {
		return append(out, st.Faint.Render("  looking at docker and the database…"), "")
	}
	s := *c.snap
	out[0] += st.Faint.Render(" (" + ago(c.now, s.At) + ")")
	switch {
	case s.DockerErr != "":
		out = append(out, "  "+st.Error.Render(dockerProblem(s.DockerErr, false)))
	case len(s.Containers) == 0 && len(s.Missing) == 0:
		out = append(out, "  "+st.Warn.Render("no containers in compose project "+s.Project))
	default:
		down := s.Down()
		for _, name := range s.Missing {
			out = append(out, "  "+st.Error.Render("✗")+" "+st.Bold.Render(name)+" has no container (not created, or removed by down)")
		}
		if len(down) == 0 && len(s.Missing) == 0 {
			out = append(out, "  "+st.OK.Render("✓")+fmt.Sprintf(" all %d services up and healthy", len(s.Containers)))
		}
		for _, ct := range down {
			what := ct.State
			if ct.Running() && ct.Health != "" {
				what = ct.Health
			}
			if ct.State == "exited" || ct.State == "dead" {
				what += fmt.Sprintf(" (exit %d)", ct.ExitCode)
			}
			line := "  " + c.healthMark(ct) + " " + st.Bold.Render(serviceName(ct)) + " " + what
			if ct.Health == "unhealthy" && ct.LastProbe != "" {
				line += st.Faint.Render(" — " + firstLine(ct.LastProbe))
			}
			out = append(out, line)
		}
	}
	switch {
	case !s.DBKnown:
		out = append(out, "  "+st.Faint.Render("database: checking…"))
	case !s.DB.Reachable:
		out = append(out, "  "+st.Error.Render("✗ "+c.dbStatus(s, 0)))
	default:
		out = append(out, "  "+c.dbStatus(s, 0))
	}
	// paths on the same filesystem share one line
	type fs struct{ total, avail uint64 }
	var order []fs
	paths := map[fs][]string{}
	pct := map[fs]float64{}
	for _, d := range s.Disk {
		if d.Err != "" {
			continue
		}
		k := fs{d.Total, d.Avail}
		if _, ok := paths[k]; !ok {
			order = append(order, k)
		}
		paths[k] = append(paths[k], d.Path)
		pct[k] = d.UsedPct
	}
	for _, k := range order {
		out = append(out, fmt.Sprintf("  disk %.0f%% used, %s free: %s", pct[k], host.Bytes(k.avail), strings.Join(paths[k], ", ")))
	}
	if s.Mem.Total > 0 {
		out = append(out, fmt.Sprintf("  memory %.0f%% used, %s available", s.Mem.UsedPct, host.Bytes(s.Mem.Available)))
	}
	for _, wn := range s.Warnings {
		sty := st.Warn
		if wn.Critical {
			sty = st.Error
		}
		out = append(out, "  "+sty.Render("⚠ "+wn.Message))
	}
	return append(out, "")
}
