package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// op env-check lists the bad lines of .env with PATH:LINE, shows no value,
// and exits 3 (warning) for them; a clean .env exits 0.
func TestOpEnvCheckReportsBadLines(t *testing.T) {
	s := newStack(t)
	env := filepath.Join(s.planner, ".env")
	src := "SECRET_KEY=" + secretText + "\n" +
		"POSTGRES_PASSWORD='pg-unterminated-value\n" +
		"REDIS_PASSWORD=redis-value-1234\n"
	if err := os.WriteFile(env, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, s.args("op", "env-check", "--require", "SECRET_KEY,REDIS_PASSWORD")...)
	if r.code != 3 {
		t.Errorf("exit %d, want 3 (warning)\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if want := env + ":2: unterminated ' quote in the value of POSTGRES_PASSWORD"; !strings.Contains(r.stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
	}
	for _, secret := range []string{secretText, "pg-unterminated-value", "redis-value-1234"} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("env-check printed the secret %q:\n%s%s", secret, r.stdout, r.stderr)
		}
	}

	// Clean: every line parses and the example names the same keys.
	if err := os.WriteFile(env, []byte("SECRET_KEY="+secretText+"\nREDIS_PASSWORD=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.planner, ".env.production.example"), []byte("SECRET_KEY=change-me\nREDIS_PASSWORD=change-me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := cli(t, s.args("op", "env-check", "--require", "SECRET_KEY,REDIS_PASSWORD")...); r.code != 0 {
		t.Errorf("clean .env: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A headless run with a bad .env line says so on stderr (PATH:LINE) and
// still masks the secrets of the other lines.
func TestRunWarnsOfBadEnvLineAndMasks(t *testing.T) {
	s := newStack(t)
	env := filepath.Join(s.planner, ".env")
	src := "garbage without equals\n" + secretEnv + "=" + secretText + "\n"
	if err := os.WriteFile(env, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	// <version> is no secret parameter: only the .env masks its value.
	r := cli(t, s.args("run", idParams, "--param", "version="+secretText, "--param", "token=tok-1")...)
	if r.code != 0 || strings.Contains(r.stdout+r.stderr, secretText) || !strings.Contains(r.stdout, "deploying *** with token ***") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if want := env + ":1: expected KEY=VALUE"; !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "secrets on other lines are masked") {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}
