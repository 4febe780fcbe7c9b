package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A spec that names another shell runs its script with that shell (as the
// process itself, not a bash in disguise), in the spec's dir, seeing the
// variables earlier jobs set; without the shell, nothing runs and the
// result says which shell is missing.
func TestOtherShell(t *testing.T) {
	for _, sh := range []string{"sh", "bash"} {
		if _, err := exec.LookPath(sh); err != nil {
			t.Fatalf("%s is not installed: %v", sh, err)
		}
	}
	vars := filepath.Join(t.TempDir(), "vars.sh")
	first := newSpec(t, "GREETING=hello")
	first.VarsFile, first.Sets = vars, []string{"GREETING"}
	if res, _ := run(t, first); res.ExitCode != 0 {
		t.Fatalf("first job: %+v", res)
	}

	sh, _ := exec.LookPath("sh")
	want, _ := filepath.EvalSymlinks(sh)
	tests := []struct {
		name, shell, script string
		code                int
		out, err            string
	}{
		{"sh runs the script", "sh", `echo "$GREETING from $(readlink /proc/$$/exe) in $(pwd)"; GREETING=changed; exit 3`, 3,
			"hello from " + want + " in DIR\n", ""},
		{"bash by name", "bash", `echo "$GREETING from $(basename "$(readlink /proc/$$/exe)")"`, 0, "hello from bash\n", ""},
		{"missing shell", "no-such-shell-7f3a", "echo never", -1, "",
			"no-such-shell-7f3a is not installed: the command is written for no-such-shell-7f3a, which is not in PATH (nothing ran)"},
	}
	if needShell(t, "zsh") {
		tests = append(tests, struct {
			name, shell, script string
			code                int
			out, err            string
		}{"zsh, with pipefail", "zsh", `print -r -- "${(U)GREETING} from zsh"; false | cat`, 1, "HELLO from zsh\n", ""})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := newSpec(t, tt.script)
			spec.Shell, spec.VarsFile = tt.shell, vars
			res, out := run(t, spec)
			if want := strings.ReplaceAll(tt.out, "DIR", spec.Dir); res.ExitCode != tt.code || out != want || res.Err != tt.err {
				t.Errorf("exit %d, output %q, err %q\nwant exit %d, output %q, err %q", res.ExitCode, out, res.Err, tt.code, want, tt.err)
			}
			// What another shell sets stays in it.
			if res.Vars["GREETING"] != "hello" && res.Err == "" {
				t.Errorf("variables after the job: %q", res.Vars)
			}
		})
	}
}

// needShell reports whether a shell is installed. Without it, that part
// of the test is skipped, or fails under CI=true, where `make deps` has
// installed it (as dockertest.Unavailable does for a missing service).
func needShell(t *testing.T, name string) bool {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s is not installed (make deps installs it): %v", name, err)
		}
		t.Logf("%s is not installed: its part of the test is skipped (make deps installs it)", name)
		return false
	}
	return true
}
