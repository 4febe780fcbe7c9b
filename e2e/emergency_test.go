package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// healthyStack brings the sandbox stack up if a previous test left it down
// (sandbox/up.sh is idempotent: about 1.5 s on a healthy stack).
func healthyStack(t *testing.T, sb *sandbox) {
	t.Helper()
	if _, err := sb.health(); err == nil {
		return
	}
	out, err := exec.Command("../sandbox/up.sh").CombinedOutput()
	if err != nil {
		t.Fatalf("sandbox/up.sh: %v\n%s", err, out)
	}
	sb.waitHealthy(t, "", 2*time.Minute)
}

// waitState polls docker until the service's container is in state.
func waitState(t *testing.T, service, state string, timeout time.Duration) {
	t.Helper()
	waitFor(t, service+" "+state, timeout, func() (bool, string) {
		c := containers(t)[service]
		return c.State == state, c.State
	})
}

// hostPhrase is the confirmation of the host-wide prune: the host name, as
// `planner-tui list --json` shows it.
func hostPhrase(t *testing.T, op *operator) string {
	t.Helper()
	r := op.tui(t, "show", "out-of-disk-space/clean-up-docker-resources")
	if r.code != 0 {
		t.Fatalf("show: %s", r)
	}
	host, _ := os.Hostname()
	if !strings.Contains(r.stdout, host) {
		t.Fatalf("show does not name host %q as the confirmation:\n%s", host, r)
	}
	return host
}

// TestEmergencyServiceCompletelyDown: app and redis stopped behind the
// stack's back; the playbook shows it, restarts them, and the stack is
// healthy again. Then the "recreate containers" fallback.
func TestEmergencyServiceCompletelyDown(t *testing.T) {
	sb := needSandbox(t)
	healthyStack(t, sb)
	op := newOperator(t, sb)

	cs := containers(t)
	docker(t, "stop", cs["app"].Name, cs["redis"].Name)
	waitState(t, "app", "exited", 30*time.Second)

	r := op.mustRun(t, "service-completely-down/check-all-services")
	for _, name := range []string{cs["app"].Name, cs["redis"].Name} {
		if !lineHas(r.stdout, name, "Exit") {
			t.Errorf("check all services: %s not shown as exited:\n%s", name, r)
		}
	}
	if !lineHas(r.stdout, cs["db"].Name, "Up") {
		t.Errorf("check all services: %s not shown as up:\n%s", cs["db"].Name, r)
	}
	r = op.mustRun(t, "service-completely-down/check-logs-for-all-services")
	// Each service's lines carry its prefix: app_1 (v1), app-1 (v2).
	for _, svc := range []string{"app", "db", "redis"} {
		if !regexp.MustCompile(`(?m)(^|[^a-z])` + svc + `[-_]1\b`).MatchString(r.stdout) {
			t.Errorf("logs of all services: no lines of %s:\n%s", svc, r)
		}
	}
	op.mustRefuse(t, "service-completely-down/restart-all-services") // a change: --yes
	op.mustRun(t, "service-completely-down/restart-all-services", "--yes")
	if r := op.tui(t, "op", "wait-healthy", "--timeout", "90s"); r.code != 0 {
		t.Fatalf("op wait-healthy after the restart: %s", r)
	}
	sb.waitHealthy(t, "", 5*time.Second)

	// If restart fails: down (the project name to confirm) and up -d.
	const recreate = "service-completely-down/if-restart-fails-recreate-containers"
	before := containers(t)
	op.mustRefuse(t, recreate)
	wantRunning(t, before, "db", "redis", "app")
	op.mustRun(t, recreate, "--confirm", "planner")
	after := containers(t)
	for _, s := range []string{"db", "redis", "app"} {
		if after[s].ID == before[s].ID {
			t.Errorf("%s: same container after down and up -d", s)
		}
	}
	// The playbook's own last step: the stack healthy again, /health answers.
	r = op.mustRun(t, "service-completely-down/check-the-stack-is-healthy-again")
	if !strings.Contains(r.stdout, `"status":"ok"`) {
		t.Errorf("the playbook's health check did not print /health's answer: %s", r)
	}
}

