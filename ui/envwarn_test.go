package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A bad .env line shows on the screen (the status bar), not only on stderr.
func TestEnvWarningShownOnScreen(t *testing.T) {
	s, _ := openSession(t)
	d := newDriver(t, engineBackend{s}, 140, 30)
	if v := d.view(); !strings.Contains(v, "⚠ no .env: nothing to mask") {
		t.Fatalf("no .env: not shown:\n%s", v)
	}
	env := filepath.Join(s.Vars()["PLANNER_DIR"], ".env")
	if err := os.WriteFile(env, []byte("SECRET_KEY=ui-test-secret-1\nREDIS_PASSWORD=\"redis-open-quote-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The .env is read again when a command starts.
	d.keys("enter")
	d.waitText("$ echo hello-from-echo")
	d.keys("enter")
	d.waitText("✓ Say hello: ok (exit 0)")
	v := d.waitText("⚠ .env:2: unterminated \" quote in the value of REDIS_PASSWORD (other secrets masked) │ stack")
	if strings.Contains(v, "ui-test-secret-1") || strings.Contains(v, "redis-open-quote-pw") {
		t.Errorf("the screen shows a secret:\n%s", v)
	}
}
