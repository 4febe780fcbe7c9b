package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Grace is the SIGTERM -> SIGKILL grace of the job in jobDir (from its
// spec.json), DefaultGrace when it cannot be read.
func Grace(jobDir string) time.Duration {
	var d diskSpec
	b, err := os.ReadFile(filepath.Join(jobDir, SpecFile))
	if err != nil || json.Unmarshal(b, &d) != nil || d.Grace <= 0 {
		return DefaultGrace
	}
	return d.Grace
}

// KillGroup ends a cancelled job whose supervisor is dead and whose
// command ignored SIGTERM: without a supervisor nothing escalates, so the
// job would run (and one-command-at-a-time would hold) for ever. It sends
// SIGKILL to the command's process group (GroupFile, checked to be of this
// boot) and writes the result first, Canceled with Signal "SIGKILL", so
// that a follower (Attach) reads that rather than "supervisor died". It
// does nothing, and returns 0, when the supervisor is alive (it escalates
// itself) or the job has ended; else it returns the group it killed.
func KillGroup(jobDir string) (pgid int, err error) {
	if _, ok, _ := ReadResult(jobDir); ok || supervisorAlive(jobDir) || !Alive(jobDir) {
		return 0, nil
	}
	g, err := readToken(filepath.Join(jobDir, GroupFile))
	if err != nil {
		return 0, fmt.Errorf("kill job %s: %w", jobDir, err)
	}
	if !sameBoot(g) {
		return 0, nil
	}
	r := Result{ExitCode: 128 + int(syscall.SIGKILL), Canceled: true, Signal: "SIGKILL", Ended: time.Now().UTC()}
	if fi, err := os.Stat(filepath.Join(jobDir, OutputFile)); err == nil {
		r.Bytes = fi.Size()
	}
	if err := writeResult(jobDir, r); err != nil {
		return 0, fmt.Errorf("kill job %s: %w", jobDir, err)
	}
	if err := syscall.Kill(-g.pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return 0, fmt.Errorf("kill job %s: process group %d: %w", jobDir, g.pid, err)
	}
	return g.pid, nil
}
