package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"planner-tui/ops/fsutil"
	"planner-tui/ops/mask"
)

// envSupervisor marks a re-executed supervisor; its value is the job dir.
const envSupervisor = "PLANNER_TUI_SUPERVISOR"

// Tuning.
const (
	chunkSize        = 256 << 10              // read size from bash's output pipe
	pipeSize         = 1 << 20                // requested capacity of the output and live pipes
	syncEvery        = time.Second            // output.log fsync period while output flows
	drainAfter       = 500 * time.Millisecond // after bash exits: stop reading when no output came for this long (background processes may hold the pipe open)
	drainMax         = 10 * time.Second       // after bash exits: stop reading after this long, even if output still comes
	defaultLiveStall = 2 * time.Second        // a live write blocked this long: stop the live stream (Spec.LiveStall)
	groupPollTick    = 20 * time.Millisecond
)

// supervisorInput travels over the supervisor's stdin: the whole spec,
// secrets included.
type supervisorInput struct {
	Spec Spec `json:"spec"`
	Live bool `json:"live"` // fd 3 is the live pipe to the starting process
}

// IsSupervisor reports whether this process was started by Start as a job
// supervisor. main and TestMain call it first thing.
func IsSupervisor() bool { return os.Getenv(envSupervisor) != "" }

// SupervisorMain runs the supervisor and returns the process exit code. Its
// outcome is in result.json, not in the exit code.
func SupervisorMain() int {
	jobDir := os.Getenv(envSupervisor)
	os.Unsetenv(envSupervisor)
	// SIGHUP and SIGPIPE must not kill us; handling them (rather than
	// ignoring them) keeps their default disposition for bash and its
	// children, so `seq | head` behaves as in a terminal.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGPIPE)

	var in supervisorInput
	err := json.NewDecoder(os.Stdin).Decode(&in)
	// Keep fd 0 taken (by /dev/null) so that no later file lands on it.
	if null, nerr := os.Open(os.DevNull); nerr == nil {
		unix.Dup2(int(null.Fd()), 0)
		null.Close()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "supervisor: reading the spec: %v\n", err)
		res := Result{ExitCode: -1, Err: "supervisor: reading the spec: " + err.Error(), Ended: time.Now().UTC()}
		status("error")
		report(res)
		writeResult(jobDir, res)
		return 1
	}
	var live *os.File
	if in.Live {
		// Non-blocking makes the file pollable, so a write can time out.
		if err := syscall.SetNonblock(3, true); err == nil {
			live = os.NewFile(3, "live")
		}
	}
	s := &supervisor{jobDir: jobDir, spec: in.Spec, sigs: sigs, live: live}
	res := s.run()
	// The result becomes visible (rename) and is sent to the starting
	// process, so Wait returns now; then the record is made durable:
	// output.log first, then result.json and its directory entry. These
	// fsyncs cost milliseconds per job (more for big logs) and nobody
	// needs to wait for them.
	if s.live != nil {
		s.live.Close()
	}
	resultPath := filepath.Join(jobDir, ResultFile)
	b, _ := json.MarshalIndent(res, "", "  ")
	if err := writeFileRename(resultPath, append(b, '\n')); err != nil {
		// A full filesystem: the blocks reserved before the command
		// started take the result instead.
		if ierr := s.writeReserved(res); ierr != nil {
			fmt.Fprintf(os.Stderr, "supervisor: %v; %v\n", err, ierr)
		}
	}
	if s.resf != nil {
		s.resf.Close()
	}
	report(res)
	var syncErr error
	if s.logf != nil {
		syncErr = s.logf.Sync()
		s.logf.Close()
	}
	if syncErr != nil {
		res.LogError = strings.TrimSpace(res.LogError + " output log: fsync: " + syncErr.Error())
		if err := writeResult(jobDir, res); err != nil {
			fmt.Fprintf(os.Stderr, "supervisor: %v\n", err)
			return 1
		}
		return 0
	}
	if err := syncFile(resultPath); err != nil {
		fmt.Fprintf(os.Stderr, "supervisor: %v\n", err)
		return 1
	}
	if err := fsutil.SyncDir(jobDir); err != nil {
		fmt.Fprintf(os.Stderr, "supervisor: %v\n", err)
		return 1
	}
	return 0
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	return nil
}

// status writes one line to the starting process: "ok" once bash runs,
// "error" if it will not.
func status(line string) { os.Stdout.WriteString(line + "\n") }