// lineHas says whether a line of out holds every string.
func lineHas(out string, subs ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(line, s)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestEmergencyDatabaseConnectionLost: the db container stopped; the app
// reports it; the playbook restarts the db, waits for it and restarts the app.
func TestEmergencyDatabaseConnectionLost(t *testing.T) {
	sb := needSandbox(t)
	healthyStack(t, sb)
	op := newOperator(t, sb)

	db := containers(t)["db"]
	docker(t, "stop", db.Name)
	waitFor(t, "/health reports the database down", 30*time.Second, func() (bool, string) {
		h, err := sb.health()
		return err != nil && h.Database != "ok", h.Database
	})

	r := op.mustRun(t, "database-connection-lost/check-database-container")
	if !lineHas(r.stdout, db.Name, "Exit") {
		t.Errorf("check database container: not shown as exited:\n%s", r)
	}
	op.mustRun(t, "database-connection-lost/check-database-logs")
	op.mustRun(t, "database-connection-lost/restart-database", "--yes")
	r = op.mustRun(t, "database-connection-lost/wait-for-database-to-be-ready")
	wantOutput(t, r, "healthy")
	if c := containers(t)["db"]; c.State != "running" || c.Health != "healthy" {
		t.Errorf("db after the wait: %s %s", c.State, c.Health)
	}
	appBefore := containers(t)["app"]
	op.mustRun(t, "database-connection-lost/restart-application", "--yes")
	if c := containers(t)["app"]; !c.StartedAt.After(appBefore.StartedAt) {
		t.Errorf("app not restarted: started %s, before %s", c.StartedAt, appBefore.StartedAt)
	}
	h := sb.waitHealthy(t, "", 60*time.Second)
	if h.Database != "ok" || h.Redis != "ok" {
		t.Errorf("GET /health: %+v", h)
	}
}

// TestEmergencyOutOfDiskSpace: df; the host-wide prune refused without the
// host name and nothing pruned; a prune scoped to this test's images run
// instead (e2e/testdata/scoped-prune.md); old backups removed, fresh ones
// and other files kept; logs --tail=0.
func TestEmergencyOutOfDiskSpace(t *testing.T) {
	sb := needSandbox(t)
	healthyStack(t, sb)
	op := newOperator(t, sb)

	r := op.mustRun(t, "out-of-disk-space/check-disk-usage")
	wantOutput(t, r, "Filesystem", "Use%")

	step(t, "host-wide prune refused", func(t *testing.T) {
		const prune = "out-of-disk-space/clean-up-docker-resources"
		before := images(t)
		op.mustRefuse(t, prune)
		op.mustRefuse(t, prune, "--confirm", "planner")
		op.mustRefuse(t, prune, "--confirm", "yes")
		if after := images(t); after != before {
			t.Errorf("images changed although the prune was refused:\nbefore:\n%s\nafter:\n%s", before, after)
		}
		_ = hostPhrase(t, op) // the phrase that would run it: not typed here
	})

	step(t, "scoped prune", func(t *testing.T) {
		label := "planner-e2e=" + time.Now().Format("150405.000000")
		other := "planner-e2e=keep-" + time.Now().Format("150405.000000")
		mine := buildDanglingImage(t, label)
		kept := buildDanglingImage(t, other)
		t.Cleanup(func() { exec.Command("docker", "rmi", "-f", kept).Run() })
		labelled := idSet(docker(t, "images", "-a", "-q", "--no-trunc", "--filter", "label="+label))
		before := idSet(docker(t, "images", "-a", "-q", "--no-trunc"))
		if len(labelled) == 0 {
			t.Fatalf("no image has label %s", label)
		}

		scoped := &operator{sb: sb, stateDir: t.TempDir(), sets: []string{"E2E_LABEL=" + label}}
		const id = "remove-the-dangling-images-with-the-test-s-label"
		scoped.mustRefuse(t, id, "--runbook", "testdata/scoped-prune.md")
		r := scoped.tui(t, "--runbook", "testdata/scoped-prune.md", "run", id, "--confirm", hostPhrase(t, op))
		if r.code != 0 {
			t.Fatalf("scoped prune: %s", r)
		}
		wantOutput(t, r, mine)
		after := idSet(docker(t, "images", "-a", "-q", "--no-trunc"))
		for id := range before {
			if gone := !after[id]; gone != labelled[id] {
				t.Errorf("image %s: removed %v, but it has the label %v", id, gone, labelled[id])
			}
		}
		if !after["sha256:"+kept] && !hasPrefix(after, "sha256:"+kept) {
			t.Errorf("the image with the other label (%s) was removed", kept)
		}
	})

	step(t, "old backups removed", func(t *testing.T) {
		const clean = "out-of-disk-space/remove-old-backups-keep-last-7-days"
		stamp := time.Now().Format("150405")
		old := []string{"e2e-old-a-" + stamp + ".sql", "e2e-old-b-" + stamp + ".sql"}
		keep := []string{"e2e-fresh-" + stamp + ".sql", "e2e-old-not-sql-" + stamp + ".sql.failed"}
		tenDaysAgo := time.Now().Add(-10 * 24 * time.Hour)
		for _, n := range append(append([]string{}, old...), keep...) {
			p := filepath.Join(sb.backupDir, n)
			if err := os.WriteFile(p, []byte("-- e2e\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Remove(p) })
			if n != keep[0] {
				if err := os.Chtimes(p, tenDaysAgo, tenDaysAgo); err != nil {
					t.Fatal(err)
				}
			}
		}
		op.mustRefuse(t, clean)
		op.mustRefuse(t, clean, "--confirm", "/var/backups/planner")
		for _, n := range old {
			if _, err := os.Stat(filepath.Join(sb.backupDir, n)); err != nil {
				t.Errorf("refused, yet %s is gone: %v", n, err)
			}
		}
		op.mustRun(t, clean, "--confirm", sb.backupDir)
		for _, n := range old {
			if _, err := os.Stat(filepath.Join(sb.backupDir, n)); err == nil {
				t.Errorf("%s (10 days old) is still there", n)
			}
		}
		for _, n := range keep {
			if _, err := os.Stat(filepath.Join(sb.backupDir, n)); err != nil {
				t.Errorf("%s should be kept: %v", n, err)
			}
		}
	})

	r = op.mustRun(t, "out-of-disk-space/remove-old-logs")
	if out := strings.TrimSpace(commandOutput(r)); out != "" && !strings.Contains(out, "Attaching to") {
		t.Errorf("logs --tail=0 printed log lines:\n%s", r)
	}
}

// idSet turns docker's id lines into a set.
func idSet(lines string) map[string]bool {
	m := map[string]bool{}
	for _, id := range strings.Fields(lines) {
		m[id] = true
	}
	return m
}

func hasPrefix(set map[string]bool, prefix string) bool {
	for id := range set {
		if strings.HasPrefix(id, prefix) {
			return true
		}
	}
	return false
}

// buildDanglingImage builds an untagged image with one label, from scratch
// (no registry, no RUN), and returns its short id.
func buildDanglingImage(t *testing.T, label string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte(label+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	df := "FROM scratch\nLABEL " + label + "\nCOPY f /f\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("docker", "build", "-q", dir)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, stderr.String())
	}
	id := strings.TrimPrefix(strings.TrimSpace(stdout.String()), "sha256:")
	if len(id) < 12 {
		t.Fatalf("docker build printed %q", stdout.String())
	}
	return id[:12]
}

// TestEmergencyHighMemoryUsage: docker stats, then the app restarted.
func TestEmergencyHighMemoryUsage(t *testing.T) {
	sb := needSandbox(t)
	healthyStack(t, sb)
	op := newOperator(t, sb)

	r := op.mustRun(t, "high-memory-usage/check-container-memory-usage")
	wantOutput(t, r, "MEM USAGE")
	wantContainerNames(t, r, "app", "db", "redis")
	before := containers(t)["app"]
	op.mustRun(t, "high-memory-usage/restart-high-memory-containers", "--yes")
	after := containers(t)["app"]
	if after.ID != before.ID || !after.StartedAt.After(before.StartedAt) {
		t.Errorf("app not restarted in place: %s started %s, before %s started %s", after.ID[:12], after.StartedAt, before.ID[:12], before.StartedAt)
	}
	if r := op.tui(t, "op", "wait-healthy", "--timeout", "60s"); r.code != 0 {
		t.Fatalf("op wait-healthy after the restart: %s", r)
	}
}

// TestEmergencySecurityIncident: logs preserved before the stop, the stack
// stopped, a new SECRET_KEY written (old .env kept), the editor step, the
// rebuild and restart. Tokens signed with the old key stop working. The
// sandbox's .env is put back afterwards.
func TestEmergencySecurityIncident(t *testing.T) {
	sb := needSandbox(t)
	healthyStack(t, sb)
	incidentDir := filepath.Join(t.TempDir(), "incident")
	op := newOperator(t, sb, "INCIDENT_LOG_DIR="+incidentDir)

	envPath := filepath.Join(sb.plannerDir, ".env")
	original, err := os.ReadFile(envPath)
	if err != nil {
		t.Fatal(err)
	}
	oldSecrets := sb.secrets(t)
	t.Cleanup(func() { restoreEnv(t, sb, envPath, original) })
	oldToken := sb.login(t)

	step(t, "preserve logs", func(t *testing.T) {
		op.mustRun(t, "security-incident/preserve-logs-for-investigation", "--yes")
		logs, _ := filepath.Glob(filepath.Join(incidentDir, "incident-*.log"))
		if len(logs) != 1 {
			t.Fatalf("incident logs in %s: %v", incidentDir, logs)
		}
		b, _ := os.ReadFile(logs[0])
		// docker-compose v1 prefixes each line with the container's name and
		// colours it even into a file, unless --no-color.
		if bytes.Contains(b, []byte("\x1b[")) {
			t.Errorf("%s holds ANSI colour codes (logs without --no-color?)", logs[0])
		}
		for _, want := range []string{"app_1", "db_1", "redis_1", "Application startup complete"} {
			if !lineHas(string(b), want, "|") {
				t.Errorf("%s (%d bytes) has no log line of %q", logs[0], len(b), want)
			}
		}
	})
	step(t, "stop all services", func(t *testing.T) {
		const down = "security-incident/immediately-stop-all-services"
		op.mustRefuse(t, down)
		op.mustRun(t, down, "--confirm", "planner")
		if cs := containers(t); len(cs) != 0 {
			t.Errorf("containers left after down: %v", cs)
		}
	})
	step(t, "new SECRET_KEY", func(t *testing.T) {
		const rotate = "security-incident/generate-new-secret-key-the-old-env-is-kept-as"
		op.mustRefuse(t, rotate)
		r := op.mustRun(t, rotate, "--confirm", "planner")
		now, _ := readKeyValues(envPath)
		if now["SECRET_KEY"] == oldSecrets["SECRET_KEY"] || len(now["SECRET_KEY"]) != 64 {
			t.Errorf("SECRET_KEY not replaced by 32 random bytes in hex: %d characters, same as before: %v", len(now["SECRET_KEY"]), now["SECRET_KEY"] == oldSecrets["SECRET_KEY"])
		}
		if now["POSTGRES_PASSWORD"] != oldSecrets["POSTGRES_PASSWORD"] {
			t.Errorf("the rotation touched POSTGRES_PASSWORD")
		}
		kept, _ := filepath.Glob(filepath.Join(sb.plannerDir, ".env.before-rotation-*"))
		if len(kept) != 1 {
			t.Fatalf("old .env kept as: %v", kept)
		}
		t.Cleanup(func() { os.Remove(kept[0]) })
		if b, _ := os.ReadFile(kept[0]); !bytes.Equal(b, original) {
			t.Errorf("%s is not the old .env", kept[0])
		}
		if strings.Contains(r.stdout, now["SECRET_KEY"]) || strings.Contains(r.stdout, oldSecrets["SECRET_KEY"]) {
			t.Errorf("the rotation printed a key:\n%s", r)
		}
	})
	step(t, "review .env (EDITOR=true)", func(t *testing.T) {
		before, _ := os.ReadFile(envPath)
		// EDITOR=true: a real program that exits 0 and changes nothing,
		// standing in for the operator's editor.
		op.env = []string{"EDITOR=true"}
		op.mustRun(t, "security-incident/review-and-update-env-file", "--yes")
		op.env = nil
		if after, _ := os.ReadFile(envPath); !bytes.Equal(before, after) {
			t.Errorf(".env changed under EDITOR=true")
		}
	})
	step(t, "rebuild and restart", func(t *testing.T) {
		op.mustRun(t, "security-incident/rebuild-and-restart-with-new-secrets", "--yes")
		if r := op.tui(t, "op", "wait-healthy", "--timeout", "90s"); r.code != 0 {
			t.Fatalf("op wait-healthy: %s", r)
		}
		ctx, cancel := contextWithTimeout(5 * time.Second)
		defer cancel()
		code, _, err := httpGet(ctx, sb.baseURL+"/api/v1/programs", oldToken)
		if err != nil || code != 401 {
			t.Errorf("a token signed with the old SECRET_KEY: %d %v, want 401", code, err)
		}
		wantPrograms(t, sb) // a fresh login works
	})
	step(t, "no secret in outputs, logs, audit", func(t *testing.T) {
		all := sb.secrets(t) // the new SECRET_KEY
		all["old SECRET_KEY"] = oldSecrets["SECRET_KEY"]
		noSecretsIn(t, op.stateDir, all, 5)
	})
}

// restoreEnv puts the sandbox's .env back and recreates the containers
// whose environment changed, so that later tests see the stack as it was.
func restoreEnv(t *testing.T, sb *sandbox, envPath string, original []byte) {
	now, err := os.ReadFile(envPath)
	if err == nil && bytes.Equal(now, original) {
		return
	}
	if err := os.WriteFile(envPath, original, 0o600); err != nil {
		t.Errorf("restore %s: %v", envPath, err)
		return
	}
	cmd := exec.Command("docker-compose", "-f", "docker-compose.yml", "-f", "docker-compose.prod.yml", "up", "-d")
	cmd.Dir = sb.plannerDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("docker-compose up -d with the restored .env: %v\n%s", err, out)
		return
	}
	sb.waitHealthy(t, "", 2*time.Minute)
}
