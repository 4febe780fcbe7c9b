// Package runner runs a runbook command so that it does not depend on the
// process that started it.
//
// Start launches a supervisor: this same executable, re-executed with
// PLANNER_TUI_SUPERVISOR=<job dir> in its own session (Setsid), so it
// survives SIGHUP, the terminal closing and kill -9 of planner-tui. The
// supervisor runs `bash -o pipefail` in its own process group with stdout
// and stderr on one pipe (merged in order), masks secrets (ops/mask) and
// appends the output to <job dir>/output.log and, while the starting
// process listens, to a live pipe. When bash ends it writes result.json.
// Another process can follow the job with Attach and find out how it ended
// with ReadResult; Alive tells whether the supervisor still runs.
//
// The script runs as if pasted into a terminal (not as a script file):
// each line in turn, no `set -e`, `exit N` ends the job with N; plus
// pipefail, stdin at end of file, and no job control. Background processes
// the script leaves behind are not killed when it ends normally (the
// supervisor stops reading their output half a second after bash exits);
// Cancel and Timeout kill the whole process group.
//
// Job directory:
//
//	spec.json       what runs, secrets masked; Env keys only
//	pid             "PID STARTTIME BOOTID" of the supervisor, written before bash starts
//	group           the same for bash, the command's process group leader
//	output.log      the masked output, appended; fsynced each second and at the end;
//	                capped (Spec.OutputCap), then one "output truncated" line
//	result.json     blanks (reserved space) while the job runs; the result when it ended
//	supervisor.log  the supervisor's own stderr (Go panics), normally empty
//
// Durability: before bash starts, the supervisor reserves result.json's
// space (resultReserve blanks); a state filesystem too full for that
// refuses the job, so a command that ran never lacks room for its exit
// code. When bash ends, the supervisor renames a fresh result.json into
// place, or, if the filesystem is full by then, writes the result into the
// reserved blocks in place; it sends the result to the starting process
// (so Wait returns at once), then fsyncs output.log, result.json and the
// directory. A power cut in those few milliseconds can lose result.json
// (the job then reads as interrupted) or the log's tail; nothing else is
// on the critical path.
//
// Secrets, Env values and the script itself reach the supervisor over its
// stdin and bash over a pipe: never argv (world-readable in /proc) and never
// the job directory in clear. The variables file holds what the script
// set, except secrets (see secretvars.go): it is written 0600.
//
// Programs that start jobs must call IsSupervisor first thing in main (and
// in TestMain):
//
//	if runner.IsSupervisor() { os.Exit(runner.SupervisorMain()) }
package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"planner-tui/ops/fsutil"
)

// Spec describes one command to run.
type Spec struct {
	JobDir string // created if missing (0700)
	Dir    string // working directory
	Script string // bash script, run as if pasted into a terminal, with pipefail
	// Shell runs Script instead of bash when set to another shell (sh,
	// zsh, ksh): bash still runs the wrapper (variables, secrets) and
	// starts that shell on the script, with pipefail when it has one. The
	// shell sees the variables earlier commands set (exported); what it
	// sets stays in it. "" or "bash": bash.
	Shell    string
	Env      []string      // extra KEY=VALUE on top of os.Environ()
	VarsFile string        // "declare -p" lines sourced before Script and rewritten after it
	Sets     []string      // variable names Script sets that VarsFile must keep (ignored without VarsFile)
	Timeout  time.Duration // 0: none; on expiry the job is cancelled and Result.TimedOut set
	Grace    time.Duration // SIGTERM -> SIGKILL grace; 0 means DefaultGrace
	Secrets  []string      // masked in output.log and the live stream
	// SecretVars are the secret variables earlier commands set, by name:
	// their declare statements, from Result.SecretVars. Given to bash in
	// memory, never written (see secretvars.go).
	SecretVars map[string]string
	// EnvSecrets are the .env's secret values by key: a variable equal to
	// one is kept in VarsFile as a reference to the key, resolved here.
	EnvSecrets map[string]string
	// OutputCap bounds output.log: past it the supervisor keeps reading
	// (the command never blocks) and keeps the live stream going, but drops
	// the bytes from the log and ends it with a "truncated" line. 0 means
	// DefaultOutputCap; negative means no cap.
	OutputCap int64
	// LiveStall is how long a write to the live stream may block before
	// the stream ends and the reader falls back to output.log; 0 means
	// defaultLiveStall. Tests on a loaded machine give more.
	LiveStall time.Duration `json:",omitempty"`
}

