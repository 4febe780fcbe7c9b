package monitor

import (
	"context"
	"time"

	"planner-tui/ops/healthgate"
)

// AppHealth is the app's answer to GET BASE_URL/health, for the status bar:
// its version and status, not only what Docker thinks of its container.
type AppHealth struct {
	URL     string // "" when BASE_URL is not set: nothing is asked
	Known   bool   // an answer (or a failure to get one) came
	Status  int    // 0 when it did not answer
	Version string
	Err     string // why it did not answer
	At      time.Time
}

// watchApp asks the app's /health every AppEvery (nothing without a
// BASE_URL).
func (m *Monitor) watchApp(ctx context.Context, ch chan AppHealth) {
	url := healthgate.HealthURL(m.target.BaseURL)
	if url == "" {
		return
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		a := healthgate.Probe(ctx, url, min(5*time.Second, m.opts.AppEvery))
		if ctx.Err() != nil {
			return
		}
		send(ctx, ch, AppHealth{URL: url, Known: true, Status: a.Status, Version: a.Version, Err: a.Err, At: time.Now()})
		t.Reset(m.opts.AppEvery)
	}
}
