package session

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSelfApproval(t *testing.T) {
	alice := Identity{User: "alice", UID: 1001, LoginUID: 1001}
	bob := Identity{User: "bob", UID: 1002, LoginUID: 1002}
	rootByAlice := Identity{User: "root", UID: 0, SudoUser: "alice", LoginUID: -1}
	rootLoggedAsAlice := Identity{User: "root", UID: 0, LoginUID: 1001}
	rootByBob := Identity{User: "root", UID: 0, SudoUser: "bob", LoginUID: 1002}
	tests := []struct {
		name   string
		op, ap Identity
		self   bool
	}{
		{"another user", alice, bob, false},
		{"the same user", alice, alice, true},
		{"root via sudo from the operator", alice, rootByAlice, true},
		{"root whose login uid is the operator (su, SUDO_USER unset)", alice, rootLoggedAsAlice, true},
		{"root via sudo from someone else", alice, rootByBob, false},
		{"operator is root via sudo from the approver", rootByBob, bob, true},
		{"operator is root, another approves", rootByBob, alice, false},
	}
	for _, tt := range tests {
		if got := selfApproval(tt.op, tt.ap) != ""; got != tt.self {
			t.Errorf("%s: self-approval %v, want %v", tt.name, got, tt.self)
		}
	}
}

// approvalFixture is a session on testdata/approvals.md whose wipe needs
// one approval, with the dir it wipes.
func approvalFixture(t *testing.T, sets map[string]string) (*Session, string) {
	t.Helper()
	return approvalFixtureIn(t, sets, 0)
}

