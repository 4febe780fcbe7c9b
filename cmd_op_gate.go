package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/fsutil"
	"planner-tui/ops/healthgate"
	"planner-tui/ops/session"
)

// newOpHealthGateCmd is the health gate for a script or a runbook step:
// the same watch the TUI runs after compose up (ops/healthgate).
func newOpHealthGateCmd(o *options) *cobra.Command {
	var (
		window   string
		interval time.Duration
	)
	cmd := &cobra.Command{
		Use:   "health-gate",
		Short: "Watch the app's /health and the containers for a window after a deploy (exit 0 passed, 1 failed)",
		Long: `health-gate watches BASE_URL/health over HTTP and the compose project's containers
for a window (--window, else PLANNER_TUI_HEALTH_GATE, else the runbook's health-gate,
else 60s). The app may be starting at first. It passes only if at the end of the
window /health answers 2xx and every service runs (healthy where it has a
healthcheck), and nothing failed after the first healthy answer. It fails at once
when a container exits, dies, restarts or is unhealthy, a service has no
container, /health answers 5xx (before its first 2xx answer 502, 503 and 504 only
mean "not up yet") or 4xx, or stops answering after it had answered; and at the
end when /health never answered 2xx or a service is not ready. It prints its
progress every second and the verdict with the reason ("app: /health 503",
"app exited (exit 1)").

Exit 0 passed, 1 failed, 3 (a warning) when it could not tell: docker unreachable
at the end, BASE_URL not set, or the gate is off (--window 0 or off). Run as a step
of a run, its result becomes the deployment record's gate.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			oc, err := o.opContext(cmd.Context())
			if err != nil {
				return err
			}
			w, err := oc.s.GateWindow()
			if window != "" {
				w, err = checklist.ParseHealthGate(window)
				if err != nil {
					err = &exitError{code: exitBadParam, err: fmt.Errorf("--window: %w", err)}
				}
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if w == 0 {
				return &exitError{code: checklist.ExitWarning, err: errors.New("the health gate is off (--window 0, " + checklist.EnvHealthGate + " or the runbook's health-gate): nothing watched")}
			}
			url := healthgate.HealthURL(oc.target.BaseURL)
			fmt.Fprintf(out, "health gate: watching %s and the containers of %s for %s\n", firstOr(url, "(no BASE_URL: /health not watched)"), oc.target.Project, checklist.Clock(w))
			src, closeSrc := healthgate.Connect(oc.target)
			defer closeSrc()
			started := time.Now()
			res := healthgate.Watch(cmd.Context(), src, healthgate.Options{Window: w, Interval: interval, URL: url, App: oc.target.AppService},
				func(p healthgate.Progress) { fmt.Fprintln(out, progressLine(p)) })
			g := checklist.HealthGate{Result: res.Result, Reason: oc.s.Mask(res.Reason), At: time.Now(), Started: started,
				AppVersion: res.Last.Version, HTTPStatus: res.Last.Status}
			g.SetWindow(w)
			fmt.Fprintln(out, g.Line(time.Now()))
			if err := recordGate(g); err != nil {
				return err
			}
			switch res.Result {
			case checklist.GatePassed:
				return nil
			case checklist.GateFailed:
				return &exitError{code: 1}
			}
			return &exitError{code: checklist.ExitWarning}
		},
	}
	f := cmd.Flags()
	f.StringVar(&window, "window", "", "how long to watch (60s, 2m; 0 or off: no gate); default "+checklist.EnvHealthGate+", else the runbook's health-gate, else 60s")
	f.DurationVar(&interval, "interval", time.Second, "between readings")
	return cmd
}

// progressLine is one reading: "[0:05 of 1:00] /health 200 1.2.3, pending: db starting".
func progressLine(p healthgate.Progress) string {
	s := fmt.Sprintf("[%s of %s]", checklist.Clock(p.Elapsed), checklist.Clock(p.Window))
	switch a := p.Answer; {
	case a.Status != 0:
		s += fmt.Sprintf(" /health %d", a.Status)
		if a.Version != "" {
			s += " " + a.Version
		}
	case a.Err != "":
		s += " /health: " + a.Err
	}
	if len(p.Pending) > 0 {
		s += ", pending: " + strings.Join(p.Pending, ", ")
	} else {
		s += ", all ready"
	}
	return s
}

func firstOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// recordGate reports the gate to the run when this op runs as a step (see
// recordBackup): the session makes it the deployment record's gate.
func recordGate(g checklist.HealthGate) error {
	jobDir := os.Getenv(session.EnvJobDir)
	if jobDir == "" {
		return nil
	}
	b, err := json.MarshalIndent(session.Artifacts{Gate: &g}, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(filepath.Join(jobDir, session.ArtifactsFile), b, 0o600)
}