// report sends the result to the starting process as one JSON line, then
// points stdout at /dev/null so that nothing else reaches the pipe. A gone
// reader gives EPIPE, which is ignored (SIGPIPE is handled, not fatal).
func report(r Result) {
	if b, err := json.Marshal(reportLine{Result: r, SecretVars: r.SecretVars}); err == nil {
		os.Stdout.Write(append(b, '\n'))
	}
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		unix.Dup2(int(null.Fd()), 1)
		null.Close()
	}
}

type supervisor struct {
	jobDir string
	spec   Spec
	sigs   chan os.Signal
	live   *os.File
	logf   *os.File // output.log; SupervisorMain syncs and closes it
	resf   *os.File // result.json holding the reserved blanks, open for writing in place
}

// resultReserve is the space reserved for result.json before the command
// starts. A result that does not fit (many variables) loses its variables
// in the reserved copy, never its exit code.
const resultReserve = 16 << 10

// reserveResult creates result.json as resultReserve blanks (which
// ReadResult reads as "no result yet") so that the exit code has its
// blocks even when the command then fills the filesystem.
func (s *supervisor) reserveResult() error {
	path := filepath.Join(s.jobDir, ResultFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("reserve %s: %w", path, err)
	}
	// Written, not fallocated: written blocks are allocated on every
	// filesystem (tmpfs, ext4's delayed allocation reserves them at write).
	if _, err := f.Write(bytes.Repeat([]byte{' '}, resultReserve)); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("reserve %d bytes for %s: %w", resultReserve, path, err)
	}
	s.resf = f
	return nil
}