// approvalFixtureIn is approvalFixture with the state dir made first with
// stateMode (0: left to the store).
func approvalFixtureIn(t *testing.T, sets map[string]string, stateMode os.FileMode) (*Session, string) {
	t.Helper()
	rb, err := filepath.Abs(filepath.Join("..", "..", "testdata", "approvals.md"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	scratch := filepath.Join(tmp, "scratch")
	if err := os.MkdirAll(filepath.Join(scratch, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	all := map[string]string{"SCRATCH": scratch}
	for k, v := range sets {
		all[k] = v
	}
	state := filepath.Join(tmp, "state")
	if stateMode != 0 {
		if err := os.Mkdir(state, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(state, stateMode); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(context.Background(), Options{RunbookPath: rb, Dir: tmp, StateDir: state, Sets: all})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, scratch
}

const idWipeScratch = "cleanup/wipe/wipe-the-scratch-copy"

// A decision counts only when its file's owner is the approver it names,
// it is for the request's exact command, and it is a regular file; an
// approval is used once, and a wrong phrase does not use it.
func TestApprovalDecisionsAreTrustedByOwner(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root to write decisions as other users (CI=true: must run)")
		}
		t.Skip("needs root to write decisions as other users")
	}
	s, scratch := approvalFixture(t, nil)
	plan := func() *Plan {
		p, err := s.Plan(idWipeScratch, map[string]string{"name": "x"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	phrase := filepath.Join(scratch, "x")
	start := func(conf string) error {
		ex, err := s.Start(context.Background(), plan(), conf, io.Discard)
		if err == nil {
			_, err = ex.Wait()
		}
		return err
	}
	var awaiting *AwaitingApprovalError
	if err := start(phrase); !errors.As(err, &awaiting) {
		t.Fatalf("no approval yet: %v, want awaiting approval", err)
	}
	id := awaiting.Status.ID
	st, err := s.ApprovalStatus(id)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(s.store.Dir, ApprovalsDirName)
	if fi, err := os.Stat(dir); err != nil || fi.Mode()&os.ModeSticky == 0 || fi.Mode().Perm() != 0o777 {
		t.Fatalf("approvals dir %v %v, want sticky 1777", fi.Mode(), err)
	}
	decide := func(t *testing.T, file string, owner int, d ApprovalDecision) {
		t.Helper()
		b, _ := json.Marshal(d)
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path, owner, owner); err != nil {
			t.Fatal(err)
		}
	}
	nobody := Identity{User: "nobody", UID: 65534, Host: "h", LoginUID: -1}
	good := ApprovalDecision{ID: id, Approve: true, Binding: st.Binding, Approver: nobody, At: time.Now().UTC()}

	bad := []struct {
		name, file string
		owner      int
		d          ApprovalDecision
		why        string
	}{
		{"owned by another uid than it names", id + ".decision-65534.json", 65533, good, "forged"},
		{"for another command", id + ".decision-65532.json", 65532, func() ApprovalDecision {
			d := good
			d.Binding, d.Approver.UID = strings.Repeat("0", 64), 65532
			return d
		}(), "another command"},
		{"by the operator", id + ".decision-0.json", 0, func() ApprovalDecision {
			d := good
			d.Approver = CurrentIdentity()
			return d
		}(), "another engineer"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			decide(t, b.file, b.owner, b.d)
			st, err := s.ApprovalStatus(id)
			if err != nil {
				t.Fatal(err)
			}
			if st.State != ApprovalPending || !strings.Contains(strings.Join(st.Invalid, "\n"), b.why) {
				t.Fatalf("state %s, invalid %q: want pending with %q", st.State, st.Invalid, b.why)
			}
			os.Remove(filepath.Join(dir, b.file))
		})
	}
	t.Run("a symlink to a real decision", func(t *testing.T) {
		decide(t, "real.json", 65534, good)
		link := filepath.Join(dir, id+".decision-65534.json")
		if err := os.Symlink(filepath.Join(dir, "real.json"), link); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.ApprovalStatus(id); st.State != ApprovalPending {
			t.Fatalf("state %s through a symlink, want pending", st.State)
		}
		os.Remove(link)
	})

	decide(t, id+".decision-65534.json", 65534, good)
	// Plan (no I/O) knows what ApprovalStatus saw last.
	if st, err := s.ApprovalStatus(id); err != nil || st.State != ApprovalApproved {
		t.Fatalf("after a good decision: %v %v, want approved", st, err)
	}
	if !plan().Approved() {
		t.Fatalf("plan not approved after a good decision: %+v", plan().Approval)
	}
	var refused *RefusedError
	if err := start("wrong phrase"); !errors.As(err, &refused) || !strings.Contains(refused.Reason, "does not match") {
		t.Fatalf("approved, wrong phrase: %v, want refused for the phrase", err)
	}
	if err := start(phrase); err != nil {
		t.Fatalf("approved, with the phrase: %v", err)
	}
	if _, err := os.Stat(phrase); !os.IsNotExist(err) {
		t.Fatalf("x still there: %v", err)
	}
	if st, _ := s.ApprovalStatus(id); st.State != ApprovalUsed {
		t.Fatalf("after the run the approval is %s, want used", st.State)
	}
	if err := os.Mkdir(phrase, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := start(phrase); !errors.As(err, &awaiting) || awaiting.Status.ID == id {
		t.Fatalf("a second run: %v, want a new request", err)
	}
}

// approvals=2 (here: --set approvals.destructive=2) needs two other
// engineers; one approver twice is one.
func TestApprovalNeedsDistinctApprovers(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root to write decisions as other users (CI=true: must run)")
		}
		t.Skip("needs root to write decisions as other users")
	}
	s, _ := approvalFixture(t, map[string]string{"approvals.destructive": "2"})
	p, err := s.Plan(idWipeScratch, map[string]string{"name": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Approvals != 2 {
		t.Fatalf("needs %d approvals, want 2 from --set approvals.destructive=2", p.Approvals)
	}
	if _, ok := s.Vars()["approvals.destructive"]; ok {
		t.Error("--set approvals.destructive became a variable")
	}
	st, err := s.RequestApproval(p, "")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(s.store.Dir, ApprovalsDirName)
	approveAs := func(uid int) {
		d := ApprovalDecision{ID: st.ID, Approve: true, Binding: st.Binding, Approver: Identity{User: "u", UID: uid, LoginUID: -1}, At: time.Now().UTC()}
		b, _ := json.Marshal(d)
		path := filepath.Join(dir, st.ID+".decision-"+strconv.Itoa(uid)+".json")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path, uid, uid); err != nil {
			t.Fatal(err)
		}
	}
	approveAs(65534)
	if got, _ := s.ApprovalStatus(st.ID); got.State != ApprovalPending {
		t.Fatalf("one of two approvals: %s, want pending", got.State)
	}
	approveAs(65533)
	if got, _ := s.ApprovalStatus(st.ID); got.State != ApprovalApproved {
		t.Fatalf("two approvals: %s, want approved", got.State)
	}
}

// A request opens the state dir to other users (o+x, so an approver can
// reach approvals/) without taking its setgid bit away: a shared state dir
// (2750, group ops) must go on making files in group ops, or watchers
// could no longer read the runs made after the first request.
func TestApprovalRequestKeepsTheStateDirShared(t *testing.T) {
	s, _ := approvalFixtureIn(t, nil, os.ModeSetgid|0o750)
	p, err := s.Plan(idWipeScratch, map[string]string{"name": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestApproval(p, ""); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.store.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSetgid == 0 || fi.Mode().Perm() != 0o751 {
		t.Errorf("the state dir is %v after a request, want drwxr-s--x (setgid kept, o+x added)", fi.Mode())
	}
}
