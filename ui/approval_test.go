package ui

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/audit"
	"planner-tui/ops/session"
)

// A command that needs an approval opens the approval dialog before the
// phrase: it shows "awaiting approval ID" and the command to give another
// engineer, notices their decision (a decision file of another uid: root
// writes one as nobody here) and goes on to the phrase dialog; the command
// runs only after the phrase.
func TestApprovalDialogFollowsTheDecision(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root to write a decision as another user (CI=true: must run)")
		}
		t.Skip("needs root to write a decision as another user")
	}
	tmp := t.TempDir()
	rb, err := filepath.Abs(filepath.Join("..", "testdata", "approvals.md"))
	if err != nil {
		t.Fatal(err)
	}
	scratch := filepath.Join(tmp, "scratch")
	if err := os.MkdirAll(filepath.Join(scratch, "x", "inner"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := session.Open(context.Background(), session.Options{RunbookPath: rb, Dir: tmp,
		StateDir: filepath.Join(tmp, "state"), Sets: map[string]string{"SCRATCH": scratch}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const id = "cleanup/wipe/wipe-the-scratch-copy"
	e := &realEngine{engineBackend: engineBackend{s}, s: s}
	d := newDriver(t, e, 120, 40)
	openCmd(d, e, id)
	d.keys("enter")
	d.waitText("Parameters")
	d.typ("x")
	d.keys("enter")
	d.waitText("Approval needed")
	d.typ("old copy")
	d.keys("enter")
	v := d.waitText("awaiting approval")
	m := regexp.MustCompile(`awaiting approval ([a-z0-9]{6}) — ask another engineer to run:`).FindStringSubmatch(v)
	if m == nil || !strings.Contains(v, "planner-tui approve "+m[1]+" --state-dir") {
		t.Fatalf("no awaiting line with the approve command:\n%s", v)
	}
	reqID := m[1]
	if len(e.startedIDs()) != 0 {
		t.Fatalf("started %v while awaiting approval", e.startedIDs())
	}

	// nobody approves: a decision file owned by uid 65534.
	dir := filepath.Join(tmp, "state", "approvals")
	var req session.ApprovalRequest
	b, err := os.ReadFile(filepath.Join(dir, reqID+".json"))
	if err != nil || json.Unmarshal(b, &req) != nil {
		t.Fatalf("request file: %v", err)
	}
	if req.Note != "old copy" {
		t.Errorf("request note %q, want the one typed", req.Note)
	}
	dec, _ := json.Marshal(session.ApprovalDecision{ID: reqID, Approve: true, Binding: req.Binding, Note: "fine",
		Approver: session.Identity{User: "nobody", UID: 65534, Host: req.Operator.Host, LoginUID: -1}, At: time.Now().UTC()})
	path := filepath.Join(dir, reqID+".decision-65534.json")
	if err := os.WriteFile(path, dec, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	decided := time.Now()

	d.waitText("Confirm destructive command")
	seen := time.Since(decided)
	t.Logf("the screen went on to the phrase %v after the decision file appeared (poll every %v)", seen.Round(time.Millisecond), approvalPoll)
	if seen > 3*approvalPoll+2*time.Second {
		t.Errorf("the decision took %v to show, want about one poll (%v)", seen, approvalPoll)
	}
	d.typ(filepath.Join(scratch, "x"))
	d.keys("enter")
	d.waitFor("the wipe to end", func(string) bool {
		cr := s.Run().Commands[id]
		return cr != nil && !cr.Ended.IsZero() && d.m.c.active == nil
	})
	if cr := s.Run().Commands[id]; cr == nil || cr.Status != "ok" {
		t.Fatalf("after approval and phrase: %+v\n%s", cr, d.view())
	}
	if _, err := os.Stat(filepath.Join(scratch, "x")); !os.IsNotExist(err) {
		t.Fatalf("x still there: %v", err)
	}
	recs, err := audit.Read(filepath.Join(tmp, "state", "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, r := range recs {
		if strings.HasPrefix(r.Event, "approval.") {
			events = append(events, r.Event)
			if r.Event == "approval.granted" && (r.Approver == nil || r.Approver.User != "nobody") {
				t.Errorf("approval.granted approver %+v, want nobody", r.Approver)
			}
		}
	}
	if got := strings.Join(events, " "); got != "approval.requested approval.granted approval.used" {
		t.Errorf("approval records %q, want requested, granted, used", got)
	}
}

// A rejection shows in the dialog with the approver and their note, and
// nothing runs; esc closes it.
func TestApprovalDialogShowsARejection(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root to write a decision as another user (CI=true: must run)")
		}
		t.Skip("needs root to write a decision as another user")
	}
	tmp := t.TempDir()
	rb, err := filepath.Abs(filepath.Join("..", "testdata", "approvals.md"))
	if err != nil {
		t.Fatal(err)
	}
	scratch := filepath.Join(tmp, "scratch")
	if err := os.MkdirAll(filepath.Join(scratch, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := session.Open(context.Background(), session.Options{RunbookPath: rb, Dir: tmp,
		StateDir: filepath.Join(tmp, "state"), Sets: map[string]string{"SCRATCH": scratch}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const id = "cleanup/wipe/wipe-the-scratch-copy"
	e := &realEngine{engineBackend: engineBackend{s}, s: s}
	d := newDriver(t, e, 80, 24)
	openCmd(d, e, id)
	d.keys("enter")
	d.waitText("Parameters")
	d.typ("x")
	d.keys("enter")
	d.waitText("Approval needed")
	d.keys("enter")
	d.waitText("awaiting approval")
	reqs, err := s.Approvals()
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests %v %v, want one", reqs, err)
	}
	req := reqs[0]
	dec, _ := json.Marshal(session.ApprovalDecision{ID: req.ID, Approve: false, Binding: req.Binding, Note: "not during the sale",
		Approver: session.Identity{User: "nobody", UID: 65534, LoginUID: -1}, At: time.Now().UTC()})
	path := filepath.Join(tmp, "state", "approvals", req.ID+".decision-65534.json")
	if err := os.WriteFile(path, dec, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	v := d.waitText("was rejected")
	if !strings.Contains(strings.Join(strings.Fields(v), " "), "by nobody@") || !strings.Contains(v, "not during the sale") {
		t.Errorf("the rejection lacks who or why:\n%s", v)
	}
	d.keys("esc")
	if strings.Contains(d.view(), "Approval needed") {
		t.Errorf("esc did not close the dialog:\n%s", d.view())
	}
	if got := e.startedIDs(); len(got) != 0 {
		t.Fatalf("started %v after a rejection", got)
	}
	if _, err := os.Stat(filepath.Join(scratch, "x")); err != nil {
		t.Fatalf("x gone after a rejection: %v", err)
	}
}