// DefaultOutputCap is output.log's size limit when Spec.OutputCap is 0.
const DefaultOutputCap int64 = 256 << 20

// EnvOutputCap overrides the output cap of the jobs planner-tui starts:
// a size like 1048576, 64K, 256M or 2G; "0" or "none" for no cap.
const EnvOutputCap = "PLANNER_TUI_OUTPUT_CAP"

// OutputCapFromEnv reads EnvOutputCap: 0 (the default) when it is unset,
// -1 for no cap.
func OutputCapFromEnv() (int64, error) {
	v, ok := os.LookupEnv(EnvOutputCap)
	if !ok || strings.TrimSpace(v) == "" {
		return 0, nil
	}
	n, err := ParseSize(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: %w", EnvOutputCap, v, err)
	}
	if n == 0 {
		return -1, nil
	}
	return n, nil
}

// ParseSize reads a byte count with an optional K, M or G suffix (powers of
// 1024); "none" is 0.
func ParseSize(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "none") {
		return 0, nil
	}
	mult := int64(1)
	if v != "" {
		switch strings.ToUpper(v[len(v)-1:]) {
		case "K":
			mult = 1 << 10
		case "M":
			mult = 1 << 20
		case "G":
			mult = 1 << 30
		}
		if mult > 1 {
			v = v[:len(v)-1]
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, errors.New("want a size in bytes, optionally with K, M or G (e.g. 256M), or none")
	}
	return n * mult, nil
}

func (s Spec) liveStall() time.Duration {
	if s.LiveStall > 0 {
		return s.LiveStall
	}
	return defaultLiveStall
}

func (s Spec) outputCap() int64 {
	switch {
	case s.OutputCap == 0:
		return DefaultOutputCap
	case s.OutputCap < 0:
		return -1
	}
	return s.OutputCap
}

// DefaultGrace is the time between SIGTERM and SIGKILL when Spec.Grace is 0.
const DefaultGrace = 5 * time.Second

// Result is how a job ended; result.json holds it.
type Result struct {
	ExitCode int       `json:"exit_code"` // bash's exit status; 128+n when killed by signal n; -1 when it never ran
	Started  time.Time `json:"started,omitzero"`
	Ended    time.Time `json:"ended,omitzero"`
	Canceled bool      `json:"canceled,omitempty"`
	TimedOut bool      `json:"timed_out,omitempty"`
	// Signal is the signal that killed bash itself ("SIGKILL"), if any. A
	// child killed by a signal only shows in ExitCode (bash reports 128+n).
	Signal string `json:"signal,omitempty"`
	// Err says why the command could not run or why its end is unknown
	// ("supervisor died"); empty when bash ran and exited.
	Err string `json:"err,omitempty"`
	// Vars are the variables in VarsFile after the command: the plain value
	// for a scalar, and for an array the text declare -p printed after
	// the '=' (like `([0]="a" [1]="b")`).
	Vars map[string]string `json:"vars,omitempty"`
	// SecretVars are the variables the command left holding a secret that
	// the .env does not have: name -> declare statement. Only the process
	// that started the job gets them (over the supervisor's stdout); never
	// in result.json; pass them on in the next Spec.SecretVars.
	SecretVars map[string]string `json:"-"`
	// Bytes is the size of the output after masking that output.log
	// holds (up to the cap, without the "truncated" line).
	Bytes int64 `json:"bytes"`
	// Dropped is the output past the cap: read and streamed live, but not
	// in output.log.
	Dropped int64 `json:"dropped,omitempty"`
	// LogError is set when output.log could not be written completely
	// (disk full...); the command itself was not affected.
	LogError string `json:"log_error,omitempty"`
}

// Names of the files in a job directory.
const (
	SpecFile          = "spec.json"
	OutputFile        = "output.log"
	PidFile           = "pid"
	ResultFile        = "result.json"
	SupervisorLogFile = "supervisor.log"
)

