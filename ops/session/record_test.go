package session

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/checklist"
)

const (
	idRecLook   = "pre-deployment-checklist/look/note-the-look"
	idRecRead   = "standard-deployment-procedure/step-1-change/read-the-stack"
	idRecChange = "standard-deployment-procedure/step-1-change/change-the-stack"
	idRecFail   = "standard-deployment-procedure/step-1-change/fail-once"
	idRecBack   = "rollback-procedure/step-1-back/go-back"
)

func openRecord(t *testing.T) (*fixture, *Session) {
	t.Helper()
	f := newFixture(t)
	rb, err := filepath.Abs(filepath.Join("..", "..", "testdata", "record.md"))
	if err != nil {
		t.Fatal(err)
	}
	f.runbook = rb
	return f, f.open(t)
}

func TestKindOfTitle(t *testing.T) {
	tests := []struct {
		title string
		want  procKind
	}{
		{"Standard Deployment Procedure", procDeploy},
		{"Database Migration Procedure", procDeploy},
		{"Rollback Procedure", procRollback},
		{"Pre-Deployment Checklist", procOther},
		{"Post-Deployment Verification", procOther},
		{"Emergency Procedures", procOther},
	}
	for _, tt := range tests {
		if got := kindOfTitle(tt.title); got != tt.want {
			t.Errorf("kindOfTitle(%q) = %v, want %v", tt.title, got, tt.want)
		}
	}
}

// The run records what ran before its first stack-changing command of a
// deployment procedure (not before a read-only one, nor before a change in
// the pre-deployment checklist), what runs after, keeps every attempt, and
// says "rolled back" after the rollback.
func TestDeploymentRecordFromRunToRollback(t *testing.T) {
	f, s := openRecord(t)
	deployment := func() *checklist.DeploymentRecord { return s.Snapshot().Run.Deployment }

	run(t, s, idRecLook, nil, "yes")
	run(t, s, idRecRead, nil, "")
	if d := deployment(); d != nil {
		t.Fatalf("a record before any stack-changing deployment command: %+v", d)
	}

	run(t, s, idRecChange, nil, "yes")
	d := deployment()
	if d == nil || d.From == nil || d.StartedBy != idRecChange {
		t.Fatalf("record after the first change: %+v, want From recorded by %s", d, idRecChange)
	}
	env, _ := os.ReadFile(filepath.Join(f.planner, ".env"))
	sum := sha256.Sum256(env)
	if d.From.EnvHash != hex.EncodeToString(sum[:]) {
		t.Errorf(".env hash %q, want the sha256 of .env", d.From.EnvHash)
	}
	if d.From.Errors["git"] == "" {
		t.Errorf("the planner dir is no git checkout, yet no git error: %+v", d.From.Errors)
	}
	waitFor(t, "To after the change", 15*time.Second, func() bool { d := deployment(); return d != nil && d.To != nil })

	if cr, _ := run(t, s, idRecFail, nil, "yes"); cr.Status != checklist.Failed {
		t.Fatalf("fail once: %s", cr.Status)
	}
	if cr, _ := run(t, s, idRecFail, nil, "yes"); cr.Status != checklist.OK {
		t.Fatalf("second attempt: %s", cr.Status)
	}
	as := s.Snapshot().Run.AttemptsOf(idRecFail)
	if len(as) != 2 || as[0].Status != checklist.Failed || as[0].Attempt != 1 || as[1].Status != checklist.OK || as[1].Attempt != 2 {
		t.Errorf("attempts of %s: %+v, want the failed one and the ok one", idRecFail, as)
	}

	cr, _ := run(t, s, idRecBack, nil, "yes")
	waitFor(t, "rolled back", 15*time.Second, func() bool { d := deployment(); return d != nil && d.RolledBack != nil && d.RolledBack.State != nil })
	d = deployment()
	if !d.RolledBack.At.Equal(cr.Ended) || d.RolledBack.By != idRecBack {
		t.Errorf("rolled back at %v by %s, want %v by %s", d.RolledBack.At, d.RolledBack.By, cr.Ended, idRecBack)
	}
	if st := d.Statement(time.Local); !strings.Contains(st, "rolled back to") {
		t.Errorf("statement %q", st)
	}
	s.Close() // waits for the reads
	recs := auditEvents(t, f.state)
	for _, ev := range []string{"deploy.from", "deploy.to", "deploy.rolled-back"} {
		found := false
		for _, r := range recs {
			found = found || r.Event == ev
		}
		if !found {
			t.Errorf("no %s record in the audit log", ev)
		}
	}
	// Kept across a restart.
	s2 := f.open(t)
	if d := s2.Snapshot().Run.Deployment; d == nil || d.RolledBack == nil || len(s2.Snapshot().Run.Attempts[idRecFail]) != 2 {
		t.Errorf("after a restart: %+v", d)
	}
}
