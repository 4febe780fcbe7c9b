package runner

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The step of issue 8: a variable copied from a .env secret, a key the
// step generates, a token in JSON output and the base64 of the password
// leave no secret in any file under the state dir, and the next command
// still sees both variables with their real values.
func TestStepSecretsNeverOnDisk(t *testing.T) {
	state := t.TempDir()
	pw := "pg-" + strings.Repeat("Xy7", 24) // long enough for base64 to wrap at 76
	const token = "abc123secretvalue"
	envSecrets := map[string]string{"POSTGRES_PASSWORD": pw}
	spec := func(n, script string) Spec {
		return Spec{
			JobDir: filepath.Join(state, "jobs", n), Dir: t.TempDir(), Script: script,
			VarsFile: filepath.Join(state, "vars.sh"),
			Env:      []string{"POSTGRES_PASSWORD=" + pw},
			Secrets:  []string{pw}, EnvSecrets: envSecrets,
		}
	}
	first := spec("1", `SAVED_PW="$POSTGRES_PASSWORD"; NEW_KEY=$(openssl rand -hex 16 || head -c16 /dev/urandom | xxd -p); `+
		`echo "{\"access_token\":\"`+token+`\"}"; printf %s "$POSTGRES_PASSWORD" | base64 -w 76; PLAIN=visible; echo "made $NEW_KEY"`)
	first.Sets = []string{"SAVED_PW", "NEW_KEY", "PLAIN"}
	res, out := run(t, first)
	if res.ExitCode != 0 {
		t.Fatalf("first step: %+v\n%s", res, out)
	}
	newKey := declValue(t, res.SecretVars["NEW_KEY"])
	if len(newKey) != 32 {
		t.Fatalf("NEW_KEY = %q from %q, want 32 hex digits", newKey, res.SecretVars)
	}
	if _, ok := res.SecretVars["SAVED_PW"]; ok {
		t.Errorf("SAVED_PW kept in memory, want a reference to the .env: %q", res.SecretVars)
	}
	if res.Vars["SAVED_PW"] != "***" || res.Vars["NEW_KEY"] != "***" || res.Vars["PLAIN"] != "visible" {
		t.Errorf("result vars = %q", res.Vars)
	}
	if !strings.Contains(out, `{"access_token":"***"}`) {
		t.Errorf("live output: %q", out)
	}
	// The key was printed before anyone knew it was one: output.log is
	// masked once the step ended.
	if log := readLog(t, first.JobDir); !strings.Contains(log, "made ***\n") || int64(len(log)) != res.Bytes {
		t.Errorf("output.log (result says %d bytes):\n%s", res.Bytes, log)
	}

	// The next command sees the real values: SAVED_PW from the .env
	// reference, NEW_KEY from what the starting process kept.
	seen := filepath.Join(t.TempDir(), "seen")
	second := spec("2", `printf '%s\n%s\n' "$SAVED_PW" "$NEW_KEY" > "$SEEN"; echo "the key is $NEW_KEY"`)
	second.Env = append(second.Env, "SEEN="+seen)
	second.SecretVars = res.SecretVars
	second.Secrets = append(second.Secrets, newKey)
	res2, out2 := run(t, second)
	if got, _ := os.ReadFile(seen); string(got) != pw+"\n"+newKey+"\n" {
		t.Errorf("the next command saw %q, want the password and %q (%+v)", got, newKey, res2)
	}
	if !strings.Contains(out2, "the key is ***") {
		t.Errorf("second output: %q", out2)
	}
	if res2.SecretVars["NEW_KEY"] == "" {
		t.Errorf("NEW_KEY not handed on after the second command: %q", res2.SecretVars)
	}

	b64 := base64.StdEncoding.EncodeToString([]byte(pw))
	leaks := []string{pw, newKey, token, b64[:76], b64[76:]}
	assertNoLeak(t, state, leaks)
	vars, _ := os.ReadFile(first.VarsFile)
	if !strings.Contains(string(vars), "# planner-tui secret: declare -- SAVED_PW from .env $POSTGRES_PASSWORD") ||
		!strings.Contains(string(vars), "# planner-tui secret: declare -- NEW_KEY kept in memory") ||
		!strings.Contains(string(vars), `declare -- PLAIN="visible"`) {
		t.Errorf("vars.sh:\n%s", vars)
	}

	// A later planner-tui (no memory of NEW_KEY): the command runs without
	// it and says so; the .env reference still resolves.
	third := spec("3", `echo "pw:${#SAVED_PW} key:${#NEW_KEY}"`)
	res3, out3 := run(t, third)
	if res3.ExitCode != 0 || !strings.Contains(out3, "planner-tui: NEW_KEY is not set") || !strings.Contains(out3, "pw:"+itoa(len(pw))+" key:0") {
		t.Errorf("without the kept value: %+v %q", res3, out3)
	}
	if vars, _ := os.ReadFile(first.VarsFile); !strings.Contains(string(vars), "NEW_KEY kept in memory") {
		t.Errorf("the marker of the lost NEW_KEY is gone, later commands would not say so:\n%s", vars)
	}
	assertNoLeak(t, state, leaks)

	// A command that does not read NEW_KEY runs without a word about it:
	// the note would only be noise in its output.
	if res5, out5 := run(t, spec("5", `echo "version 1.2.2"`)); res5.ExitCode != 0 || out5 != "version 1.2.2\n" {
		t.Errorf("a command that does not read the lost variable: %+v %q", res5, out5)
	}

	// Headless, a later process given the secret in its environment
	// (`NEW_KEY=… planner-tui run …`): bash has it, and nothing says it
	// is not set.
	fourth := spec("4", `echo "key:${#NEW_KEY}"`)
	fourth.Env = append(fourth.Env, "NEW_KEY="+newKey)
	res4, out4 := run(t, fourth)
	if res4.ExitCode != 0 || strings.Contains(out4, "is not set") || !strings.Contains(out4, "key:32") {
		t.Errorf("given in the environment: %+v %q", res4, out4)
	}
	assertNoLeak(t, state, leaks)
}

// declValue is the value of a `declare -- NAME="value"` statement.
func declValue(t *testing.T, stmt string) string {
	t.Helper()
	d, err := parseDecls([]byte(stmt))
	if err != nil || len(d) != 1 {
		t.Fatalf("declare statement %q: %v", stmt, err)
	}
	return d[0].value
}

// assertNoLeak greps every file under dir for each value.
func assertNoLeak(t *testing.T, dir string, values []string) {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return nil
		}
		for _, v := range values {
			if strings.Contains(string(b), v) {
				t.Errorf("%s holds the secret %q:\n%s", path, v, b)
			}
		}
		return nil
	})
	if n < 5 {
		t.Errorf("only %d files under %s", n, dir)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
