package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/report"
)

// testRunbook has a summary whose first item leads to a procedure that
// stops the stack, starts it and waits for it (an outage), and a manual
// check of its own.
const testRunbook = "# Test Deploy\n\n## Deployment Checklist Summary\n\n" +
	"### Deployment\n\n- [ ] [Deploy the release](#deployment-procedure)\n\n" +
	"### Post-Deployment\n\n- [ ] Tell the team\n\n" +
	"## Deployment Procedure\n\n" +
	"### Step 1: Stop\n\n```bash\n# Stop the stack\ndocker-compose down\n```\n\n" +
	"### Step 2: Start\n\n```bash\n# Start the stack\ndocker-compose up -d\n```\n\n" +
	"### Step 3: Wait\n\n```bash\n# Wait until healthy\nplanner-tui op wait-healthy\n```\n\n- [ ] Smoke test passed\n"

const (
	idStop   = "deployment-procedure/step-1-stop/stop-the-stack"
	idStart  = "deployment-procedure/step-2-start/start-the-stack"
	idWait   = "deployment-procedure/step-3-wait/wait-until-healthy"
	stepWait = "deployment-procedure/step-3-wait"
)

// secret is a value the mask hides: it must never reach the report.
const secret = "hunter2-s3cret"

func mask(s string) string { return strings.ReplaceAll(s, secret, "********") }

var t0 = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func parse(t *testing.T) *checklist.Runbook {
	t.Helper()
	rb, probs, err := checklist.Parse("deploy.md", []byte(testRunbook))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Fatalf("runbook problem: %v", p)
	}
	return rb
}

func newRun() *checklist.Run {
	return &checklist.Run{
		ID: "20261127-100000-deploy", Title: "Deploy 1.2.3", Operator: "alice", Host: "prod-1", Started: t0,
		Commands: map[string]*checklist.CommandRun{}, Checks: map[string]*checklist.CheckState{},
		Choices: map[string]string{}, Params: map[string]string{}, Vars: map[string]string{}, Notes: map[string][]checklist.Note{},
	}
}

func ended(status checklist.Status, code int, from, to time.Duration) *checklist.CommandRun {
	return &checklist.CommandRun{Status: status, Attempt: 1, ExitCode: code, Started: t0.Add(from), Ended: t0.Add(to)}
}

func state(at time.Duration, version, commit, image string) *checklist.StackState {
	return &checklist.StackState{At: t0.Add(at), AppVersion: version, Commit: commit, Tag: "v" + version, Revision: "rev-" + version,
		Images: map[string]checklist.ImageRef{"app": {ID: "sha256:" + image, Tag: "planner_app:latest"}}}
}

func gate(result checklist.GateResult, reason string, started time.Time) *checklist.HealthGate {
	g := &checklist.HealthGate{Result: result, Reason: reason, Started: started, At: started.Add(time.Minute), After: idStart}
	g.SetWindow(time.Minute)
	return g
}

func markdown(t *testing.T, run *checklist.Run) string {
	t.Helper()
	var b bytes.Buffer
	report.Markdown(&b, parse(t), run, mask)
	return b.String()
}

