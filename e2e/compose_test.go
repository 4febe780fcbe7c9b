package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// composeV2 says whether this run of the tests makes the runbook's
// docker-compose lines run compose v2: the plugin, through planner-tui's
// shim (PLANNER_TUI_COMPOSE=plugin; `make test` runs the deploy and a
// playbook that way after the whole suite on v1).
func composeV2() bool { return os.Getenv("PLANNER_TUI_COMPOSE") == "plugin" }

// obsoleteVersion is compose v2's warning about the `version:` key of the
// stack's compose files (production's have it too), printed on stderr by
// every compose command; v1 says nothing.
var obsoleteVersion = regexp.MustCompile(`(?m)^time="[^"]*" level=warning msg="[^"]*: the attribute .version. is obsolete, it will be ignored, please remove it to avoid potential confusion"\n`)

// commandOutput is what the command printed, without compose v2's warnings
// about `version:`.
func commandOutput(r result) string { return obsoleteVersion.ReplaceAllString(r.stdout, "") }

// wantContainerNames fails unless the output names each service's first
// container, as either compose names it: planner_app_1 (v1) or
// planner-app-1 (v2), which depends on the compose that created it.
func wantContainerNames(t *testing.T, r result, services ...string) {
	t.Helper()
	for _, s := range services {
		re := regexp.MustCompile(`\bplanner[-_]` + regexp.QuoteMeta(s) + `[-_]1\b`)
		if !re.MatchString(r.stdout) {
			t.Errorf("output of %q names no container of %s (planner_%s_1 or planner-%s-1):\n%s", strings.Join(r.args, " "), s, s, s, r)
		}
	}
}

// wantComposeRan checks, after an `up`, that the compose the test chose
// created the containers: v2 names them planner-app-1, v1 planner_app_1.
func wantComposeRan(t *testing.T, services ...string) {
	t.Helper()
	cs := containers(t)
	for _, s := range services {
		want := "planner_" + s + "_1"
		if composeV2() {
			want = "planner-" + s + "-1"
		}
		if got := cs[s].Name; got != want {
			t.Errorf("container of %s is %q, want %q: the runbook's compose lines did not run the compose this test asked for", s, got, want)
		}
	}
}

// appImage is the image compose builds for the app: planner_app (v1) or
// planner-app (v2).
func appImage() string {
	if composeV2() {
		return "planner-app"
	}
	return "planner_app"
}

// imageIDs is the id of the image named, or "" when there is none.
func imageIDs(t *testing.T, name string) string {
	t.Helper()
	// name:latest only: the deployment record keeps older images under
	// pre-<run id> tags of the same repository.
	if docker(t, "images", "-q", name+":latest") == "" {
		return ""
	}
	return docker(t, "image", "inspect", "-f", "{{.Id}}", name)
}
