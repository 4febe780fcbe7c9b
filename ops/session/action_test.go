package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"planner-tui/checklist"
)

// A container restart from the screen goes through the same admission as a
// command: refused (and audited) while another operator holds the lock or
// without a yes; admitted, it takes the lock and is audited from request
// to end.
func TestAdmitActionTakesTheLockAndIsAudited(t *testing.T) {
	f := newFixture(t)
	first := f.open(t)
	if cr, _ := run(t, first, idGreet, nil, ""); cr.Status != checklist.OK {
		t.Fatalf("greet: %+v", cr)
	}
	const what = "restart container planner-api-1 (service api)"
	second := f.open(t)
	_, err := second.AdmitAction("container.restart", "planner-api-1", what, "yes")
	var refused *RefusedError
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "in use by") {
		t.Fatalf("while the first session holds the lock: %v, want a refusal naming the holder", err)
	}
	if !hasEvent(auditEvents(t, f.state), "lock.refused", "planner-api-1") {
		t.Error("the refused restart is not in the audit log")
	}
	for _, r := range auditEvents(t, f.state) {
		if r.Event == "container.restart" || r.Event == "confirm" && r.CommandID == "planner-api-1" {
			t.Fatalf("a refused restart was recorded as requested: %+v", r)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	if _, err := second.AdmitAction("container.restart", "planner-api-1", what, ""); !errors.As(err, &refused) {
		t.Fatalf("without a yes: %v, want a refusal", err)
	}
	act, err := second.AdmitAction("container.restart", "planner-api-1", what, "yes")
	if err != nil {
		t.Fatalf("with the lock free and a yes: %v", err)
	}
	if sn := second.Snapshot(); !sn.Mine {
		t.Error("an admitted action did not take the operator lock")
	}
	act.Done(errors.New("boom"))
	var seq []string
	for _, r := range auditEvents(t, f.state) {
		if r.CommandID == "planner-api-1" {
			seq = append(seq, r.Event+":"+r.Outcome)
		}
	}
	want := []string{"lock.refused:refused", "refuse:refused", "confirm:", "container.restart:", "container.restart:failed"}
	if strings.Join(seq, " ") != strings.Join(want, " ") {
		t.Errorf("audit of the restarts: %q, want %q", seq, want)
	}
	// and a third session is refused now that the second drives
	third := f.open(t)
	if _, err := third.AdmitAction("container.restart", "planner-api-1", what, "yes"); !errors.As(err, &refused) {
		t.Errorf("a third session while the second holds the lock: %v", err)
	}
}

// A container restart is refused (and audited) while a command runs,
// naming it, and admitted once it ended.
func TestAdmitActionRefusedWhileACommandRuns(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	e, err := s.Start(context.Background(), plan(t, s, idFifo, nil), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	const what = "restart container planner-api-1 (service api)"
	_, err = s.AdmitAction("container.restart", "planner-api-1", what, "yes")
	var refused *RefusedError
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, `"Wait on the fifo" is running`) {
		t.Errorf("while a command runs: %v, want a refusal naming it", err)
	}
	for _, r := range auditEvents(t, f.state) {
		if r.Event == "container.restart" {
			t.Errorf("a refused restart was recorded as requested: %+v", r)
		}
	}
	if !hasEvent(auditEvents(t, f.state), "refuse", "planner-api-1") {
		t.Error("the refusal is not audited")
	}
	f.release(t, "go")
	if _, err := e.Wait(); err != nil {
		t.Fatal(err)
	}
	act, err := s.AdmitAction("container.restart", "planner-api-1", what, "yes")
	if err != nil {
		t.Fatalf("after the command ended: %v", err)
	}
	act.Done(nil)
}
