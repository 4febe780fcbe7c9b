package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A state dir as an admin sets one up on a production host: root's, group
// ops, 2770 (install -d -o root -g ops -m 2770 /var/lib/planner-tui), each
// engineer in a primary group of their own (as useradd makes them) and in
// ops. The operator's runs stay in group ops down the tree (the setgid
// bit), so the other engineer reads them; an approval request works there
// and the other engineer approves it; and when they try to run a command
// in the operator's state dir they are told why not and what to do, not
// only "permission denied".
func TestSharedStateDirOnAProductionHost(t *testing.T) {
	if testing.Short() {
		t.Skip("creates Unix users: not with -short")
	}
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("creating Unix users needs root (CI=true: this test must run)")
		}
		t.Skip("creating Unix users needs root")
	}
	sfx := make([]byte, 3)
	rand.Read(sfx)
	ops := "ptg" + hex.EncodeToString(sfx)
	if out, err := exec.Command("groupadd", ops).CombinedOutput(); err != nil {
		t.Fatalf("groupadd %s: %v: %s", ops, err, out)
	}
	// after the users' userdel (cleanups run last first)
	t.Cleanup(func() { exec.Command("groupdel", ops).Run() })
	op, ap := twoUsersWith(t, "-U", "-G", ops)
	b := newApprovalsBed(t, op)
	b.mkScratch(t, op, "x")
	grp, err := user.LookupGroup(ops)
	if err != nil {
		t.Fatal(err)
	}
	gid, _ := strconv.Atoi(grp.Gid)
	b.state = filepath.Join(b.dir, "shared-state")
	if err := os.Mkdir(b.state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(b.state, 0, gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(b.state, os.ModeSetgid|0o770); err != nil {
		t.Fatal(err)
	}

	id, _ := b.awaiting(t, op, "x") // the request is made in root's state dir
	if r := b.as(t, ap, "approve", id, "--state-dir", b.state); r.code != 0 {
		t.Fatalf("approve in the shared state dir: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := b.as(t, op, b.opArgs("run", idWipeScratch, "--param", "name=x", "--confirm", filepath.Join(b.scratch, "x"))...); r.code != 0 {
		t.Fatalf("the approved run: exit %d\n%s", r.code, r.stderr)
	}

	// everything the operator made that a watcher reads is in group ops
	checked := 0
	filepath.WalkDir(b.state, func(path string, d os.DirEntry, err error) error {
		if err != nil || path == b.state {
			return err
		}
		rel, _ := filepath.Rel(b.state, path)
		switch strings.Split(rel, string(filepath.Separator))[0] {
		case "runs", "current", "current.json", "lock":
		default:
			return nil
		}
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		checked++
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Gid) != gid {
			t.Errorf("%s (%v) is not in group %s: a watcher cannot read it", rel, fi.Mode(), ops)
		}
		return nil
	})
	if checked < 6 {
		t.Fatalf("only %d files of the run found in %s", checked, b.state)
	}
	r := b.as(t, ap, "status", "--state-dir", b.state, "--runbook", filepath.Join(b.dir, "approvals.md"))
	if r.code != 0 || !strings.Contains(r.stdout, "1 ok") {
		t.Fatalf("the other engineer's status of the operator's run: exit %d, want it read (1 ok)\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	r = b.as(t, ap, b.opArgs("run", idWipeScratch, "--param", "name=x", "--confirm", filepath.Join(b.scratch, "x"))...)
	for _, want := range []string{"one Unix user operates a state dir", "sudo -u " + op.name, "planner-tui watch --state-dir " + b.state} {
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("another engineer's run in the operator's state dir: exit %d, stderr lacks %q\n%s", r.code, want, r.stderr)
		}
	}
}
