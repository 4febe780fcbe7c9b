package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planner-tui/ops/session"
)

// secretRunbook has a step that makes a key and prints it: the value is
// known to be a secret only once the step ended (its variable's name).
const secretRunbook = "# Secret Runbook\n\n## Keys\n\n### Step 1: Make Key\n\n```bash\n" +
	"# Make a key\nNEW_KEY=$(printf 'tok-%s-%s' made-by-step 98765); echo \"generated $NEW_KEY\"\n```\n"

const stepSecret = "tok-made-by-step-98765"

// openSecretSession opens the real engine on secretRunbook.
func openSecretSession(t *testing.T) *realEngine {
	t.Helper()
	tmp := t.TempDir()
	rb := filepath.Join(tmp, "runbook.md")
	if err := os.WriteFile(rb, []byte(secretRunbook), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(tmp, "planner"), 0o755); err != nil {
		t.Fatal(err)
	}
	waitSupervisors(t, filepath.Join(tmp, "state"))
	s, err := session.Open(context.Background(), session.Options{RunbookPath: rb, Dir: filepath.Join(tmp, "planner"),
		StateDir: filepath.Join(tmp, "state")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &realEngine{engineBackend: engineBackend{s}, s: s}
}

// A secret a step makes and prints is masked on the screen once the step
// ended, as it is in output.log: the log pane (the lines the live stream
// brought) does not keep it in clear.
func TestStepMadeSecretRemaskedOnScreen(t *testing.T) {
	e := openSecretSession(t)
	const id = "keys/step-1-make-key/make-a-key"
	d := newDriver(t, e, 120, 32)
	openCmd(d, e, id)
	d.keys("enter")
	d.waitText("✓ Make a key: ok") // onDone: the job's end reached the screen
	v := d.view()
	if strings.Contains(v, stepSecret) {
		t.Fatalf("the key the step made shows in clear after it ended:\n%s", v)
	}
	if !strings.Contains(v, "│generated ***") {
		t.Fatalf("the masked line is not shown:\n%s", v)
	}
	lines, _ := d.m.c.logs[id].Lines(0, 1<<20)
	if got := strings.Join(lines, "\n"); strings.Contains(got, stepSecret) {
		t.Fatalf("the log buffer keeps the key in clear: %q", got)
	}
	// as output.log has it (the runner re-masked it)
	cr := e.s.Run().Commands[id]
	if cr == nil || cr.Log == "" {
		t.Fatalf("no log recorded: %+v", cr)
	}
	raw, err := os.ReadFile(cr.Log)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), stepSecret) || !strings.Contains(string(raw), "generated ***") {
		t.Fatalf("output.log = %q, want the key masked", raw)
	}
}
