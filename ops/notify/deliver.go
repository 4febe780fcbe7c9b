package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
)

// Tunables, from the environment (the defaults suit a chat channel).
const (
	EnvRetries = "PLANNER_NOTIFY_RETRIES" // attempts before an event is dropped (8)
	EnvBackoff = "PLANNER_NOTIFY_BACKOFF" // wait after the first failure, doubled each time (2s; at most 32×)
	EnvTimeout = "PLANNER_NOTIFY_TIMEOUT" // one attempt's limit (10s)
)

// Settings are how a Deliverer retries.
type Settings struct {
	Retries int
	Backoff time.Duration
	Timeout time.Duration
}

// SettingsFromEnv reads the tunables. A bad value is an error naming it,
// and its default is used: a typo must not stop the notifications.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{Retries: 8, Backoff: 2 * time.Second, Timeout: 10 * time.Second}
	var errs []error
	if v := getenv(EnvRetries); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("%s=%q: want a whole number ≥ 1 (using %d)", EnvRetries, v, s.Retries))
		} else {
			s.Retries = n
		}
	}
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{EnvBackoff, &s.Backoff}, {EnvTimeout, &s.Timeout}} {
		if v := getenv(d.name); v != "" {
			t, err := time.ParseDuration(v)
			if err != nil || t <= 0 {
				errs = append(errs, fmt.Errorf("%s=%q: want a duration such as 2s (using %s)", d.name, v, *d.to))
				continue
			}
			*d.to = t
		}
	}
	return s, errors.Join(errs...)
}

// backoff is the wait after the n-th failed attempt: Backoff doubled each
// time, at most 32 times Backoff.
func (s Settings) backoff(n int) time.Duration {
	return s.Backoff << min(max(n-1, 0), 5)
}

// Deliverer posts the queued events of one state dir.
type Deliverer struct {
	StateDir string
	Settings Settings
	Getenv   func(string) string
	// Audit appends a record (notify.dropped) to the state dir's audit
	// log; nil: opened for each record.
	Audit func(audit.Record) error
	// Kick, when not nil, wakes a waiting Run at once (the TUI's emitter
	// sends on it after queuing).
	Kick   chan struct{}
	client *http.Client
}

// Poll is how often a Deliverer looks at the queue when nothing is due.
const Poll = 500 * time.Millisecond

// Run delivers until ctx ends or, with untilEmpty, until the queue is
// empty. Only one Run at a time per state dir delivers: a Run that finds
// the lock held returns at once with untilEmpty (the holder will deliver
// what it queued), else it waits for the lock.
func (d *Deliverer) Run(ctx context.Context, untilEmpty bool) error {
	q := newQueue(d.StateDir)
	for {
		f, err := q.tryLock()
		if err != nil {
			return err
		}
		if f != nil {
			err := d.loop(ctx, q, untilEmpty)
			f.Close() // releases the flock
			if err != nil || !untilEmpty || ctx.Err() != nil {
				return err
			}
			// An item queued while another deliverer gave up on our lock
			// is ours: look once more now that we let go.
			if items, _ := q.list(); len(items) == 0 {
				return nil
			}
			continue
		}
		if untilEmpty {
			return nil
		}
		if !d.sleep(ctx, Poll) {
			return nil
		}
	}
}

// loop makes passes over the queue while holding the lock.
func (d *Deliverer) loop(ctx context.Context, q queue, untilEmpty bool) error {
	for {
		pending, next, err := d.pass(ctx, q)
		if err != nil {
			return err
		}
		if ctx.Err() != nil || (untilEmpty && pending == 0) {
			return nil
		}
		wait := Poll
		if pending > 0 && !next.IsZero() {
			wait = min(wait, max(time.Until(next), 10*time.Millisecond))
		}
		if !d.sleep(ctx, wait) {
			return nil
		}
	}
}

// sleep waits for d, a kick or the end of ctx (then false).
func (d *Deliverer) sleep(ctx context.Context, t time.Duration) bool {
	tm := time.NewTimer(t)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-d.Kick:
	case <-tm.C:
	}
	return true
}

