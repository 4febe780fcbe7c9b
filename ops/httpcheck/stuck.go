package httpcheck

import (
	"context"
	"fmt"
	"strings"
	"time"

	"planner-tui/ops/docker"
)

// LoopRestarts is how many restarts make a container "restarting in a
// loop": a container that crashed once and came back may still become
// healthy; one that keeps crashing will not, and waiting out the timeout
// only hides the reason.
const LoopRestarts = 3

// StuckError is returned by WaitHealthy, at once, when a container of a
// service it waits for has exited or is restarting in a loop: it will not
// become healthy on its own.
type StuckError struct {
	Service   string
	Container string
	Reason    string   // "exited with code 1", "restarting: 4 restarts in 9 s"
	LastLogs  []string // its last log lines, when they could be read
}

func (e *StuckError) Error() string {
	msg := fmt.Sprintf("service %s will not become healthy: container %s %s", e.Service, e.Container, e.Reason)
	if len(e.LastLogs) > 0 {
		msg += "; its last log lines:\n  " + strings.Join(e.LastLogs, "\n  ")
	}
	return msg
}

// stuckWatch remembers each container's restart count when first seen, so
// that restarts during the wait count even while the container happens to
// be up at the moment of a poll.
type stuckWatch struct {
	first map[string]int // container id -> restarts when first seen
	since map[string]time.Time
}

func newStuckWatch() *stuckWatch {
	return &stuckWatch{first: map[string]int{}, since: map[string]time.Time{}}
}

// check returns the first container of the selected services that has
// exited (or is dead) or restarts in a loop, or nil.
func (w *stuckWatch) check(cs []docker.Container, services []ServiceState, now time.Time) *StuckError {
	selected := map[string]bool{}
	for _, s := range services {
		selected[s.Service] = true
	}
	for _, c := range cs {
		if !selected[c.Service] {
			continue
		}
		if _, ok := w.first[c.ID]; !ok {
			w.first[c.ID], w.since[c.ID] = c.Restarts, now
		}
		delta := c.Restarts - w.first[c.ID]
		switch {
		case c.State == "exited" || c.State == "dead":
			return &StuckError{Service: c.Service, Container: c.Name, Reason: fmt.Sprintf("%s with code %d", c.State, c.ExitCode)}
		case delta >= LoopRestarts:
			return &StuckError{Service: c.Service, Container: c.Name,
				Reason: fmt.Sprintf("is restarting in a loop: %d restarts in %.0f s", delta, now.Sub(w.since[c.ID]).Seconds())}
		case c.State == "restarting" && c.Restarts >= LoopRestarts:
			from := c.Created
			if from.IsZero() {
				from = w.since[c.ID]
			}
			return &StuckError{Service: c.Service, Container: c.Name,
				Reason: fmt.Sprintf("is restarting in a loop: %d restarts in %.0f s", c.Restarts, now.Sub(from).Seconds())}
		}
	}
	return nil
}

// lastLogs reads a container's last few log lines, briefly: they usually
// say why it died. Failing to read them is not an error of the wait.
func lastLogs(ctx context.Context, d *docker.Client, name string, n int) []string {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var lines []string
	_ = d.Logs(ctx, name, docker.LogOptions{Tail: n}, func(l docker.LogLine) {
		lines = append(lines, firstLine(l.Text))
	})
	return lines
}
