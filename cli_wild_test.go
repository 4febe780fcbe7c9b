package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// wildRunbook is written for Runme, not for planner-tui: a "#" title and
// no "##", JSON fence attributes, a front matter cwd and shell, a prompt
// block, and a zsh fence.
const wildRunbook = `---
runme:
  id: 01JB7Q2M9X4ZC8K3T5V6W7Y8AB
  version: v3
cwd: app
shell: bash
skipPrompts: true
---

# Try the app

` + "```sh {\"id\":\"01JB7Q2M9X4ZC8K3T5V6W7Y8AC\",\"name\":\"where\",\"cwd\":\"sub\"}" + `
echo "dir=$(pwd) shell=$(readlink /proc/$$/exe)"
` + "```" + `

` + "```bash {\"name\":\"bash-here\",\"terminalRows\":\"12\"}" + `
echo "dir=$(pwd) shell=$(readlink /proc/$$/exe)"
` + "```" + `

` + "```console" + `
$ echo "Hello"
Hello
` + "```" + `

` + "```zsh {\"name\":\"zsh-step\"}" + `
print -r -- "from zsh"
` + "```" + `
`

// `planner-tui lint FILE` has no errors on it, and `planner-tui run FILE ID`
// runs each command where its cwd says, with the shell its fence names;
// a shell that is not installed is named, and nothing runs.
func TestRunWildRunbook(t *testing.T) {
	books := t.TempDir()
	for _, d := range []string{"app/sub"} {
		if err := os.MkdirAll(filepath.Join(books, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(books, "try.md")
	if err := os.WriteFile(file, []byte(wildRunbook), 0o644); err != nil {
		t.Fatal(err)
	}
	// A PATH with bash, sh and readlink only: no zsh, whatever the machine has.
	pathDir := t.TempDir()
	for _, tool := range []string{"bash", "sh", "readlink"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(pathDir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	realPath := func(tool string) string {
		p, _ := exec.LookPath(tool)
		r, err := filepath.EvalSymlinks(p)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	state, planner := t.TempDir(), t.TempDir()
	run := func(args ...string) result {
		t.Helper()
		c := command(t, append([]string{"--state-dir", state, "--dir", planner}, args...)...)
		c.Env = append(c.Env, "PATH="+pathDir)
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &out, &errb
		r := result{}
		var ee *exec.ExitError
		if err := c.Run(); errors.As(err, &ee) {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		r.stdout, r.stderr = out.String(), errb.String()
		return r
	}

	if r := run("lint", file); r.code != 0 || !strings.Contains(r.stdout, `warning: command "zsh-step" is written for zsh, which is not installed here: run refuses it`) {
		t.Errorf("lint: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	tests := []struct {
		id, out, errs string
		code          int
	}{
		// The fence cwd is under the front matter's, both relative to the file.
		{"where", "dir=" + filepath.Join(books, "app", "sub") + " shell=" + realPath("sh") + "\n", "", 0},
		{"bash-here", "dir=" + filepath.Join(books, "app") + " shell=" + realPath("bash") + "\n", "", 0},
		// The prompt goes, the output line does not run.
		{"echo-hello", "Hello\n", "", 0},
		{"zsh-step", "", "written for zsh, which is not installed here (not in PATH): nothing ran", exitInternal},
	}
	for _, tt := range tests {
		r := run("run", "--yes", file, tt.id)
		if r.code != tt.code || r.stdout != tt.out || !strings.Contains(r.stderr, tt.errs) {
			t.Errorf("run %s: exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q, stderr with %q", tt.id, r.code, r.stdout, r.stderr, tt.code, tt.out, tt.errs)
		}
	}
	// With zsh on the PATH, the same step runs with it.
	if zsh, err := exec.LookPath("zsh"); err == nil {
		if err := os.Symlink(zsh, filepath.Join(pathDir, "zsh")); err != nil {
			t.Fatal(err)
		}
		r := run("run", "--yes", file, "zsh-step")
		if r.code != 0 || r.stdout != "from zsh\n" {
			t.Errorf("run zsh-step with zsh installed: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and zsh is not installed (make deps installs it): %v", err)
	} else {
		t.Logf("zsh is not installed: running a zsh fence is not tested (make deps installs it)")
	}
	// The zsh step was refused before anything was recorded (and then, with
	// zsh, ran).
	r := run("--runbook", file, "list", "--json")
	var rb jsonRunbook
	if err := json.Unmarshal([]byte(r.stdout), &rb); err != nil {
		t.Fatalf("list --json: %v\n%s", err, r.stderr)
	}
	statuses := map[string]string{}
	for _, sec := range rb.Sections {
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				statuses[c.ID] = c.Status
			}
		}
	}
	want := map[string]string{"try-the-app/where": "ok", "try-the-app/bash-here": "ok", "try-the-app/echo-hello": "ok", "try-the-app/zsh-step": "pending"}
	if _, err := exec.LookPath("zsh"); err == nil {
		want["try-the-app/zsh-step"] = "ok"
	}
	if !maps.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
}