// diskSpec is spec.json: the spec without secrets.
type diskSpec struct {
	Dir       string        `json:"dir"`
	Shell     string        `json:"shell,omitempty"`
	Script    string        `json:"script"` // secrets masked
	EnvKeys   []string      `json:"env_keys,omitempty"`
	VarsFile  string        `json:"vars_file,omitempty"`
	Sets      []string      `json:"sets,omitempty"`
	Timeout   time.Duration `json:"timeout,omitempty"`
	Grace     time.Duration `json:"grace"`
	StartedBy int           `json:"started_by"` // pid of the starting process
	Created   time.Time     `json:"created"`
}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ReadResult reads result.json of a job. The bool reports whether the
// result exists (the job ended); a missing file is not an error.
func ReadResult(jobDir string) (Result, bool, error) {
	var r Result
	b, err := os.ReadFile(filepath.Join(jobDir, ResultFile))
	if errors.Is(err, fs.ErrNotExist) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("job result: %w", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		// The supervisor reserves result.json's space (blanks) before the
		// command starts; and a power cut before its fsync can leave the
		// file empty. Either way: no result yet.
		return r, false, nil
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, false, fmt.Errorf("job result %s: %w", filepath.Join(jobDir, ResultFile), err)
	}
	return r, true, nil
}

func writeResult(jobDir string, r Result) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("job result: %w", err)
	}
	path := filepath.Join(jobDir, ResultFile)
	// 0600 even in a shared state dir: Vars may hold values of
	// secret-named variables (the run's state masks them, this does not)
	err = fsutil.WriteFileAtomic(path, append(b, '\n'), 0o600)
	if err == nil {
		return nil
	}
	// A full filesystem: use the space the supervisor reserved, if it is
	// there and still blank.
	if f, oerr := os.OpenFile(path, os.O_RDWR, 0); oerr == nil {
		defer f.Close()
		old, rerr := io.ReadAll(f)
		c, _ := json.Marshal(r)
		if rerr == nil && len(bytes.TrimSpace(old)) == 0 && len(c) < len(old) {
			buf := bytes.Repeat([]byte{' '}, len(old))
			copy(buf, c)
			buf[len(buf)-1] = '\n'
			if _, werr := f.WriteAt(buf, 0); werr == nil && f.Sync() == nil {
				return nil
			}
		}
	}
	return err
}

// diedResult records that the supervisor ended without writing a result,
// so the next look at the job sees it as interrupted. An existing result
// is kept.
//
// The command may outlive its supervisor (an OOM kill of the supervisor
// leaves bash running): the job is over only when the command is, so this
// waits for its process group to end first. Nothing notifies us of a
// process that is not our child, hence the poll.
func diedResult(jobDir string) (Result, error) {
	for Alive(jobDir) {
		time.Sleep(200 * time.Millisecond)
	}
	if r, ok, err := ReadResult(jobDir); ok || err != nil {
		return r, err
	}
	r := Result{ExitCode: -1, Err: "supervisor died", Ended: time.Now().UTC()}
	if _, err := os.Lstat(filepath.Join(jobDir, PidFile)); errors.Is(err, fs.ErrNotExist) {
		r.Err = "never started: the supervisor ended before it started the command"
	}
	if fi, err := os.Stat(filepath.Join(jobDir, OutputFile)); err == nil {
		r.Bytes = fi.Size()
	}
	return r, writeResult(jobDir, r)
}

// startGrace is how long after the starting process created the job dir
// a supervisor may take to start the command (write its pid file).
const startGrace = 3 * time.Second

// NeverStarted says why a job's command never started, or "" if it did
// (or may still). A job without a result and without a pid file never got
// its command going: the starting process died before the supervisor
// started (no job dir, or no spec.json), or the supervisor died before it
// started bash. A supervisor still starting up gets startGrace from the
// job dir's creation to write its pid file; NeverStarted waits that long
// at most.
func NeverStarted(jobDir string) string {
	has := func(name string) bool {
		_, err := os.Lstat(filepath.Join(jobDir, name))
		return err == nil
	}
	fi, err := os.Stat(jobDir)
	if errors.Is(err, fs.ErrNotExist) {
		return "planner-tui stopped before it started the supervisor"
	}
	if err != nil {
		return ""
	}
	for time.Since(fi.ModTime()) < startGrace && !has(PidFile) {
		if _, ok, _ := ReadResult(jobDir); ok {
			return ""
		}
		time.Sleep(50 * time.Millisecond)
	}
	if has(PidFile) {
		return ""
	}
	if !has(SpecFile) {
		return "planner-tui stopped while it started the supervisor"
	}
	return "the supervisor ended before it started the command"
}

// otherShell reports whether the spec names a shell other than bash.
func (s Spec) otherShell() bool { return s.Shell != "" && s.Shell != "bash" }
