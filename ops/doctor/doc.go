// Package doctor checks a production host before deployment night: the
// Docker engine and compose, the planner dir and its compose files, .env,
// how many secrets will be masked, the backup dir, the database and its
// alembic revision, the state dir and its lock, the terminal, an editor and
// the tool's version against the runbook's.
//
// Each check is a function taking what it needs and returning a Check; none
// prints anything, and none returns a secret value in its text. Run bounds
// every check with a timeout, so a hung engine, database or filesystem makes
// that check fail instead of hanging the whole doctor.
package doctor

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Status is how a check ended.
type Status string

const (
	OK      Status = "ok"
	Warning Status = "warning"
	Failed  Status = "failed"
)

// Symbol is what the text output shows for s.
func (s Status) Symbol() string {
	switch s {
	case OK:
		return "✓"
	case Warning:
		return "⚠"
	default:
		return "✗"
	}
}

// Check is one line of the doctor's report. Fix says in one line what to
// do about a warning or a failure ("" when ok).
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix"`
}

func ok(name, detail string) Check { return Check{Name: name, Status: OK, Detail: detail} }

func warn(name, detail, fix string) Check {
	return Check{Name: name, Status: Warning, Detail: detail, Fix: fix}
}

func fail(name, detail, fix string) Check {
	return Check{Name: name, Status: Failed, Detail: detail, Fix: fix}
}

// Func is a check waiting to run; it should give up when ctx ends. Where
// (what it talks to) and Fix make its timeout's message specific; both
// optional.
type Func struct {
	Name  string
	Where string
	Fix   string
	Run   func(ctx context.Context) Check
}

// Run runs the checks concurrently, each under its own timeout, and
// returns their results in the order given. A check still running at its
// deadline is reported failed ("no answer within ..."); its goroutine is
// left to finish on its own (a blocked syscall cannot be interrupted), and
// its late result is dropped.
func Run(ctx context.Context, timeout time.Duration, fns ...Func) []Check {
	out := make([]Check, len(fns))
	var wg sync.WaitGroup
	for i, f := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = runOne(ctx, timeout, f)
		}()
	}
	wg.Wait()
	return out
}

func runOne(ctx context.Context, timeout time.Duration, f Func) Check {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan Check, 1) // buffered: a late result must not block its goroutine
	go func() { done <- f.Run(ctx) }()
	select {
	case c := <-done:
		if c.Name == "" {
			c.Name = f.Name
		}
		return c
	case <-ctx.Done():
		detail, fix := fmt.Sprintf("no answer within %s", timeout), f.Fix
		if f.Where != "" {
			detail += " from " + f.Where
		}
		if fix == "" {
			fix = "find out what hangs (a stuck engine, database or network filesystem), or raise --timeout"
		}
		return fail(f.Name, detail, fix)
	}
}

// AnyFailed reports whether any check failed.
func AnyFailed(cs []Check) bool {
	for _, c := range cs {
		if c.Status == Failed {
			return true
		}
	}
	return false
}