// writeReserved writes the result over the reserved blanks, in place: no
// new block is needed. Padded with blanks to the reserved size, so nothing
// of an earlier content is left and the size does not change.
func (s *supervisor) writeReserved(res Result) error {
	if s.resf == nil {
		return errors.New("no space reserved for the result")
	}
	b, _ := json.Marshal(res)
	if len(b) >= resultReserve {
		res.Vars = nil
		res.LogError = strings.TrimSpace(res.LogError + " variables not recorded: the state filesystem is full")
		b, _ = json.Marshal(res)
	}
	if len(b) >= resultReserve {
		res.Err, res.LogError = truncate(res.Err, 1024), truncate(res.LogError, 1024)
		b, _ = json.Marshal(res)
	}
	buf := bytes.Repeat([]byte{' '}, resultReserve)
	copy(buf, b)
	buf[len(buf)-1] = '\n'
	if _, err := s.resf.WriteAt(buf, 0); err != nil {
		return fmt.Errorf("write the result into its reserved space: %w", err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (s *supervisor) run() Result {
	res := Result{ExitCode: -1}
	fail := func(format string, a ...any) Result {
		res.Err = fmt.Sprintf(format, a...)
		res.Ended = time.Now().UTC()
		status("error")
		return res
	}
	// The output is masked: in a shared state dir a watcher may read it.
	logf, err := os.OpenFile(filepath.Join(s.jobDir, OutputFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, fsutil.FileMode(s.jobDir))
	if err != nil {
		return fail("output log: %v", err)
	}
	s.logf = logf
	if err := s.reserveResult(); err != nil {
		return fail("state filesystem: %v (nothing ran)", err)
	}
	// The pid file says the supervisor got going (a job without one
	// never started: see NeverStarted). Written before bash, so that a
	// disk filled by the command cannot keep it from being written; no
	// fsync, so it costs the command next to nothing.
	if err := writePidFile(s.jobDir); err != nil {
		return fail("state filesystem: %v (nothing ran)", err)
	}
	if fi, err := os.Stat(s.spec.Dir); errors.Is(err, os.ErrNotExist) {
		return fail("working directory %s does not exist", s.spec.Dir)
	} else if err != nil {
		return fail("working directory: %v", err)
	} else if !fi.IsDir() {
		return fail("working directory %s: not a directory", s.spec.Dir)
	}

	env := append(environWithout(envSupervisor), s.spec.Env...)
	bash, err := lookPath("bash", env)
	if err != nil {
		return fail("bash not found in PATH: %v", err)
	}
	shell := ""
	if s.spec.otherShell() {
		if shell, err = lookPath(s.spec.Shell, env); err != nil {
			return fail("%s is not installed: the command is written for %s, which is not in PATH (nothing ran)", s.spec.Shell, s.spec.Shell)
		}
	}

	var vio *varsIO
	if s.spec.VarsFile != "" {
		if vio, err = openVarsIO(s.spec); err != nil {
			return fail("variables: %v", err)
		}
		defer vio.close()
	}

	outR, outW, err := os.Pipe()
	if err != nil {
		return fail("pipe: %v", err)
	}
	defer outR.Close()
	growPipe(outR)
	scriptR, scriptW, err := os.Pipe()
	if err != nil {
		outW.Close()
		return fail("pipe: %v", err)
	}

	cmd := &exec.Cmd{
		Path:        bash,
		Args:        []string{"bash", "-o", "pipefail", "-c", wrapperScript(s.spec.VarsFile, vio.varNames(), shell), "bash"},
		Dir:         s.spec.Dir,
		Env:         env,
		Stdout:      outW,
		Stderr:      outW,
		ExtraFiles:  append([]*os.File{scriptR}, vio.files()...),
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true},
	}
	err = cmd.Start()
	outW.Close()
	scriptR.Close()
	if err != nil {
		scriptW.Close()
		return fail("start bash: %v", err)
	}
	res.Started = time.Now().UTC()
	pgid := cmd.Process.Pid
	// Written after bash started: it needs bash's pid. Before "ok", so
	// that Alive holds when Start returns.
	if err := writeGroupFile(s.jobDir, pgid); err != nil {
		fmt.Fprintf(os.Stderr, "supervisor: %v\n", err)
	}
	go func() {
		// The script may be bigger than the pipe: bash reads it while we write.
		io.WriteString(scriptW, s.spec.Script)
		scriptW.Close()
	}()
	status("ok")

	// Copy the output: bash -> mask -> output.log (+ live pipe).
	sink := &sink{log: logf, live: s.live, cap: s.spec.outputCap(), stall: s.spec.liveStall()}
	defer func() { s.live = sink.live }() // nil if the live stream broke
	mw := mask.New(s.spec.Secrets).Writer(sink)
	vio.writeNotes(mw)
	copied := make(chan struct{})
	// drainUntil is set when bash has exited (unix nanoseconds): from then
	// on each read waits at most drainAfter for more output, and none
	// starts after drainUntil. The wait is reset before every read, so
	// output already in the pipe is never dropped because the copy (the
	// masking, a slow disk) took its time.
	var drainUntil atomic.Int64
	go func() {
		defer close(copied)
		buf := make([]byte, chunkSize)
		for {
			if end := drainUntil.Load(); end != 0 {
				if time.Now().UnixNano() >= end {
					break
				}
				outR.SetReadDeadline(time.Now().Add(drainAfter))
			}
			n, err := outR.Read(buf)
			if n > 0 {
				mw.Write(buf[:n])
			}
			if err != nil {
				break
			}
		}
		mw.Flush()
	}()

	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()

	grace := s.spec.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	var timeout <-chan time.Time
	if s.spec.Timeout > 0 {
		t := time.NewTimer(s.spec.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	tick := time.NewTicker(syncEvery)
	defer tick.Stop()
	var killAt <-chan time.Time
	var termSent time.Time
	terminate := func() {
		if !termSent.IsZero() {
			return
		}
		termSent = time.Now()
		syscall.Kill(-pgid, syscall.SIGTERM)
		killAt = time.After(grace)
	}
	lastSynced := int64(0)
wait:
	for {
		select {
		case <-exited:
			break wait
		case sig := <-s.sigs:
			if sig == syscall.SIGTERM || sig == syscall.SIGINT {
				res.Canceled = true
				terminate()
			}
		case <-timeout:
			if !res.Canceled {
				res.TimedOut = true
			}
			terminate()
		case <-killAt:
			syscall.Kill(-pgid, syscall.SIGKILL)
		case <-tick.C:
			if n := sink.written(); n != lastSynced {
				logf.Sync()
				lastSynced = n
			}
		}
	}
	res.Ended = time.Now().UTC()
	if !termSent.IsZero() {
		// Cancelled: nothing of the group may outlive the job.
		deadline := termSent.Add(grace)
		for groupAlive(pgid) && time.Now().Before(deadline) {
			time.Sleep(groupPollTick)
		}
		if groupAlive(pgid) {
			syscall.Kill(-pgid, syscall.SIGKILL)
		}
	}
	// Background processes may hold the pipe open: read what is there, and
	// what comes without a pause of drainAfter, for drainMax at most.
	drainUntil.Store(time.Now().Add(drainMax).UnixNano())
	outR.SetReadDeadline(time.Now().Add(drainAfter))
	<-copied
	sink.noteTruncation()

	var ee *exec.ExitError
	switch {
	case waitErr == nil:
		res.ExitCode = 0
	case errors.As(waitErr, &ee):
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			res.ExitCode = 128 + int(ws.Signal())
			res.Signal = unix.SignalName(ws.Signal())
		} else {
			res.ExitCode = ws.ExitStatus()
		}
	default:
		res.Err = "wait for bash: " + waitErr.Error()
	}

	if vio != nil {
		vars, secret, err := vio.save(s.spec)
		if err != nil {
			fmt.Fprintf(os.Stderr, "supervisor: %v\n", err)
			res.LogError = strings.TrimSpace(res.LogError + " " + err.Error())
		}
		res.Vars, res.SecretVars = vars, secret
	}
	res.Bytes = sink.written()
	if n, ok := vio.remaskLog(filepath.Join(s.jobDir, OutputFile), s.spec, res.SecretVars); ok {
		res.Bytes = n
	}
	res.Dropped = sink.dropped
	if err := sink.logErr; err != nil {
		res.LogError = strings.TrimSpace(fmt.Sprintf("output log: %v %s", err, res.LogError))
	}
	return res
}

// sink receives the masked output: appended to output.log up to its cap,
// copied to the live pipe while the starting process reads it (past the
// cap too: the operator watching still sees the command go on).
type sink struct {
	log   *os.File
	live  *os.File
	cap   int64         // output.log's limit; negative: none
	stall time.Duration // how long a live write may block

	n       atomic.Int64 // bytes in output.log
	dropped int64        // bytes past the cap; read only after the copy loop ended
	lastNL  bool         // output.log ends with a newline (or is empty)
	logErr  error        // read only after the copy loop ended
}

func (k *sink) Write(p []byte) (int, error) {
	keep := p
	if k.cap >= 0 {
		room := max(k.cap-k.n.Load(), 0)
		if int64(len(keep)) > room {
			keep = keep[:room]
		}
		k.dropped += int64(len(p) - len(keep))
	}
	if len(keep) > 0 {
		if k.logErr == nil {
			if _, err := k.log.Write(keep); err != nil {
				k.logErr = err // keep draining bash; the error goes into the result
			}
		}
		k.lastNL = keep[len(keep)-1] == '\n'
		k.n.Add(int64(len(keep)))
	}
	k.writeLive(p)
	return len(p), nil
}

func (k *sink) writeLive(p []byte) {
	if k.live != nil {
		// A gone reader gives EPIPE; a stopped one (Ctrl-Z) a timeout.
		// Either way the live stream ends here and the reader continues
		// from output.log, which has everything up to the cap.
		k.live.SetWriteDeadline(time.Now().Add(k.stall))
		if _, err := k.live.Write(p); err != nil {
			k.live.Close()
			k.live = nil
		}
	}
}

// noteTruncation ends output.log with one line
// saying how much was dropped, if anything was. Called once the output
// has been read to its end.
func (k *sink) noteTruncation() {
	if k.dropped == 0 {
		return
	}
	line := fmt.Sprintf("… output truncated: %d bytes dropped (cap %d bytes, %s)\n", k.dropped, k.cap, EnvOutputCap)
	if k.n.Load() > 0 && !k.lastNL {
		line = "\n" + line
	}
	if k.logErr == nil {
		if _, err := k.log.WriteString(line); err != nil {
			k.logErr = err
		}
	}
	// Not on the live pipe: the starting process, having streamed
	// everything, reads the log from the cap on and so gets this line
	// from there (see Start).
}

func (k *sink) written() int64 { return k.n.Load() }

func environWithout(key string) []string {
	env := os.Environ()
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// lookPath finds file in the PATH of env (the job's PATH, not ours).
func lookPath(file string, env []string) (string, error) {
	path := os.Getenv("PATH")
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, file)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not in %q", file, path)
}

// growPipe asks for a bigger pipe buffer: fewer wakeups and context
// switches per megabyte. Best effort. (Not f.Fd(): that would make f
// blocking and disable its deadlines.)
func growPipe(f *os.File) {
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.FcntlInt(fd, unix.F_SETPIPE_SZ, pipeSize) })
	}
}
