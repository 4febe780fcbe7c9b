package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/audit"
)

// unixUser is a user this test created (and removes).
type unixUser struct{ name string }

// twoUsers creates an operator and an approver, removed at the end. It
// needs root and useradd/runuser: skipped with -short or without them,
// failed under CI=true.
func twoUsers(t *testing.T) (op, ap unixUser) {
	t.Helper()
	return twoUsersWith(t, "-N") // both in the group users
}

// twoUsersWith is twoUsers with these useradd options.
func twoUsersWith(t *testing.T, useradd ...string) (op, ap unixUser) {
	t.Helper()
	if testing.Short() {
		t.Skip("creates Unix users: not with -short")
	}
	unavailable := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("approvals test: %s (CI=true: this test must run)", why)
		}
		t.Skip(why)
	}
	if os.Getuid() != 0 {
		unavailable("creating Unix users needs root")
	}
	for _, tool := range []string{"useradd", "userdel", "runuser"} {
		if _, err := exec.LookPath(tool); err != nil {
			unavailable(tool + " is missing")
		}
	}
	b := make([]byte, 3)
	rand.Read(b)
	suffix := hex.EncodeToString(b)
	mk := func(role string) unixUser {
		u := unixUser{name: "pt" + role + suffix}
		args := append(append([]string{"-M", "-s", "/bin/sh"}, useradd...), u.name)
		if out, err := exec.Command("useradd", args...).CombinedOutput(); err != nil {
			t.Fatalf("useradd %s: %v: %s", u.name, err, out)
		}
		t.Cleanup(func() {
			if out, err := exec.Command("userdel", u.name).CombinedOutput(); err != nil {
				t.Errorf("userdel %s: %v: %s", u.name, err, out)
			}
		})
		return u
	}
	return mk("op"), mk("ok")
}

// approvalsBed is a dir both users can reach: the binary, the runbook, the
// operator's state dir and the scratch dir the destructive command wipes.
type approvalsBed struct {
	dir, bin, state, scratch string
}

func newApprovalsBed(t *testing.T, op unixUser) *approvalsBed {
	t.Helper()
	dir, err := os.MkdirTemp("", "planner-tui-approvals-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &approvalsBed{dir: dir, bin: filepath.Join(dir, "planner-tui"), state: filepath.Join(dir, "state"), scratch: filepath.Join(dir, "scratch")}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := os.ReadFile(filepath.Join("testdata", "approvals.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{b.bin, data, 0o755}, {filepath.Join(dir, "approvals.md"), rb, 0o644}} {
		if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{b.state, b.scratch} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("chown", op.name, d).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v: %s", err, out)
		}
	}
	return b
}

// as runs planner-tui as user u with args.
func (b *approvalsBed) as(t *testing.T, u unixUser, args ...string) result {
	t.Helper()
	c := exec.Command("runuser", append([]string{"-u", u.name, "--", b.bin}, args...)...)
	c.Dir = b.dir
	c.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + b.dir, "NO_COLOR=1", "XDG_STATE_HOME=" + filepath.Join(b.dir, "nowhere")}
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("runuser %s planner-tui %s: %v", u.name, strings.Join(args, " "), err)
	}
	return r
}

// op are the operator's flags for the approvals runbook, then args.
func (b *approvalsBed) opArgs(args ...string) []string {
	return append([]string{"--runbook", filepath.Join(b.dir, "approvals.md"), "--dir", b.dir, "--state-dir", b.state,
		"--set", "SCRATCH=" + b.scratch}, args...)
}

const idWipeScratch = "cleanup/wipe/wipe-the-scratch-copy"

// awaiting runs the wipe of name as the operator and wants it refused with
// "awaiting approval ID" (exit 75, nothing run); it returns the id.
func (b *approvalsBed) awaiting(t *testing.T, op unixUser, name string, extra ...string) (string, result) {
	t.Helper()
	args := append([]string{"run", idWipeScratch, "--param", "name=" + name, "--confirm", filepath.Join(b.scratch, name), "--json"}, extra...)
	r := b.as(t, op, b.opArgs(args...)...)
	var out runOutcome
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("run --json: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	if r.code != exitAwaitingApproval || out.Outcome != "awaiting_approval" || out.Ran || len(out.Approval) != 6 {
		t.Fatalf("run %s: exit %d %+v, want 75 awaiting_approval with an id\n%s", name, r.code, out, r.stderr)
	}
	if !strings.Contains(r.stderr, "awaiting approval "+out.Approval) || !strings.Contains(r.stderr, "planner-tui approve "+out.Approval) {
		t.Errorf("stderr does not say what to do:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(b.scratch, name)); err != nil {
		t.Fatalf("%s is gone while the command awaited approval: %v", name, err)
	}
	return out.Approval, r
}

// mkScratch makes the operator's dirs the wipe may remove.
func (b *approvalsBed) mkScratch(t *testing.T, op unixUser, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := os.MkdirAll(filepath.Join(b.scratch, n, "inner"), 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("chown", "-R", op.name, filepath.Join(b.scratch, n)).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v: %s", err, out)
		}
	}
}

