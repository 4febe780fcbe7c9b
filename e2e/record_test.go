package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

// recordStatus is the deployment record as `status --json` carries it.
type recordStatus struct {
	From       *checklist.StackState `json:"from"`
	To         *checklist.StackState `json:"to"`
	Deployment *struct {
		Statement  string              `json:"statement"`
		RolledBack *checklist.Rollback `json:"rolled_back"`
		Outages    []struct {
			Seconds float64 `json:"seconds"`
		} `json:"outages"`
	} `json:"deployment"`
}

func (o *operator) record(t *testing.T) recordStatus {
	t.Helper()
	r := o.tui(t, "status", "--json")
	var st recordStatus
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || r.code != 0 {
		t.Fatalf("status --json: %v\n%s", err, r)
	}
	return st
}

// recordedChoice is the first value the picker of a placeholder offers,
// read as the TUI reads it (session.ParamChoices on the operator's state
// dir), and whether it is the recorded one.
func (o *operator) recordedChoice(t *testing.T, name string) session.Choice {
	t.Helper()
	s, err := session.Open(context.Background(), session.Options{StateDir: o.stateDir, Sets: o.sb.settings, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cs, err := s.ParamChoices(context.Background(), name)
	if err != nil || len(cs) == 0 {
		t.Fatalf("choices of <%s>: %v %+v", name, err, cs)
	}
	return cs[0]
}

// TestDeploymentRecord: the standard deployment records what ran before
// it (v1.2.2: commit, tag, version, images, revision, the verified backup,
// .env's hash) and what runs after it (v1.2.3), keeps the old app image
// under a tag of its own; the rollback's pickers open on the recorded
// commit, revision and backup; after the rollback, status and the report
// say "rolled back to 1.2.2".
func TestDeploymentRecord(t *testing.T) {
	sb := needSandbox(t)
	sb.reset(t)
	op := newOperator(t, sb)
	appBefore := docker(t, "image", "inspect", "-f", "{{.Id}}", "planner_app")

	d := deploy(t, op)
	var rec recordStatus
	step(t, "status --json: from and to", func(t *testing.T) {
		rec = op.record(t)
		f, to := rec.From, rec.To
		if f == nil || to == nil {
			t.Fatalf("status --json has no from/to: %+v", rec)
		}
		if f.AppVersion != "1.2.2" || f.Tag != "v1.2.2" || f.Commit != sb.git(t, "rev-parse", "v1.2.2^{commit}") || f.Revision != headV122 || f.Branch != "main" {
			t.Errorf("from: %+v, want v1.2.2 at %s on main", f, headV122)
		}
		if f.Images["app"].ID != appBefore || f.Images["db"].ID == "" || f.Images["redis"].ID == "" {
			t.Errorf("from images: %+v, want the app image %s that ran before", f.Images, appBefore)
		}
		if f.Backup == nil || f.Backup.Path != d.backupPath || !hexSHA256.MatchString(f.Backup.SHA256) {
			t.Errorf("from backup: %+v, want the verified %s", f.Backup, d.backupPath)
		}
		if !hexSHA256.MatchString(f.EnvHash) || strings.Contains(mustJSON(t, rec), sb.secrets(t)["SECRET_KEY"]) {
			t.Errorf("env hash %q (or a secret in the record)", f.EnvHash)
		}
		if to.AppVersion != "1.2.3" || to.Revision != headV123 || to.Commit != sb.git(t, "rev-parse", "v1.2.3^{commit}") || to.Images["app"].ID == appBefore {
			t.Errorf("to: %+v, want v1.2.3 at %s with a new app image", to, headV123)
		}
		if rec.Deployment == nil || rec.Deployment.Statement != "deployed 1.2.2 → 1.2.3" || len(rec.Deployment.Outages) != 1 {
			t.Errorf("deployment: %+v, want \"deployed 1.2.2 → 1.2.3\" and one outage", rec.Deployment)
		}
		kept := "planner_app:pre-" + op.status(t).Run
		if f.KeptImage != kept {
			t.Errorf("kept image %q, want %q", f.KeptImage, kept)
		}
		t.Cleanup(func() { docker(t, "image", "rm", kept) }) // the tag only: leave the sandbox as found
		if id := docker(t, "image", "inspect", "-f", "{{.Id}}", kept); id != appBefore {
			t.Errorf("%s is %s, want the app image that ran before the deploy (%s)", kept, id, appBefore)
		}
	})

	step(t, "rollback pickers open on the recorded values", func(t *testing.T) {
		if c := op.recordedChoice(t, "previous-commit-hash"); !c.Recorded || !strings.HasPrefix(rec.From.Commit, c.Value) || !strings.Contains(c.Label, "recorded before this deploy") {
			t.Errorf("commit picker: %+v, want %s recorded before this deploy", c, rec.From.Commit)
		}
		if c := op.recordedChoice(t, "revision-id"); !c.Recorded || c.Value != headV122 {
			t.Errorf("revision picker: %+v, want %s recorded", c, headV122)
		}
		if c := op.recordedChoice(t, "timestamp"); !c.Recorded || c.Value != d.backupTimestamp {
			t.Errorf("backup picker: %+v, want %s recorded", c, d.backupTimestamp)
		}
	})

	step(t, "rollback with the recorded values", func(t *testing.T) {
		op.mustRun(t, "rollback-procedure/step-1-stop-current-services/docker-compose-f-docker-compose-yml-f", "--confirm", "planner")
		op.mustRun(t, "step-2-revert-code/checkout-previous-version", "--yes", "--param", "previous-commit-hash="+op.recordedChoice(t, "previous-commit-hash").Value)
		rollbackDatabase(t, op, func(t *testing.T) {
			op.mustRun(t, "step-3-rollback-database-if-migrations-were-run/downgrade-to-previous-version",
				"--param", "revision-id="+op.recordedChoice(t, "revision-id").Value, "--confirm", "planner_production")
		})
		rebuildAndVerifyRollback(t, op)
	})

	step(t, "the run says it rolled back", func(t *testing.T) {
		rec := op.record(t)
		if rec.Deployment == nil || rec.Deployment.RolledBack == nil || rec.Deployment.RolledBack.State == nil {
			t.Fatalf("no rollback in the record: %+v", rec.Deployment)
		}
		if st := rec.Deployment.RolledBack.State; st.AppVersion != "1.2.2" || st.Revision != headV122 {
			t.Errorf("after the rollback: %+v, want 1.2.2 at %s", st, headV122)
		}
		want := "deployed 1.2.2 → 1.2.3, rolled back to 1.2.2 at " + rec.Deployment.RolledBack.At.Local().Format("15:04")
		if rec.Deployment.Statement != want {
			t.Errorf("statement %q, want %q", rec.Deployment.Statement, want)
		}
		r := op.tui(t, "report", "--format", "md")
		wantOutput(t, r, want, "## Timeline", "after the rollback", "outage ends: healthy after")
		if rec.To.AppVersion != "1.2.3" {
			t.Errorf("to after the rollback: %+v, want the deployment's 1.2.3 kept", rec.To)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRollbackWithKeptImage: after the deployment, the Rollback Procedure
// takes the fast path of Step 4: `op use-kept-image` points planner_app at
// the image kept before the deploy, and "Start services" runs v1.2.2 again
// without a rebuild.
func TestRollbackWithKeptImage(t *testing.T) {
	sb := needSandbox(t)
	sb.reset(t)
	op := newOperator(t, sb)
	appBefore := docker(t, "image", "inspect", "-f", "{{.Id}}", "planner_app")

	deploy(t, op)
	rec := op.record(t)
	if rec.From == nil || rec.From.KeptImage == "" {
		t.Fatalf("no kept image in the record: %+v", rec.From)
	}
	t.Cleanup(func() { docker(t, "image", "rm", rec.From.KeptImage) })

	step(t, "rollback steps 1 to 3", func(t *testing.T) {
		op.mustRun(t, "rollback-procedure/step-1-stop-current-services/docker-compose-f-docker-compose-yml-f", "--confirm", "planner")
		op.mustRun(t, "step-2-revert-code/checkout-previous-version", "--yes", "--param", "previous-commit-hash="+op.recordedChoice(t, "previous-commit-hash").Value)
		rollbackDatabase(t, op, func(t *testing.T) {
			op.mustRun(t, "step-3-rollback-database-if-migrations-were-run/downgrade-to-previous-version",
				"--param", "revision-id="+op.recordedChoice(t, "revision-id").Value, "--confirm", "planner_production")
		})
	})
	step(t, "rollback step 4: the kept image, no rebuild", func(t *testing.T) {
		r := op.mustRun(t, "step-4-rebuild-and-restart/rebuild-images", "--choose", "step-4-rebuild-and-restart/or-use-the-app-image-kept-before-this-deploy-no", "--yes")
		wantOutput(t, r, "planner_app is again the image that ran before the deployment", "1.2.2")
		if id := docker(t, "image", "inspect", "-f", "{{.Id}}", "planner_app"); id != appBefore {
			t.Errorf("planner_app is %s, want the kept %s", id, appBefore)
		}
		op.mustRun(t, "step-4-rebuild-and-restart/start-services", "--yes")
		op.mustRun(t, "step-5-verify-rollback/wait-for-services-to-be-healthy")
		if h := sb.waitHealthy(t, "1.2.2", 30*time.Second); h.Migrations.Current != headV122 {
			t.Errorf("GET /health: %+v, want 1.2.2 at %s", h, headV122)
		}
		app := containers(t)["app"]
		if got := docker(t, "inspect", "-f", "{{.Image}}", app.ID); got != appBefore {
			t.Errorf("the app container runs %s, want the kept image %s", got, appBefore)
		}
	})
	step(t, "the run says it rolled back", func(t *testing.T) {
		rec := op.record(t)
		if rec.Deployment == nil || !strings.Contains(rec.Deployment.Statement, "deployed 1.2.2 → 1.2.3, rolled back to 1.2.2 at ") {
			t.Errorf("statement: %+v", rec.Deployment)
		}
	})
}
