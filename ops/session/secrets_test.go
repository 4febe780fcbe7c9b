package session

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planner-tui/checklist"
)

// A malformed .env line does not turn masking off: the secrets of the
// other lines (and the guessable one on the bad line) are masked in plans,
// output and Mask, and EnvWarning names the bad line.
func TestBadEnvLineKeepsMasking(t *testing.T) {
	f := newFixture(t)
	env := "# test stack\n" +
		"DB_USER=planner\n" +
		"SECRET_KEY=" + secretValue + "\n" +
		"garbage line without equals\n" +
		"POSTGRES_PASSWORD=\"unterminated-pg-pass\n" +
		"REDIS_PASSWORD=redis-pass-after-the-bad-lines\n"
	if err := os.WriteFile(filepath.Join(f.planner, ".env"), []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	s := f.open(t)
	w := s.EnvWarning()
	envPath := filepath.Join(f.planner, ".env")
	if !strings.HasPrefix(w, envPath+":4: ") || !strings.Contains(w, "and 1 more bad line") || !strings.HasSuffix(w, "secrets on other lines are masked") {
		t.Errorf("EnvWarning = %q, want %s:4 first, 1 more, and that the others are masked", w, envPath)
	}
	for _, secret := range []string{secretValue, "unterminated-pg-pass", "redis-pass-after-the-bad-lines"} {
		if got := s.Mask("x " + secret + " y"); got != "x *** y" {
			t.Errorf("Mask(%q) = %q", secret, got)
		}
	}
	cr, out := run(t, s, idParams, map[string]string{"version": "v1", "token": "redis-pass-after-the-bad-lines"}, "")
	if cr.Status != checklist.OK || strings.Contains(out, "redis-pass") || !strings.Contains(out, "with token ***") {
		t.Errorf("output with a secret from after the bad lines: %s %q", cr.Status, out)
	}

	// Fixing the file clears the warning at the next command.
	if err := os.WriteFile(envPath, []byte("SECRET_KEY="+secretValue+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, s, idGreet, nil, "")
	if w := s.EnvWarning(); w != "" {
		t.Errorf("EnvWarning after the fix = %q", w)
	}
}