// A destructive command under `approvals: {destructive: 1}` is refused
// until another Unix user approves it; the operator cannot approve their
// own; the approval runs it once, with the phrase; an approval for another
// filled command, a rejected one and an expired one are refused.
func TestApprovalsTwoUsers(t *testing.T) {
	op, ap := twoUsers(t)
	b := newApprovalsBed(t, op)
	b.mkScratch(t, op, "x", "y", "z")
	phrase := func(name string) string { return filepath.Join(b.scratch, name) }

	id, _ := b.awaiting(t, op, "x", "--note", "old copy, 2 GB")

	var st statusReport
	if r := b.as(t, op, b.opArgs("status", "--json")...); r.code != 0 || json.Unmarshal([]byte(r.stdout), &st) != nil {
		t.Fatalf("status --json: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if len(st.Approvals) != 1 || st.Approvals[0].ID != id || st.Approvals[0].State != "pending" || st.Approvals[0].Note != "old copy, 2 GB" {
		t.Fatalf("status --json approvals = %+v, want %s pending with the note", st.Approvals, id)
	}

	t.Run("self-approval is refused", func(t *testing.T) {
		r := b.as(t, op, "approve", id, "--state-dir", b.state)
		if r.code != exitRefused || !strings.Contains(r.stderr, "another engineer") {
			t.Fatalf("self-approval: exit %d, want 66 naming why\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if ar := b.as(t, op, b.opArgs("run", idWipeScratch, "--param", "name=x", "--confirm", phrase("x"))...); ar.code != exitAwaitingApproval {
			t.Fatalf("after a self-approval the run exits %d, want 75\n%s", ar.code, ar.stderr)
		}
	})

	t.Run("root acting for the operator (sudo) is refused", func(t *testing.T) {
		c := exec.Command(b.bin, "approve", id, "--state-dir", b.state)
		c.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + b.dir, "NO_COLOR=1", "SUDO_USER=" + op.name}
		out, err := c.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitRefused || !strings.Contains(string(out), "behind sudo") {
			t.Fatalf("root with SUDO_USER=%s: %v, want 66 naming sudo\n%s", op.name, err, out)
		}
	})

	t.Run("the approver lists what waits", func(t *testing.T) {
		r := b.as(t, ap, "approve", "--state-dir", b.state)
		if r.code != 0 || !strings.Contains(r.stdout, id+"  destructive  Wipe the scratch copy  asked by "+op.name) {
			t.Fatalf("approve without an id: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("the approver sees the request and approves", func(t *testing.T) {
		r := b.as(t, ap, "approve", id, "--state-dir", b.state, "--note", "checked the copy")
		if r.code != 0 {
			t.Fatalf("approve: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		for _, want := range []string{`rm -rf "$SCRATCH/x"`, "destructive", phrase("x"), op.name, "old copy, 2 GB"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("approve shows no %q:\n%s", want, r.stdout)
			}
		}
	})

	t.Run("approved: without the phrase still refused, with it runs once", func(t *testing.T) {
		if r := b.as(t, op, b.opArgs("run", idWipeScratch, "--param", "name=x")...); r.code != exitRefused || !strings.Contains(r.stderr, "to confirm") {
			t.Fatalf("approved, no phrase: exit %d, want 66 asking for the phrase\n%s", r.code, r.stderr)
		}
		if r := b.as(t, op, b.opArgs("run", idWipeScratch, "--param", "name=x", "--confirm", phrase("x"))...); r.code != 0 {
			t.Fatalf("approved, with the phrase: exit %d\n%s", r.code, r.stderr)
		}
		if _, err := os.Stat(phrase("x")); !os.IsNotExist(err) {
			t.Fatalf("x still there after the approved run: %v", err)
		}
		b.mkScratch(t, op, "x")
		id2, _ := b.awaiting(t, op, "x") // single use
		if id2 == id {
			t.Fatalf("the used approval %s was offered again", id)
		}
	})

	t.Run("an approval for another filled command is refused", func(t *testing.T) {
		idX, _ := b.awaiting(t, op, "x")
		if r := b.as(t, ap, "approve", idX, "--state-dir", b.state); r.code != 0 {
			t.Fatalf("approve: exit %d\n%s", r.code, r.stderr)
		}
		_, r := b.awaiting(t, op, "y")
		if !strings.Contains(r.stderr, "approval "+idX+" was for another command") {
			t.Errorf("the refusal does not name the other approval:\n%s", r.stderr)
		}
	})

	t.Run("a rejection refuses with the approver's note", func(t *testing.T) {
		idY, _ := b.awaiting(t, op, "y")
		if r := b.as(t, ap, "reject", idY, "--state-dir", b.state, "--note", "not during the sale"); r.code != 0 {
			t.Fatalf("reject: exit %d\n%s", r.code, r.stderr)
		}
		r := b.as(t, op, b.opArgs("run", idWipeScratch, "--param", "name=y", "--confirm", phrase("y"))...)
		if r.code != exitRefused || !strings.Contains(r.stderr, "rejected by "+ap.name) || !strings.Contains(r.stderr, "not during the sale") {
			t.Fatalf("rejected: exit %d, want 66 with the approver and note\n%s", r.code, r.stderr)
		}
		if _, err := os.Stat(phrase("y")); err != nil {
			t.Fatalf("y is gone after a rejection: %v", err)
		}
	})

	t.Run("an expired approval is refused", func(t *testing.T) {
		idZ, _ := b.awaiting(t, op, "z", "--set", "approvals.expires=4s")
		if r := b.as(t, ap, "approve", idZ, "--state-dir", b.state); r.code != 0 {
			t.Fatalf("approve: exit %d\n%s", r.code, r.stderr)
		}
		var req struct {
			Expires time.Time `json:"expires"`
		}
		data, err := os.ReadFile(filepath.Join(b.state, "approvals", idZ+".json"))
		if err != nil || json.Unmarshal(data, &req) != nil {
			t.Fatalf("request file: %v", err)
		}
		waitFor(t, "the approval to expire", 10*time.Second, func() bool { return time.Now().After(req.Expires) })
		_, r := b.awaiting(t, op, "z")
		if !strings.Contains(r.stderr, idZ+" expired") {
			t.Errorf("the refusal does not say %s expired:\n%s", idZ, r.stderr)
		}
		if r := b.as(t, ap, "approve", idZ, "--state-dir", b.state); r.code != exitRefused || !strings.Contains(r.stderr, "expired") {
			t.Errorf("approving an expired request: exit %d, want 66\n%s", r.code, r.stderr)
		}
	})

	t.Run("the audit log has both identities", func(t *testing.T) {
		recs, err := audit.Read(filepath.Join(b.state, "audit.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, r := range recs {
			if !strings.HasPrefix(r.Event, "approval.") {
				continue
			}
			got[r.Event] = true
			if r.Event == "approval.refused_self" {
				// written by whoever tried: the operator, or root for them
				if r.Actor.User != op.name && !(r.Actor.User == "root" && r.Actor.SudoUser == op.name) {
					t.Errorf("approval.refused_self by %+v, want the operator or root for them", r.Actor)
				}
				continue
			}
			if r.Actor.User != op.name {
				t.Errorf("%s written as %s, want the operator %s", r.Event, r.Actor.User, op.name)
			}
			switch r.Event {
			case "approval.granted", "approval.rejected", "approval.used":
				if r.Approver == nil || r.Approver.User != ap.name {
					t.Errorf("%s: approver %+v, want %s", r.Event, r.Approver, ap.name)
				}
			}
		}
		for _, ev := range []string{"approval.requested", "approval.refused_self", "approval.granted", "approval.used", "approval.rejected", "approval.expired"} {
			if !got[ev] {
				t.Errorf("no %s record", ev)
			}
		}
		if n, err := audit.Verify(filepath.Join(b.state, "audit.jsonl")); err != nil {
			t.Errorf("audit chain broken at line %d: %v", n, err)
		}
	})
}