// The Markdown report as the change ticket shows it: what a reader sees
// (has) and must not see (lacks) for each kind of run.
func TestMarkdown(t *testing.T) {
	rollbackAt := t0.Add(20 * time.Minute)
	tests := []struct {
		name  string
		run   func(*checklist.Run)
		has   []string
		lacks []string
	}{
		{
			name: "a run with nothing done: no deployment, the summary all pending",
			run:  func(*checklist.Run) {},
			has: []string{
				"# Deploy 1.2.3\n\n- run: `20261127-100000-deploy`\n- runbook: `deploy.md`\n- operator: alice\n- started: 2026-11-27 10:00:00 UTC\n",
				"## Checklist summary\n\n**Deployment** 0/1\n\n- [ ] Deploy the release\n\n**Post-Deployment** 0/1\n\n- [ ] Tell the team\n",
			},
			lacks: []string{"## Deployment\n", "## Timeline", "## Deployment Procedure", "## Backups", "✓"},
		},
		{
			name: "deployed with every command ok, the smoke test ticked and the gate passed",
			run: func(r *checklist.Run) {
				r.Commands[idStop] = ended(checklist.OK, 0, time.Minute, time.Minute+2*time.Second)
				r.Commands[idStart] = ended(checklist.OK, 0, 2*time.Minute, 2*time.Minute+5*time.Second)
				r.Commands[idWait] = ended(checklist.OK, 0, 3*time.Minute, 3*time.Minute+30*time.Second)
				r.Commands[idStart].Confirmed = "yes"
				r.Commands[idStop].Confirmed = "planner"
				r.Checks["deployment-procedure/step-3-wait/smoke-test-passed"] = &checklist.CheckState{Done: true, By: "alice", At: t0.Add(4 * time.Minute)}
				r.Deployment = &checklist.DeploymentRecord{
					StartedBy: idStop,
					From:      state(time.Minute, "1.2.2", "aaaaaaaaaaaaaaaaaaaa", "1111111111111111111111"),
					To:        state(4*time.Minute, "1.2.3", "bbbbbbbbbbbbbbbbbbbb", "2222222222222222222222"),
					Gate:      gate(checklist.GatePassed, "", t0.Add(2*time.Minute+5*time.Second)),
				}
			},
			has: []string{
				"## Deployment\n\n**deployed 1.2.2 → 1.2.3**\n\n",
				"Health gate passed (1:00 watched) (after " + idStart + ", at 2026-11-27 10:03:05 UTC).\n",
				"| | before | after |\n|---|---|---|\n",
				"| time | 2026-11-27 10:01:00 UTC | 2026-11-27 10:04:00 UTC |\n",
				"| app version | 1.2.2 | 1.2.3 |\n",
				"| commit | aaaaaaaaaaaaaaaaaaaa | bbbbbbbbbbbbbbbbbbbb |\n",
				"| alembic revision | rev-1.2.2 | rev-1.2.3 |\n",
				// image ids as people compare them: 12 digits, no sha256:
				"| image app | planner_app:latest 111111111111 | planner_app:latest 222222222222 |\n",
				// the stack was down from the stop to the health wait's end
				"- outage: 10:01:00 → 10:03:30 UTC, 2m30s (`" + idStop + "` to `" + idWait + "`)\n",
				"**Deployment** 1/1\n\n- [✓] Deploy the release\n",
				"- ✓ **Stop the stack** — ok, exit 0, 2s at 10:01:00, confirmed with \"planner\"\n",
				"- ✓ **Start the stack** — ok, exit 0, 5s at 10:02:00\n",
				"- [x] Smoke test passed (alice, 10:04:00)\n",
				"- 10:01:00 deployment starts: running before it: 1.2.2\n",
			},
			lacks: []string{"after the rollback", "not read", "rolled back", "sha256:"},
		},
		{
			name: "the gate failed and the deployment was rolled back",
			run: func(r *checklist.Run) {
				r.Commands[idStart] = ended(checklist.OK, 0, 2*time.Minute, 2*time.Minute+5*time.Second)
				r.Deployment = &checklist.DeploymentRecord{
					StartedBy:  idStart,
					From:       state(time.Minute, "1.2.2", "aaaaaaa", "1111"),
					To:         state(4*time.Minute, "1.2.3", "bbbbbbb", "2222"),
					RolledBack: &checklist.Rollback{At: rollbackAt, By: idStart, State: state(20*time.Minute, "1.2.2", "aaaaaaa", "1111")},
					Gate:       gate(checklist.GateFailed, "app: /health 503", t0.Add(2*time.Minute+5*time.Second)),
				}
			},
			has: []string{
				"**deployed 1.2.2 → 1.2.3, rolled back to 1.2.2 at " + rollbackAt.In(time.Local).Format("15:04") + "**",
				"Health gate failed: app: /health 503 (after " + idStart + ", at 2026-11-27 10:03:05 UTC).\n",
				"| | before | after | after the rollback |\n|---|---|---|---|\n",
				"| app version | 1.2.2 | 1.2.3 | 1.2.2 |\n",
				"| image app | planner_app:latest 1111 | planner_app:latest 2222 | planner_app:latest 1111 |\n",
			},
			lacks: []string{"gate passed", "✓ Deploy the release"},
		},
		{
			name: "a gate left watching by a planner-tui that stopped is unknown, never passed",
			run: func(r *checklist.Run) {
				r.Deployment = &checklist.DeploymentRecord{
					From: state(time.Minute, "1.2.2", "aaaaaaa", "1111"),
					Gate: gate(checklist.GateRunning, "", t0),
				}
			},
			has: []string{
				"**deploying from 1.2.2**",
				"Health gate: unknown: planner-tui stopped watching before the window ended (no result) (after",
			},
			lacks: []string{"passed", "watching ("},
		},
		{
			name: "a failed command, an open outage and parts of the stack not read",
			run: func(r *checklist.Run) {
				r.Commands[idStop] = ended(checklist.OK, 0, time.Minute, time.Minute+time.Second)
				r.Commands[idStart] = ended(checklist.Failed, 1, 2*time.Minute, 2*time.Minute+3*time.Second)
				r.Commands[idStart].Detail = "output matched fail-if: Error"
				from := state(time.Minute, "1.2.2", "aaaaaaa", "1111")
				from.SetError("revision", errorString("database unreachable"))
				r.Deployment = &checklist.DeploymentRecord{StartedBy: idStop, From: from}
			},
			has: []string{
				"- ✗ **Start the stack** — failed, exit 1 (output matched fail-if: Error), 3s at 10:02:00\n",
				"| not read | revision |  |\n", // no "after" read yet
				"- not read at 10:01:00: revision: database unreachable\n",
				"- outage: from 10:01:00 (`" + idStop + "`), not seen healthy since\n",
				"- [✗] Deploy the release — failed: Start the stack\n",
			},
			lacks: []string{"✓ **Start", "Health gate"},
		},
		{
			name: "secrets from commands, operators and the stack are masked everywhere",
			run: func(r *checklist.Run) {
				r.Title = "Deploy " + secret
				r.Operator = "alice " + secret
				r.Commands[idStop] = ended(checklist.Failed, 2, time.Minute, time.Minute+time.Second)
				r.Commands[idStop].Error = "password " + secret + " refused"
				r.Commands[idStop].Detail = "saw " + secret
				r.Notes[stepWait] = []checklist.Note{{By: "bob " + secret, At: t0.Add(5 * time.Minute), Text: "token " + secret}}
				r.Checks["deployment-procedure/step-3-wait/smoke-test-passed"] = &checklist.CheckState{Done: true, By: "carol " + secret, At: t0.Add(4 * time.Minute)}
				from := state(time.Minute, "1.2.2", "aaaaaaa", "1111")
				from.SetError("app version", errorString("GET /health?key="+secret+": 401"))
				r.Deployment = &checklist.DeploymentRecord{StartedBy: idStop, From: from,
					Gate: gate(checklist.GateFailed, "app: "+secret, t0.Add(2*time.Minute))}
			},
			has: []string{
				"# Deploy ********\n",
				"- operator: alice ********\n",
				"password ******** refused",
				"- note on Step 3: Wait by bob ********: token ********\n",
				"Health gate failed: app: ********",
				"- not read at 10:01:00: app version: GET /health?key=********: 401\n",
			},
			lacks: []string{secret},
		},
		{
			name: "backups of the run are listed with their checksum",
			run: func(r *checklist.Run) {
				r.Backups = []checklist.Backup{{Path: "/backups/db.sql.gz", Size: 1234, SHA256: "abc123", Verified: true, At: t0.Add(30 * time.Second)}}
			},
			has: []string{
				"## Backups\n\n- `/backups/db.sql.gz` 1234 bytes, sha256 `abc123`, verified true, 10:00:30\n",
				"- 10:00:30 backup recorded: /backups/db.sql.gz\n",
			},
			lacks: []string{"## Deployment\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRun()
			tt.run(r)
			got := markdown(t, r)
			for _, s := range tt.has {
				if !strings.Contains(got, s) {
					t.Errorf("the report lacks %q:\n%s", s, got)
				}
			}
			for _, s := range tt.lacks {
				if strings.Contains(got, s) {
					t.Errorf("the report has %q:\n%s", s, got)
				}
			}
		})
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// DeploymentOf is nil for a run that never touched the stack (status and
// report --json then carry no record), and masks what came from the stack
// without changing the run it was given.
func TestDeploymentOf(t *testing.T) {
	rb := parse(t)
	if d := report.DeploymentOf(rb, newRun(), mask); d != nil {
		t.Errorf("a run with nothing done has a deployment: %+v", d)
	}
	r := newRun()
	from := state(time.Minute, "1.2.2", "aaaaaaa", "1111")
	from.SetError("revision", errorString("password "+secret))
	r.Deployment = &checklist.DeploymentRecord{From: from, Gate: gate(checklist.GateFailed, "saw "+secret, t0)}
	d := report.DeploymentOf(rb, r, mask)
	if d == nil {
		t.Fatal("no deployment for a run with a record")
	}
	if d.Statement != "deploying from 1.2.2" || d.From.Errors["revision"] != "password ********" || d.Gate.Reason != "saw ********" || d.Gate.Line != "health gate failed: saw ********" {
		t.Errorf("deployment %q, from errors %v, gate %q / %q", d.Statement, d.From.Errors, d.Gate.Reason, d.Gate.Line)
	}
	if len(d.Outages) != 0 || d.Outages == nil {
		t.Errorf("outages %#v, want an empty list (JSON [])", d.Outages)
	}
	if from.Errors["revision"] != "password "+secret || r.Deployment.Gate.Reason != "saw "+secret {
		t.Errorf("DeploymentOf changed the run's own record: %v, %q", from.Errors, r.Deployment.Gate.Reason)
	}

	// An outage alone (a stop with no record yet) is still a deployment's story.
	r = newRun()
	r.Commands[idStop] = ended(checklist.OK, 0, time.Minute, time.Minute+time.Second)
	d = report.DeploymentOf(rb, r, mask)
	if d == nil || d.Statement != "" || len(d.Outages) != 1 || !d.Outages[0].To.IsZero() || d.Outages[0].Stopped != idStop {
		t.Errorf("a stop without a record: %+v", d)
	}
}

// The checklist summary as status (indented) and report (Markdown) print
// it: ✓ only for done, the reason beside what is not.
func TestPrintSummary(t *testing.T) {
	groups := []report.SummaryGroup{
		{Title: "Deployment", Items: []report.SummaryItem{
			{Text: "Backup database", Status: "done", Done: 2, Total: 2},
			{Text: "Deploy the release", Status: "failed", Done: 1, Total: 3, Why: "failed: Start the stack"},
			{Text: "Run migrations", Status: "warning", Why: "warning: Upgrade"},
			{Text: "Tag the release", Status: "skipped"},
		}},
		{Title: "Post-Deployment", Items: []report.SummaryItem{{Text: "Tell the team", Status: "pending"}}},
		{Title: "Empty", Items: []report.SummaryItem{}},
	}
	tests := []struct {
		markdown bool
		want     string
	}{
		{false, "  Deployment 1/4\n" +
			"    [✓] Backup database\n" +
			"    [✗] Deploy the release — failed: Start the stack\n" +
			"    [⚠] Run migrations — warning: Upgrade\n" +
			"    [↷] Tag the release\n" +
			"  Post-Deployment 0/1\n" +
			"    [ ] Tell the team\n" +
			"  Empty 0/0\n"},
		{true, "**Deployment** 1/4\n\n" +
			"- [✓] Backup database\n" +
			"- [✗] Deploy the release — failed: Start the stack\n" +
			"- [⚠] Run migrations — warning: Upgrade\n" +
			"- [↷] Tag the release\n\n" +
			"**Post-Deployment** 0/1\n\n" +
			"- [ ] Tell the team\n\n" +
			"**Empty** 0/0\n\n\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		report.PrintSummary(&b, groups, tt.markdown)
		if b.String() != tt.want {
			t.Errorf("markdown %v:\n%s\nwant\n%s", tt.markdown, b.String(), tt.want)
		}
	}
}

// Summary derives each item from the run: done only when all it stands
// for is done; a manual item only by a person's tick.
func TestSummary(t *testing.T) {
	rb := parse(t)
	tests := []struct {
		name string
		run  func(*checklist.Run)
		want []string // "group: text status done/total"
	}{
		{"nothing done", func(*checklist.Run) {}, []string{
			"Deployment: Deploy the release pending 0/4", "Post-Deployment: Tell the team pending 0/1"}},
		{"every command ok but the smoke test not ticked", func(r *checklist.Run) {
			for _, id := range []string{idStop, idStart, idWait} {
				r.Commands[id] = ended(checklist.OK, 0, 0, time.Second)
			}
		}, []string{"Deployment: Deploy the release in-progress 3/4", "Post-Deployment: Tell the team pending 0/1"}},
		{"all done, the manual item ticked", func(r *checklist.Run) {
			for _, id := range []string{idStop, idStart, idWait} {
				r.Commands[id] = ended(checklist.OK, 0, 0, time.Second)
			}
			r.Checks["deployment-procedure/step-3-wait/smoke-test-passed"] = &checklist.CheckState{Done: true, By: "alice", At: t0}
			r.Checks["deployment-checklist-summary/post-deployment/tell-the-team"] = &checklist.CheckState{Done: true, By: "alice", At: t0}
		}, []string{"Deployment: Deploy the release done 4/4", "Post-Deployment: Tell the team done 1/1"}},
		{"a command running", func(r *checklist.Run) {
			r.Commands[idStop] = &checklist.CommandRun{Status: checklist.Running, Started: t0}
		}, []string{"Deployment: Deploy the release running 0/4", "Post-Deployment: Tell the team pending 0/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRun()
			tt.run(r)
			var got []string
			for _, g := range report.Summary(rb, r) {
				for _, it := range g.Items {
					got = append(got, fmt.Sprintf("%s: %s %s %d/%d", g.Title, it.Text, it.Status, it.Done, it.Total))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("summary\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// The one-column marks: ✓ only for ok; an exit code means something only
// for a command that ran to its end.
func TestStatusMarkAndEnded(t *testing.T) {
	tests := []struct {
		status checklist.Status
		mark   string
		ended  bool
	}{
		{checklist.OK, "✓", true},
		{checklist.Warning, "⚠", true},
		{checklist.Failed, "✗", true},
		{checklist.Running, "▶", false},
		{checklist.Skipped, "-", false},
		{checklist.Interrupted, "!", false},
		{checklist.Pending, " ", false},
	}
	for _, tt := range tests {
		if got := report.StatusMark(&checklist.CommandRun{Status: tt.status}); got != tt.mark {
			t.Errorf("%s: mark %q, want %q", tt.status, got, tt.mark)
		}
		if got := report.Ended(tt.status); got != tt.ended {
			t.Errorf("%s: ended %v, want %v", tt.status, got, tt.ended)
		}
	}
	if got := report.StatusMark(nil); got != " " {
		t.Errorf("a command never run: mark %q, want blank", got)
	}
}

func TestShortID(t *testing.T) {
	for in, want := range map[string]string{
		"sha256:0123456789abcdef0123": "0123456789ab",
		"0123456789abcdef0123":        "0123456789ab",
		"abc1234":                     "abc1234",
		"":                            "",
	} {
		if got := report.ShortID(in); got != want {
			t.Errorf("ShortID(%q) = %q, want %q", in, got, want)
		}
	}
}
