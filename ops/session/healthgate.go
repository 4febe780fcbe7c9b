package session

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/healthgate"
)

// The health gate (ops/healthgate) runs in the background after a command
// of a deployment procedure (record.go's procDeploy) that runs compose up
// of the app (checklist.Classification.StartsApp) ended ok, when the
// session was opened with Options.HealthGate (the TUI). Its window is
// PLANNER_TUI_HEALTH_GATE, else the runbook's health-gate, else 60 s; 0
// or off: no gate. It is stored as the deployment record's Gate: running
// when it starts, then passed, failed or unknown, each with a deploy.gate
// audit record. A new up stops the gate under way (recorded as unknown);
// so does Close (planner-tui quits): it never records passed for a window
// it did not watch to its end.

// gateRunner is the gate under way.
type gateRunner struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{} // closed once the gate's result is stored
}

// replace stops the gate under way, if any, and makes cancel and done the
// current one's.
func (g *gateRunner) replace(cancel context.CancelFunc, done chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cancel != nil {
		g.cancel()
	}
	g.cancel, g.done = cancel, done
}

func (g *gateRunner) stop() { g.replace(nil, nil) }

// WaitGate waits until the health gate this session started (if any) has
// its result stored, and returns the run's gate then (nil when this
// session started none). A headless `run --gate` waits so before it exits.
func (s *Session) WaitGate(ctx context.Context) (*checklist.HealthGate, error) {
	s.gates.mu.Lock()
	done := s.gates.done
	s.gates.mu.Unlock()
	if done == nil {
		return nil, nil
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if d := s.Snapshot().Run.Deployment; d != nil && d.Gate != nil {
		g := *d.Gate
		return &g, nil
	}
	return nil, nil
}

// GateWindow is the health gate's window for this session's runbook and
// environment (0: off).
func (s *Session) GateWindow() (time.Duration, error) {
	return s.runbook.HealthGateWindow(os.Getenv(checklist.EnvHealthGate))
}

// gateAfter starts the gate when cmdID is a compose up of the app in a
// deployment procedure that ended ok.
func (s *Session) gateAfter(cmdID string, cr checklist.CommandRun) {
	if !s.opts.HealthGate || s.opts.ReadOnly || cr.Status != checklist.OK || procedureOf(s.runbook, cmdID) != procDeploy {
		return
	}
	cmd, err := s.runbook.Command(cmdID)
	if err != nil || !checklist.Judge(cmd.Script, cmd.Attrs, s.target).StartsApp {
		return
	}
	sn := s.Snapshot()
	if sn == nil || sn.Run == nil {
		return
	}
	if d := sn.Run.Deployment; d != nil && d.RolledBack != nil {
		return // an up after the rollback is not the deployment's
	}
	window, err := s.GateWindow()
	if err != nil {
		g := &checklist.HealthGate{Result: checklist.GateUnknown, Reason: "not watched: " + err.Error(), At: time.Now(), Started: time.Now(), After: cmdID}
		if err := s.storeGate(sn.Run.ID, g); err != nil {
			s.rec.noteErr(err)
		}
		return
	}
	if window > 0 {
		s.startGate(sn.Run.ID, cmdID, window)
	}
}

// startGate records a running gate and watches in the background (a
// deploy read: Close waits for its result to be stored).
func (s *Session) startGate(runID, after string, window time.Duration) {
	if !s.deploy.add() {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.gates.replace(cancel, done)
	now := time.Now()
	g := &checklist.HealthGate{Result: checklist.GateRunning, At: now, Started: now, After: after}
	g.SetWindow(window)
	if err := s.storeGate(runID, g); err != nil {
		s.rec.noteErr(err)
	}
	go func() {
		defer s.deploy.wg.Done()
		defer close(done)
		defer cancel()
		src, closeSrc := healthgate.Connect(s.target)
		defer closeSrc()
		out := healthgate.Watch(ctx, src, healthgate.Options{
			Window: window, URL: healthgate.HealthURL(s.target.BaseURL), App: s.target.AppService,
		}, nil)
		end := *g
		end.Result, end.Reason, end.At = out.Result, out.Reason, time.Now()
		end.AppVersion, end.HTTPStatus = out.Last.Version, out.Last.Status
		if out.Result == checklist.GateUnknown && ctx.Err() != nil {
			end.Reason = "planner-tui " + out.Reason + " (it quit, or a new compose up started another gate)"
		}
		if err := s.storeGate(runID, &end); err != nil {
			s.rec.noteErr(err)
		}
	}()
}

// storeGate stores g as the run's gate, unless a newer gate is stored
// already, and audits it (deploy.gate).
func (s *Session) storeGate(runID string, g *checklist.HealthGate) error {
	g.Reason = s.secrets.Mask(g.Reason)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run.ID != runID || s.operator.held == nil {
		return nil
	}
	if d := s.run.Deployment; d != nil && d.Gate != nil && d.Gate.Started.After(g.Started) {
		return nil // a later gate's
	}
	before := s.run.Clone()
	if s.run.Deployment == nil {
		s.run.Deployment = &checklist.DeploymentRecord{}
	}
	stored := *g // the caller keeps its own
	s.run.Deployment.Gate = &stored
	if err := s.rec.save(s.run); err != nil {
		*s.run = before
		return fmt.Errorf("record the health gate: %w", err)
	}
	a := map[string]string{"result": string(g.Result), "window_s": strconv.FormatFloat(g.WindowS, 'f', -1, 64), "after": g.After}
	if g.Reason != "" {
		a["reason"] = g.Reason
	}
	if g.AppVersion != "" {
		a["app_version"] = g.AppVersion
	}
	if g.HTTPStatus != 0 {
		a["http_status"] = strconv.Itoa(g.HTTPStatus)
	}
	s.record(audit.Record{Event: "deploy.gate", RunID: s.run.ID, Message: g.Line(time.Now()), Artifacts: a})
	return nil
}
