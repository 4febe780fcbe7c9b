package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The login check of the runbook gets a bearer token: it keeps it in TOKEN
// and never prints it; neither it nor a token given headless in the
// environment is in any file of the state dir.
func TestLoginTokenNeverInClear(t *testing.T) {
	sb := needSandbox(t)
	op := newOperator(t, sb)
	r := op.mustRun(t, "manual-verification/api-test-test-authentication-endpoint", "--yes")
	wantOutput(t, r, "Login OK: token received")
	// A JWT starts with the base64 of `{"` (eyJ).
	rejectOutput(t, r, "eyJ")
	token := sb.login(t)
	op.withEnv("TOKEN="+token).mustRun(t, "manual-verification/api-test-test-programs-endpoint")
	n := 0
	filepath.WalkDir(op.stateDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return nil
		}
		if strings.Contains(string(b), "eyJ") || strings.Contains(string(b), token) {
			t.Errorf("%s holds a token in clear:\n%s", path, b)
		}
		return nil
	})
	if n < 6 {
		t.Errorf("only %d files in the state dir %s", n, op.stateDir)
	}
}
