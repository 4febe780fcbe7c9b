package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The login check of the runbook prints a bearer token: the screen (stdout)
// and every file of the state dir show *** instead; a token given as
// <token> is not stored either.
func TestLoginTokenNeverInClear(t *testing.T) {
	sb := needSandbox(t)
	op := newOperator(t, sb)
	r := op.mustRun(t, "manual-verification/api-test-test-authentication-endpoint", "--yes")
	wantOutput(t, r, `"access_token":"***"`)
	// A JWT starts with the base64 of `{"` (eyJ).
	rejectOutput(t, r, "eyJ")
	token := sb.login(t)
	op.mustRun(t, "manual-verification/api-test-test-programs-endpoint", "--param", "token="+token)
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
