package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// postDeployChecks are the embedded runbook's post-deployment verification
// commands, each with the outcome it must have while the app is down: a
// check that cannot reach the app fails; a log check of a stopped app is a
// warning (its logs say nothing about the app now).
type postDeployCheck struct {
	id     string
	args   []string
	status string
	says   string // in stdout or stderr
}

var postDeployChecks = []postDeployCheck{
	{"automated-checks/health-check", nil, "failed", "Health check failed!"},
	{"automated-checks/api-documentation-accessible", nil, "failed", "API docs not accessible!"},
	{"automated-checks/database-connectivity", nil, "failed", ""},
	{"manual-verification/api-test-test-authentication-endpoint", []string{"--yes"}, "failed", ""},
	{"manual-verification/api-test-test-programs-endpoint", nil, "failed", ""},
	{"manual-verification/log-review-check-for-errors", nil, "warning", "not running"},
	{"manual-verification/log-review-check-for-warnings", nil, "warning", "not running"},
}

// statusLine is run's last line on stderr: "■ ID: STATUS (exit N, ...)".
var statusLine = regexp.MustCompile(`■ (\S+): (\w+) \(exit (-?\d+)`)

// TestPostDeploymentChecksFailWithTheAppDown: a refused token fails the
// programs test; then, with the app stopped behind the tool's back, no
// post-deployment check of the embedded runbook shows
// ok: each ends failed or warning, in run's exit code, its status line and
// `status --json`; and op wait-healthy says at once that the app exited.
// The app is started again and the stack left healthy, also on failure.
func TestPostDeploymentChecksFailWithTheAppDown(t *testing.T) {
	sb := needSandbox(t)
	healthyStack(t, sb)
	// A token the API refuses, given as headless runs are given one.
	op := newOperator(t, sb).withEnv("TOKEN=not-a-token")
	checkedAreAll(t, op)

	// With the app up, a token the API refuses (401) fails the programs
	// test: curl --fail-with-body, not a 401 body shown as ✓.
	r := op.run(t, "manual-verification/api-test-test-programs-endpoint")
	if m := statusLine.FindStringSubmatch(r.stderr); r.code == 0 || m == nil || m[2] != "failed" || !strings.Contains(r.stdout+r.stderr, "401") {
		t.Errorf("programs endpoint with a refused token: want failed on the 401:\n%s", r)
	}

	app := containers(t)["app"]
	t.Cleanup(func() {
		docker(t, "start", app.Name)
		sb.waitHealthy(t, "", 2*time.Minute)
	})
	docker(t, "stop", app.Name)
	waitState(t, "app", "exited", 30*time.Second)

	for _, c := range postDeployChecks {
		r := op.run(t, c.id, c.args...)
		if r.code == 0 || r.code >= 64 && r.code <= 79 { // 64-79: planner-tui refused, nothing ran
			t.Errorf("%s with the app down: exit %d, want the failure or warning of a command that ran:\n%s", c.id, r.code, r)
			continue
		}
		m := statusLine.FindStringSubmatch(r.stderr)
		switch {
		case m == nil:
			t.Errorf("%s: no status line on stderr:\n%s", c.id, r)
		case !strings.HasSuffix(m[1], c.id) || m[2] != c.status:
			t.Errorf("%s: status line %q, want %s %s", c.id, m[0], c.id, c.status)
		}
		if c.says != "" && !strings.Contains(r.stdout+r.stderr, c.says) {
			t.Errorf("%s: does not say %q:\n%s", c.id, c.says, r)
		}
	}

	// status --json counts every one of them as failed or warning, none ok.
	r = op.tui(t, "status", "--json")
	if r.code != 0 {
		t.Fatalf("status: %s", r)
	}
	var st struct {
		Sections []struct {
			ID       string         `json:"id"`
			Commands int            `json:"commands"`
			Counts   map[string]int `json:"counts"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r)
	}
	want := map[string]int{}
	for _, c := range postDeployChecks {
		want[c.status]++
	}
	found := false
	for _, sec := range st.Sections {
		if sec.ID != "post-deployment-verification" {
			continue
		}
		found = true
		if sec.Counts["ok"] != 0 || sec.Counts["failed"] != want["failed"] || sec.Counts["warning"] != want["warning"] {
			t.Errorf("status --json, post-deployment verification: counts %v, want no ok, %d failed, %d warning", sec.Counts, want["failed"], want["warning"])
		}
	}
	if !found {
		t.Errorf("status --json has no post-deployment-verification section:\n%s", r.stdout)
	}

	// The wait for a healthy stack does not wait out its 5 minutes.
	r = op.tui(t, "op", "wait-healthy", "--timeout", "5m")
	if r.code == 0 || r.took > time.Minute {
		t.Errorf("op wait-healthy with the app exited: exit %d after %s, want a failure at once:\n%s", r.code, r.took, r)
	}
	if !strings.Contains(r.stderr, app.Name) || !strings.Contains(r.stderr, "exited with code") {
		t.Errorf("op wait-healthy does not name the exited container %s:\n%s", app.Name, r)
	}
	t.Logf("%s", fmt.Sprint(strings.TrimSpace(r.stderr)))
}

// checkedAreAll fails unless postDeployChecks holds every command of the
// embedded runbook's Post-Deployment Verification, so that a check added
// to the runbook is held to the same rule.
func checkedAreAll(t *testing.T, op *operator) {
	t.Helper()
	r := op.tui(t, "list", "--json")
	if r.code != 0 {
		t.Fatalf("list --json: %s", r)
	}
	var rb struct {
		Sections []struct {
			ID    string `json:"id"`
			Steps []struct {
				Commands []struct {
					ID string `json:"id"`
				} `json:"commands"`
			} `json:"steps"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rb); err != nil {
		t.Fatalf("list --json: %v", err)
	}
	var missing []string
	n := 0
	for _, sec := range rb.Sections {
		if sec.ID != "post-deployment-verification" {
			continue
		}
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				n++
				if !slices.ContainsFunc(postDeployChecks, func(p postDeployCheck) bool { return strings.HasSuffix(c.ID, "/"+p.id) }) {
					missing = append(missing, c.ID)
				}
			}
		}
	}
	if len(missing) > 0 || n != len(postDeployChecks) {
		t.Fatalf("the runbook's post-deployment commands (%d) and the test's (%d) differ; not in the test: %q", n, len(postDeployChecks), missing)
	}
}

// mustNotFail runs a command that must end ok or, where the runbook says
// something needs a look (an .env variable only the example has, warning
// lines in the logs), warning; anything else fails the test.
func (o *operator) mustNotFail(t *testing.T, id string, args ...string) result {
	t.Helper()
	r := o.run(t, id, args...)
	if r.code == 0 {
		return r
	}
	if m := statusLine.FindStringSubmatch(r.stderr); m == nil || m[2] != "warning" {
		t.Fatalf("%s: want ok or warning:\n%s", id, r)
	}
	return r
}
