package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"planner-tui/checklist"
)

// What runs is what the operator confirmed: a parameter value reused from
// the run that another process changed after the operator was shown the
// command is refused (and audited), never run. Both ways the change can
// arrive: published by the watcher before Start, or found when Start takes
// the lock and reloads the run.
func TestStartRefusesACommandThatChangedSinceShown(t *testing.T) {
	for _, watched := range []bool{true, false} {
		name := map[bool]string{true: "watcher published it", false: "found under the lock"}[watched]
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			headless := f.open(t)
			if cr, _ := run(t, headless, idParams, map[string]string{"version": "1.0", "token": "t0k"}, ""); cr.Status != checklist.OK {
				t.Fatalf("deploy 1.0: %+v", cr)
			}
			headless.Close()

			screen := f.open(t)
			shown := plan(t, screen, idParams, map[string]string{"token": "t0k"})
			if !strings.Contains(shown.Script, "deploying 1.0") {
				t.Fatalf("the screen shows %q, want the reused 1.0", shown.Script)
			}

			other := f.open(t)
			if cr, _ := run(t, other, idParams, map[string]string{"version": "2.0", "token": "t0k"}, ""); cr.Status != checklist.OK {
				t.Fatalf("deploy 2.0: %+v", cr)
			}
			other.Close()
			if watched {
				var stamps watchStamps
				screen.watchOnce(&stamps)
				if got := screen.Snapshot().Run.Params["version"]; got != "2.0" {
					t.Fatalf("the watcher did not publish the other run's version: %q", got)
				}
			}

			var out syncBuffer
			e, err := screen.Start(context.Background(), shown, "", &out)
			var refused *RefusedError
			if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "the command changed since you confirmed it") || !strings.Contains(refused.Reason, "look again") {
				if e != nil {
					e.Wait()
				}
				t.Fatalf("Start after the version changed: %v (output %q), want a refusal saying it changed", err, out.String())
			}
			if !strings.Contains(refused.Reason, "2.0") {
				t.Errorf("the refusal does not name the new command: %q", refused.Reason)
			}
			starts := 0
			for _, r := range auditEvents(t, f.state) {
				if r.Event == "run.start" && r.CommandID == idParams {
					starts++
				}
			}
			if starts != 2 {
				t.Errorf("%d run.start records, want the 2 of the earlier runs", starts)
			}
			if !hasEvent(auditEvents(t, f.state), "refuse", idParams) {
				t.Error("the refusal is not audited")
			}
			// Planned again, it runs what is shown now.
			if cr, out := run(t, screen, idParams, map[string]string{"token": "t0k"}, ""); cr.Status != checklist.OK || !strings.Contains(out, "deploying 2.0") {
				t.Errorf("planned again: %+v %q", cr, out)
			}
		})
	}
}

// A run another process ended (`runs new`) takes no more commands: Start
// is refused, audited, with the reason, and the session follows the new
// current run, where the command then runs.
func TestStartRefusedInARunThatEnded(t *testing.T) {
	f := newFixture(t)
	screen := f.open(t)
	old := screen.Run().ID
	p := plan(t, screen, idGreet, nil)

	other := f.open(t)
	if err := other.NewRun("second"); err != nil {
		t.Fatal(err)
	}
	other.Close()

	_, err := screen.Start(context.Background(), p, "", nil)
	var refused *RefusedError
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "run "+old+" has ended") {
		t.Fatalf("Start in the ended run: %v, want a refusal saying it ended", err)
	}
	if !hasEvent(auditEvents(t, f.state), "refuse", idGreet) {
		t.Error("the refusal is not audited")
	}
	st, err := checklist.OpenStore(f.state)
	if err != nil {
		t.Fatal(err)
	}
	ended, err := st.Load(old)
	if err != nil {
		t.Fatal(err)
	}
	if cr := ended.Commands[idGreet]; cr != nil {
		t.Errorf("the ended run got the command: %+v", cr)
	}
	if now := screen.Run().ID; now == old {
		t.Errorf("the session still shows the ended run %s", old)
	}
	if cr, _ := run(t, screen, idGreet, nil, ""); cr.Status != checklist.OK {
		t.Errorf("greet in the new run: %+v", cr)
	}
}
