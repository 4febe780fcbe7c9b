package session

import (
	"encoding/base64"
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

// Values a step creates are secrets too: the step of issue 8 leaves no
// secret in any file of the state dir (state, audit, vars.sh, job dirs),
// the next command still sees SAVED_PW and NEW_KEY, and NEW_KEY is masked
// from then on.
func TestStepMadeSecretsStayOffDisk(t *testing.T) {
	f := newFixture(t)
	pw := "pg-" + strings.Repeat("Kq9", 24)
	env := "POSTGRES_USER=planner\nPOSTGRES_PASSWORD=" + pw + "\nSECRET_KEY=" + secretValue + "\n"
	if err := os.WriteFile(filepath.Join(f.planner, ".env"), []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	rb := filepath.Join(t.TempDir(), "secrets.md")
	src := "# Secrets\n\n## Make\n\n### Make\n\n```bash\n# Make secrets\n" +
		`. ./.env; SAVED_PW="$POSTGRES_PASSWORD"; NEW_KEY=$(openssl rand -hex 16 || head -c16 /dev/urandom | xxd -p); ` +
		`echo "{\"access_token\":\"abc123secretvalue\"}"; printf %s "$POSTGRES_PASSWORD" | base64 -w 76` + "\n\n" +
		"# Use secrets\nprintf '%s\\n%s\\n' \"$SAVED_PW\" \"$NEW_KEY\" > \"$MARK_DIR/seen\"; echo \"key $NEW_KEY\"\n```\n"
	if err := os.WriteFile(rb, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	f.runbook = rb
	s := f.open(t)
	confirm := func(id string) string {
		if p := plan(t, s, id, nil); p.NeedsPhrase() {
			return p.Confirm
		}
		return "yes"
	}
	cr, out := run(t, s, "make-secrets", nil, confirm("make-secrets"))
	if cr.Status != checklist.OK || !strings.Contains(out, `{"access_token":"***"}`) || strings.Contains(out, "abc123secretvalue") {
		t.Fatalf("make: %s %q", cr.Status, out)
	}
	cr, out = run(t, s, "use-secrets", nil, confirm("use-secrets"))
	seen, err := os.ReadFile(filepath.Join(f.marks, "seen"))
	if cr.Status != checklist.OK || err != nil {
		t.Fatalf("use: %s %v %q", cr.Status, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(seen)), "\n")
	if len(lines) != 2 || lines[0] != pw || len(lines[1]) != 32 {
		t.Fatalf("the next command saw %q, want the password and a 32-digit key", seen)
	}
	newKey := lines[1]
	if out != "key ***\n" {
		t.Errorf("NEW_KEY not masked in the next command's output: %q", out)
	}
	if got := s.Mask("k=" + newKey); got != "k=***" {
		t.Errorf("Mask(NEW_KEY) = %q", got)
	}
	if v := s.Run().Vars; v["NEW_KEY"] != "***" || v["SAVED_PW"] != "***" {
		t.Errorf("run vars = %q", v)
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(pw))
	for _, secret := range []string{pw, newKey, "abc123secretvalue", b64[:76], b64[76:]} {
		n := 0
		filepath.WalkDir(f.state, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			n++
			if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), secret) {
				t.Errorf("%s holds %q:\n%s", path, secret, b)
			}
			return nil
		})
		if n < 8 {
			t.Errorf("only %d files in the state dir", n)
		}
	}
}
