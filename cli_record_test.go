package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// A run of testdata/record.md that changes the stack, fails a command
// once, retries it and rolls back: status and report say it, the report
// keeps both attempts, and --format picks Markdown or JSON (--json is an
// alias).
func TestReportDeploymentAndTimeline(t *testing.T) {
	s := newStack(t)
	rb, err := filepath.Abs(filepath.Join("testdata", "record.md"))
	if err != nil {
		t.Fatal(err)
	}
	s.runbook = rb
	for _, id := range []string{
		"standard-deployment-procedure/step-1-change/change-the-stack",
		"standard-deployment-procedure/step-1-change/fail-once",
		"standard-deployment-procedure/step-1-change/fail-once",
		"rollback-procedure/step-1-back/go-back",
	} {
		cli(t, s.args("run", id, "--yes")...)
	}

	st := cli(t, s.args("status")...)
	if !strings.Contains(st.stdout, "rolled back to") {
		t.Errorf("status does not say the run rolled back:\n%s", st.stdout)
	}
	md := cli(t, s.args("report", "--format", "md")...)
	for _, want := range []string{"## Deployment", "## Timeline", "Fail once — attempt 1: failed, exit 1", "Fail once — attempt 2: ok", "rolled back to", ".env sha256"} {
		if !strings.Contains(md.stdout, want) {
			t.Errorf("report --format md lacks %q:\n%s", want, md.stdout)
		}
	}
	if strings.Contains(md.stdout, secretText) {
		t.Error("the report shows the secret of .env")
	}
	for _, args := range [][]string{{"report", "--format", "json"}, {"report", "--json"}, {"status", "--json"}} {
		r := cli(t, s.args(args...)...)
		var got struct {
			From *struct {
				EnvHash string `json:"env_sha256"`
			} `json:"from"`
			To         *struct{}                   `json:"to"`
			Deployment *struct{ Statement string } `json:"deployment"`
			Timeline   []struct{ Kind string }     `json:"timeline"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, r.stdout)
		}
		if got.From == nil || len(got.From.EnvHash) != 64 || got.To == nil || got.Deployment == nil || !strings.Contains(got.Deployment.Statement, "rolled back") {
			t.Errorf("%v: from/to/deployment missing: %s", args, r.stdout)
		}
		if args[0] == "report" && len(got.Timeline) < 6 {
			t.Errorf("%v: timeline of %d events, want every attempt and the record", args, len(got.Timeline))
		}
	}
	if r := cli(t, s.args("report", "--format", "xml")...); r.code == 0 || !strings.Contains(r.stderr, "want md or json") {
		t.Errorf("report --format xml: exit %d, %s", r.code, r.stderr)
	}
}

// Without a deployment record there is no kept image: the fast path
// refuses and says to rebuild, changing nothing.
func TestUseKeptImageWithoutRecord(t *testing.T) {
	s := newStack(t)
	cli(t, s.args("run", idGreet)...) // a run, but no deployment
	r := cli(t, s.args("op", "use-kept-image")...)
	if r.code == 0 || !strings.Contains(r.stderr, "has no deployment record") || !strings.Contains(r.stderr, "rebuild instead") {
		t.Errorf("op use-kept-image without a record: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// `runs start-deployment` records the deployment's start explicitly, once;
// the first deployment command after it keeps that record.
func TestRunsStartDeployment(t *testing.T) {
	s := newStack(t)
	rb, err := filepath.Abs(filepath.Join("testdata", "record.md"))
	if err != nil {
		t.Fatal(err)
	}
	s.runbook = rb
	r := cli(t, s.args("runs", "start-deployment")...)
	if r.code != 0 || !strings.Contains(r.stdout, "deploying from") || !strings.Contains(r.stderr, "not read: git") {
		t.Fatalf("runs start-deployment: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := cli(t, s.args("runs", "start-deployment")...); r.code == 0 || !strings.Contains(r.stderr, "started its deployment at") {
		t.Errorf("a second start-deployment: exit %d, %s", r.code, r.stderr)
	}
	cli(t, s.args("run", "standard-deployment-procedure/step-1-change/change-the-stack", "--yes")...)
	if d := s.runState(t).Deployment; d == nil || d.StartedBy != "runs start-deployment" || d.To == nil {
		t.Errorf("record after a deployment command: %+v, want the explicit start kept and a to", d)
	}
}