// pass tries each hook's due items in order; a hook's first failure stops
// that hook for this pass (its events stay in order). It returns how many
// items are left and the earliest time one is due.
func (d *Deliverer) pass(ctx context.Context, q queue) (pending int, next time.Time, err error) {
	items, err := q.list()
	if err != nil {
		return 0, time.Time{}, err
	}
	stopped := map[string]bool{}
	for _, it := range items {
		if ctx.Err() != nil {
			return len(items), next, nil
		}
		if it.Hook.Name == "" { // unreadable
			d.drop(q, it)
			continue
		}
		if stopped[it.Hook.Name] {
			pending++
			continue
		}
		if now := time.Now(); it.NextAt.After(now) {
			stopped[it.Hook.Name] = true
			pending++
			if next.IsZero() || it.NextAt.Before(next) {
				next = it.NextAt
			}
			continue
		}
		if err := d.post(ctx, it); err == nil {
			if err := q.remove(it); err != nil {
				return pending, next, fmt.Errorf("notify queue: %w", err)
			}
			continue
		} else if ctx.Err() != nil {
			return pending + 1, next, nil // cut short: not the receiver's failure
		} else {
			it.Attempts++
			it.LastError = err.Error()
		}
		if it.Attempts >= d.Settings.Retries {
			d.drop(q, it)
			continue
		}
		it.NextAt = time.Now().Add(d.Settings.backoff(it.Attempts))
		if err := q.update(it); err != nil {
			return pending, next, fmt.Errorf("notify queue: %w", err)
		}
		stopped[it.Hook.Name] = true
		pending++
		if next.IsZero() || it.NextAt.Before(next) {
			next = it.NextAt
		}
	}
	return pending, next, nil
}

// post sends one item; any answer but 2xx is a failure.
func (d *Deliverer) post(ctx context.Context, it Item) error {
	url := d.Getenv(it.Hook.URLEnv)
	if url == "" {
		return fmt.Errorf("%s is not set in the deliverer's environment", it.Hook.URLEnv)
	}
	if d.client == nil {
		d.client = &http.Client{Timeout: d.Settings.Timeout}
	}
	body := []byte(it.Body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("hook %s: %w", it.Hook.Name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "planner-tui")
	req.Header.Set("X-Planner-Event", it.Event)
	req.Header.Set("X-Planner-Delivery", it.EventID)
	if it.Hook.SecretEnv != "" {
		if secret := d.Getenv(it.Hook.SecretEnv); secret != "" {
			req.Header.Set(SignatureHeader, Sign([]byte(secret), body))
		}
	}
	resp, err := d.client.Do(req)
	if err != nil {
		// The error names the URL: keep it out of the audit log.
		return fmt.Errorf("hook %s (%s): %s", it.Hook.Name, it.Hook.URLEnv, redact(err.Error(), url))
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("hook %s (%s): HTTP %s", it.Hook.Name, it.Hook.URLEnv, resp.Status)
	}
	return nil
}

// drop removes an item that will not be delivered and says so in the
// audit log.
func (d *Deliverer) drop(q queue, it Item) {
	msg := fmt.Sprintf("%s event %s for hook %s dropped after %d attempt(s): %s", it.Event, it.EventID, it.Hook.Name, it.Attempts, it.LastError)
	rec := audit.Record{Event: "notify.dropped", RunID: it.RunID, Actor: audit.CurrentActor(), Outcome: "dropped", Message: msg}
	appendRec := d.Audit
	if appendRec == nil {
		appendRec = func(r audit.Record) error {
			l, err := audit.Open(auditPath(d.StateDir))
			if err != nil {
				return err
			}
			defer l.Close()
			return l.Append(r)
		}
	}
	if err := appendRec(rec); err != nil {
		// Keep the item: dropping it unrecorded would lose it silently.
		fmt.Fprintln(os.Stderr, "planner-tui: notify:", msg, "(not recorded in the audit log:", err.Error()+")")
		return
	}
	q.remove(it)
}

func auditPath(stateDir string) string { return (&checklist.Store{Dir: stateDir}).AuditPath() }

// redact takes a URL out of an error message.
func redact(msg, url string) string {
	if url == "" {
		return msg
	}
	return string(bytes.ReplaceAll([]byte(msg), []byte(url), []byte("<url>")))
}
